"""``packtrace epcis backfill`` rebuilds aggregation too: a line run recorded before the event log existed
gets, once, the events the live log writes for the same run (packing, unpacking, an SSCC's commissioning
at its first packing), at the original instants and in the same order; a second run writes nothing, and
neither does a run after changes the live log recorded itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import identifiers as ids
from packtrace.epcis.backfill import Backfilled, backfill
from packtrace.epcis.events import format_time
from packtrace.kit import facts
from packtrace.kit.db import Database
from packtrace.models import Container, ContainerEvent, Tenant
from tests.aggregation.support import CONTAINER, TRADE_ITEM, item, request_ssccs
from tests.epcis.support import stored_events
from tests.packs.support import COMMISSION, DECOMMISSION, commission_body, decommission_body, ok, start_order


def _run(client: TestClient, headers: dict[str, str], order_id: str) -> tuple[list[str], str, str]:
    """A line run: commission 5, a pack into a pack, 2 packs into a case, the case and a pack onto a
    pallet, one pack out of the case, the pallet's pack destroyed, the pallet emptied."""
    serials = start_order(client, headers, order_id).serials[:5]
    ok(client.post(COMMISSION, json=commission_body(serials, order_id=order_id), headers=headers))
    case, pallet = request_ssccs(client, headers, 2)
    nest = {"product_code": DEMO_PRODUCT_CODE, "serial": serials[0], "trade_items": [item(serials[1])]}
    ok(client.post(TRADE_ITEM, json=nest, headers=headers))
    into_case = {"sscc": case, "trade_items": [item(serials[0]), item(serials[2])]}
    ok(client.post(CONTAINER, json=into_case, headers=headers))
    body = {"sscc": pallet, "containers": [case], "trade_items": [item(serials[3])]}
    ok(client.post(CONTAINER, json=body, headers=headers))
    out = {"sscc": case, "trade_items": [item(serials[2])]}
    ok(client.request("DELETE", CONTAINER, json=out, headers=headers))
    ok(client.post(DECOMMISSION, json=decommission_body(serials[4:5], "Damaged"), headers=headers))
    ok(client.request("DELETE", CONTAINER, json={"sscc": pallet, "all": True}, headers=headers))
    return serials, case, pallet


def _shape(event: dict[str, Any], names: dict[str, str]) -> tuple[Any, ...]:
    """An event with its identifiers replaced by their role in the run (pack 0..4, case, pallet)."""
    parent = names.get(event.get("parentID", ""))
    epcs = sorted(names[e] for e in event.get("epcList") or event.get("childEPCs") or [])
    return (event["type"], event["action"], event["bizStep"], event["disposition"], parent, epcs)


def _names(serials: list[str], case: str, pallet: str) -> dict[str, str]:
    names = {ids.sgtin(DEMO_PRODUCT_CODE, s): f"pack {n}" for n, s in enumerate(serials)}
    return names | {ids.sscc(case): "case", ids.sscc(pallet): "pallet"}


@contextmanager
def _before_the_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Facts recorded before the log existed: nobody subscribed to them."""
    monkeypatch.setattr(facts, "_subscribers", {})
    monkeypatch.setattr(facts, "_wired", True)
    yield
    monkeypatch.undo()


def _backfill(database: Database) -> Backfilled:
    with database.unit_of_work() as s:
        tenant_id = s.scalar(select(Tenant.id).where(Tenant.name == "demo"))
        assert tenant_id is not None
        return backfill(s, tenant_id)


def test_backfill_writes_what_the_live_log_writes_for_the_same_run_once(
    client: TestClient,
    api_headers: dict[str, str],
    session: Session,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live_run = _run(client, api_headers, "BF-LIVE")
    live = [_shape(e, _names(*live_run)) for e in stored_events(session)]
    assert len(live) == 9  # commissioning, case and pallet commissioning, 3 packing, 2 unpacking, damaged

    with _before_the_log(monkeypatch):
        old_run = _run(client, api_headers, "BF-OLD")
    assert len(stored_events(session)) == len(live)
    assert _backfill(database) == Backfilled(commissioning=3, decommissioning=1, aggregation=5)
    events = stored_events(session)[len(live) :]
    assert [_shape(e, _names(*old_run)) for e in events] == live
    # At the original instants: each packing at the instant the case's history says it got its children.
    case_added = session.scalars(
        select(ContainerEvent.at)
        .join(Container, Container.id == ContainerEvent.container_id)
        .where(Container.sscc == old_run[1], ContainerEvent.event == "Children added")
    ).all()
    case = ids.sscc(old_run[1])
    packings = [e["eventTime"] for e in events if e["bizStep"] == "packing" and e["parentID"] == case]
    assert packings == [format_time(at, "+00:00") for at in case_added]

    assert _backfill(database) == Backfilled(0, 0, 0)
    assert len(stored_events(session)) == 2 * len(live)
