"""Two processes creating serialized orders for one product at the same time never share a serial.

Both processes draw their candidate serials from the SAME deterministic byte stream, so every serial one
of them tries, the other tries too: only the database's unique index keeps them apart, and each order must
still end up with all its serials."""

from __future__ import annotations

import multiprocessing
import random
from typing import Any

import pytest
from sqlalchemy import func, select

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.models import PackagingOrder, Product
from packtrace.serials.repository import serial_states

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

ORDERS_PER_PROCESS = 3
QUANTITY = 1500  # with 10 % extra: 1650 serials, in batches of 400


def _create_orders(url: str, worker: int, barrier: Any, errors: Any) -> None:
    from packtrace.auth.service import tenant_service
    from packtrace.gs1 import serials as serial_rules
    from packtrace.orders.schemas import OrderCreate
    from packtrace.orders.service import order_service
    from packtrace.serials import service as serial_service_module

    same_stream = random.Random(42)
    original = serial_rules.random_serial_block
    serial_service_module.BATCH_SIZE = 400

    def colliding(count: int, length: int, alphabet: str) -> Any:
        return original(count, length, alphabet, randbytes=same_stream.randbytes)

    serial_service_module.serial_rules.random_serial_block = colliding  # type: ignore[assignment]
    db = Database(url)
    try:
        barrier.wait(timeout=30)
        for number in range(ORDERS_PER_PROCESS):
            with db.unit_of_work() as session:
                tenant = tenant_service.get_by_name(session, DEMO_TENANT)
                request = OrderCreate.model_validate(
                    {
                        "order_id": f"W{worker}-{number}",
                        "product_code_schema": "GTIN",
                        "product_code": DEMO_PRODUCT_CODE,
                        "quantity": QUANTITY,
                        "extra_percentage": 10,
                        "serialized": True,
                    }
                )
                order_service.create(session, tenant.id, request, f"worker {worker}")
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")
    finally:
        db.dispose()


@pytest.fixture
def committed_schema(committed_demo_schema: str) -> str:
    return committed_demo_schema


def test_two_processes_never_produce_the_same_serial(committed_schema: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    errors = context.Queue()
    workers = [context.Process(target=_create_orders, args=(committed_schema, w, barrier, errors)) for w in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert errors.empty(), errors.get()

    db = Database(committed_schema)
    with db.unit_of_work() as session:
        total, distinct = session.execute(
            select(func.count(STATES.c.id), func.count(func.distinct(STATES.c.serial)))
        ).one()
        per_order = dict(
            session.execute(
                select(PackagingOrder.order_id, func.count(STATES.c.id))
                .join(STATES, STATES.c.order_pk == PackagingOrder.id)
                .group_by(PackagingOrder.order_id)
            ).all()
        )
        counted = session.scalar(select(Product.serial_count).where(Product.code == DEMO_PRODUCT_CODE))
    db.dispose()
    expected_orders = {f"W{w}-{n}" for w in (1, 2) for n in range(ORDERS_PER_PROCESS)}
    assert set(per_order) == expected_orders
    assert all(count == 1650 for count in per_order.values()), per_order
    assert total == distinct == 1650 * len(expected_orders)
    assert counted == total
