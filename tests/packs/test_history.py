"""pack/history: one serial's pool and pack status, parent, children and histories; serials/release of
produced serials."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.models import Container, Pack, Tenant
from tests.packs.support import (
    COMMISSION,
    DECOMMISSION,
    HISTORY,
    RELEASE_SERIALS,
    REQUEST_SERIALS,
    OrderOnLine,
    commission_body,
    database_state,
    decommission_body,
    ok,
)
from tests.support import assert_error

ACTOR = "api_key:demo-erp channel:demo-line-middleware"


def _history(client: TestClient, headers: dict[str, str], serial: str) -> dict:  # type: ignore[type-arg]
    return ok(client.get(HISTORY, params={"product_code": DEMO_PRODUCT_CODE, "serial": serial}, headers=headers))  # type: ignore[no-any-return]


def test_history_of_a_decommissioned_pack_of_an_order(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine
) -> None:
    serial = in_progress.serials[0]
    ok(client.post(COMMISSION, json=commission_body([serial], order_id="Order130"), headers=api_headers))
    ok(client.post(DECOMMISSION, json=decommission_body([serial], "Stolen"), headers=api_headers))
    data = _history(client, api_headers, serial)
    assert data["summary"] == {
        "product_code": DEMO_PRODUCT_CODE,
        "serial": serial,
        "pool_status": "Assigned",
        "pack_status": "Decommissioned",
        "decommission_reason": "Stolen",
        "batch": "BATCH111",
        "expiry_date": "351115",
        "order_id": "Order130",
        "parent": None,
    }
    pool = [(e["event"], e["detail"]) for e in data["pool_history"]]
    assert pool[0] == ("Generated", None)
    assert pool[1:-1] == [
        ("Order Open", "packaging order Order130: created"),
        ("Order In progress", "packaging order Order130: released to test-packaging-line-1"),
    ]
    assert pool[-1] == ("Current status", "Assigned (internal), packaging order Order130")
    assert data["pool_history"][-1]["at"] is None and data["pool_history"][0]["at"] is not None
    assert [(e["event"], e["detail"], e["actor"]) for e in data["pack_history"]] == [
        ("Commissioned", "batch BATCH111, expiry 351115, order Order130", ACTOR),
        ("Decommissioned", "Stolen", ACTOR),
    ]
    assert data["children"] == []


def test_history_of_an_external_pack_in_a_case_with_packs_inside(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    ok(client.post(COMMISSION, json=commission_body(["BUNDLE", "INNER-1", "INNER-2", "CORE"]), headers=api_headers))
    tenant = session.scalar(select(Tenant).where(Tenant.name == "demo"))
    assert tenant is not None
    case = Container(tenant_id=tenant.id, sscc="106141411234567897", status="Assigned", source="internal")
    session.add(case)
    session.flush()
    ids = {row.serial: row.id for row in session.execute(select(Pack.serial, Pack.id))}
    session.execute(update(Pack).where(Pack.serial == "BUNDLE").values(container_id=case.id))
    session.execute(update(Pack).where(Pack.serial.in_(["INNER-1", "INNER-2"])).values(parent_pack_id=ids["BUNDLE"]))
    session.execute(update(Pack).where(Pack.serial == "CORE").values(parent_pack_id=ids["INNER-1"]))
    session.commit()

    bundle = _history(client, api_headers, "BUNDLE")
    assert bundle["summary"]["parent"] == {
        "type": "container",
        "sscc": "106141411234567897",
        "product_code": None,
        "serial": None,
    }
    assert bundle["summary"]["pool_status"] == "Assigned" and bundle["summary"]["order_id"] is None
    assert [(e["event"], e["detail"]) for e in bundle["pool_history"]] == [
        ("Joined (external)", "entered the pool by being commissioned"),
        ("Current status", "Assigned (external)"),
    ]
    assert bundle["children"] == [
        {"product_code": DEMO_PRODUCT_CODE, "serial": "INNER-1", "pack_status": "Active", "child_count": 1},
        {"product_code": DEMO_PRODUCT_CODE, "serial": "INNER-2", "pack_status": "Active", "child_count": 0},
    ]
    inner = _history(client, api_headers, "INNER-1")
    assert inner["summary"]["parent"] == {
        "type": "pack",
        "sscc": None,
        "product_code": DEMO_PRODUCT_CODE,
        "serial": "BUNDLE",
    }


def test_history_of_a_serial_only_in_the_pool_and_of_an_unknown_one(
    client: TestClient, api_headers: dict[str, str], pool: None, outsider: object
) -> None:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 1}
    serial = ok(client.post(REQUEST_SERIALS, json=body, headers=api_headers))["serials"][0]
    data = _history(client, api_headers, serial)
    assert (data["summary"]["pool_status"], data["summary"]["pack_status"]) == ("Assigned", "Unknown")
    assert data["pack_history"] == [] and data["summary"]["batch"] is None
    params = {"product_code": DEMO_PRODUCT_CODE, "serial": "NEVER-SEEN"}
    assert_error(client.get(HISTORY, params=params, headers=api_headers), 404, "NotFoundError", "serial")
    params = {"product_code": "04006381333931", "serial": serial}
    assert_error(client.get(HISTORY, params=params, headers=api_headers), 400, "ValidationError", "product_code")


def test_another_tenant_sees_nothing(
    client: TestClient, api_headers: dict[str, str], database: object, settings: object
) -> None:
    from tests.support import make_tenant

    ok(client.post(COMMISSION, json=commission_body(["MINE-1"]), headers=api_headers))
    theirs = make_tenant(database, settings.signing_key(), "other")  # type: ignore[attr-defined]
    params = {"product_code": DEMO_PRODUCT_CODE, "serial": "MINE-1"}
    assert_error(client.get(HISTORY, params=params, headers=theirs), 404, "NotFoundError")


def test_produced_serials_are_never_released(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 3}
    drawn = ok(client.post(REQUEST_SERIALS, json=body, headers=api_headers))["serials"]
    ok(client.post(COMMISSION, json=commission_body(drawn[:1]), headers=api_headers))
    before = database_state(session)
    release = {"product_code": DEMO_PRODUCT_CODE, "serials": drawn}
    error = assert_error(
        client.post(RELEASE_SERIALS, json=release, headers=api_headers), 409, "InvalidStateError", "serials"
    )
    assert "produced" in error["message"] and drawn[0] in error["message"]
    assert drawn[1] not in error["message"]
    assert database_state(session) == before
    released = ok(client.post(RELEASE_SERIALS, json={**release, "serials": drawn[1:]}, headers=api_headers))
    assert released["released"] == 2
