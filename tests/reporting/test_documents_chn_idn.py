"""China and Indonesia batch reports: every pack's code, the aggregation hierarchy, the NIE."""

from __future__ import annotations

from dataclasses import replace

from packtrace.reporting.documents import chn, idn
from packtrace.reporting.documents.model import Node
from tests.reporting.documents_support import PRODUCT, header, valid_json

PALLET, CASE_1, CASE_2 = "340063810000000017", "340063810000000024", "340063810000000031"
NODES = [
    Node(PALLET, None, (CASE_1, CASE_2)),
    Node(CASE_1, PALLET, (), ((PRODUCT.code, "S1"), (PRODUCT.code, "S2"))),
    Node(CASE_2, PALLET, (), ((PRODUCT.code, "S3"),)),
]
PACKS = [("S1", CASE_1), ("S2", CASE_1), ("S3", CASE_2), ("S4", None)]


def test_chn_batch_report_has_codes_per_pack_and_the_full_hierarchy() -> None:
    body = valid_json(chn.batch_report(header(), PRODUCT, "B1", "351115", PACKS, NODES))
    assert body["batch"] == {"id": "B1", "expiry": "351115", "expiry_date": "2035-11-15"}
    assert body["packs"][0] == {"code": f"(01){PRODUCT.code}(21)S1", "serial": "S1", "parent": f"(00){CASE_1}"}
    assert body["packs"][3]["parent"] is None
    assert body["hierarchy"] == [
        {"code": f"(00){PALLET}", "parent": None, "children": [f"(00){CASE_1}", f"(00){CASE_2}"]},
        {
            "code": f"(00){CASE_1}",
            "parent": f"(00){PALLET}",
            "children": [f"(01){PRODUCT.code}(21)S1", f"(01){PRODUCT.code}(21)S2"],
        },
        {"code": f"(00){CASE_2}", "parent": f"(00){PALLET}", "children": [f"(01){PRODUCT.code}(21)S3"]},
    ]


def test_idn_batch_report_carries_the_nie() -> None:
    body = valid_json(idn.batch_report(header(), PRODUCT, "B1", "351115", PACKS, NODES))
    assert body["product"]["nie"] == "DKL2012345678A1"
    assert len(body["packs"]) == 4 and len(body["hierarchy"]) == 3


def test_idn_batch_report_of_a_product_without_nie_says_null() -> None:
    body = valid_json(idn.batch_report(header(), replace(PRODUCT, nie=None), "B1", "351115", [], []))
    assert body["product"]["nie"] is None and body["packs"] == [] and body["hierarchy"] == []
