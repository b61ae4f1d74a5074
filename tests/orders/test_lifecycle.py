"""The order lifecycle over HTTP: every allowed transition with its history, every forbidden one refused
with the current status named and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import Tenant
from packtrace.serials.repository import serial_states
from tests.support import ORDERS, assert_error, fill_pool, sample_order

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

ASSIGN = f"{ORDERS}/assign_serials"
RELEASE = f"{ORDERS}/release"
STATUS = f"{ORDERS}/status"


@pytest.fixture
def pool(database: Database, demo: DemoCredentials) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 100)


def _create(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post(ORDERS, json=sample_order(**changes), headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _details(client: TestClient, headers: dict[str, str], order_id: str = "Order130") -> dict[str, Any]:
    response = client.get(f"{ORDERS}/details", params={"order_id": order_id}, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _serial_rows(session: Session) -> list[tuple[str, str, int | None]]:
    session.expire_all()
    # In serial order: the join's own order is the plan's, which may differ between two reads.
    rows = session.execute(select(STATES.c.serial, STATES.c.status, STATES.c.order_pk).order_by(STATES.c.serial))
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_one_order_through_every_transition(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    _create(client, api_headers, serialized=False)
    assigned = client.post(ASSIGN, json={"order_ids": ["Order130"]}, headers=api_headers)
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["data"][0]["status"] == "Pending release"
    assert assigned.json()["data"][0]["serial_count"] == 11
    released = client.patch(RELEASE, json={"order_id": "Order130"}, headers=api_headers)
    assert released.json()["data"]["status"] == "In progress", released.text
    steps = [
        ("Suspended", 4, "jam on the labeller"),
        ("In progress", 4, None),
        ("In progress", 8, "half done"),
        ("Completed", 10, "done"),
    ]
    for status, produced, comment in steps:
        body = {"order_id": "Order130", "status": status, "produced_quantity": produced}
        if comment:
            body["comment"] = comment
        response = client.patch(STATUS, json=body, headers=api_headers)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["status"] == status
        assert response.json()["data"]["produced_quantity"] == produced
    details = _details(client, api_headers)
    history = [(e["status"], e["comment"]) for e in details["history"]]
    assert history == [
        ("Open", "created"),
        ("Pending release", "serial numbers assigned"),
        ("In progress", "released to test-packaging-line-1"),
        ("Suspended", "jam on the labeller"),
        ("In progress", "produced 4"),
        ("In progress", "half done"),
        ("Completed", "done"),
    ]
    assert all(e["actor"] == "api_key:demo-erp channel:demo-line-middleware" for e in details["history"])
    assert details["serials_assigned"] == 11


def test_order_created_with_serials_is_released_straight_from_open(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    created = _create(client, api_headers, quantity=50, extra_percentage=10)
    assert created["serial_count"] == 55
    rows = _serial_rows(session)
    assert sum(1 for _, status, order in rows if status == "Assigned" and order) == 55
    # Drawn from the pool first: the pool of 100 gave all 55, nothing new was made.
    assert len(rows) == 100
    released = client.patch(RELEASE, json={"order_id": "Order130"}, headers=api_headers)
    assert released.json()["data"]["status"] == "In progress"


def test_pool_short_order_is_completed_with_new_serials(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    created = _create(client, api_headers, quantity=150, extra_percentage=0)
    assert created["serial_count"] == 150
    rows = _serial_rows(session)
    assert len(rows) == 150 and all(status == "Assigned" for _, status, _ in rows)


def test_assign_is_all_or_nothing(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    _create(client, api_headers, order_id="A", quantity=60, extra_percentage=0, serialized=False)
    _create(client, api_headers, order_id="B", quantity=60, extra_percentage=0, serialized=False)
    before = _serial_rows(session)
    response = client.post(ASSIGN, json={"order_ids": ["A", "B"]}, headers=api_headers)
    body = assert_error(response, 409, "InsufficientSerialsError")
    assert "40" in body["message"] and "60" in body["message"]
    assert _serial_rows(session) == before
    assert _details(client, api_headers, "A")["status"] == "Open"
    assert _details(client, api_headers, "A")["serial_count"] == 0


def test_cancel_returns_serials_to_the_pool_and_keeps_the_record(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    _create(client, api_headers, quantity=20, extra_percentage=0)
    response = client.delete(ORDERS, params={"order_id": "Order130"}, headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "Cancelled"
    rows = _serial_rows(session)
    assert all(status == "Available" and order is None for _, status, order in rows)
    details = _details(client, api_headers)
    assert details["status"] == "Cancelled" and details["serials_assigned"] == 0
    assert details["history"][-1]["comment"] == "cancelled; 20 serials back in the pool"
    assert "Order130" not in [
        o["order_id"] for o in client.get(f"{ORDERS}/open", headers=api_headers).json()["data"]["orders"]
    ]


def test_update_resizes_serials(client: TestClient, api_headers: dict[str, str], pool: None, session: Session) -> None:
    _create(client, api_headers, quantity=10, extra_percentage=10)
    grown = client.patch(ORDERS, json={"order_id": "Order130", "quantity": 30}, headers=api_headers)
    assert grown.status_code == 200, grown.text
    assert grown.json()["data"]["serial_count"] == 33
    shrunk = client.patch(
        ORDERS, json={"order_id": "Order130", "extra_percentage": 0, "batch": "B2"}, headers=api_headers
    )
    assert shrunk.json()["data"]["serial_count"] == 30 and shrunk.json()["data"]["batch"] == "B2"
    rows = _serial_rows(session)
    assert sum(1 for _, status, order in rows if order is not None) == 30
    assert sum(1 for _, status, _ in rows if status == "Available") == 70
    assert _details(client, api_headers)["history"][-1]["comment"] == "updated: batch, extra_percentage"


def test_update_validates_like_create(client: TestClient, api_headers: dict[str, str], session: Session) -> None:
    _create(client, api_headers)
    before = _details(client, api_headers)
    for body, field in [
        ({"quantity": "5"}, "quantity"),
        ({"market": "XX"}, "market"),
        ({"packaging_line_tag": "nope"}, "packaging_line_tag"),
        ({"expiry_date": "231399"}, "expiry_date"),
        ({"colour": "red"}, "colour"),
    ]:
        assert_error(
            client.patch(ORDERS, json={"order_id": "Order130", **body}, headers=api_headers),
            400,
            "ValidationError",
            field,
        )
    assert _details(client, api_headers) == before


def test_release_needs_a_line(client: TestClient, api_headers: dict[str, str]) -> None:
    _create(client, api_headers, packaging_line_tag=None, serialized=False)
    assert_error(
        client.patch(RELEASE, json={"order_id": "Order130"}, headers=api_headers),
        400,
        "ValidationError",
        "packaging_line_tag",
    )
    assert_error(
        client.patch(RELEASE, json={"order_id": "Order130", "packaging_line_tag": "nope"}, headers=api_headers),
        400,
        "ValidationError",
        "packaging_line_tag",
    )
    ok = client.patch(
        RELEASE, json={"order_id": "Order130", "packaging_line_tag": "test-packaging-line-1"}, headers=api_headers
    )
    assert ok.json()["data"]["status"] == "In progress"
    assert ok.json()["data"]["packaging_line_tag"] == "test-packaging-line-1"


def test_produced_quantity_never_decreases(client: TestClient, api_headers: dict[str, str]) -> None:
    _create(client, api_headers)
    client.patch(RELEASE, json={"order_id": "Order130"}, headers=api_headers)
    client.patch(
        STATUS, json={"order_id": "Order130", "status": "In progress", "produced_quantity": 5}, headers=api_headers
    )
    response = client.patch(
        STATUS, json={"order_id": "Order130", "status": "Suspended", "produced_quantity": 4}, headers=api_headers
    )
    assert_error(response, 400, "ValidationError", "produced_quantity")
    assert _details(client, api_headers)["status"] == "In progress"


def test_automatic_release(client: TestClient, api_headers: dict[str, str], database: Database, pool: None) -> None:
    with database.unit_of_work() as s:
        tenant = s.scalar(select(Tenant).where(Tenant.name == DEMO_TENANT))
        assert tenant is not None
        tenant.automatic_release = True
    created = _create(client, api_headers)
    assert created["status"] == "In progress"
    assert [e["comment"] for e in _details(client, api_headers)["history"]] == ["created", "automatic release"]
    _create(client, api_headers, order_id="no-line", packaging_line_tag=None)
    assert _details(client, api_headers, "no-line")["status"] == "Open"


# -- forbidden transitions ----------------------------------------------------------------------------------


def _to_status(client: TestClient, headers: dict[str, str], status: str) -> None:
    """Bring Order130 (serialized, 11 serials) to ``status``."""
    _create(client, headers)
    path = {
        "Open": [],
        "Pending release": [("POST", ASSIGN, {"order_ids": ["Order130"]})],
        "In progress": [("PATCH", RELEASE, {"order_id": "Order130"})],
        "Suspended": [
            ("PATCH", RELEASE, {"order_id": "Order130"}),
            ("PATCH", STATUS, {"order_id": "Order130", "status": "Suspended"}),
        ],
        "Completed": [
            ("PATCH", RELEASE, {"order_id": "Order130"}),
            ("PATCH", STATUS, {"order_id": "Order130", "status": "Completed"}),
        ],
        "Cancelled": [("DELETE", ORDERS, None)],
    }[status]
    for method, url, body in path:
        if method == "DELETE":
            response = client.delete(url, params={"order_id": "Order130"}, headers=headers)
        else:
            response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 200, response.text
    assert _details(client, headers)["status"] == status


OPERATIONS: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "assign": ("POST", ASSIGN, {"order_ids": ["Order130"]}),
    "release": ("PATCH", RELEASE, {"order_id": "Order130"}),
    "suspend": ("PATCH", STATUS, {"order_id": "Order130", "status": "Suspended"}),
    "resume": ("PATCH", STATUS, {"order_id": "Order130", "status": "In progress"}),
    "complete": ("PATCH", STATUS, {"order_id": "Order130", "status": "Completed"}),
    "update": ("PATCH", ORDERS, {"order_id": "Order130", "quantity": 12}),
    "cancel": ("DELETE", ORDERS, None),
}
ALLOWED = {
    "Open": {"assign", "release", "update", "cancel"},
    "Pending release": {"release", "update", "cancel"},
    "In progress": {"suspend", "resume", "complete"},
    "Suspended": {"resume"},
    "Completed": set(),
    "Cancelled": set(),
}
FORBIDDEN = [(status, op) for status, allowed in ALLOWED.items() for op in OPERATIONS if op not in allowed]


@pytest.mark.parametrize(("status", "operation"), FORBIDDEN)
def test_forbidden_transition_changes_nothing(
    client: TestClient, api_headers: dict[str, str], session: Session, status: str, operation: str
) -> None:
    _to_status(client, api_headers, status)
    before = (_details(client, api_headers), _serial_rows(session))
    method, url, body = OPERATIONS[operation]
    if method == "DELETE":
        response = client.delete(url, params={"order_id": "Order130"}, headers=api_headers)
    else:
        response = client.request(method, url, json=body, headers=api_headers)
    error = assert_error(response, 409, "InvalidStateError")
    assert status in error["message"]
    assert (_details(client, api_headers), _serial_rows(session)) == before
