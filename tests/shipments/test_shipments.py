"""POST/GET/DELETE shipments: what may leave, the EU release gate, the shipping and void events (checked
against the EPCIS JSON schema and the reference hash), the histories, and the guards on shipped items."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import ContainerEvent, Pack, PackEvent, Tenant
from tests.aggregation.support import CONTAINER, add_packs, disaggregate, history, item, ok, request_ssccs
from tests.auth.people import Person
from tests.epcis.support import stored_events
from tests.packs.support import DECOMMISSION, decommission_body
from tests.shipments.support import (
    BATCH,
    DOCK,
    PARTNER_GLN,
    SHIPMENTS,
    Pallet,
    acknowledge,
    add_partner,
    pallet,
    ship,
)
from tests.support import assert_error

SITE_GLN = "0123451000006"


@pytest.fixture
def goods(client: TestClient, database: Database, api_headers: dict[str, str], admin: Person) -> Pallet:
    add_partner(client, admin.headers)
    return pallet(client, database, api_headers)


def order(goods: Pallet, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shipment_id": "SHIP-1",
        "ship_to": DOCK,
        "sold_to": PARTNER_GLN,
        "po_number": "PO 4711",
        "despatch_advice": "DESADV-9",
        "ssccs": [goods.pallet],
        "trade_items": [item(goods.loose[0])],
    }
    body.update(changes)
    return body


def test_an_eu_batch_leaves_only_once_the_hub_acknowledged_its_upload(
    client: TestClient, database: Database, api_headers: dict[str, str], goods: Pallet, session: Session
) -> None:
    refused = assert_error(ship(client, api_headers, **order(goods)), 409, "InvalidStateError", "ssccs")
    assert f"{DEMO_PRODUCT_CODE} batch {BATCH}" in refused["message"] and "Art. 33" in refused["message"]
    assert session.scalars(select(Pack.shipment_pk).where(Pack.shipment_pk.is_not(None))).all() == []
    acknowledge(database)
    data = ok(ship(client, api_headers, **order(goods)))
    assert data["status"] == "Shipped"
    assert data["pack_count"] == 6  # 4 in the case, the loose pack and the pack inside it
    assert data["container_count"] == 2
    assert data["ship_to"] == {
        "name": "Pharma Wholesale GmbH",
        "gln": PARTNER_GLN,
        "sgln": DOCK,
        "location_name": "Dock 1",
    }
    session.expire_all()
    shipped = session.scalars(select(Pack.serial).where(Pack.shipment_pk.is_not(None))).all()
    assert sorted(shipped) == sorted([*goods.in_case, goods.loose[0], "PN0"])


def test_the_shipping_event_names_transactions_source_and_destination(
    client: TestClient, database: Database, api_headers: dict[str, str], goods: Pallet, session: Session
) -> None:
    with database.unit_of_work() as s:
        s.execute(update(Tenant).where(Tenant.name == "demo").values(gln=SITE_GLN))
    acknowledge(database)
    ok(ship(client, api_headers, **order(goods)))
    events = stored_events(session)  # each checked against the schema and the reference hash
    event = events[-1]
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == (
        "ObjectEvent",
        "OBSERVE",
        "shipping",
        "in_transit",
    )
    assert event["epcList"] == [
        f"https://id.gs1.org/00/{goods.pallet}",
        f"https://id.gs1.org/01/{DEMO_PRODUCT_CODE}/21/{goods.loose[0]}",
    ]
    assert event["bizTransactionList"] == [
        {"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:{PARTNER_GLN}:PO%204711"},
        {"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:{SITE_GLN}:DESADV-9"},
    ]
    assert event["sourceList"] == [
        {"type": "owning_party", "source": f"https://id.gs1.org/417/{SITE_GLN}"},
        {"type": "location", "source": f"https://id.gs1.org/414/{SITE_GLN}"},
    ]
    assert event["destinationList"] == [
        {"type": "owning_party", "destination": f"https://id.gs1.org/417/{PARTNER_GLN}"},
        {"type": "location", "destination": DOCK},
    ]


def test_pack_and_sscc_histories_show_the_shipment(
    client: TestClient, database: Database, api_headers: dict[str, str], goods: Pallet, session: Session
) -> None:
    acknowledge(database)
    ok(ship(client, api_headers, **order(goods)))
    events = history(client, api_headers, goods.case)["history"]
    assert any(e["event"] == "Shipped" and "SHIP-1" in (e["detail"] or "") for e in events)
    pack_events = session.scalars(
        select(PackEvent.event).join(Pack, Pack.id == PackEvent.pack_id).where(Pack.serial == goods.in_case[0])
    ).all()
    assert pack_events[-1] == "Shipped"


def test_a_shipment_id_is_used_once(
    client: TestClient, database: Database, api_headers: dict[str, str], goods: Pallet
) -> None:
    acknowledge(database)
    ok(ship(client, api_headers, **order(goods)))
    assert_error(
        ship(client, api_headers, **order(goods, ssccs=[], trade_items=[item(goods.loose[1])])),
        409,
        "ConflictError",
        "shipment_id",
    )


def test_shipped_items_cannot_be_repacked_or_decommissioned_until_the_shipment_is_voided(
    client: TestClient, database: Database, api_headers: dict[str, str], goods: Pallet, session: Session
) -> None:
    acknowledge(database)
    ok(ship(client, api_headers, **order(goods)))
    assert_error(disaggregate(client, api_headers, sscc=goods.case, all=True), 409, "InvalidStateError", "sscc")
    assert_error(disaggregate(client, api_headers, sscc=goods.pallet, all=True), 409, "InvalidStateError", "sscc")
    fresh = request_ssccs(client, api_headers, 1)[0]
    refused = client.post(CONTAINER, json={"sscc": fresh, "containers": [goods.pallet]}, headers=api_headers)
    assert_error(refused, 409, "InvalidStateError", "containers")
    refused = client.post(CONTAINER, json={"sscc": fresh, "trade_items": [item(goods.loose[0])]}, headers=api_headers)
    assert_error(refused, 409, "InvalidStateError", "trade_items")
    decommission = client.post(DECOMMISSION, json=decommission_body([goods.in_case[0]]), headers=api_headers)
    assert "shipped" in assert_error(decommission, 409, "InvalidStateError", "serials")["message"]

    voided = ok(client.delete(SHIPMENTS, params={"shipment_id": "SHIP-1"}, headers=api_headers))
    assert (voided["status"], voided["pack_count"], voided["container_count"]) == ("Voided", 6, 2)
    ok(disaggregate(client, api_headers, sscc=goods.pallet, all=True))
    last = stored_events(session)
    void = [e for e in last if e.get("bizStep") == "void_shipping"]
    assert len(void) == 1 and void[0]["disposition"] == "in_progress" and void[0]["action"] == "OBSERVE"
    assert ok(client.get(SHIPMENTS, params={"shipment_id": "SHIP-1"}, headers=api_headers))["status"] == "Voided"
    assert_error(
        client.delete(SHIPMENTS, params={"shipment_id": "SHIP-1"}, headers=api_headers), 409, "InvalidStateError"
    )
    session.expire_all()
    voided_entries = session.scalar(select(ContainerEvent.id).where(ContainerEvent.event == "Shipment voided").limit(1))
    assert voided_entries is not None


def test_what_cannot_leave_is_named_and_nothing_is_shipped(
    client: TestClient, database: Database, api_headers: dict[str, str], goods: Pallet, session: Session
) -> None:
    acknowledge(database)
    add_packs(database, ["DEAD1"], status="Decommissioned")
    refused = ship(client, api_headers, **order(goods, trade_items=[item("DEAD1")]))
    assert "DEAD1" in assert_error(refused, 409, "InvalidStateError", "trade_items")["message"]
    # A case that stays on its pallet cannot leave alone.
    assert_error(
        ship(client, api_headers, **order(goods, ssccs=[goods.case], trade_items=[])), 409, "ConflictError", "ssccs"
    )
    # A pack inside a pack leaves with its parent, not alone.
    assert_error(
        ship(client, api_headers, **order(goods, ssccs=[], trade_items=[item("PN0")])),
        409,
        "ConflictError",
        "trade_items",
    )
    empty = request_ssccs(client, api_headers, 1)[0]
    assert_error(
        ship(client, api_headers, **order(goods, ssccs=[empty], trade_items=[])), 409, "InvalidStateError", "ssccs"
    )
    assert_error(
        ship(client, api_headers, **order(goods, ship_to="https://id.gs1.org/414/9520000000011")),
        400,
        "ValidationError",
        "ship_to",
    )
    assert_error(ship(client, api_headers, **order(goods, ship_to="dock one")), 400, "ValidationError", "ship_to")
    assert_error(ship(client, api_headers, **order(goods, ssccs=[], trade_items=[])), 400, "ValidationError", "ssccs")
    assert_error(ship(client, api_headers, **order(goods, sold_to="9520000000011")), 400, "ValidationError", "sold_to")
    session.expire_all()
    assert session.scalars(select(Pack.shipment_pk).where(Pack.shipment_pk.is_not(None))).all() == []


def test_a_shipment_of_another_tenant_is_not_found(
    client: TestClient, api_headers: dict[str, str], demo: DemoCredentials
) -> None:
    assert_error(
        client.get(SHIPMENTS, params={"shipment_id": "NOPE"}, headers=api_headers), 404, "NotFoundError", "shipment_id"
    )
