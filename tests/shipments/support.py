"""Helpers of the shipment, partner and recall tests: a partner with locations, packs packed into a case
on a pallet, and the EU Hub's acknowledgement of a batch upload (the gate of EU shipments)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import update

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.models import Report
from packtrace.models.enums import ReportKind, ReportState
from packtrace.reporting.outbox import batch_stream, enqueue
from tests.aggregation.support import add_packs, aggregate, item, ok, request_ssccs
from tests.support import V2

PARTNERS = "/api/partners"
RECALL = "/api/batches/recall"
RECALLS = "/api/batches/recalls"
SHIPMENTS = f"{V2}/shipments"
BATCH = "BATCH111"  # the batch of tests.aggregation.support.add_packs
PARTNER_GLN = "4012345000009"
DOCK = f"https://id.gs1.org/414/{PARTNER_GLN}/254/dock-1"
STORE = "https://id.gs1.org/414/0614141000005"


def partner_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pharma Wholesale GmbH",
        "gln": PARTNER_GLN,
        "locations": [
            {"sgln": DOCK, "name": "Dock 1", "address": "Hafenstr. 1, 20457 Hamburg"},
            {"sgln": STORE, "name": "Store", "address": "Main St 1"},
        ],
        "us_state_license": None,
    }
    body.update(changes)
    return body


def acknowledge(database: Database, batch: str = BATCH, product_code: str = DEMO_PRODUCT_CODE) -> None:
    """The EU Hub took the batch's upload: a report of it, Acknowledged (the outbox worker's doing)."""
    with database.unit_of_work() as s:
        tenant_id = tenant_service.get_by_name(s, DEMO_TENANT).id
        report = enqueue(
            s,
            tenant_id=tenant_id,
            market="EU",
            kind=ReportKind.EU_BATCH_UPLOAD,
            stream=batch_stream(product_code, batch),
            subject=f"{product_code} {batch}",
            media_type="application/json",
            document=b"{}",
        )
        s.execute(update(Report).where(Report.id == report.id).values(state=ReportState.ACKNOWLEDGED.value))


@dataclass
class Pallet:
    pallet: str
    case: str
    in_case: list[str]  # packs in the case
    loose: list[str]  # packs on no container


def pallet(client: TestClient, database: Database, api_headers: dict[str, str], prefix: str = "P") -> Pallet:
    """Four packs in a case on a pallet, and two loose packs (one holding a third, pack-in-pack)."""
    in_case = [f"{prefix}C{n}" for n in range(4)]
    loose = [f"{prefix}L{n}" for n in range(2)]
    add_packs(database, [*in_case, *loose, f"{prefix}N0"])
    case, pallet_sscc = request_ssccs(client, api_headers, 2)
    ok(aggregate(client, api_headers, sscc=case, trade_items=[item(s) for s in in_case]))
    ok(aggregate(client, api_headers, sscc=pallet_sscc, containers=[case]))
    body = {"product_code": DEMO_PRODUCT_CODE, "serial": loose[0], "trade_items": [item(f"{prefix}N0")]}
    ok(client.post(f"{V2}/aggregate/trade_item", json=body, headers=api_headers))
    return Pallet(pallet_sscc, case, in_case, loose)


def add_partner(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = ok(client.post(PARTNERS, json=partner_body(**changes), headers=headers))
    return data


def ship(client: TestClient, headers: dict[str, str], **body: Any) -> Response:
    return client.post(SHIPMENTS, json=body, headers=headers)
