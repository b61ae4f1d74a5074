"""Many transactions drawing from one pool at once (PostgreSQL: SQLite serializes writers).

Each operation is a transaction of its own, committed for real, in a schema of this module's own: the
rolled-back test transaction of the other tests would hide exactly what is tested here."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.kit.errors import InsufficientSerialsError
from packtrace.models import OrderEvent, PackagingOrder, Product
from packtrace.models.enums import OrderStatus, SerialStatus
from packtrace.orders.schemas import OrderCreate
from packtrace.orders.service import order_service
from packtrace.products.service import product_service
from packtrace.serials.repository import serial_states
from packtrace.serials.service import serial_service

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

THREADS = 8
ORDERS_PER_THREAD = 3
SERIALS_PER_ORDER = 500
# 24 orders of 500 would need 12,000: at most 22 can have their serials, so some assigns must fail.
POOL_SIZE = 11_000
LOCK_WAIT_LIMIT = "5s"


@pytest.fixture
def committed_schema(committed_demo_schema: str) -> str:
    """The demo with a pool of POOL_SIZE serials."""
    db = Database(committed_demo_schema)
    try:
        with db.unit_of_work() as session:
            serial_service.generate_into_pool(session, _product(session), POOL_SIZE)
    finally:
        db.dispose()
    return committed_demo_schema


def _tenant_id(session: Session) -> int:
    return tenant_service.get_by_name(session, DEMO_TENANT).id


def _product(session: Session) -> Product:
    return product_service.get(session, _tenant_id(session), DEMO_PRODUCT_CODE)


def _create_unserialized(db: Database, order_id: str, actor: str) -> None:
    request = OrderCreate.model_validate(
        {
            "order_id": order_id,
            "product_code_schema": "GTIN",
            "product_code": DEMO_PRODUCT_CODE,
            "quantity": SERIALS_PER_ORDER,
            "extra_percentage": 0,
            "serialized": False,
        }
    )
    with db.unit_of_work() as session:
        order_service.create(session, _tenant_id(session), request, actor)


@dataclass
class Outcome:
    assigned: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(url: str, worker: int, barrier: threading.Barrier, outcome: Outcome) -> None:
    db = Database(url)
    try:
        barrier.wait(timeout=30)
        for number in range(ORDERS_PER_THREAD):
            order_id = f"T{worker}-{number}"
            actor = f"thread {worker}"
            _create_unserialized(db, order_id, actor)
            try:
                with db.unit_of_work() as session:
                    order_service.assign_serials(session, _tenant_id(session), [order_id], actor)
            except InsufficientSerialsError:
                with outcome.lock:
                    outcome.refused.append(order_id)
            else:
                with outcome.lock:
                    outcome.assigned.append(order_id)
    except Exception as exc:  # reported by the test, which fails
        with outcome.lock:
            outcome.errors.append(f"thread {worker}: {type(exc).__name__}: {exc}")
    finally:
        db.dispose()


def test_threads_creating_and_assigning_orders_never_share_a_serial(committed_schema: str) -> None:
    barrier = threading.Barrier(THREADS)
    outcome = Outcome()
    threads = [
        threading.Thread(target=_worker, args=(committed_schema, w, barrier, outcome), name=f"pool-{w}")
        for w in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    assert outcome.errors == []
    assert len(outcome.assigned) + len(outcome.refused) == THREADS * ORDERS_PER_THREAD
    assert len(outcome.assigned) <= POOL_SIZE // SERIALS_PER_ORDER
    assert outcome.refused, "the pool cannot supply every order: some assigns must have been refused"

    db = Database(committed_schema)
    try:
        with db.unit_of_work() as session:
            rows, distinct = session.execute(
                select(func.count(STATES.c.id), func.count(func.distinct(STATES.c.serial))).where(
                    STATES.c.order_pk.is_not(None)
                )
            ).one()
            in_two_orders = session.execute(
                select(STATES.c.serial)
                .group_by(STATES.c.serial)
                .having(func.count(func.distinct(STATES.c.order_pk)) > 1)
            ).all()
            per_order = dict(
                session.execute(
                    select(PackagingOrder.order_id, func.count(STATES.c.id))
                    .outerjoin(STATES, STATES.c.order_pk == PackagingOrder.id)
                    .group_by(PackagingOrder.order_id)
                ).all()
            )
            orders = {o.order_id: o for o in session.scalars(select(PackagingOrder))}
            events = dict(
                session.execute(
                    select(PackagingOrder.order_id, func.count(OrderEvent.id))
                    .join(OrderEvent, OrderEvent.order_pk == PackagingOrder.id)
                    .group_by(PackagingOrder.order_id)
                ).all()
            )
            statuses = dict(session.execute(select(STATES.c.status, func.count()).group_by(STATES.c.status)).all())
            made = session.scalar(select(Product.serial_count).where(Product.code == DEMO_PRODUCT_CODE))
    finally:
        db.dispose()

    # Every serial assigned once: as many distinct serials as assigned rows, and none in two orders.
    assert rows == distinct == SERIALS_PER_ORDER * len(outcome.assigned)
    assert in_two_orders == []
    # Each order holds exactly the serials its serial_count says.
    assert set(orders) == set(outcome.assigned) | set(outcome.refused)
    assert {order_id: orders[order_id].serial_count for order_id in orders} == per_order
    for order_id in outcome.assigned:
        assert (orders[order_id].status, per_order[order_id]) == (OrderStatus.PENDING_RELEASE.value, SERIALS_PER_ORDER)
    # A refused assign changed nothing: the order is Open, without serials, its history only "created".
    for order_id in outcome.refused:
        assert (orders[order_id].status, per_order[order_id], events[order_id]) == (OrderStatus.OPEN.value, 0, 1)
    # The pool adds up: nothing made, nothing lost.
    available = statuses.get(SerialStatus.AVAILABLE.value, 0)
    assigned = statuses.get(SerialStatus.ASSIGNED.value, 0)
    assert assigned == rows
    assert available + assigned == sum(statuses.values()) == made == POOL_SIZE


def _assign_an_order(order_id: str) -> Callable[[Session], int]:
    def draw(session: Session) -> int:
        (order,) = order_service.assign_serials(session, _tenant_id(session), [order_id], f"draw {order_id}")
        return order.serial_count

    return draw


def _request(quantity: int) -> Callable[[Session], int]:
    def draw(session: Session) -> int:
        return len(serial_service.request(session, _product(session), quantity))

    return draw


@pytest.mark.parametrize("kind", ["serials/request", "assign_serials"])
def test_a_draw_does_not_wait_for_another_open_draw(committed_schema: str, kind: str) -> None:
    """While a first transaction holds its draw open (rows locked, not committed), a second one draws
    from the same pool without waiting: it skips the locked rows. A lock wait beyond the limit would
    fail it (lock_timeout), so a regression shows as an error, not as a hang."""
    db = Database(committed_schema)
    try:
        if kind == "assign_serials":
            _create_unserialized(db, "First", "test")
            _create_unserialized(db, "Second", "test")
            first, second = _assign_an_order("First"), _assign_an_order("Second")
        else:
            first, second = _request(SERIALS_PER_ORDER), _request(SERIALS_PER_ORDER)
        holding = db.session_factory()
        try:
            assert first(holding) == SERIALS_PER_ORDER  # drawn, locked, not committed
            with db.unit_of_work() as other:
                other.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_LIMIT}'"))
                other.execute(text(f"SET LOCAL statement_timeout = '{LOCK_WAIT_LIMIT}'"))
                assert second(other) == SERIALS_PER_ORDER
            holding.commit()
        finally:
            holding.close()
        with db.unit_of_work() as session:
            rows, distinct = session.execute(
                select(func.count(STATES.c.id), func.count(func.distinct(STATES.c.serial))).where(
                    STATES.c.status == SerialStatus.ASSIGNED.value
                )
            ).one()
    finally:
        db.dispose()
    assert rows == distinct == 2 * SERIALS_PER_ORDER, "both draws hold their own serials, none shared"
