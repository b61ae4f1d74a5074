"""Concurrent changes of one record on PostgreSQL, with real threads on committed data: the loser of a
race gets a clear answer (404 for what the winner deleted, 409 for a state the winner changed) or a
correct result, never a 500, and the data stays whole. (SQLite has one writer at a time: nothing races.)"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select

from packtrace.app import create_app
from packtrace.auth.service import tenant_service
from packtrace.config import Settings
from packtrace.demo import DEMO_TENANT, DemoCredentials, seed_demo
from packtrace.gs1.check_digit import compute_check_digit
from packtrace.kit.db import Database
from packtrace.lines.service import line_service
from packtrace.models import PackagingLine, PackagingOrder, Product
from packtrace.models.enums import Role
from packtrace.products.service import ProductSettings, product_service
from packtrace.serials.repository import serial_states
from tests.auth.people import Person, make_person
from tests.support import ORDERS, register_prefixes, sample_order

ROUNDS = 30
SECRET = "c" * 40  # the committed demo schema's server key


class Race:
    """The app on a committed schema, the demo's API headers and a Support user of the demo tenant."""

    def __init__(self, url: str) -> None:
        self.settings = Settings(database_url=url, secret_key=SECRET, auth_failure_limit=100_000)
        self.db = Database(url)
        with self.db.unit_of_work() as session:
            demo: DemoCredentials = seed_demo(session, self.settings.signing_key())
            self.tenant_id = tenant_service.get_by_name(session, DEMO_TENANT).id
        self.api_headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
        self.support: Person = make_person(self.db, self.settings, self.tenant_id, "racer@a.example", Role.SUPPORT)

    def at_once(self, client: TestClient, *calls: Callable[[], Response]) -> list[Response]:
        """Run the calls in threads of their own, released together."""
        start = threading.Barrier(len(calls))

        def run(call: Callable[[], Response]) -> Response:
            start.wait(timeout=30)
            return call()

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(run, calls))


@pytest.fixture
def race(committed_demo_schema: str) -> Iterator[Race]:
    prepared = Race(committed_demo_schema)
    yield prepared
    prepared.db.dispose()


@pytest.fixture
def client(race: Race) -> Iterator[TestClient]:
    with TestClient(create_app(race.settings, database=race.db), raise_server_exceptions=False) as test_client:
        yield test_client


def statuses(responses: list[Response]) -> list[int]:
    return [r.status_code for r in responses]


def test_patch_and_delete_of_one_line_never_answer_500(race: Race, client: TestClient) -> None:
    outcomes = set()
    for n in range(ROUNDS):
        tag = f"race-line-{n}"
        with race.db.unit_of_work() as session:
            line_service.create(session, race.tenant_id, tag, "before")
        headers = race.support.headers
        renamed, deleted = race.at_once(
            client,
            lambda: client.patch(f"/api/lines/{tag}", json={"name": "after"}, headers=headers),
            lambda: client.delete(f"/api/lines/{tag}", headers=headers),
        )
        outcomes.add((renamed.status_code, deleted.status_code))
        # The delete always wins in the end: it either ran first (the rename finds no line: 404) or
        # waited for the rename's lock and then deleted the renamed line.
        assert deleted.status_code == 200, deleted.text
        assert renamed.status_code in {200, 404}, renamed.text
        with race.db.unit_of_work(writes=False) as session:
            assert session.scalar(select(PackagingLine).where(PackagingLine.tag == tag)) is None
    assert outcomes <= {(200, 200), (404, 200)}, outcomes


def test_patch_and_delete_of_one_product_never_answer_500(race: Race, client: TestClient) -> None:
    with race.db.unit_of_work() as session:
        register_prefixes(session, race.tenant_id, ("0400638",))
    for n in range(ROUNDS):
        payload = f"0400638{n:05d}"
        code = payload + compute_check_digit(payload)
        with race.db.unit_of_work() as session:
            product_service.create(
                session, race.tenant_id, code, ProductSettings(name="before", company_prefix_length=7)
            )
        headers = race.support.headers
        changed, deleted = race.at_once(
            client,
            lambda: client.patch(f"/api/products/{code}", json={"name": "after"}, headers=headers),
            lambda: client.delete(f"/api/products/{code}", headers=headers),
        )
        assert deleted.status_code == 200, deleted.text
        assert changed.status_code in {200, 404}, changed.text
        with race.db.unit_of_work(writes=False) as session:
            assert session.scalar(select(Product).where(Product.code == code)) is None


def _order_state(race: Race, order_id: str) -> tuple[str, int, int, int | None]:
    """The order's status, its serial count, how many serials really are its own, and its quantity."""
    states = serial_states()
    with race.db.unit_of_work(writes=False) as session:
        order = session.scalar(select(PackagingOrder).where(PackagingOrder.order_id == order_id))
        assert order is not None
        owned = session.scalar(select(func.count()).select_from(states).where(states.c.order_pk == order.id)) or 0
        return order.status, order.serial_count, owned, order.quantity


def test_concurrent_changes_of_one_order_are_serialized(race: Race, client: TestClient) -> None:
    """Two resizes at once: each draws from the count the other left, so the order ends with exactly
    the serials its final quantity needs (without the lock both drew from the same count and one count
    was lost)."""
    for n in range(ROUNDS // 3):
        order_id = f"race-order-{n}"
        created = client.post(
            ORDERS, json=sample_order(order_id=order_id, quantity=100, extra_percentage=0), headers=race.api_headers
        )
        assert created.status_code == 200, created.text
        responses = race.at_once(
            client,
            lambda: client.patch(ORDERS, json={"order_id": order_id, "quantity": 150}, headers=race.api_headers),
            lambda: client.patch(ORDERS, json={"order_id": order_id, "quantity": 250}, headers=race.api_headers),
        )
        assert statuses(responses) == [200, 200], [r.text for r in responses]
        _, serial_count, owned, quantity = _order_state(race, order_id)
        assert quantity in {150, 250}
        assert serial_count == owned == quantity


def test_a_change_racing_a_cancel_gets_409_or_runs_before_it(race: Race, client: TestClient) -> None:
    for n in range(ROUNDS // 3):
        order_id = f"race-cancel-{n}"
        created = client.post(
            ORDERS, json=sample_order(order_id=order_id, quantity=100, extra_percentage=0), headers=race.api_headers
        )
        assert created.status_code == 200, created.text
        changed, cancelled = race.at_once(
            client,
            lambda: client.patch(ORDERS, json={"order_id": order_id, "quantity": 300}, headers=race.api_headers),
            lambda: client.delete(ORDERS, params={"order_id": order_id}, headers=race.api_headers),
        )
        assert cancelled.status_code == 200, cancelled.text
        assert changed.status_code in {200, 409}, changed.text
        if changed.status_code == 409:
            assert changed.json()["error"]["type"] == "InvalidStateError"
        status, serial_count, owned, _ = _order_state(race, order_id)
        # Cancelled last, so every serial went back to the pool, whatever the change did before.
        assert (status, serial_count, owned) == ("Cancelled", 0, 0)
