"""An order's serials come from two places: drawn from the pool (linked in ``order_serials``) and made for
the order (their registry row names it). Every reader sees one list; shrinking and cancelling return
both kinds to the pool; nothing is lost or duplicated on the way."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import PackagingOrder
from packtrace.serials.repository import serial_states
from tests.support import ORDERS, V2, fill_pool, sample_order

STATES = serial_states()
POOL = 100
COMMISSION = f"{V2}/serials/commission"


@pytest.fixture
def pool(database: Database, demo: DemoCredentials) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, POOL)


def _data(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _page(client: TestClient, headers: dict[str, str], order_id: str = "Order130") -> list[str]:
    serials: list[str] = []
    cursor = None
    while True:
        params = {"order_id": order_id, "limit": 40, **({"cursor": cursor} if cursor else {})}
        data = _data(client.get(f"{ORDERS}/serials", params=params, headers=headers))
        serials += data["serials"]
        cursor = data.get("next_cursor")
        if not cursor:
            return serials


def _csv(client: TestClient, headers: dict[str, str], order_id: str = "Order130") -> list[str]:
    response = client.get(f"{ORDERS}/serials", params={"order_id": order_id, "format": "csv"}, headers=headers)
    assert response.status_code == 200, response.text
    return [row[0] for row in list(csv.reader(io.StringIO(response.text)))[1:]]


def _states(session: Session) -> dict[str, tuple[str, int | None]]:
    session.expire_all()
    return {
        serial: (status, order)
        for serial, status, order in session.execute(select(STATES.c.serial, STATES.c.status, STATES.c.order_pk))
    }


def _order_pk(session: Session, order_id: str) -> int:
    pk = session.scalar(select(PackagingOrder.id).where(PackagingOrder.order_id == order_id))
    assert pk is not None
    return pk


def test_an_order_larger_than_the_pool_is_drawn_then_made_and_read_as_one_list(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    pooled = {s for s, (status, _) in _states(session).items() if status == "Available"}
    _data(client.post(ORDERS, json=sample_order(quantity=150, extra_percentage=0), headers=api_headers))
    order_pk = _order_pk(session, "Order130")
    serials = _page(client, api_headers)
    assert len(serials) == len(set(serials)) == 150
    # The pool's serials are the older ones, so they come first; the made ones after them.
    assert set(serials[:POOL]) == pooled and not pooled & set(serials[POOL:])
    assert _csv(client, api_headers) == serials
    assert all(state == ("Assigned", order_pk) for state in _states(session).values())
    details = _data(client.get(f"{ORDERS}/details", params={"order_id": "Order130"}, headers=api_headers))
    assert details["serials_assigned"] == 150


def test_pages_merge_drawn_and_made_serials_in_id_order_across_every_boundary(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session, database: Database
) -> None:
    # Drawn (the pool's 100), made (50), then drawn again (30 newer pool serials, by growing the order):
    # pages of 40 cross from one source to the other and back.
    _data(client.post(ORDERS, json=sample_order(quantity=150, extra_percentage=0), headers=api_headers))
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 30)
    grown = _data(client.patch(ORDERS, json={"order_id": "Order130", "quantity": 180}, headers=api_headers))
    assert grown["serial_count"] == 180
    session.expire_all()
    by_id = list(session.scalars(select(STATES.c.serial).order_by(STATES.c.id)))
    assert len(by_id) == 180
    assert _page(client, api_headers) == by_id == _csv(client, api_headers)


def test_shrinking_and_cancelling_return_drawn_and_made_serials_alike(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    _data(client.post(ORDERS, json=sample_order(quantity=150, extra_percentage=0), headers=api_headers))
    everything = _page(client, api_headers)
    shrunk = _data(client.patch(ORDERS, json={"order_id": "Order130", "quantity": 90}, headers=api_headers))
    assert shrunk["serial_count"] == 90
    # The first 90 by id stay (all drawn); the other ten drawn and the fifty made go back.
    assert _page(client, api_headers) == everything[:90] == _csv(client, api_headers)
    states = _states(session)
    assert {s for s, (status, order) in states.items() if status == "Available" and order is None} == set(
        everything[90:]
    )
    regrown = _data(client.patch(ORDERS, json={"order_id": "Order130", "quantity": 120}, headers=api_headers))
    assert regrown["serial_count"] == 120 and len(set(_page(client, api_headers))) == 120

    response = client.delete(ORDERS, params={"order_id": "Order130"}, headers=api_headers)
    assert response.status_code == 200, response.text
    states = _states(session)
    assert len(states) == 150 and set(states.values()) == {("Available", None)}
    assert _page(client, api_headers) == []


def test_a_made_serial_released_and_drawn_again_belongs_to_its_new_order_only(
    client: TestClient, api_headers: dict[str, str], session: Session, demo: DemoCredentials
) -> None:
    _data(client.post(ORDERS, json=sample_order(quantity=10, extra_percentage=0), headers=api_headers))
    made = _page(client, api_headers)
    _data(client.patch(ORDERS, json={"order_id": "Order130", "quantity": 6}, headers=api_headers))
    body = sample_order(order_id="Order131", quantity=4, extra_percentage=0, serialized=False)
    _data(client.post(ORDERS, json=body, headers=api_headers))
    _data(client.post(f"{ORDERS}/assign_serials", json={"order_ids": ["Order131"]}, headers=api_headers))
    assert _page(client, api_headers, "Order131") == made[6:]
    assert _page(client, api_headers, "Order130") == made[:6]
    states = _states(session)
    second = _order_pk(session, "Order131")
    assert [states[s] for s in made[6:]] == [("Assigned", second)] * 4
    total = session.scalar(select(func.count()).select_from(STATES))
    assert total == 10


def test_a_line_commissions_the_serials_drawn_for_its_order_and_no_others(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    for order_id in ("Order130", "Order131"):
        body = sample_order(order_id=order_id, serialized=False, quantity=5, extra_percentage=0, expiry_date="351115")
        _data(client.post(ORDERS, json=body, headers=api_headers))
        _data(client.post(f"{ORDERS}/assign_serials", json={"order_ids": [order_id]}, headers=api_headers))
        _data(client.patch(f"{ORDERS}/release", json={"order_id": order_id}, headers=api_headers))
    ours, theirs = _page(client, api_headers, "Order130"), _page(client, api_headers, "Order131")
    common = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "batch": "BATCH111"}
    body = {**common, "expiry_date": "351115", "order_id": "Order130"}
    refused = client.post(COMMISSION, json={**body, "serials": [ours[0], theirs[0]]}, headers=api_headers)
    assert refused.status_code == 409, refused.text
    assert theirs[0] in refused.json()["message"] and ours[0] not in refused.json()["message"]
    assert _data(client.post(COMMISSION, json={**body, "serials": ours}, headers=api_headers))["commissioned"] == 5
