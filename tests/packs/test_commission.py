"""serials/commission: packs become Active; every rule broken once, refused whole, nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.kit.db import Database
from packtrace.models import Pack
from packtrace.serials.repository import serial_states
from tests.packs.support import (
    COMMISSION,
    EXPIRY,
    EXTERNAL,
    REQUEST_SERIALS,
    OrderOnLine,
    commission_body,
    database_state,
    ok,
    pack_events,
    pack_statuses,
    start_order,
)
from tests.support import ORDERS, assert_error, sample_order

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()


def test_commissioning_an_orders_serials_makes_active_packs(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session
) -> None:
    produced = in_progress.serials[:5]
    body = commission_body(produced, order_id=in_progress.order_id, manufacturing_date="220500")
    data = ok(client.post(COMMISSION, json=body, headers=api_headers))
    assert data == {
        "product_code": DEMO_PRODUCT_CODE,
        "batch": "BATCH111",
        "expiry_date": "351115",
        "manufacturing_date": "220500",
        "order_id": "Order130",
        "commissioned": 5,
        "joined_pool": 0,
        "already_active": [],
    }
    statuses = pack_statuses(session)
    assert statuses == dict.fromkeys(produced, "Active")
    pack = session.scalar(select(Pack).where(Pack.serial == produced[0]))
    assert pack is not None
    assert (pack.batch, pack.expiry_date, pack.manufacturing_date) == ("BATCH111", "351115", "220500")
    assert pack.order_pk is not None and pack.decommission_reason is None
    assert pack_events(session, produced[0]) == [
        ("Commissioned", "batch BATCH111, expiry 351115, manufactured 220500, order Order130")
    ]
    # The pool is unchanged: a produced serial stays Assigned to its order.
    pool = {row.serial: (row.status, row.order_pk) for row in session.execute(select(STATES))}
    assert all(pool[s] == ("Assigned", pack.order_pk) for s in produced)


def test_commissioning_without_an_order(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    drawn = ok(
        client.post(
            REQUEST_SERIALS,
            json={"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 3},
            headers=api_headers,
        )
    )["serials"]
    data = ok(client.post(COMMISSION, json=commission_body(drawn), headers=api_headers))
    assert data["commissioned"] == 3 and data["order_id"] is None
    assert pack_statuses(session) == dict.fromkeys(drawn, "Active")


def test_external_serials_join_the_pool_as_assigned(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session
) -> None:
    serials = [*in_progress.serials[:2], *EXTERNAL]
    body = commission_body(serials, order_id=in_progress.order_id)
    data = ok(client.post(COMMISSION, json=body, headers=api_headers))
    assert data["commissioned"] == 6 and data["joined_pool"] == 4
    session.expire_all()
    rows = {r.serial: r for r in session.execute(select(STATES).where(STATES.c.serial.in_(EXTERNAL)))}
    assert {s: (r.status, r.source, r.order_pk) for s, r in rows.items()} == dict.fromkeys(
        EXTERNAL, ("Assigned", "external", None)
    )
    assert pack_statuses(session) == dict.fromkeys(serials, "Active")


def test_the_same_commissioning_again_changes_nothing(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session
) -> None:
    body = commission_body([*in_progress.serials[:3], EXTERNAL[0]], order_id=in_progress.order_id)
    ok(client.post(COMMISSION, json=body, headers=api_headers))
    before = database_state(session)
    again = ok(client.post(COMMISSION, json=body, headers=api_headers))
    assert again["commissioned"] == 0 and again["joined_pool"] == 0
    assert sorted(again["already_active"]) == sorted(body["serials"])
    assert database_state(session) == before
    # A retry that adds serials commissions only the new ones.
    more = ok(
        client.post(
            COMMISSION,
            json=commission_body(in_progress.serials[:5], order_id=in_progress.order_id),
            headers=api_headers,
        )
    )
    assert more["commissioned"] == 2 and sorted(more["already_active"]) == sorted(in_progress.serials[:3])


@pytest.mark.parametrize(
    ("changes", "what"),
    [
        ({"batch": "OTHER"}, "batch OTHER"),
        ({"expiry_date": "351130"}, "expiry date 351130"),
        ({"manufacturing_date": "220101"}, "manufacturing date 220101"),
    ],
)
def test_commissioning_again_with_other_data_is_a_conflict(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session, changes: dict[str, Any], what: str
) -> None:
    external = EXTERNAL[:2]
    ok(client.post(COMMISSION, json=commission_body(external, **changes), headers=api_headers))
    before = database_state(session)
    body = assert_error(
        client.post(COMMISSION, json=commission_body([*external, "NEW-1"]), headers=api_headers),
        409,
        "ConflictError",
        "serials",
    )
    assert what in body["message"] and all(s in body["message"] for s in external)
    assert "NEW-1" not in body["message"]
    assert database_state(session) == before


def test_an_order_is_a_different_datum(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session
) -> None:
    ok(client.post(COMMISSION, json=commission_body(in_progress.serials[:1]), headers=api_headers))
    before = database_state(session)
    body = commission_body(in_progress.serials[:1], order_id=in_progress.order_id)
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 409, "ConflictError", "serials")
    assert "no packaging order" in error["message"]
    assert database_state(session) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"batch": "B" * 21}, "batch"),
        ({"batch": "BATCH 1"}, "batch"),
        ({"batch": "LOT#1"}, "batch"),
        ({"expiry_date": "351132"}, "expiry_date"),
        ({"expiry_date": "351300"}, "expiry_date"),
        ({"expiry_date": "3511"}, "expiry_date"),
        ({"manufacturing_date": "220230"}, "manufacturing_date"),
        ({"serials": ["OK-1", "has space"]}, "serials"),
        ({"serials": ["OK-1", "X" * 21]}, "serials"),
        ({"serials": ["OK-1", "bad#"]}, "serials"),
        ({"serials": ["OK-1", ""]}, "serials"),
        ({"serials": ["OK-1", "nul\x00"]}, "serials"),
        ({"serials": ["OK-1", "OK-2", "OK-1"]}, "serials"),
        ({"serials": []}, "serials"),
        ({"product_code": "01234512345900"}, "product_code"),
        ({"product_code": "04006381333931"}, "product_code"),
        ({"product_code_schema": "NTIN"}, "product_code_schema"),
        ({"serials": "OK-1"}, "serials"),
        ({"extra": 1}, "extra"),
        ({"batch": ...}, "batch"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    client: TestClient,
    api_headers: dict[str, str],
    in_progress: OrderOnLine,
    session: Session,
    changes: dict[str, Any],
    field: str,
) -> None:
    before = database_state(session)
    body = commission_body(in_progress.serials[:2]) | changes
    response = client.post(COMMISSION, json={k: v for k, v in body.items() if v is not ...}, headers=api_headers)
    assert_error(response, 400, "ValidationError", field)
    assert database_state(session) == before


def test_bad_serials_are_named(client: TestClient, api_headers: dict[str, str], demo: object, session: Session) -> None:
    body = commission_body(["GOOD-1", "bad one", "GOOD-2", "GOOD-1", "also@bad"])
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 400, "ValidationError", "serials")
    messages = [d["message"] for d in error["error"]["details"]]
    assert any("'bad one'" in m and "also@bad" in m for m in messages), messages
    assert any("more than once" in m and "GOOD-1" in m for m in messages), messages
    assert all("GOOD-2" not in m for m in messages)


def test_at_most_100000_serials(
    settings: Settings, database: Database, api_headers: dict[str, str], session: Session
) -> None:
    # 100,001 serials are above the default body limit: a server that allows them still refuses them.
    app = create_app(settings.model_copy(update={"max_body_bytes": 4_000_000}), database=database)
    with TestClient(app, raise_server_exceptions=False) as roomy:
        serials = [f"S{i}" for i in range(100_001)]
        response = roomy.post(COMMISSION, json=commission_body(serials), headers=api_headers)
        assert_error(response, 400, "ValidationError", "serials")
        data = ok(roomy.post(COMMISSION, json=commission_body(serials[:100_000]), headers=api_headers))
    assert data["commissioned"] == data["joined_pool"] == 100_000


def test_available_serials_must_be_assigned_first(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    available = [row for row in session.scalars(select(STATES.c.serial).where(STATES.c.status == "Available"))]
    before = database_state(session)
    body = commission_body([*available[:2], "EXT-OK"])
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 409, "InvalidStateError", "serials")
    assert "not Assigned" in error["message"] and available[0] in error["message"]
    assert "EXT-OK" not in error["message"]
    assert database_state(session) == before


def test_serials_of_another_order_are_refused(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session
) -> None:
    other = start_order(client, api_headers, order_id="Order131")
    before = database_state(session)
    body = commission_body([in_progress.serials[0], other.serials[0]], order_id=in_progress.order_id)
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 409, "InvalidStateError", "serials")
    assert other.serials[0] in error["message"] and in_progress.serials[0] not in error["message"]
    assert database_state(session) == before


@pytest.mark.parametrize("status", ["Open", "Suspended", "Completed"])
def test_the_order_must_be_in_progress(
    client: TestClient, api_headers: dict[str, str], session: Session, status: str
) -> None:
    if status == "Open":
        ok(client.post(ORDERS, json=sample_order(order_id="Order9", expiry_date=EXPIRY), headers=api_headers))
    else:
        start_order(client, api_headers, order_id="Order9")
        ok(client.patch(f"{ORDERS}/status", json={"order_id": "Order9", "status": status}, headers=api_headers))
    serials = ok(client.get(f"{ORDERS}/serials", params={"order_id": "Order9"}, headers=api_headers))["serials"]
    before = database_state(session)
    body = commission_body(serials[:2], order_id="Order9")
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 409, "InvalidStateError", "order_id")
    assert status in error["message"]
    assert database_state(session) == before


@pytest.mark.parametrize(
    ("changes", "status", "error_type", "field"),
    [
        ({"order_id": "NoSuchOrder"}, 404, "NotFoundError", "order_id"),
        ({"batch": "OTHERBATCH"}, 409, "ConflictError", "batch"),
        ({"expiry_date": "351100"}, 409, "ConflictError", "expiry_date"),
    ],
)
def test_the_order_must_exist_and_match(
    client: TestClient,
    api_headers: dict[str, str],
    in_progress: OrderOnLine,
    session: Session,
    changes: dict[str, Any],
    status: int,
    error_type: str,
    field: str,
) -> None:
    before = database_state(session)
    body = commission_body(in_progress.serials[:2], order_id=in_progress.order_id) | changes
    assert_error(client.post(COMMISSION, json=body, headers=api_headers), status, error_type, field)
    assert database_state(session) == before


def test_another_tenants_serials_are_strangers(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, database: Any, settings: Any
) -> None:
    from tests.support import make_tenant

    theirs = make_tenant(database, settings.signing_key(), "other")
    # The same serial under the same product code is another tenant's business: external to them.
    data = ok(client.post(COMMISSION, json=commission_body(in_progress.serials[:1]), headers=theirs))
    assert data["joined_pool"] == 1
    ok(client.post(COMMISSION, json=commission_body(in_progress.serials[:1], batch="MINE"), headers=api_headers))


def test_serials_without_an_order_are_not_the_orders(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, pool: None, session: Session
) -> None:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 1}
    loose = ok(client.post(REQUEST_SERIALS, json=body, headers=api_headers))["serials"][0]
    before = database_state(session)
    body = commission_body([in_progress.serials[0], loose], order_id=in_progress.order_id)
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 409, "InvalidStateError", "serials")
    assert loose in error["message"] and in_progress.serials[0] not in error["message"]
    assert database_state(session) == before
