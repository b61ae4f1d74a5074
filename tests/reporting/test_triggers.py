"""Facts enqueue their market reports in their own transaction: product registration and change (EU master
data), commission to market (EU batch upload, CHN, IDN), decommission of released packs (EU pack status),
recall (EU) and shipment (DSCSA). The facts come from the real services where they exist; shipment and
recall facts are published in the test session, as their endpoints will."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.batches.facts import BatchRecalled
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.gs1.epc import parse_sgtin_urn, parse_sscc_urn
from packtrace.kit.clock import transaction_time
from packtrace.kit.facts import publish
from packtrace.models import Report, Tenant
from packtrace.shipments.facts import PacksShipped, PartyLocation
from tests.aggregation.support import aggregate, item, request_ssccs
from tests.auth.people import Person
from tests.packs.support import COMMISSION, DECOMMISSION, OrderOnLine, commission_body, decommission_body, ok
from tests.reporting.documents_support import valid_epcis_12, valid_json
from tests.reporting.support import REGULATORY

MARKET = f"/api/products/{DEMO_PRODUCT_CODE}/market_commission"
STORE = "https://id.gs1.org/414/4006381000017"
NEW_PRODUCT: dict[str, Any] = {
    "product_code": "04006381333931",
    "product_code_schema": "GTIN",
    "name": "Tablets 20",
    "markets": ["EU"],
    "company_prefix_length": 7,
} | REGULATORY


@pytest.fixture
def before(session: Session) -> int:
    """The last report before the test (seeding the demo sent the demo product's master data)."""
    return session.scalar(select(func.max(Report.id))) or 0


@dataclass
class Plant:
    """The demo tenant's line with an order in progress, and the reports made since the test began."""

    client: TestClient
    api: dict[str, str]
    support: Person
    serials: list[str]
    session: Session
    before: int

    def commission(self, serials: list[str]) -> None:
        ok(self.client.post(COMMISSION, json=commission_body(serials, order_id="Order130"), headers=self.api))

    def to_market(self, market: str | None = None) -> None:
        body = {"batch": "BATCH111"} | ({"market": market} if market else {})
        ok(self.client.post(MARKET, json=body, headers=self.support.headers))

    def change_product(self, **changes: Any) -> None:
        ok(self.client.patch(f"/api/products/{DEMO_PRODUCT_CODE}", json=changes, headers=self.support.headers))

    def decommission(self, serials: list[str], reason: str) -> None:
        ok(self.client.post(DECOMMISSION, json=decommission_body(serials, reason), headers=self.api))

    def reports(self, kind: str | None = None) -> list[Report]:
        return reports(self.session, self.before, kind)


@pytest.fixture
def plant(
    client: TestClient,
    api_headers: dict[str, str],
    support: Person,
    in_progress: OrderOnLine,
    session: Session,
    before: int,
) -> Plant:
    return Plant(client, api_headers, support, in_progress.serials, session, before)


def reports(session: Session, before: int, kind: str | None = None) -> list[Report]:
    query = select(Report).where(Report.id > before).order_by(Report.id)
    if kind:
        query = query.where(Report.kind == kind)
    return list(session.scalars(query))


def test_registering_and_changing_an_eu_product_sends_master_data(
    client: TestClient, support: Person, session: Session, before: int
) -> None:
    ok(client.post("/api/products", json=NEW_PRODUCT, headers=support.headers))
    [created] = reports(session, before, "eu.master_data")
    assert (created.market, created.stream, created.state) == ("EU", "product/04006381333931", "Pending")
    body = valid_json(created.document)
    assert body["product"]["target_markets"] == ["AT", "DE"] and body["product"]["pack_size"] == 20
    path = "/api/products/04006381333931"
    ok(client.patch(path, json={"strength": "250 mg"}, headers=support.headers))
    ok(client.patch(path, json={"strength": "250 mg"}, headers=support.headers))  # changes nothing: no report
    first, second = reports(session, before, "eu.master_data")
    assert first.id == created.id and valid_json(second.document)["product"]["strength"] == "250 mg"
    # Not registered for the EU (any more): nothing is sent.
    ok(client.patch(path, json={"markets": ["US"]}, headers=support.headers))
    ok(client.patch(path, json={"strength": "125 mg"}, headers=support.headers))
    assert len(reports(session, before, "eu.master_data")) == 2


def test_no_report_for_a_market_the_tenant_has_no_profile_for(
    client: TestClient, support: Person, session: Session, before: int
) -> None:
    ok(client.request("DELETE", "/api/markets/EU", headers=support.headers))
    ok(client.post("/api/products", json=NEW_PRODUCT, headers=support.headers))
    assert reports(session, before) == []


def test_commission_to_market_sends_the_batch_upload_of_the_packs_it_released(plant: Plant) -> None:
    serials = plant.serials
    plant.commission(serials[:4])
    ok(plant.client.post(COMMISSION, json=commission_body(["OTHER-LOT-1"], batch="LOT2"), headers=plant.api))
    plant.to_market("EU")
    [upload] = plant.reports()
    assert (upload.kind, upload.stream) == ("eu.batch_upload", f"batch/{DEMO_PRODUCT_CODE}/BATCH111")
    body = valid_json(upload.document)
    assert body["batch"]["id"] == "BATCH111" and body["batch"]["expiry"] == "351115"
    assert sorted(body["serials"]) == sorted(serials[:4])
    # A retry releases nothing: nothing is sent. Packs commissioned later go in an upload of their own.
    plant.to_market()
    assert len(plant.reports()) == 1
    plant.commission(serials[4:6])
    plant.to_market("EU")
    assert sorted(valid_json(plant.reports()[-1].document)["serials"]) == sorted(serials[4:6])


def test_a_batch_without_a_named_market_is_reported_to_its_orders_market(plant: Plant) -> None:
    plant.commission(plant.serials[:2])
    plant.to_market()  # the order is for the EU
    assert [r.kind for r in plant.reports()] == ["eu.batch_upload"]


def _case_and_pallet(plant: Plant, serials: list[str]) -> tuple[str, str]:
    case, pallet = request_ssccs(plant.client, plant.api, 2)
    ok(aggregate(plant.client, plant.api, sscc=case, trade_items=[item(s) for s in serials]))
    ok(aggregate(plant.client, plant.api, sscc=pallet, containers=[case]))
    return case, pallet


def test_chn_batch_report_carries_codes_and_hierarchy(plant: Plant) -> None:
    serials = plant.serials[:4]
    plant.commission(serials)
    case, pallet = _case_and_pallet(plant, serials[:3])
    plant.to_market("CHN")
    [chn] = plant.reports("chn.batch")
    body = valid_json(chn.document)
    parents = {p["serial"]: p["parent"] for p in body["packs"]}
    assert parents == {s: f"(00){case}" for s in serials[:3]} | {serials[3]: None}
    for node in body["hierarchy"]:
        node["children"].sort()
    assert body["hierarchy"] == [
        {"code": f"(00){pallet}", "parent": None, "children": [f"(00){case}"]},
        {
            "code": f"(00){case}",
            "parent": f"(00){pallet}",
            "children": sorted(f"(01){DEMO_PRODUCT_CODE}(21){s}" for s in serials[:3]),
        },
    ]
    assert plant.reports("idn.batch") == [] and plant.reports("eu.batch_upload") == []


def test_idn_batch_report_names_the_nie(plant: Plant) -> None:
    plant.commission(plant.serials[:2])
    plant.change_product(nie="DKL2012345678A1")
    plant.to_market("IDN")
    [idn] = plant.reports("idn.batch")
    body = valid_json(idn.document)
    assert body["product"]["nie"] == "DKL2012345678A1" and len(body["packs"]) == 2


def test_decommissioning_released_packs_sends_their_status(plant: Plant) -> None:
    serials = plant.serials
    plant.commission(serials[:3])
    plant.to_market("EU")
    plant.commission(serials[3:5])
    # One released pack and one Active pack: only the released one reached the EU Hub.
    plant.decommission([serials[0], serials[3]], "Stolen")
    upload, status = plant.reports()
    assert status.kind == "eu.pack_status" and status.stream == upload.stream
    assert valid_json(status.document)["packs"] == [
        {"serial": serials[0], "batch": "BATCH111", "status": "STOLEN", "reason": "Stolen"}
    ]
    # Decommissioning only Active packs sends nothing.
    plant.decommission([serials[4]], "Destroyed")
    assert len(plant.reports()) == 2


def _tenant_id(session: Session) -> int:
    return session.scalars(select(Tenant.id).where(Tenant.name == DEMO_TENANT)).one()


def test_a_recall_sends_the_eu_recall(session: Session, demo: DemoCredentials, before: int) -> None:
    tenant_id = _tenant_id(session)
    at = transaction_time(session)
    publish(session, BatchRecalled(tenant_id, DEMO_PRODUCT_CODE, "BATCH/1", "withdrawal", "labelling error", at))
    [recall] = reports(session, before)
    assert (recall.kind, recall.stream) == ("eu.batch_recall", f"batch/{DEMO_PRODUCT_CODE}/BATCH/1")
    body = valid_json(recall.document)
    assert (body["batch"]["id"], body["status"], body["reason"]) == ("BATCH/1", "WITHDRAWN", "labelling error")


def _ship(plant: Plant, to: PartyLocation, ssccs: tuple[str, ...], loose: list[str], po: str | None = None) -> None:
    items = tuple((DEMO_PRODUCT_CODE, s) for s in loose)
    at = transaction_time(plant.session)
    publish(plant.session, PacksShipped(_tenant_id(plant.session), 7, "SHIP-1", to, None, po, None, ssccs, items, at))


def test_a_shipment_sends_the_dscsa_document_of_what_it_holds_only(plant: Plant) -> None:
    serials = plant.serials
    plant.commission(serials[:8])
    plant.change_product(ndc="12345-678-90")
    case, pallet = _case_and_pallet(plant, serials[:3])
    # Locations as the shipment service names them: Digital Link SGLNs.
    dock = "https://id.gs1.org/414/0399993456780"
    to = PartyLocation("GS1 Drug Distributor", "0399999999991", dock, "Warehouse", "136 Main St", "KY-1")
    _ship(plant, to, (pallet,), [serials[5]], po="PO-1")
    [report] = plant.reports("us.dscsa_shipment")
    assert (report.market, report.stream, report.media_type) == ("US", "shipment/SHIP-1", "application/xml")
    root = valid_epcis_12(report.document)
    commissioned = [
        parse_sgtin_urn(e.text or "")
        for event in root.iter("ObjectEvent")
        if event.findtext("bizStep", "").endswith(":commissioning")
        for e in event.iter("epc")
    ]
    assert sorted(commissioned) == sorted((DEMO_PRODUCT_CODE, s) for s in (*serials[:3], serials[5]))
    # Packs of the same batch that were not shipped are named nowhere.
    text = report.document.decode()
    assert not any(f".{s}<" in text for s in (serials[3], serials[4], serials[6], serials[7]))
    ndc = root.findtext(".//attribute[@id='urn:epcglobal:cbv:mda#additionalTradeItemIdentification']")
    assert ndc == "12345-678-90"
    parents = [e.findtext("parentID") for e in root.iter("AggregationEvent")]
    assert sorted(parse_sscc_urn(p or "") for p in parents) == sorted([case, pallet])


def test_a_shipment_without_us_products_sends_nothing(plant: Plant) -> None:
    plant.commission(plant.serials[:1])
    plant.change_product(markets=["EU"])
    to = PartyLocation("EU Wholesaler", "4006381000017", STORE, "Warehouse", "Berlin", None)
    _ship(plant, to, (), plant.serials[:1])
    assert plant.reports("us.dscsa_shipment") == []
