"""serials/decommission: Decommissioned with a reason, out of its container; every rule broken once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from packtrace.models import Container, ContainerEvent, Pack, Tenant
from tests.packs.support import (
    COMMISSION,
    DECOMMISSION,
    OrderOnLine,
    commission_body,
    database_state,
    decommission_body,
    ok,
    pack_events,
    pack_statuses,
)
from tests.support import assert_error


@pytest.fixture
def produced(client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine) -> list[str]:
    """Five Active packs of the order on the line."""
    serials = in_progress.serials[:5]
    ok(client.post(COMMISSION, json=commission_body(serials, order_id=in_progress.order_id), headers=api_headers))
    return serials


def _pack(session: Session, serial: str) -> Pack:
    session.expire_all()
    pack = session.scalar(select(Pack).where(Pack.serial == serial))
    assert pack is not None
    return pack


def test_decommissioning_records_the_reason(
    client: TestClient, api_headers: dict[str, str], produced: list[str], session: Session
) -> None:
    body = decommission_body(produced[:2], "Other", comment="fell off the conveyor")
    data = ok(client.post(DECOMMISSION, json=body, headers=api_headers))
    assert data == {
        "product_code": "01234512345901",
        "reason": "Other",
        "decommissioned": 2,
        "already_decommissioned": [],
        "removed_from_containers": 0,
    }
    pack = _pack(session, produced[0])
    assert (pack.status, pack.decommission_reason, pack.comment) == ("Decommissioned", "Other", "fell off the conveyor")
    assert pack_events(session, produced[0])[-1] == ("Decommissioned", "Other: fell off the conveyor")
    assert pack_statuses(session)[produced[2]] == "Active"


def test_decommissioning_again_with_the_same_reason_changes_nothing(
    client: TestClient, api_headers: dict[str, str], produced: list[str], session: Session
) -> None:
    ok(client.post(DECOMMISSION, json=decommission_body(produced[:2], "Sampled"), headers=api_headers))
    before = database_state(session)
    again = ok(client.post(DECOMMISSION, json=decommission_body(produced[:2], "Sampled"), headers=api_headers))
    assert again["decommissioned"] == 0 and sorted(again["already_decommissioned"]) == sorted(produced[:2])
    assert database_state(session) == before
    # Mixed with new ones: only the new ones change.
    mixed = ok(client.post(DECOMMISSION, json=decommission_body(produced[:3], "Sampled"), headers=api_headers))
    assert mixed["decommissioned"] == 1


def test_another_reason_is_a_conflict(
    client: TestClient, api_headers: dict[str, str], produced: list[str], session: Session
) -> None:
    ok(client.post(DECOMMISSION, json=decommission_body(produced[:1], "Sampled"), headers=api_headers))
    before = database_state(session)
    response = client.post(DECOMMISSION, json=decommission_body(produced[:3], "Destroyed"), headers=api_headers)
    error = assert_error(response, 409, "ConflictError", "serials")
    assert "Sampled" in error["message"] and produced[0] in error["message"] and produced[1] not in error["message"]
    assert database_state(session) == before


def test_a_destroyed_pack_never_becomes_active_again(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, produced: list[str], session: Session
) -> None:
    ok(client.post(DECOMMISSION, json=decommission_body(produced[:1], "Destroyed"), headers=api_headers))
    before = database_state(session)
    body = commission_body(produced[:2], order_id=in_progress.order_id)
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 409, "ConflictError", "serials")
    assert "Destroyed" in error["message"] and produced[0] in error["message"]
    assert produced[1] not in error["message"]
    assert database_state(session) == before
    assert pack_statuses(session)[produced[0]] == "Decommissioned"


def test_serials_never_produced_are_refused(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, produced: list[str], session: Session
) -> None:
    before = database_state(session)
    unproduced = in_progress.serials[-1]
    response = client.post(
        DECOMMISSION, json=decommission_body([produced[0], unproduced, "NEVER-SEEN"]), headers=api_headers
    )
    error = assert_error(response, 400, "ValidationError", "serials")
    assert "not produced" in error["message"] and unproduced in error["message"] and "NEVER-SEEN" in error["message"]
    assert produced[0] not in error["message"]
    assert database_state(session) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": "Other"}, "comment"),
        ({"reason": "Other", "comment": "   "}, "comment"),
        ({"reason": "Lost"}, "reason"),
        ({"serials": ["A", "A"]}, "serials"),
        ({"serials": ["bad serial"]}, "serials"),
        ({"serials": []}, "serials"),
        ({"product_code": "04006381333931"}, "product_code"),
        ({"product_code_schema": "EAN"}, "product_code_schema"),
        ({"comment": "x" * 1001}, "comment"),
    ],
)
def test_bad_input_is_refused(
    client: TestClient,
    api_headers: dict[str, str],
    produced: list[str],
    session: Session,
    changes: dict[str, Any],
    field: str,
) -> None:
    before = database_state(session)
    response = client.post(DECOMMISSION, json=decommission_body(produced[:2]) | changes, headers=api_headers)
    assert_error(response, 400, "ValidationError", field)
    assert database_state(session) == before


def test_a_decommissioned_pack_leaves_its_container(
    client: TestClient, api_headers: dict[str, str], produced: list[str], session: Session
) -> None:
    tenant = session.scalar(select(Tenant).where(Tenant.name == "demo"))
    assert tenant is not None
    case = Container(tenant_id=tenant.id, sscc="106141411234567897", status="Assigned", source="internal")
    session.add(case)
    session.flush()
    session.execute(update(Pack).where(Pack.serial.in_(produced[:3])).values(container_id=case.id))
    session.commit()
    data = ok(client.post(DECOMMISSION, json=decommission_body(produced[:2], "Damaged"), headers=api_headers))
    assert data["removed_from_containers"] == 2
    assert _pack(session, produced[0]).container_id is None
    assert _pack(session, produced[2]).container_id == case.id
    assert pack_events(session, produced[0])[-2:] == [
        ("Decommissioned", "Damaged"),
        ("Disaggregated", "removed from 106141411234567897: decommissioned (Damaged)"),
    ]
    events = session.scalars(select(ContainerEvent).where(ContainerEvent.container_id == case.id)).all()
    assert [(e.event, e.actor) for e in events] == [
        ("Children removed", "api_key:demo-erp channel:demo-line-middleware")
    ]
    assert events[0].detail is not None and all(s in events[0].detail for s in produced[:2])


def test_a_decommissioned_pack_leaves_its_parent_pack(
    client: TestClient, api_headers: dict[str, str], produced: list[str], session: Session
) -> None:
    bundle = _pack(session, produced[0])
    session.execute(update(Pack).where(Pack.serial.in_(produced[1:3])).values(parent_pack_id=bundle.id))
    session.commit()
    data = ok(client.post(DECOMMISSION, json=decommission_body(produced[1:2], "Sampled"), headers=api_headers))
    assert data["removed_from_containers"] == 0
    assert _pack(session, produced[1]).parent_pack_id is None
    assert _pack(session, produced[2]).parent_pack_id == bundle.id
    assert pack_events(session, produced[1])[-1] == (
        "Disaggregated",
        f"removed from pack 01234512345901 {produced[0]}: decommissioned (Sampled)",
    )
