"""aggregate/trade_item: packs into packs; every rule broken once, with the error type checked and nothing
written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import PackEvent
from tests.aggregation.support import TRADE_ITEM, add_packs, aggregate, item, ok, request_ssccs, snapshot
from tests.support import assert_error


@pytest.fixture
def packs(database: Database, demo: DemoCredentials) -> None:
    add_packs(database, [f"P{n}" for n in range(10)])
    add_packs(database, ["DEAD"], status="Decommissioned")


def _nest(client: TestClient, headers: dict[str, str], parent: str, children: list[str], **extra: Any) -> Response:
    body = {"product_code": DEMO_PRODUCT_CODE, "serial": parent, "trade_items": [item(c) for c in children]} | extra
    return client.post(TRADE_ITEM, json=body, headers=headers)


def _unnest(client: TestClient, headers: dict[str, str], parent: str, children: list[str], **extra: Any) -> Response:
    body = {"product_code": DEMO_PRODUCT_CODE, "serial": parent, "trade_items": [item(c) for c in children]} | extra
    return client.request("DELETE", TRADE_ITEM, json=body, headers=headers)


def test_packs_into_a_pack_and_out_again(
    client: TestClient, api_headers: dict[str, str], packs: None, session: Session
) -> None:
    nested = ok(_nest(client, api_headers, "P0", ["P1", "P2", "P3"]))
    assert nested == {
        "product_code": DEMO_PRODUCT_CODE,
        "serial": "P0",
        "pack_status": "Active",
        "trade_items_added": 3,
        "unchanged": 0,
        "child_count": 3,
    }
    again = ok(_nest(client, api_headers, "P0", ["P3", "P4"]))
    assert (again["trade_items_added"], again["unchanged"], again["child_count"]) == (1, 1, 4)
    details = set(session.scalars(select(PackEvent.detail).where(PackEvent.event == "Aggregated")))
    assert details == {f"into pack (01){DEMO_PRODUCT_CODE}(21)P0"}
    out = ok(_unnest(client, api_headers, "P0", ["P1"]))
    assert (out["trade_items_removed"], out["child_count"]) == (1, 3)
    emptied = ok(_unnest(client, api_headers, "P0", [], all=True))
    assert (emptied["trade_items_removed"], emptied["child_count"]) == (3, 0)
    assert snapshot(session)["packs"]["P1"][3] is None
    out_events = list(session.scalars(select(PackEvent.detail).where(PackEvent.event == "Disaggregated")))
    assert out_events == [f"from pack (01){DEMO_PRODUCT_CODE}(21)P0"] * 4


@pytest.mark.parametrize(("parent", "phrase"), [("NEVER", "Unknown"), ("DEAD", "Decommissioned")])
def test_the_parent_must_be_active_or_commissioned(
    client: TestClient, api_headers: dict[str, str], packs: None, session: Session, parent: str, phrase: str
) -> None:
    before = snapshot(session)
    body = assert_error(_nest(client, api_headers, parent, ["P1"]), 409, "InvalidStateError", "serial")
    assert phrase in body["message"]
    assert snapshot(session) == before


def test_child_rules(client: TestClient, api_headers: dict[str, str], packs: None, session: Session) -> None:
    (case,) = request_ssccs(client, api_headers, 1)
    ok(aggregate(client, api_headers, sscc=case, trade_items=[item("P5")]))
    ok(_nest(client, api_headers, "P0", ["P1"]))
    ok(_nest(client, api_headers, "P1", ["P2"]))
    before = snapshot(session)
    in_case = f"already in a container: (01){DEMO_PRODUCT_CODE}(21)P5 in {case}"
    other_product = {"product_code": "04006381333931"}
    cases: list[tuple[Response, int, str, str]] = [
        (_nest(client, api_headers, "P3", ["P5"]), 409, "ConflictError", in_case),
        (_nest(client, api_headers, "P3", ["P2"]), 409, "ConflictError", "already in a pack"),
        (_nest(client, api_headers, "P2", ["P0"]), 409, "ConflictError", "would make a loop"),
        (_nest(client, api_headers, "P3", ["P3"]), 400, "ValidationError", "into itself"),
        (_nest(client, api_headers, "P3", ["DEAD", "NEVER"]), 409, "InvalidStateError", "pack status Unknown"),
        (_nest(client, api_headers, "P3", []), 400, "ValidationError", "nothing to aggregate"),
        (_nest(client, api_headers, "P3", ["P4"], **other_product), 400, "ValidationError", "not a product code"),
        (_unnest(client, api_headers, "P0", ["P2", "P4"]), 409, "ConflictError", "not in pack"),
        (_unnest(client, api_headers, "P0", ["P1"], all=True), 400, "ValidationError", "either"),
        (_unnest(client, api_headers, "NEVER", [], all=True), 404, "NotFoundError", "no pack"),
    ]  # fmt: skip
    for response, status, error_type, phrase in cases:
        body = assert_error(response, status, error_type)
        assert phrase in body["message"], body
    assert snapshot(session) == before
