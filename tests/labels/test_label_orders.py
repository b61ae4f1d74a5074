"""POST label_orders/ end to end: labels for an order's serials, decoded back from the PNGs by an
independent decoder (zxing-cpp's reader) and parsed by an independent GS1 parser (biip)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pypdf
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.config import Settings
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.gs1.sscc import build_sscc
from packtrace.kit.db import Database
from packtrace.models import Container, LabelOrder, Pack
from packtrace.serials.repository import serial_states
from tests.labels.decoding import biip_dates, biip_pairs, read, scanner_string
from tests.support import ORDERS, V2, assert_error, fill_pool, make_tenant, sample_order

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

LABELS = f"{V2}/label_orders/"
FUTURE = "351115"  # labels are never printed for expired product


def _order_serials(client: TestClient, headers: dict[str, str], order_id: str = "Order130") -> list[str]:
    page = client.get(f"{ORDERS}/serials", params={"order_id": order_id, "limit": 1000}, headers=headers)
    serials: list[str] = page.json()["data"]["serials"]
    return serials


def test_pack_labels_of_an_order_decode_to_its_serials(client: TestClient, api_headers: dict[str, str]) -> None:
    client.post(ORDERS, json=sample_order(expiry_date="281200"), headers=api_headers)
    created = client.post(LABELS, json={"order_id": "Order130", "format": "png"}, headers=api_headers)
    assert created.status_code == 200, created.text
    data = created.json()["data"]
    assert data["status"] == "Executed" and data["label_count"] == 11
    document = client.get(data["document_url"], headers=api_headers)
    assert document.status_code == 200 and document.headers["content-type"] == "application/zip"
    decoded = []
    with zipfile.ZipFile(io.BytesIO(document.content)) as archive:
        for name in archive.namelist():
            barcode = read(archive.read(name), zxingcpp.BarcodeFormat.DataMatrix)
            scanned = scanner_string(barcode)
            assert scanned.startswith("]d2")
            pairs = dict(biip_pairs(scanned))
            assert pairs["01"] == DEMO_PRODUCT_CODE and pairs["10"] == "BATCH111" and pairs["17"] == "281200"
            assert biip_dates(scanned)["17"] == date(2028, 12, 31)
            decoded.append(pairs["21"])
    assert sorted(decoded) == sorted(_order_serials(client, api_headers))


def test_label_order_is_kept_and_readable(client: TestClient, api_headers: dict[str, str]) -> None:
    client.post(ORDERS, json=sample_order(expiry_date=FUTURE), headers=api_headers)
    created = client.post(LABELS, json={"order_id": "Order130", "format": "pdf"}, headers=api_headers).json()["data"]
    again = client.get(f"{V2}/label_orders/{created['id']}", headers=api_headers)
    assert again.status_code == 200 and again.json()["data"] == created
    pdf = client.get(created["document_url"], headers=api_headers)
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(pdf.content)).pages) == 11
    assert_error(client.get(f"{V2}/label_orders/nope", headers=api_headers), 404, "NotFoundError")


def test_another_tenant_cannot_see_a_label_order(
    client: TestClient, api_headers: dict[str, str], database: Database, settings: Settings
) -> None:
    client.post(ORDERS, json=sample_order(expiry_date=FUTURE), headers=api_headers)
    created = client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers).json()["data"]
    theirs = make_tenant(database, settings.signing_key(), "other")
    assert_error(client.get(created["document_url"], headers=theirs), 404, "NotFoundError")


def test_zpl_has_one_format_per_label(client: TestClient, api_headers: dict[str, str]) -> None:
    client.post(ORDERS, json=sample_order(quantity=3, extra_percentage=0, expiry_date=FUTURE), headers=api_headers)
    created = client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers).json()["data"]
    zpl = client.get(created["document_url"], headers=api_headers).text
    assert zpl.count("^XA") == zpl.count("^XZ") == 3
    for serial in _order_serials(client, api_headers):
        assert serial in zpl


def test_the_first_labels_of_an_order(client: TestClient, api_headers: dict[str, str], session: Session) -> None:
    client.post(ORDERS, json=sample_order(quantity=10, extra_percentage=0, expiry_date=FUTURE), headers=api_headers)
    body = {"order_id": "Order130", "format": "zpl", "quantity": 4}
    created = client.post(LABELS, json=body, headers=api_headers).json()["data"]
    assert created["label_count"] == 4
    zpl = client.get(created["document_url"], headers=api_headers).text
    serials = _order_serials(client, api_headers)
    assert [s for s in serials if s in zpl] == serials[:4]  # the first ones, in the order the line gets them
    assert session.scalar(select(LabelOrder.source)) == "order Order130: first 4 of 10 serials"

    too_many = client.post(LABELS, json=body | {"quantity": 11}, headers=api_headers)
    error = assert_error(too_many, 400, "ValidationError", "quantity")
    assert "10" in error["message"]
    assert session.scalar(select(func.count()).select_from(LabelOrder)) == 1


def test_labels_from_the_pool(
    client: TestClient, api_headers: dict[str, str], database: Database, session: Session, demo: DemoCredentials
) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 10)
    body = {"product_code": DEMO_PRODUCT_CODE, "quantity": 4, "batch": "B1", "expiry_date": "300600", "format": "zpl"}
    created = client.post(LABELS, json=body, headers=api_headers)
    assert created.status_code == 200, created.text
    assert created.json()["data"]["label_count"] == 4
    statuses = [s for (s,) in session.execute(select(STATES.c.status))]
    assert statuses.count("Assigned") == 4 and statuses.count("Available") == 6


def test_labels_for_named_serials_must_be_assigned(
    client: TestClient, api_headers: dict[str, str], database: Database, session: Session, demo: DemoCredentials
) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 2)
    available = session.scalars(select(STATES.c.serial)).all()
    body = {
        "product_code": DEMO_PRODUCT_CODE,
        "serials": [*available, "UNKNOWN1"],
        "batch": "B1",
        "expiry_date": FUTURE,
    }
    error = assert_error(client.post(LABELS, json=body, headers=api_headers), 400, "ValidationError", "serials")
    assert "UNKNOWN1" in error["message"] and available[0] in error["message"]
    assert session.scalar(select(LabelOrder.id)) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"order_id": "Order130", "product_code": DEMO_PRODUCT_CODE}, "product_code"),
        ({"product_code": DEMO_PRODUCT_CODE}, "serials"),
        ({"template": "case"}, "ssccs"),
        ({"template": "case", "ssccs": ["106141411234567890"]}, "ssccs"),
        ({"ssccs": ["106141411234567897"]}, "ssccs"),
        ({"order_id": "Order130", "format": "gif"}, "format"),
    ],
)
def test_malformed_label_orders(
    client: TestClient, api_headers: dict[str, str], session: Session, body: dict[str, object], field: str
) -> None:
    client.post(ORDERS, json=sample_order(expiry_date=FUTURE), headers=api_headers)
    assert_error(client.post(LABELS, json=body, headers=api_headers), 400, "ValidationError", field)
    assert session.scalar(select(LabelOrder.id)) is None


def test_a_batch_too_long_to_print_is_refused(
    client: TestClient, api_headers: dict[str, str], session: Session, database: Database
) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 1)
    request = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 1}
    serials = client.post(f"{V2}/serials/request", json=request, headers=api_headers).json()["data"]["serials"]
    body = {"product_code": DEMO_PRODUCT_CODE, "serials": serials, "batch": "B" * 21, "expiry_date": FUTURE}
    error = assert_error(client.post(LABELS, json=body, headers=api_headers), 400, "ValidationError", "batch")
    assert "20" in error["message"]
    assert session.scalar(select(LabelOrder.id)) is None


def test_case_labels_carry_the_sscc_and_content_count(
    client: TestClient, api_headers: dict[str, str], session: Session, demo: DemoCredentials
) -> None:
    tenant = tenant_service.get_by_name(session, DEMO_TENANT)
    sscc = build_sscc(1, "0614141", 1234567)
    case = Container(tenant_id=tenant.id, sscc=sscc, status="Assigned", source="internal")
    session.add(case)
    session.flush()
    for number in range(3):
        session.add(
            Pack(
                tenant_id=tenant.id,
                product_id=1,
                serial=f"S{number}",
                status="Active",
                batch="B",
                expiry_date="300101",
                container_id=case.id,
            )
        )
    session.commit()
    created = client.post(LABELS, json={"template": "case", "ssccs": [sscc], "format": "png"}, headers=api_headers)
    assert created.status_code == 200, created.text
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(created.json()["data"]["document_url"], headers=api_headers).content)
    )
    barcode = read(archive.read(archive.namelist()[0]), zxingcpp.BarcodeFormat.Code128)
    assert scanner_string(barcode) == f"]C100{sscc}"
    assert dict(biip_pairs(scanner_string(barcode)))["00"] == sscc
    zpl = client.post(LABELS, json={"template": "case", "ssccs": [sscc], "format": "zpl"}, headers=api_headers)
    assert "Content: 3" in client.get(zpl.json()["data"]["document_url"], headers=api_headers).text
