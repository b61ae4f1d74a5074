"""The event log: each fact writes its event in the same transaction, one event per call, and the log is
append-only in the database itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.epcis import service as epcis_service_module
from packtrace.epcis.backfill import Backfilled, backfill
from packtrace.epcis.events import format_time, object_event
from packtrace.kit import facts
from packtrace.kit.db import Database
from packtrace.models import EpcisEvent, EpcisEventEpc, Pack, PackagingLine, PackagingOrder, Tenant
from packtrace.packs.service import pack_service
from tests.aggregation.support import CONTAINER, TRADE_ITEM, item, sscc
from tests.auth.people import Person
from tests.epcis.support import stored_events, summary
from tests.packs.support import COMMISSION, DECOMMISSION, OrderOnLine, commission_body, decommission_body, ok
from tests.support import statements

GTIN = DEMO_PRODUCT_CODE


def _sgtin(serial: str) -> str:
    return f"https://id.gs1.org/01/{GTIN}/21/{serial}"


def test_commissioning_writes_one_object_event_with_every_epc_lot_and_expiry(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session
) -> None:
    serials = in_progress.serials[:5]
    ok(client.post(COMMISSION, json=commission_body(serials, order_id=in_progress.order_id), headers=api_headers))
    (event,) = stored_events(session)
    assert summary(event) == ("ObjectEvent", "ADD", "commissioning", "active", None, 5)
    assert sorted(event["epcList"]) == sorted(_sgtin(s) for s in serials)
    assert event["ilmd"] == {"cbvmda:lotNumber": "BATCH111", "cbvmda:itemExpirationDate": "2035-11-15"}
    assert event["eventTimeZoneOffset"] == "+00:00" and event["eventTime"].endswith("+00:00")
    assert len(event["eventTime"].split(".")[1]) == len("123+00:00")
    assert "readPoint" not in event and "bizLocation" not in event
    # A retry commissions nothing and writes no second event.
    ok(client.post(COMMISSION, json=commission_body(serials, order_id=in_progress.order_id), headers=api_headers))
    assert len(stored_events(session)) == 1


def test_the_site_and_line_glns_and_the_site_offset_go_into_the_event(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session, database: Database
) -> None:
    with database.unit_of_work() as s:
        s.execute(update(Tenant).values(gln="4012345000009", gln_extension="HALL-2", time_zone_offset="+05:30"))
        line_id = s.scalar(
            select(PackagingOrder.packaging_line_id).where(PackagingOrder.order_id == in_progress.order_id)
        )
        s.execute(update(PackagingLine).where(PackagingLine.id == line_id).values(gln="4012345000016"))
    ok(
        client.post(
            COMMISSION,
            json=commission_body(in_progress.serials[:1], order_id=in_progress.order_id),
            headers=api_headers,
        )
    )
    (event,) = stored_events(session)
    assert event["bizLocation"] == {"id": "https://id.gs1.org/414/4012345000009/254/HALL-2"}
    assert event["readPoint"] == {"id": "https://id.gs1.org/414/4012345000016"}
    assert event["eventTimeZoneOffset"] == "+05:30" and event["eventTime"].endswith("+05:30")


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("Destroyed", ("DELETE", "destroying", "destroyed")),
        ("Damaged", ("DELETE", "decommissioning", "damaged")),
        ("Stolen", ("DELETE", "decommissioning", "stolen")),
        ("Sampled", ("OBSERVE", "sampling", "non_sellable_other")),
        ("Other", ("DELETE", "decommissioning", "inactive")),
    ],
)
def test_decommissioning_maps_each_reason(
    client: TestClient,
    api_headers: dict[str, str],
    in_progress: OrderOnLine,
    session: Session,
    reason: str,
    expected: tuple[str, str, str],
) -> None:
    serials = in_progress.serials[:3]
    ok(client.post(COMMISSION, json=commission_body(serials, order_id=in_progress.order_id), headers=api_headers))
    body = decommission_body(serials[:2], reason, comment="why")
    ok(client.post(DECOMMISSION, json=body, headers=api_headers))
    event = stored_events(session)[-1]
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == ("ObjectEvent", *expected)
    assert sorted(event["epcList"]) == sorted(_sgtin(s) for s in serials[:2])


def test_aggregation_first_use_of_an_sscc_packing_and_unpacking(
    client: TestClient, api_headers: dict[str, str], in_progress: OrderOnLine, session: Session
) -> None:
    serials = in_progress.serials[:6]
    ok(client.post(COMMISSION, json=commission_body(serials, order_id=in_progress.order_id), headers=api_headers))
    case, pallet = sscc(900001), sscc(900002)
    with statements() as seen:
        body = {"sscc": case, "trade_items": [item(s) for s in serials[:3]]}
        ok(client.post(CONTAINER, json=body, headers=api_headers))
    # The packing event names the packs the call looked up already: their keys are not read again.
    assert not [s for s in seen if "SELECT products.code, packs.serial" in s]
    ok(client.post(CONTAINER, json={"sscc": case, "trade_items": [item(serials[3])]}, headers=api_headers))
    ok(client.post(CONTAINER, json={"sscc": pallet, "containers": [case]}, headers=api_headers))
    ok(client.request("DELETE", CONTAINER, json={"sscc": case, "trade_items": [item(serials[0])]}, headers=api_headers))
    ok(client.post(TRADE_ITEM, json={**item(serials[4]), "trade_items": [item(serials[5])]}, headers=api_headers))
    events = stored_events(session)
    case_uri, pallet_uri = f"https://id.gs1.org/00/{case}", f"https://id.gs1.org/00/{pallet}"
    assert [summary(e) for e in events] == [
        ("ObjectEvent", "ADD", "commissioning", "active", None, 6),
        ("ObjectEvent", "ADD", "commissioning", "active", None, 1),
        ("AggregationEvent", "ADD", "packing", "in_progress", case_uri, 3),
        ("AggregationEvent", "ADD", "packing", "in_progress", case_uri, 1),  # no second commissioning
        ("ObjectEvent", "ADD", "commissioning", "active", None, 1),
        ("AggregationEvent", "ADD", "packing", "in_progress", pallet_uri, 1),
        ("AggregationEvent", "DELETE", "unpacking", "in_progress", case_uri, 1),
        ("AggregationEvent", "ADD", "packing", "in_progress", _sgtin(serials[4]), 1),
    ]
    assert events[1]["epcList"] == [case_uri] and events[5]["childEPCs"] == [case_uri]
    assert events[6]["childEPCs"] == [_sgtin(serials[0])]
    assert sorted(events[2]["childEPCs"]) == sorted(_sgtin(s) for s in serials[:3])
    assert events[3]["childEPCs"] == [_sgtin(serials[3])]


def test_a_csv_import_writes_one_event_per_product_batch_and_expiry(
    client: TestClient, admin: Person, in_progress: OrderOnLine, session: Session
) -> None:
    serials = in_progress.serials
    csv = (
        "SerialNumber,GTIN,Batch,ExpirationDate,ManufacturingDate\r\n"
        f"{serials[0]},{GTIN},BATCH111,351115,\r\n"
        f"{serials[1]},{GTIN},BATCH111,351115,\r\n"
        f"EXT-CSV-1,{GTIN},LOT2,351200,\r\n"
    )
    headers = admin.headers | {"Content-Type": "text/csv"}
    ok(client.post("/api/commission/import", content=csv.encode(), headers=headers))
    events = stored_events(session)
    assert sorted((e["ilmd"]["cbvmda:lotNumber"], len(e["epcList"])) for e in events) == [("BATCH111", 2), ("LOT2", 1)]


def test_when_the_event_cannot_be_written_the_fact_is_rolled_back(
    database: Database, demo: object, pool: None, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> int:
        raise RuntimeError("the event log is unavailable")

    monkeypatch.setattr(epcis_service_module.repository, "insert_event", broken)
    with pytest.raises(RuntimeError, match="event log"), database.unit_of_work() as s:
        tenant_id = s.scalar(select(Tenant.id))
        assert tenant_id is not None
        pack_service.commission(
            s,
            tenant_id,
            product_code=GTIN,
            batch="B1",
            expiry_date="271231",
            manufacturing_date=None,
            order_id=None,
            serials=["NEW-1", "NEW-2"],
            actor="test",
        )
    assert session.scalar(select(func.count()).select_from(Pack)) == 0
    assert session.scalar(select(func.count()).select_from(EpcisEvent)) == 0


@pytest.mark.parametrize("table", ["epcis_events", "epcis_event_epcs"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET tenant_id = tenant_id", "DELETE FROM {table}"])
def test_nobody_updates_or_deletes_an_event(
    client: TestClient,
    api_headers: dict[str, str],
    in_progress: OrderOnLine,
    session: Session,
    database: Database,
    table: str,
    statement: str,
) -> None:
    ok(
        client.post(
            COMMISSION,
            json=commission_body(in_progress.serials[:2], order_id=in_progress.order_id),
            headers=api_headers,
        )
    )
    with pytest.raises(DatabaseError, match="append-only"), database.unit_of_work() as s:
        s.execute(text(statement.format(table=table)))
    assert session.scalar(select(func.count()).select_from(EpcisEventEpc)) == 2
    assert len(stored_events(session)) == 1


def _demo_tenant(session: Session, demo: DemoCredentials) -> int:
    found = session.scalar(select(Tenant.id).where(Tenant.name == demo.tenant))
    assert found is not None
    return found


def test_an_event_recorded_twice_is_kept_once_found_by_its_insert(session: Session, demo: DemoCredentials) -> None:
    tenant_id = _demo_tenant(session, demo)
    where = epcis_service_module.epcis_service.where(session, tenant_id)
    built = object_event(
        datetime(2026, 12, 3, 10, tzinfo=UTC), where, [_sgtin("DUP1")], "OBSERVE", "shipping", "in_transit"
    )
    with statements() as seen:
        first = epcis_service_module.epcis_service.record(session, tenant_id, built)
        again = epcis_service_module.epcis_service.record(session, tenant_id, dict(built))
    assert first is not None and again is None
    assert [e["eventID"] for e in stored_events(session)] == [first]
    # The duplicate is found by the unique index in the INSERT itself, not by a lookup before it.
    assert not [s for s in seen if "FROM epcis_events" in s]


def test_the_site_is_read_once_per_unit_of_work_and_follows_a_change_in_it(
    session: Session, demo: DemoCredentials
) -> None:
    service, tenant_id = epcis_service_module.epcis_service, _demo_tenant(session, demo)
    tenant = session.get(Tenant, tenant_id)
    assert tenant is not None
    with statements() as seen:
        assert service.where(session, tenant_id).biz_location is None
        assert service.where(session, tenant_id).biz_location is None
    assert len([s for s in seen if "FROM tenants" in s]) == 1
    service.set_site(session, tenant, "4012345000009", None, "+02:00")
    changed = service.where(session, tenant_id)
    assert changed.biz_location == "https://id.gs1.org/414/4012345000009"
    assert changed.time_zone_offset == "+02:00"


def test_event_documents_are_compressed_with_lz4_where_the_server_has_it(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite stores text as it is")
    built_in = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    if not session.scalar(text(built_in)):
        pytest.skip("this PostgreSQL was built without lz4")
    column = "attrelid = 'epcis_events'::regclass AND attname = 'document'"
    method = session.scalar(text(f"SELECT attcompression FROM pg_attribute WHERE {column}"))
    assert method == "l"


def test_backfill_writes_the_events_of_earlier_facts_once_at_their_original_times(
    client: TestClient,
    api_headers: dict[str, str],
    in_progress: OrderOnLine,
    session: Session,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Facts recorded before the log existed: nobody subscribed to them.
    monkeypatch.setattr(facts, "_subscribers", {})
    monkeypatch.setattr(facts, "_wired", True)
    serials = in_progress.serials[:4]
    ok(client.post(COMMISSION, json=commission_body(serials, order_id=in_progress.order_id), headers=api_headers))
    ok(client.post(DECOMMISSION, json=decommission_body(serials[:1], "Stolen"), headers=api_headers))
    assert stored_events(session) == []
    monkeypatch.undo()
    with database.unit_of_work() as s:
        tenant_id = s.scalar(select(Tenant.id).where(Tenant.name == "demo"))
        assert tenant_id is not None
        assert backfill(s, tenant_id) == Backfilled(1, 1)
    events = stored_events(session)
    assert [summary(e) for e in events] == [
        ("ObjectEvent", "ADD", "commissioning", "active", None, 4),
        ("ObjectEvent", "DELETE", "decommissioning", "stolen", None, 1),
    ]
    created = session.scalar(select(Pack.created_at).where(Pack.serial == serials[0]))
    assert created is not None and events[0]["eventTime"] == format_time(created, "+00:00")
    with database.unit_of_work() as s:
        assert backfill(s, tenant_id) == Backfilled(0, 0)
    assert len(stored_events(session)) == 2
