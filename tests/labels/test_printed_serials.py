"""A printed serial is out in the world: it never returns to the pool (serials/release, cancelling or
shrinking its order), and its history shows every label order that printed it and every order it left."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.serials.repository import serial_states
from tests.support import ORDERS, V2, assert_error, fill_pool, sample_order

STATES = serial_states()
LABELS = f"{V2}/label_orders/"
REQUEST = f"{V2}/serials/request"
RELEASE = f"{V2}/serials/release"
HISTORY = f"{V2}/pack/history"
FUTURE = "351115"


@pytest.fixture
def pool(database: Database, demo: Any) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 50)


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _available(session: Session) -> set[str]:
    session.expire_all()
    return set(session.scalars(select(STATES.c.serial).where(STATES.c.status == "Available")))


def _history(client: TestClient, headers: dict[str, str], serial: str) -> dict[str, Any]:
    params = {"product_code": DEMO_PRODUCT_CODE, "serial": serial}
    data: dict[str, Any] = _ok(client.get(HISTORY, params=params, headers=headers))
    return data


def _order_serials(client: TestClient, headers: dict[str, str], order_id: str = "Order130") -> list[str]:
    page = _ok(client.get(f"{ORDERS}/serials", params={"order_id": order_id, "limit": 1000}, headers=headers))
    serials: list[str] = page["serials"]
    return serials


def _assigned_without_order(session: Session) -> list[str]:
    session.expire_all()
    query = select(STATES.c.serial).where(STATES.c.status == "Assigned", STATES.c.order_pk.is_(None))
    return sorted(session.scalars(query))


@pytest.mark.parametrize("form", ["quantity", "serials"])
def test_printed_serials_are_never_released(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session, form: str
) -> None:
    lot = {"product_code": DEMO_PRODUCT_CODE, "batch": "B1", "expiry_date": FUTURE, "format": "zpl"}
    if form == "quantity":
        label_order = _ok(client.post(LABELS, json={**lot, "quantity": 2}, headers=api_headers))
        printed = _assigned_without_order(session)
        unprinted: list[str] = []
    else:
        requested = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 3}
        drawn = _ok(client.post(REQUEST, json=requested, headers=api_headers))["serials"]
        printed, unprinted = drawn[:2], drawn[2:]
        label_order = _ok(client.post(LABELS, json={**lot, "serials": printed}, headers=api_headers))
    assert len(printed) == 2
    before = _available(session)
    release = {"product_code": DEMO_PRODUCT_CODE, "serials": printed + unprinted}
    error = assert_error(client.post(RELEASE, json=release, headers=api_headers), 409, "InvalidStateError", "serials")
    assert "printed by a label order" in error["message"] and all(s in error["message"] for s in printed)
    assert not any(s in error["message"] for s in unprinted)
    assert _available(session) == before
    entries = [e for e in _history(client, api_headers, printed[0])["pool_history"] if e["event"] == "Printed"]
    assert len(entries) == 1 and label_order["id"] in entries[0]["detail"]
    if unprinted:
        assert _ok(client.post(RELEASE, json={**release, "serials": unprinted}, headers=api_headers))["released"] == 1


def test_every_label_order_that_printed_a_serial_is_in_its_history(
    client: TestClient, api_headers: dict[str, str]
) -> None:
    _ok(client.post(ORDERS, json=sample_order(expiry_date=FUTURE), headers=api_headers))
    first = _ok(client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers))
    again = _ok(client.post(LABELS, json={"order_id": "Order130", "quantity": 1, "format": "zpl"}, headers=api_headers))
    serial = _order_serials(client, api_headers)[0]
    entries = [e for e in _history(client, api_headers, serial)["pool_history"] if e["event"] == "Printed"]
    assert [first["id"] in entries[0]["detail"], again["id"] in entries[1]["detail"]] == [True, True]


def test_cancelling_an_order_retires_its_printed_serials_and_returns_the_rest(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    _ok(client.post(ORDERS, json=sample_order(expiry_date=FUTURE, quantity=5, extra_percentage=0), headers=api_headers))
    serials = _order_serials(client, api_headers)
    _ok(client.post(LABELS, json={"order_id": "Order130", "quantity": 2, "format": "zpl"}, headers=api_headers))
    cancelled = client.delete(ORDERS, params={"order_id": "Order130"}, headers=api_headers)
    assert _ok(cancelled)["status"] == "Cancelled"
    available = _available(session)
    assert not set(serials[:2]) & available and set(serials[2:]) <= available
    assert set(serials[:2]) <= set(_assigned_without_order(session))
    details = _ok(client.get(f"{ORDERS}/details", params={"order_id": "Order130"}, headers=api_headers))
    assert "3 serials back in the pool" in details["history"][-1]["comment"]
    assert "2 printed or packed serials retired" in details["history"][-1]["comment"]
    # Asked for again, the pool never hands out a printed serial.
    requested = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 3}
    assert set(_ok(client.post(REQUEST, json=requested, headers=api_headers))["serials"]) == set(serials[2:])


def test_shrinking_an_order_retires_printed_serials_beyond_its_new_size(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    _ok(client.post(ORDERS, json=sample_order(expiry_date=FUTURE, quantity=4, extra_percentage=0), headers=api_headers))
    serials = _order_serials(client, api_headers)
    _ok(client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers))
    shrunk = _ok(client.patch(ORDERS, json={"order_id": "Order130", "quantity": 2}, headers=api_headers))
    assert shrunk["serial_count"] == 2
    assert _order_serials(client, api_headers) == serials[:2]
    assert not set(serials) & _available(session)


def test_a_serials_history_keeps_the_cancelled_order_it_was_drawn_for(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    _ok(client.post(ORDERS, json=sample_order(order_id="First", serialized=False), headers=api_headers))
    _ok(client.post(f"{ORDERS}/assign_serials", json={"order_ids": ["First"]}, headers=api_headers))
    serial = _order_serials(client, api_headers, "First")[0]
    _ok(client.delete(ORDERS, params={"order_id": "First"}, headers=api_headers))
    assert serial in _available(session)
    history = _history(client, api_headers, serial)
    details = [e["detail"] or "" for e in history["pool_history"]]
    assert any("packaging order First" in d and "cancelled" in d for d in details), details
    assert any(e["event"] == "Order Pending release" for e in history["pool_history"])
    # Drawn again for another order: both orders are in its history.
    _ok(client.post(ORDERS, json=sample_order(order_id="Second", quantity=50, extra_percentage=0), headers=api_headers))
    assert serial in _order_serials(client, api_headers, "Second")
    details = [e["detail"] or "" for e in _history(client, api_headers, serial)["pool_history"]]
    assert any("packaging order First" in d for d in details) and any("packaging order Second" in d for d in details)
