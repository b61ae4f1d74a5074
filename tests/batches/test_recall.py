"""POST /api/batches/recall: irreversible, audited, listed; a recalled batch's packs are never
commissioned, aggregated or shipped again."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.kit.db import Database
from tests.aggregation.support import CONTAINER, add_packs, item, ok, request_ssccs
from tests.audit.support import trail
from tests.auth.people import Person
from tests.packs.support import commission_body
from tests.shipments.support import BATCH, DOCK, RECALL, RECALLS, acknowledge, add_partner, ship
from tests.support import V2, assert_error


def recall_body(kind: str = "recall", batch: str = BATCH) -> dict[str, str]:
    return {"product_code": DEMO_PRODUCT_CODE, "batch": batch, "kind": kind, "reason": "sterility failure"}


def test_a_recall_is_irreversible_audited_and_listed(
    client: TestClient, database: Database, admin: Person, plain_user: Person, session: Session
) -> None:
    add_packs(database, ["R1"])
    assert client.post(RECALL, json=recall_body(), headers=plain_user.headers).status_code == 403
    data = ok(client.post(RECALL, json=recall_body(), headers=admin.headers))
    assert (data["kind"], data["batch"], data["reason"]) == ("recall", BATCH, "sterility failure")
    again = client.post(RECALL, json=recall_body("withdrawal"), headers=admin.headers)
    assert "irreversible" in assert_error(again, 409, "ConflictError", "batch")["message"]
    listed = ok(client.get(RECALLS, headers=plain_user.headers))
    assert [(r["product_code"], r["batch"]) for r in listed["recalls"]] == [(DEMO_PRODUCT_CODE, BATCH)]
    record = trail(session, admin.tenant_id, "batch")[-1]
    assert (record.entity_id, record.action, record.reason) == (
        f"{DEMO_PRODUCT_CODE}/{BATCH}",
        "recall",
        "sterility failure",
    )


def test_bad_input_is_named(client: TestClient, database: Database, support: Person) -> None:
    add_packs(database, ["R1"])
    assert_error(
        client.post(RECALL, json=recall_body(batch="NONE/1"), headers=support.headers), 404, "NotFoundError", "batch"
    )
    blank = {**recall_body(), "reason": "   "}
    assert_error(client.post(RECALL, json=blank, headers=support.headers), 400, "ValidationError", "reason")
    assert_error(
        client.post(RECALL, json={**recall_body(), "kind": "oops"}, headers=support.headers), 400, "ValidationError"
    )


def test_a_recalled_batch_is_never_commissioned_aggregated_or_shipped(
    client: TestClient, database: Database, api_headers: dict[str, str], admin: Person
) -> None:
    add_packs(database, ["R1", "R2"])
    add_partner(client, admin.headers)
    acknowledge(database)
    ok(client.post(RECALL, json=recall_body("withdrawal"), headers=admin.headers))
    commission = commission_body(["R3"], batch=BATCH)
    refused = client.post(f"{V2}/serials/commission", json=commission, headers=api_headers)
    assert "withdrawn" in assert_error(refused, 409, "InvalidStateError", "batch")["message"]
    market = client.post(
        f"/api/products/{DEMO_PRODUCT_CODE}/market_commission", json={"batch": BATCH}, headers=admin.headers
    )
    assert "withdrawn" in assert_error(market, 409, "InvalidStateError", "batch")["message"]
    case = request_ssccs(client, api_headers, 1)[0]
    aggregated = client.post(CONTAINER, json={"sscc": case, "trade_items": [item("R1")]}, headers=api_headers)
    assert "withdrawn" in assert_error(aggregated, 409, "InvalidStateError", "trade_items")["message"]
    shipped = ship(client, api_headers, shipment_id="S1", ship_to=DOCK, trade_items=[item("R2")])
    assert "withdrawn" in assert_error(shipped, 409, "InvalidStateError", "trade_items")["message"]
