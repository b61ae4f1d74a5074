"""sscc/history: the summary, the events and the whole tree, on every database."""

from __future__ import annotations

from fastapi.testclient import TestClient

from packtrace.config import Settings
from packtrace.demo import DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.kit.db import Database
from tests.aggregation.support import HISTORY, TRADE_ITEM, add_packs, aggregate, history, item, ok, request_ssccs, sscc
from tests.support import assert_error, make_tenant


def test_the_tree_holds_every_level_with_its_counts(
    client: TestClient, api_headers: dict[str, str], database: Database, demo: DemoCredentials
) -> None:
    add_packs(database, [f"P{n}" for n in range(10)])
    case_a, case_b, pallet = request_ssccs(client, api_headers, 3)
    nest = {"product_code": DEMO_PRODUCT_CODE, "serial": "P0", "trade_items": [item("P1"), item("P2")]}
    ok(client.post(TRADE_ITEM, json=nest, headers=api_headers))
    ok(client.post(TRADE_ITEM, json=nest | {"serial": "P1", "trade_items": [item("P3")]}, headers=api_headers))
    ok(aggregate(client, api_headers, sscc=case_a, trade_items=[item("P0"), item("P4"), item("P5")]))
    ok(aggregate(client, api_headers, sscc=case_b, trade_items=[item("P6"), item("P7")]))
    ok(aggregate(client, api_headers, sscc=pallet, containers=[case_b, case_a], trade_items=[item("P8")]))
    found = history(client, api_headers, pallet)
    assert found["summary"] == {
        "sscc": pallet,
        "status": "Assigned",
        "source": "internal",
        "parent": None,
        "child_count": 3,
        "pack_count": 9,
    }

    def trade_item(serial: str, child_count: int = 0) -> dict[str, object]:
        return {
            "product_code": DEMO_PRODUCT_CODE,
            "serial": serial,
            "pack_status": "Active",
            "child_count": child_count,
        }

    assert found["tree"] == {
        "sscc": pallet,
        "status": "Assigned",
        "child_count": 3,
        "pack_count": 9,
        "children": [
            {
                "sscc": case_a,
                "status": "Assigned",
                "child_count": 3,
                "pack_count": 6,
                "children": [],
                "trade_items": [trade_item("P0", 2), trade_item("P4"), trade_item("P5")],
            },
            {
                "sscc": case_b,
                "status": "Assigned",
                "child_count": 2,
                "pack_count": 2,
                "children": [],
                "trade_items": [trade_item("P6"), trade_item("P7")],
            },
        ],
        "trade_items": [trade_item("P8")],
    }
    assert [(e["event"], e["detail"]) for e in found["history"]] == [
        ("Generated", None),
        ("Assigned", None),
        ("Children added", f"1 trade item, 2 containers: {case_b}, {case_a}"),
    ]
    assert history(client, api_headers, case_a)["summary"]["parent"] == pallet


def test_an_sscc_never_used_has_an_empty_tree(client: TestClient, api_headers: dict[str, str]) -> None:
    (code,) = request_ssccs(client, api_headers, 1)
    found = history(client, api_headers, code)
    assert found["summary"]["child_count"] == found["summary"]["pack_count"] == 0
    assert found["tree"] == {
        "sscc": code, "status": "Assigned", "child_count": 0, "pack_count": 0, "children": [], "trade_items": []
    }  # fmt: skip


def test_unknown_malformed_and_other_tenants_ssccs(
    client: TestClient, api_headers: dict[str, str], database: Database, settings: Settings
) -> None:
    (ours,) = request_ssccs(client, api_headers, 1)
    theirs = make_tenant(database, settings.signing_key(), "tenant-b")
    assert_error(client.get(HISTORY, params={"sscc": ours}, headers=theirs), 404, "NotFoundError", "sscc")
    assert_error(client.get(HISTORY, params={"sscc": sscc(500)}, headers=api_headers), 404, "NotFoundError", "sscc")
    wrong_check = ours[:-1] + str((int(ours[-1]) + 1) % 10)
    assert_error(client.get(HISTORY, params={"sscc": wrong_check}, headers=api_headers), 400, "ValidationError", "sscc")
    assert_error(client.get(HISTORY, params={"sscc": "12"}, headers=api_headers), 400, "ValidationError", "sscc")
    assert_error(client.get(HISTORY, headers=api_headers), 400, "ValidationError", "sscc")
    # Their aggregation does not touch ours: the same SSCC joins their pool as external.
    add_packs(database, ["T1"], tenant="tenant-b")
    ok(aggregate(client, theirs, sscc=ours, trade_items=[item("T1")]))
    assert history(client, theirs, ours)["summary"]["source"] == "external"
    assert history(client, api_headers, ours)["summary"]["child_count"] == 0
