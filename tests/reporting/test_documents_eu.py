"""EU documents: each validates against the JSON Schema we publish and says what EMVO's fields say."""

from __future__ import annotations

import json

import pytest

from packtrace.reporting.documents import eu
from packtrace.reporting.documents.model import ProductData
from tests.reporting.documents_support import PRODUCT, header, valid_json


def test_master_data_carries_the_products_regulatory_fields() -> None:
    body = valid_json(eu.master_data(header(), PRODUCT))
    assert body["report"] == "eu.master_data" and body["sender"] == {"name": "PackTrace Pharma", "gln": "4006381000017"}
    assert body["created"] == "2026-12-03T10:30:15.123Z"
    assert body["product"] == {
        "product_code": "04006381333931",
        "product_code_scheme": "GTIN",
        "name": "Epcistra 100 mg",
        "common_name": "epcistrazole",
        "pharmaceutical_form": "Film-coated tablet",
        "strength": "100 mg",
        "pack_type": "Blister",
        "pack_size": 30,
        "mah_name": "PackTrace Pharma GmbH",
        "target_markets": ["AT", "DE"],
    }


def test_master_data_of_a_product_without_regulatory_fields_leaves_them_out() -> None:
    bare = ProductData(code="04006381333931", code_scheme="GTIN", company_prefix_length=7, name="Bare")
    body = valid_json(eu.master_data(header(), bare))
    assert body["product"] == {"product_code": "04006381333931", "product_code_scheme": "GTIN", "name": "Bare"}


def test_batch_upload_lists_every_serial_with_batch_and_expiry() -> None:
    serials = [f"S{i:05d}" for i in range(1000)] + ['A"B%/&<']
    body = valid_json(eu.batch_upload(header(), PRODUCT, "B/1", "351100", iter(serials)))
    assert body["batch"] == {"id": "B/1", "expiry": "351100", "expiry_date": "2035-11-30"}
    assert body["serials"] == serials


def test_batch_upload_of_no_serial_is_an_empty_list() -> None:
    assert valid_json(eu.batch_upload(header(), PRODUCT, "B1", "351115", iter([])))["serials"] == []


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("Destroyed", "DESTROYED"),
        ("Sampled", "SAMPLE"),
        ("Stolen", "STOLEN"),
        ("Damaged", "DESTROYED"),
        ("Other", "LOCKED"),
    ],
)
def test_pack_status_maps_the_decommission_reason_to_the_emvs_status(reason: str, status: str) -> None:
    body = valid_json(eu.pack_status(header(), PRODUCT, [("S1", "B1", reason), ("S2", "B1", reason)]))
    assert body["packs"] == [
        {"serial": "S1", "batch": "B1", "status": status, "reason": reason},
        {"serial": "S2", "batch": "B1", "status": status, "reason": reason},
    ]


@pytest.mark.parametrize(("kind", "status"), [("recall", "RECALLED"), ("withdrawal", "WITHDRAWN")])
def test_batch_recall_and_withdrawal(kind: str, status: str) -> None:
    body = valid_json(eu.batch_recall(header(), PRODUCT, "B1", kind, "contamination"))
    assert (body["batch"], body["kind"], body["status"], body["reason"]) == (
        {"id": "B1"},
        kind,
        status,
        "contamination",
    )


def test_the_schema_refuses_what_the_document_must_not_be() -> None:
    """The schemas can fail: a document missing a serial list or with a bad status is refused."""
    body = json.loads(eu.pack_status(header(), PRODUCT, [("S1", "B1", "Destroyed")]))
    body["packs"][0]["status"] = "DISPENSED"
    with pytest.raises(AssertionError):
        valid_json(json.dumps(body).encode())
    upload = json.loads(eu.batch_upload(header(), PRODUCT, "B1", "351115", iter(["S1"])))
    del upload["serials"]
    with pytest.raises(AssertionError):
        valid_json(json.dumps(upload).encode())
