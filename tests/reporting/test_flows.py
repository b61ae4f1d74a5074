"""The whole EU and US flows through the HTTP API, delivered by the outbox's worker to a real receiver on
127.0.0.1: master data, order, release, commission, aggregation, commission to market, shipment,
decommission of a pack that stayed behind, recall. Every report the facts call for arrives once, in its
stream's order, with its idempotency key and the destination's auth header, and validates: the JSON
reports against the JSON Schemas we publish, the DSCSA document against GS1's EPCIS 1.2 XSD."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from packtrace.demo import DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.gs1.epc import parse_sgtin_urn, parse_sscc_urn
from packtrace.kit.db import Database
from packtrace.models import Report
from packtrace.models.enums import ReportState
from packtrace.reporting.documents.model import SCHEMA_BASE
from tests.aggregation.support import aggregate, item, request_ssccs
from tests.auth.people import Person
from tests.packs.support import COMMISSION, DECOMMISSION, commission_body, decommission_body, ok, start_order
from tests.reporting.documents_support import valid_epcis_12, valid_json
from tests.reporting.receiver import Receiver, running
from tests.reporting.support import REGULATORY, cancel_seeded_reports, worker
from tests.shipments.support import DOCK, PARTNER_GLN, RECALL, add_partner, ship
from tests.support import assert_error

AUTH = "Authorization: Bearer flow-secret"
MARKET_COMMISSION = f"/api/products/{DEMO_PRODUCT_CODE}/market_commission"


@dataclass
class Flow:
    client: TestClient
    database: Database
    api: dict[str, str]
    support: Person
    receiver: Receiver
    before: int

    def deliver(self) -> None:
        """The worker delivers until nothing is due (each report once, unless the receiver fails)."""
        outbox = worker(self.database)
        while outbox.run_once():
            pass

    def destination(self, market: str) -> None:
        body = {"destination": {"kind": "http", "url": self.receiver.url, "auth_header": AUTH}}
        shown = ok(self.client.patch(f"/api/markets/{market}", json=body, headers=self.support.headers))
        assert shown["destination"]["auth_header"] == "set"  # never shown back

    def reports(self) -> list[Report]:
        with self.database.unit_of_work() as session:
            rows = list(session.scalars(select(Report).where(Report.id > self.before).order_by(Report.id)))
            session.expunge_all()
            return rows

    def received(self) -> list[tuple[str, str, bytes]]:
        """(kind, stream, document) of each request the receiver got, in arrival order, after checking
        that each came with its report's idempotency key and the destination's auth header."""
        by_key = {r.idempotency_key: r for r in self.reports()}
        name, value = (part.strip() for part in AUTH.split(":", 1))
        arrived = []
        for request in self.receiver.requests:
            assert request.headers[name.lower()] == value
            report = by_key[request.key]
            assert request.body == report.document
            arrived.append((report.kind, report.stream, request.body))
        return arrived

    def product(self, **fields: Any) -> None:
        """The demo product with its regulatory fields, registered for the flow's market."""
        body = REGULATORY | fields
        ok(self.client.patch(f"/api/products/{DEMO_PRODUCT_CODE}", json=body, headers=self.support.headers))

    def published(self, document: bytes) -> dict[str, Any]:
        """The document, after validating it against the JSON Schema the server publishes for it."""
        body: dict[str, Any] = json.loads(document)
        name = body["$schema"].removeprefix(SCHEMA_BASE)
        answer = self.client.get(f"/api/reports/schemas/{name}", headers=self.support.headers)
        assert answer.status_code == 200, answer.text
        validator = jsonschema.Draft202012Validator(
            answer.json(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
        assert not errors, errors[:5]
        return valid_json(document)  # and against the packaged file, the same schema

    def states(self, market: str) -> set[str]:
        """The states of the market's reports made by the flow, as the management API lists them."""
        page = ok(self.client.get("/api/reports", params={"market": market}, headers=self.support.headers))
        return {r["state"] for r in page["reports"] if r["id"] > self.before}

    def commission(self, serials: list[str]) -> None:
        ok(self.client.post(COMMISSION, json=commission_body(serials, order_id="Order130"), headers=self.api))

    def case_on_pallet(self, serials: list[str]) -> tuple[str, str]:
        case, pallet = request_ssccs(self.client, self.api, 2)
        ok(aggregate(self.client, self.api, sscc=case, trade_items=[item(s) for s in serials]))
        ok(aggregate(self.client, self.api, sscc=pallet, containers=[case]))
        return case, pallet

    def recall(self) -> None:
        body = {"product_code": DEMO_PRODUCT_CODE, "batch": "BATCH111", "kind": "recall", "reason": "contamination"}
        ok(self.client.post(RECALL, json=body, headers=self.support.headers))


@pytest.fixture
def flow(
    client: TestClient, database: Database, demo: DemoCredentials, api_headers: dict[str, str], support: Person
) -> Any:
    cancel_seeded_reports(database)  # seeding the demo sent its product's master data: not this flow's
    with database.unit_of_work() as session:
        before = session.scalar(select(func.max(Report.id))) or 0
    with running() as receiver:
        yield Flow(client, database, api_headers, support, receiver, before)


def shipment(order_id: str, pallet: str, loose: str, **changes: Any) -> dict[str, Any]:
    body = {
        "shipment_id": order_id,
        "ship_to": DOCK,
        "sold_to": PARTNER_GLN,
        "po_number": "PO-4711",
        "despatch_advice": "DESADV-9",
        "ssccs": [pallet],
        "trade_items": [item(loose)],
    }
    return body | changes


def test_the_eu_flow(flow: Flow, admin: Person) -> None:
    client = flow.client
    flow.destination("EU")
    flow.product(markets=["EU"])
    serials = start_order(client, flow.api).serials
    flow.commission(serials[:8])
    _, pallet = flow.case_on_pallet(serials[:4])
    ok(client.post(MARKET_COMMISSION, json={"batch": "BATCH111", "market": "EU"}, headers=flow.support.headers))
    add_partner(client, admin.headers)

    # Art. 33: the batch's upload is not yet acknowledged by the EU Hub, so nothing leaves.
    assert_error(ship(client, flow.api, **shipment("SHIP-EU", pallet, serials[4])), 409, "InvalidStateError", "ssccs")
    flow.deliver()
    upload = [r for r in flow.reports() if r.kind == "eu.batch_upload"]
    assert [r.state for r in upload] == [ReportState.ACKNOWLEDGED.value]
    shipped = ok(ship(client, flow.api, **shipment("SHIP-EU", pallet, serials[4])))
    assert shipped["pack_count"] == 5

    # A shipped pack cannot be decommissioned; one that stayed behind can, and the Hub hears of it.
    refused = client.post(DECOMMISSION, json=decommission_body([serials[0]]), headers=flow.api)
    assert "shipped" in assert_error(refused, 409, "InvalidStateError", "serials")["message"]
    ok(client.post(DECOMMISSION, json=decommission_body([serials[5]], "Stolen"), headers=flow.api))
    flow.recall()
    flow.deliver()
    flow.deliver()  # nothing more is due: nothing is sent twice

    arrived = flow.received()
    stream = f"batch/{DEMO_PRODUCT_CODE}/BATCH111"
    assert [(kind, where) for kind, where, _ in arrived] == [
        ("eu.master_data", f"product/{DEMO_PRODUCT_CODE}"),
        ("eu.batch_upload", stream),
        ("eu.pack_status", stream),
        ("eu.batch_recall", stream),
    ]
    assert len(set(flow.receiver.keys())) == len(flow.receiver.keys())
    master, batch, status, recall = (flow.published(document) for _, _, document in arrived)
    assert master["product"]["common_name"] == "paracetamol" and master["product"]["target_markets"] == ["AT", "DE"]
    assert sorted(batch["serials"]) == sorted(serials[:8]) and batch["batch"]["expiry"] == "351115"
    assert status["packs"] == [{"serial": serials[5], "batch": "BATCH111", "status": "STOLEN", "reason": "Stolen"}]
    assert (recall["batch"]["id"], recall["status"], recall["reason"]) == ("BATCH111", "RECALLED", "contamination")
    assert flow.states("EU") == {ReportState.ACKNOWLEDGED.value}
    # What is left of the recalled batch leaves no more.
    late = ship(client, flow.api, shipment_id="SHIP-EU-2", ship_to=DOCK, trade_items=[item(serials[6])])
    assert "recalled" in assert_error(late, 409, "InvalidStateError", "trade_items")["message"]


def test_the_us_flow(flow: Flow, admin: Person) -> None:
    client = flow.client
    flow.destination("US")
    flow.product(markets=["US"], ndc="12345-678-90")
    serials = start_order(client, flow.api, market="US").serials
    flow.commission(serials[:8])
    case, pallet = flow.case_on_pallet(serials[:4])
    ok(client.post(MARKET_COMMISSION, json={"batch": "BATCH111", "market": "US"}, headers=flow.support.headers))
    add_partner(client, admin.headers, us_state_license="KY-1234")
    # No EU gate for a product not registered for the EU: it leaves at once.
    ok(ship(client, flow.api, **shipment("SHIP-US", pallet, serials[4])))
    ok(client.post(DECOMMISSION, json=decommission_body([serials[5]]), headers=flow.api))
    flow.recall()
    flow.deliver()
    flow.deliver()

    arrived = flow.received()
    assert [(kind, where) for kind, where, _ in arrived] == [("us.dscsa_shipment", "shipment/SHIP-US")]
    root = valid_epcis_12(arrived[0][2])
    commissioned = [
        parse_sgtin_urn(e.text or "")
        for event in root.iter("ObjectEvent")
        if event.findtext("bizStep", "").endswith(":commissioning")
        for e in event.iter("epc")
    ]
    # Exactly the shipped packs: the other packs of the batch are named nowhere.
    assert sorted(commissioned) == sorted((DEMO_PRODUCT_CODE, s) for s in serials[:5])
    text = arrived[0][2].decode()
    assert not any(f".{s}<" in text for s in serials[5:])
    parents = sorted(parse_sscc_urn(e.findtext("parentID") or "") for e in root.iter("AggregationEvent"))
    assert parents == sorted([case, pallet])
    ndc = root.findtext(".//attribute[@id='urn:epcglobal:cbv:mda#additionalTradeItemIdentification']")
    assert ndc == "12345-678-90"
    # Locations and parties as EPC URNs (GS1 TDS: 12 digits of company prefix and location reference).
    urns = set(re.findall(r"urn:epc:id:sgln:[^<\"]*", text))
    assert all(
        re.fullmatch(r"urn:epc:id:sgln:\d+\.\d*\.[\w%-]+", u) and len(re.sub(r"\D", "", u[16:].rsplit(".", 1)[0])) == 12
        for u in urns
    ), urns
    destinations = {d.get("type"): d.text for d in root.iter("destination")}
    assert destinations == {
        "urn:epcglobal:cbv:sdt:owning_party": "urn:epc:id:sgln:4012345.00000.0",
        "urn:epcglobal:cbv:sdt:location": "urn:epc:id:sgln:4012345.00000.dock-1",
    }
    assert flow.states("US") == {ReportState.ACKNOWLEDGED.value}
