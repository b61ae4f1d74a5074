"""Order changes, label orders, SSCC generation and master-data deletions through the APIs as systems and
people make them: each leaves its record, naming the API key and channel or the user."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.app import MANUFACTURER_V2_PREFIX
from packtrace.demo import DemoCredentials
from tests.audit.support import last, trail
from tests.auth.people import Person
from tests.support import sample_order

ORDERS = f"{MANUFACTURER_V2_PREFIX}/packaging_order"
API_ACTOR = "api_key:demo-erp channel:demo-line-middleware"


def test_an_order_s_creation_change_and_cancellation_are_recorded_with_the_api_key_and_channel(
    client: TestClient, session: Session, api_headers: dict[str, str], admin: Person
) -> None:
    assert client.post(ORDERS, json=sample_order(order_id="AUD-1"), headers=api_headers).status_code == 200
    change = {"order_id": "AUD-1", "batch": "BATCH222", "quantity": 20}
    assert client.patch(ORDERS, json=change, headers=api_headers).status_code == 200
    assert client.delete(ORDERS, params={"order_id": "AUD-1"}, headers=api_headers).status_code == 200
    created, changed, cancelled = trail(session, admin.tenant_id, "packaging_order")
    assert {e.actor for e in (created, changed, cancelled)} == {API_ACTOR}
    assert (created.action, created.changes["quantity"]) == ("created", {"old": None, "new": 10})
    assert changed.action == "changed"
    assert changed.changes["batch"] == {"old": "BATCH111", "new": "BATCH222"}
    assert changed.changes["quantity"] == {"old": 10, "new": 20}
    assert changed.changes["serial_count"] == {"old": 11, "new": 22}
    assert (cancelled.action, cancelled.changes["status"]["new"]) == ("cancelled", "Cancelled")


def test_a_repeated_create_of_the_same_order_records_nothing_more(
    client: TestClient, session: Session, api_headers: dict[str, str], admin: Person
) -> None:
    client.post(ORDERS, json=sample_order(order_id="AUD-2"), headers=api_headers)
    client.post(ORDERS, json=sample_order(order_id="AUD-2"), headers=api_headers)
    assert [e.entity_id for e in trail(session, admin.tenant_id, "packaging_order")] == ["AUD-2"]


def test_a_label_order_is_recorded(
    client: TestClient, session: Session, api_headers: dict[str, str], admin: Person
) -> None:
    client.post(ORDERS, json=sample_order(expiry_date="281200"), headers=api_headers)
    body = {"order_id": "Order130", "format": "pdf"}
    response = client.post(f"{MANUFACTURER_V2_PREFIX}/label_orders/", json=body, headers=api_headers)
    assert response.status_code == 200, response.text
    entry = last(session, admin.tenant_id, "label_order")
    assert (entry.entity_id, entry.action, entry.actor) == (response.json()["data"]["id"], "created", API_ACTOR)
    assert entry.changes["label_count"] == {"old": None, "new": 11}


def test_sscc_generation_is_recorded(client: TestClient, session: Session, support: Person) -> None:
    body = {"gs1_company_prefix": "0123451", "extension_digit": 3, "count": 4}
    response = client.post("/api/ssccs/generate", json=body, headers=support.headers)
    assert response.status_code == 200, response.text
    entry = last(session, support.tenant_id, "sscc_pool")
    data = response.json()["data"]
    assert (entry.entity_id, entry.action, entry.actor) == ("30123451", "generated", f"user:{support.email}")
    assert entry.changes["count"] == {"old": None, "new": 4}
    assert entry.changes["first"] == {"old": None, "new": data["first_sscc"]}


def test_deleting_master_data_records_what_was_deleted_and_why(
    client: TestClient, session: Session, support: Person, demo: DemoCredentials
) -> None:
    assert (
        client.post("/api/lines", json={"tag": "old-line", "name": "Old"}, headers=support.headers).status_code == 200
    )
    response = client.delete("/api/lines/old-line", params={"reason": "dismantled"}, headers=support.headers)
    assert response.status_code == 200, response.text
    entry = last(session, support.tenant_id, "line")
    assert (entry.action, entry.reason, entry.changes["name"]) == ("deleted", "dismantled", {"old": "Old", "new": None})
    response = client.delete("/api/markets/IDN", params={"reason": "not supplied"}, headers=support.headers)
    assert response.status_code == 200, response.text
    entry = last(session, support.tenant_id, "market")
    assert (entry.entity_id, entry.action, entry.reason) == ("IDN", "deleted", "not supplied")


def test_a_refused_change_records_nothing(
    client: TestClient, session: Session, support: Person, demo: DemoCredentials
) -> None:
    before = trail(session, support.tenant_id)
    response = client.patch(f"/api/products/{demo.product_code}", json={"serial_length": 1}, headers=support.headers)
    assert response.status_code == 400
    assert trail(session, support.tenant_id) == before
