"""Rules that keep an order usable to the end: a batch GS1 can print, produced quantities within what the
order can make, and `serialized` kept as the ERP sent it beside the derived `has_serials`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from tests.support import ORDERS, assert_error, fill_pool, row_counts, sample_order

ASSIGN = f"{ORDERS}/assign_serials"
RELEASE = f"{ORDERS}/release"
STATUS = f"{ORDERS}/status"


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


@pytest.mark.parametrize(
    ("batch", "rule"),
    [
        ("B" * 21, "1-20 characters"),
        ("B 1", "character set 82"),
        ("LÖT-ä", "character set 82"),
        ("LOT#1", "character set 82"),
    ],
)
def test_a_batch_gs1_cannot_print_is_refused_at_create(
    client: TestClient, api_headers: dict[str, str], database: Database, batch: str, rule: str
) -> None:
    with database.unit_of_work() as s:
        before = row_counts(s)
    body = assert_error(
        client.post(ORDERS, json=sample_order(batch=batch), headers=api_headers), 400, "ValidationError", "batch"
    )
    detail = next(d for d in body["error"]["details"] if d["field"] == "batch")
    assert rule in detail["message"] and "AI 10" in detail["message"]
    with database.unit_of_work() as s:
        assert row_counts(s) == before


def test_twenty_characters_of_set_82_are_a_batch(client: TestClient, api_headers: dict[str, str]) -> None:
    batch = "Ab9!%&()*+,-./:;<=>?"
    assert len(batch) == 20
    created = _ok(client.post(ORDERS, json=sample_order(batch=batch, serialized=False), headers=api_headers))
    assert created["batch"] == batch


def test_a_batch_gs1_cannot_print_is_refused_at_update(client: TestClient, api_headers: dict[str, str]) -> None:
    _ok(client.post(ORDERS, json=sample_order(serialized=False), headers=api_headers))
    response = client.patch(ORDERS, json={"order_id": "Order130", "batch": "B" * 21}, headers=api_headers)
    assert_error(response, 400, "ValidationError", "batch")
    details = _ok(client.get(f"{ORDERS}/details", params={"order_id": "Order130"}, headers=api_headers))
    assert details["batch"] == "BATCH111"


def _in_progress(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    created = _ok(client.post(ORDERS, json=sample_order(**changes), headers=headers))
    _ok(client.patch(RELEASE, json={"order_id": created["order_id"]}, headers=headers))
    return created


def test_produced_quantity_is_bounded_by_the_orders_serials(client: TestClient, api_headers: dict[str, str]) -> None:
    created = _in_progress(client, api_headers, quantity=5, extra_percentage=0)
    assert created["serial_count"] == 5
    too_many = {"order_id": "Order130", "status": "In progress", "produced_quantity": 99_999}
    body = assert_error(client.patch(STATUS, json=too_many, headers=api_headers), 400, "ValidationError")
    assert "5" in body["message"] and body["error"]["details"][0]["field"] == "produced_quantity"
    complete = {**too_many, "status": "Completed", "produced_quantity": 5}
    done = _ok(client.patch(STATUS, json=complete, headers=api_headers))
    assert done["produced_quantity"] == 5


def test_produced_quantity_of_an_unserialized_order_is_bounded_by_quantity_and_extra(
    client: TestClient, api_headers: dict[str, str]
) -> None:
    _in_progress(client, api_headers, quantity=10, extra_percentage=10, serialized=False)
    report = {"order_id": "Order130", "status": "In progress"}
    assert_error(
        client.patch(STATUS, json={**report, "produced_quantity": 12}, headers=api_headers),
        400,
        "ValidationError",
        "produced_quantity",
    )
    reported = _ok(client.patch(STATUS, json={**report, "produced_quantity": 11}, headers=api_headers))
    assert reported["produced_quantity"] == 11


def test_assign_keeps_serialized_as_sent_and_has_serials_says_it_has_them(
    client: TestClient, api_headers: dict[str, str], database: Database
) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 20)
    request = sample_order(serialized=False)
    created = _ok(client.post(ORDERS, json=request, headers=api_headers))
    assert created["serialized"] is False and created["has_serials"] is False
    assigned = _ok(client.post(ASSIGN, json={"order_ids": ["Order130"]}, headers=api_headers))[0]
    assert assigned["serialized"] is False and assigned["has_serials"] is True and assigned["serial_count"] == 11
    retried = _ok(client.post(ORDERS, json=request, headers=api_headers))
    assert retried["serialized"] is False and retried["has_serials"] is True
    serialized = _ok(client.post(ORDERS, json=sample_order(order_id="S", serialized=True), headers=api_headers))
    assert serialized["has_serials"] is True
