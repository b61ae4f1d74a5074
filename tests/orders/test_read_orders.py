"""GET packaging_order/details and GET packaging_order/open; tenant isolation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from packtrace.config import Settings
from packtrace.kit.db import Database
from tests.support import ORDERS, assert_error, make_tenant, sample_order


def test_details_show_the_order_its_serials_and_history(client: TestClient, api_headers: dict[str, str]) -> None:
    client.post(ORDERS, json=sample_order(), headers=api_headers)
    response = client.get(f"{ORDERS}/details", params={"order_id": "Order130"}, headers=api_headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["order_id"] == "Order130" and data["status"] == "Open"
    assert data["serials_assigned"] == 11
    assert [(e["status"], e["comment"]) for e in data["history"]] == [("Open", "created")]
    assert data["history"][0]["actor"] == "api_key:demo-erp channel:demo-line-middleware"


def test_details_of_an_unknown_order(client: TestClient, api_headers: dict[str, str]) -> None:
    assert_error(
        client.get(f"{ORDERS}/details", params={"order_id": "nope"}, headers=api_headers), 404, "NotFoundError"
    )
    assert_error(client.get(f"{ORDERS}/details", headers=api_headers), 400, "ValidationError", field="order_id")


def test_open_orders_are_paged_with_a_cursor(client: TestClient, api_headers: dict[str, str]) -> None:
    for number in range(5):
        client.post(ORDERS, json=sample_order(order_id=f"O-{number}", serialized=False), headers=api_headers)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{ORDERS}/open", params=params, headers=api_headers).json()["data"]
        seen += [o["order_id"] for o in page["orders"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"O-{n}" for n in range(5)]
    assert pages == 3


def test_open_orders_refuse_bad_paging(client: TestClient, api_headers: dict[str, str]) -> None:
    assert_error(client.get(f"{ORDERS}/open", params={"cursor": "zzz"}, headers=api_headers), 400, "ValidationError")
    assert_error(client.get(f"{ORDERS}/open", params={"limit": 0}, headers=api_headers), 400, "ValidationError")
    assert_error(client.get(f"{ORDERS}/open", params={"limit": "ten"}, headers=api_headers), 400, "ValidationError")


def test_another_tenants_order_is_not_found(
    client: TestClient, api_headers: dict[str, str], database: Database, settings: Settings
) -> None:
    client.post(ORDERS, json=sample_order(), headers=api_headers)
    theirs = make_tenant(database, settings.signing_key(), "other")
    response = client.get(f"{ORDERS}/details", params={"order_id": "Order130"}, headers=theirs)
    unknown = client.get(f"{ORDERS}/details", params={"order_id": "never-created"}, headers=theirs)
    assert_error(response, 404, "NotFoundError")
    assert response.json()["message"] == unknown.json()["message"].replace("never-created", "Order130")
    assert client.get(f"{ORDERS}/open", headers=theirs).json()["data"]["orders"] == []
    # Order ids are the tenant's own: the other tenant may use the same one.
    created = client.post(ORDERS, json=sample_order(quantity=3), headers=theirs)
    assert created.status_code == 200 and created.json()["data"]["serial_count"] == 4
