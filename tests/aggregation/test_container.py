"""aggregate/container: packs into cases, cases onto pallets; every rule broken once, with the error type
checked and nothing written."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.demo import DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import ContainerEvent, PackEvent
from tests.aggregation.support import (
    TRADE_ITEM,
    add_packs,
    aggregate,
    disaggregate,
    history,
    item,
    ok,
    request_ssccs,
    snapshot,
    sscc,
)
from tests.support import assert_error

SERIALS = [f"S{n:03d}" for n in range(30)]


@pytest.fixture
def packs(database: Database, demo: DemoCredentials) -> list[str]:
    add_packs(database, SERIALS)
    add_packs(database, ["DEAD1"], status="Decommissioned")
    add_packs(database, ["MARKET1"], status="Commissioned")
    return SERIALS


def _case(client: TestClient, headers: dict[str, str], code: str, serials: list[str]) -> dict[str, Any]:
    return ok(aggregate(client, headers, sscc=code, trade_items=[item(s) for s in serials]))


def test_packs_into_a_case_then_cases_onto_a_pallet(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    case_a, case_b, pallet = request_ssccs(client, api_headers, 3)
    added = _case(client, api_headers, case_a, [*packs[:12], "MARKET1"])
    assert added == {
        "sscc": case_a,
        "status": "Assigned",
        "trade_items_added": 13,
        "containers_added": 0,
        "unchanged": 0,
        "child_count": 13,
    }
    _case(client, api_headers, case_b, packs[12:24])
    onto = ok(aggregate(client, api_headers, sscc=pallet, containers=[case_a, case_b]))
    assert (onto["containers_added"], onto["child_count"]) == (2, 2)
    events = {e.event for e in session.scalars(select(PackEvent))}
    assert events == {"Aggregated"}
    detail = session.scalars(select(PackEvent.detail).where(PackEvent.event == "Aggregated")).first()
    assert detail == f"into container {case_a}"
    summary = history(client, api_headers, pallet)["summary"]
    assert summary == {
        "sscc": pallet,
        "status": "Assigned",
        "source": "internal",
        "parent": None,
        "child_count": 2,
        "pack_count": 25,
    }
    assert history(client, api_headers, case_a)["summary"]["parent"] == pallet
    case_events = [e["event"] for e in history(client, api_headers, case_a)["history"]]
    assert case_events == ["Generated", "Assigned", "Children added", "Aggregated"]


def test_sending_the_same_children_again_changes_nothing(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    (case,) = request_ssccs(client, api_headers, 1)
    _case(client, api_headers, case, packs[:5])
    before = snapshot(session)
    again = _case(client, api_headers, case, packs[:5])
    assert (again["trade_items_added"], again["unchanged"], again["child_count"]) == (0, 5, 5)
    assert snapshot(session) == before
    more = _case(client, api_headers, case, packs[3:8])
    assert (more["trade_items_added"], more["unchanged"], more["child_count"]) == (3, 2, 8)


def test_an_unknown_sscc_joins_the_pool_as_external_and_an_available_one_becomes_assigned(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    external = sscc(5, extension=9, prefix="4012345")
    _case(client, api_headers, external, packs[:2])
    found = history(client, api_headers, external)
    assert (found["summary"]["source"], found["summary"]["status"]) == ("external", "Assigned")
    assert [e["event"] for e in found["history"]] == ["Joined", "Children added"]
    assert found["history"][1]["detail"] == "2 trade items, 0 containers"
    assert found["history"][0]["actor"] == "api_key:demo-erp channel:demo-line-middleware"

    generated = sscc(0)
    _generate_one(session, generated)
    _case(client, api_headers, generated, packs[2:4])
    events = [e["event"] for e in history(client, api_headers, generated)["history"]]
    assert events == ["Generated", "Assigned", "Children added"]
    assert history(client, api_headers, generated)["summary"]["status"] == "Assigned"


def _generate_one(session: Session, code: str) -> None:
    from packtrace.aggregation.service import sscc_pool
    from packtrace.auth.service import tenant_service

    tenant_id = tenant_service.get_by_name(session, "demo").id
    made = sscc_pool.generate(session, tenant_id, code[1:8], int(code[0]), 1, int(code[8:17]), "test")
    assert made.first == code
    session.commit()


@pytest.mark.parametrize(
    ("serials", "status", "error_type", "phrase"),
    [
        (["NEVER-MADE"], 409, "InvalidStateError", "pack status Unknown"),
        (["DEAD1"], 409, "InvalidStateError", "pack status Decommissioned"),
    ],
)
def test_children_must_be_active_or_commissioned_packs(
    client: TestClient,
    api_headers: dict[str, str],
    packs: list[str],
    session: Session,
    serials: list[str],
    status: int,
    error_type: str,
    phrase: str,
) -> None:
    (case,) = request_ssccs(client, api_headers, 1)
    before = snapshot(session)
    response = aggregate(client, api_headers, sscc=case, trade_items=[item(packs[0]), *map(item, serials)])
    body = assert_error(response, status, error_type, "trade_items")
    assert phrase in body["message"] and serials[0] in body["message"]
    assert snapshot(session) == before


def test_an_unregistered_product_code_is_a_validation_error(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    (case,) = request_ssccs(client, api_headers, 1)
    before = snapshot(session)
    response = aggregate(client, api_headers, sscc=case, trade_items=[item(packs[0]), item("X", "04006381333931")])
    body = assert_error(response, 400, "ValidationError", "trade_items")
    assert "04006381333931" in body["message"]
    assert snapshot(session) == before


def test_a_pack_in_another_container_is_a_conflict_naming_it(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    first, second = request_ssccs(client, api_headers, 2)
    _case(client, api_headers, first, packs[:3])
    before = snapshot(session)
    response = aggregate(client, api_headers, sscc=second, trade_items=[item(packs[5]), item(packs[1])])
    body = assert_error(response, 409, "ConflictError", "trade_items")
    assert f"(01)01234512345901(21){packs[1]} in {first}" in body["message"]
    assert snapshot(session) == before


def test_a_pack_inside_a_pack_cannot_go_into_a_container(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    nested = {"product_code": "01234512345901", "serial": packs[0], "trade_items": [item(packs[1])]}
    ok(client.post(TRADE_ITEM, json=nested, headers=api_headers))
    (case,) = request_ssccs(client, api_headers, 1)
    before = snapshot(session)
    body = assert_error(
        aggregate(client, api_headers, sscc=case, trade_items=[item(packs[1])]), 409, "ConflictError", "trade_items"
    )
    assert "already in a pack" in body["message"]
    assert snapshot(session) == before
    # Its parent pack goes in, and takes it along.
    _case(client, api_headers, case, [packs[0]])
    assert history(client, api_headers, case)["summary"]["pack_count"] == 2


def test_child_containers_must_exist_be_assigned_and_hold_something(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    pallet, empty = request_ssccs(client, api_headers, 2)
    _generate_one(session, sscc(50))
    unknown = sscc(51)
    before = snapshot(session)
    response = aggregate(client, api_headers, sscc=pallet, containers=[unknown])
    assert "unknown SSCC" in assert_error(response, 404, "NotFoundError", "containers")["message"]
    response = aggregate(client, api_headers, sscc=pallet, containers=[sscc(50)])
    assert "status Available" in assert_error(response, 409, "InvalidStateError", "containers")["message"]
    response = aggregate(client, api_headers, sscc=pallet, containers=[empty])
    assert "holds nothing" in assert_error(response, 409, "InvalidStateError", "containers")["message"]
    assert snapshot(session) == before


def test_a_container_in_another_container_is_a_conflict(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    case, pallet_a, pallet_b = request_ssccs(client, api_headers, 3)
    _case(client, api_headers, case, packs[:2])
    ok(aggregate(client, api_headers, sscc=pallet_a, containers=[case]))
    before = snapshot(session)
    body = assert_error(aggregate(client, api_headers, sscc=pallet_b, containers=[case]), 409, "ConflictError")
    assert f"{case} in {pallet_a}" in body["message"]
    assert snapshot(session) == before
    same = ok(aggregate(client, api_headers, sscc=pallet_a, containers=[case]))
    assert (same["containers_added"], same["unchanged"]) == (0, 1)


def test_no_loops(client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session) -> None:
    case, pallet = request_ssccs(client, api_headers, 2)
    _case(client, api_headers, case, packs[:2])
    ok(aggregate(client, api_headers, sscc=pallet, containers=[case]))
    before = snapshot(session)
    itself = assert_error(aggregate(client, api_headers, sscc=case, containers=[case]), 400, "ValidationError")
    assert "into itself" in itself["message"]
    loop = assert_error(aggregate(client, api_headers, sscc=case, containers=[pallet]), 409, "ConflictError")
    assert "loop" in loop["message"] and pallet in loop["message"]
    assert snapshot(session) == before


def test_containers_nest_at_most_ten_levels(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    ssccs = request_ssccs(client, api_headers, 11)
    _case(client, api_headers, ssccs[0], packs[:1])
    for inner, outer in itertools.pairwise(ssccs[:10]):
        ok(aggregate(client, api_headers, sscc=outer, containers=[inner]))
    assert history(client, api_headers, ssccs[9])["summary"]["pack_count"] == 1
    before = snapshot(session)
    body = assert_error(aggregate(client, api_headers, sscc=ssccs[10], containers=[ssccs[9]]), 409, "ConflictError")
    assert "11 levels deep" in body["message"]
    assert snapshot(session) == before


def test_nothing_to_aggregate_and_bad_sscc_are_validation_errors(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    before = snapshot(session)
    assert_error(aggregate(client, api_headers, sscc=sscc(1)), 400, "ValidationError", "trade_items")
    bad = sscc(1)[:-1] + str((int(sscc(1)[-1]) + 1) % 10)
    body = assert_error(aggregate(client, api_headers, sscc=bad, trade_items=[item(packs[0])]), 400, "ValidationError")
    assert body["error"]["details"][0]["field"] == "sscc" and "check digit" in body["message"]
    assert_error(
        aggregate(client, api_headers, sscc=sscc(1), containers=["12345"]), 400, "ValidationError", "containers.0"
    )
    assert_error(aggregate(client, api_headers, sscc=sscc(1), trade_items=[{"serial": "x"}]), 400, "ValidationError")
    assert_error(aggregate(client, api_headers, sscc=sscc(1), pallet=True), 400, "ValidationError", "pallet")
    assert snapshot(session) == before


def test_disaggregate_listed_children_and_all(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    case, pallet = request_ssccs(client, api_headers, 2)
    _case(client, api_headers, case, packs[:6])
    ok(aggregate(client, api_headers, sscc=pallet, containers=[case], trade_items=[item(packs[10])]))
    removed = ok(disaggregate(client, api_headers, sscc=case, trade_items=[item(packs[0]), item(packs[1])]))
    assert removed == {
        "sscc": case,
        "status": "Assigned",
        "trade_items_removed": 2,
        "containers_removed": 0,
        "child_count": 4,
    }
    emptied = ok(disaggregate(client, api_headers, sscc=pallet, all=True))
    assert (emptied["trade_items_removed"], emptied["containers_removed"], emptied["child_count"]) == (1, 1, 0)
    case_history = history(client, api_headers, case)
    assert [e["event"] for e in case_history["history"]][-3:] == ["Aggregated", "Children removed", "Disaggregated"]
    assert case_history["summary"]["parent"] is None
    assert history(client, api_headers, pallet)["history"][-1]["detail"] == f"1 trade item, 1 container: {case}"
    events = [e for e in session.scalars(select(PackEvent).where(PackEvent.event == "Disaggregated"))]
    assert sorted(e.detail or "" for e in events) == [f"from container {case}"] * 2 + [f"from container {pallet}"]
    assert session.scalar(select(ContainerEvent.detail).where(ContainerEvent.event == "Disaggregated")) == (
        f"from container {pallet}"
    )


def test_disaggregate_refusals_change_nothing(
    client: TestClient, api_headers: dict[str, str], packs: list[str], session: Session
) -> None:
    case, other = request_ssccs(client, api_headers, 2)
    _case(client, api_headers, case, packs[:3])
    _case(client, api_headers, other, packs[3:5])
    before = snapshot(session)
    body = assert_error(
        disaggregate(client, api_headers, sscc=case, trade_items=[item(packs[0]), item(packs[3]), item("NOPE")]),
        409,
        "ConflictError",
        "trade_items",
    )
    assert packs[3] in body["message"] and "NOPE" in body["message"] and packs[0] not in body["message"]
    assert_error(disaggregate(client, api_headers, sscc=case, containers=[other]), 409, "ConflictError", "containers")
    assert_error(disaggregate(client, api_headers, sscc=case, all=True, trade_items=[item(packs[0])]), 400,
                 "ValidationError", "all")  # fmt: skip
    assert_error(disaggregate(client, api_headers, sscc=case), 400, "ValidationError", "containers")
    assert_error(disaggregate(client, api_headers, sscc=sscc(77), all=True), 404, "NotFoundError", "sscc")
    assert snapshot(session) == before


def test_a_case_of_two_products_with_codes_written_either_way(
    client: TestClient, api_headers: dict[str, str], packs: list[str], database: Database, session: Session
) -> None:
    from packtrace.auth.service import tenant_service
    from packtrace.products.service import ProductSettings, product_service

    with database.unit_of_work() as s:
        tenant_id = tenant_service.get_by_name(s, "demo").id
        product_service.create(s, tenant_id, "04006381333931", ProductSettings(name="Other", company_prefix_length=7))
    add_packs(database, ["O1", "S000"], product_code="04006381333931")
    (case,) = request_ssccs(client, api_headers, 1)
    # The GTIN-13 form of the demo code names the same product; S000 of both products are different packs.
    body = [item("S000", "1234512345901"), item("S000"), item("O1", "04006381333931"), item("S000", "04006381333931")]
    added = ok(aggregate(client, api_headers, sscc=case, trade_items=body))
    assert (added["trade_items_added"], added["child_count"]) == (3, 3)
    items = history(client, api_headers, case)["tree"]["trade_items"]
    assert [(i["product_code"], i["serial"]) for i in items] == [
        ("01234512345901", "S000"),
        ("04006381333931", "O1"),
        ("04006381333931", "S000"),
    ]
