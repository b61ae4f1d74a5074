"""The SSCC pool: generated from a company prefix and extension digit, listed, requested (generating what
the pool lacks) and released; every refusal with its error type and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from biip.sscc import Sscc
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.demo import DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import Container, ContainerEvent
from tests.aggregation.support import (
    EXTENSION,
    GENERATE,
    LIST,
    PREFIX,
    RELEASE,
    REQUEST,
    add_packs,
    aggregate,
    disaggregate,
    item,
    ok,
    request_ssccs,
    snapshot,
    sscc,
)
from tests.auth.people import Person
from tests.support import assert_error

SMALL_PREFIX = "012345100000"  # 12 digits: room for 10,000 serial references


def _generate(client: TestClient, person: Person, count: int, **changes: Any) -> dict[str, Any]:
    body = {"gs1_company_prefix": PREFIX, "extension_digit": EXTENSION, "count": count} | changes
    return ok(client.post(GENERATE, json=body, headers=person.headers))


def _events(session: Session, code: str) -> list[str]:
    session.expire_all()
    query = (
        select(ContainerEvent.event)
        .join(Container, Container.id == ContainerEvent.container_id)
        .where(Container.sscc == code)
        .order_by(ContainerEvent.id)
    )
    return list(session.scalars(query))


def test_generate_makes_sequential_available_ssccs_with_check_digits(
    client: TestClient, support: Person, session: Session
) -> None:
    made = _generate(client, support, 5)
    assert made == {
        "gs1_company_prefix": PREFIX,
        "extension_digit": EXTENSION,
        "generated": 5,
        "first_sscc": "301234510000000007",
        "last_sscc": sscc(4),
    }
    page = ok(client.get(LIST, headers=support.headers))
    assert [s["sscc"] for s in page["ssccs"]] == [sscc(n) for n in range(5)]
    # Checked against an independent GS1 implementation.
    parsed = [Sscc.parse(s["sscc"]) for s in page["ssccs"]]
    assert [(p.extension_digit, p.payload[1:8], int(p.payload[8:])) for p in parsed] == [
        (EXTENSION, PREFIX, n) for n in range(5)
    ]
    assert {(s["status"], s["source"], s["parent"]) for s in page["ssccs"]} == {("Available", "internal", None)}
    assert _events(session, sscc(0)) == ["Generated"]
    assert session.scalar(select(ContainerEvent.actor).limit(1)) == "user:support@a.example"


def test_generate_from_a_start_reference_skips_taken_ones_and_continues_after_the_highest(
    client: TestClient, support: Person
) -> None:
    _generate(client, support, 5)
    from_two = _generate(client, support, 5, start_reference=2)
    assert (from_two["first_sscc"], from_two["last_sscc"]) == (sscc(5), sscc(9))
    _generate(client, support, 2, start_reference=20)
    after = _generate(client, support, 3)
    assert (after["first_sscc"], after["last_sscc"]) == (sscc(22), sscc(24))
    listed = ok(client.get(LIST, params={"limit": 1000}, headers=support.headers))["ssccs"]
    assert len(listed) == len({s["sscc"] for s in listed}) == 15


def test_a_full_prefix_continues_in_the_gaps_then_refuses(
    client: TestClient, support: Person, session: Session
) -> None:
    _generate(client, support, 3, gs1_company_prefix=SMALL_PREFIX, start_reference=9997)
    wrapped = _generate(client, support, 2, gs1_company_prefix=SMALL_PREFIX)
    assert wrapped["first_sscc"] == sscc(0, prefix=SMALL_PREFIX)
    before = snapshot(session)
    body = {"gs1_company_prefix": SMALL_PREFIX, "extension_digit": EXTENSION, "count": 2, "start_reference": 9998}
    response = client.post(GENERATE, json=body, headers=support.headers)
    assert "room for 0 more" in assert_error(response, 409, "InsufficientSerialsError", "count")["message"]
    body["start_reference"] = 10_000
    assert_error(client.post(GENERATE, json=body, headers=support.headers), 400, "ValidationError", "start_reference")
    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gs1_company_prefix": "12345"}, "gs1_company_prefix"),
        ({"gs1_company_prefix": "1234567890123"}, "gs1_company_prefix"),
        ({"extension_digit": 10}, "extension_digit"),
        ({"extension_digit": "3"}, "extension_digit"),
        ({"count": 0}, "count"),
        ({"count": 1_000_001}, "count"),
        ({"start_reference": -1}, "start_reference"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_generate_validation(
    client: TestClient, support: Person, session: Session, changes: dict[str, Any], field: str
) -> None:
    body = {"gs1_company_prefix": PREFIX, "extension_digit": EXTENSION, "count": 1} | changes
    assert_error(client.post(GENERATE, json=body, headers=support.headers), 400, "ValidationError", field)
    assert snapshot(session)["containers"] == {}


def test_only_support_and_administrators_generate_and_everyone_lists(
    client: TestClient, plain_user: Person, admin: Person
) -> None:
    body = {"gs1_company_prefix": PREFIX, "extension_digit": EXTENSION, "count": 1}
    assert_error(client.post(GENERATE, json=body, headers=plain_user.headers), 403, "PermissionDeniedError")
    _generate(client, admin, 1)
    assert len(ok(client.get(LIST, headers=plain_user.headers))["ssccs"]) == 1
    assert_error(client.get(LIST), 401, "NoTokenError")


def test_list_filters_by_status_and_prefix_and_pages(
    client: TestClient, support: Person, outsider: Person, api_headers: dict[str, str]
) -> None:
    _generate(client, support, 12)
    _generate(client, support, 3, extension_digit=7)
    request_ssccs(client, api_headers, 4)
    available = ok(client.get(LIST, params={"status": "Available", "limit": 1000}, headers=support.headers))
    assert len(available["ssccs"]) == 11
    search = ok(client.get(LIST, params={"search": "7"}, headers=support.headers))["ssccs"]
    assert [s["sscc"] for s in search] == [sscc(n, extension=7) for n in range(3)]
    assert [s["sscc"] for s in ok(client.get(LIST, params={"search": sscc(11)}, headers=support.headers))["ssccs"]] == [
        sscc(11)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = ok(client.get(LIST, params=params, headers=support.headers))
        seen += [s["sscc"] for s in page["ssccs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 15
    assert ok(client.get(LIST, headers=outsider.headers))["ssccs"] == []
    for params, field in [({"status": "Gone"}, "status"), ({"search": "3x"}, "search"), ({"cursor": "zz"}, "cursor")]:
        assert_error(client.get(LIST, params=params, headers=support.headers), 400, "ValidationError", field)


def test_request_draws_oldest_first_and_generates_what_the_pool_lacks(
    client: TestClient, support: Person, api_headers: dict[str, str], session: Session
) -> None:
    _generate(client, support, 3)
    body = {"quantity": 2, "extension_digit": EXTENSION, "gs1_company_prefix": PREFIX}
    first = ok(client.post(REQUEST, json=body, headers=api_headers))
    assert first == {
        "gs1_company_prefix": PREFIX,
        "extension_digit": EXTENSION,
        "ssccs": [sscc(0), sscc(1)],
        "generated": 0,
    }
    second = ok(client.post(REQUEST, json=body | {"quantity": 4}, headers=api_headers))
    assert second["ssccs"] == [sscc(n) for n in range(2, 6)] and second["generated"] == 3
    statuses = snapshot(session)["containers"]
    assert {statuses[sscc(n)][1] for n in range(6)} == {"Assigned"}
    assert _events(session, sscc(0)) == ["Generated", "Assigned"]
    assert _events(session, sscc(5)) == ["Generated", "Assigned"]
    # Another prefix's pool is its own.
    other = ok(client.post(REQUEST, json=body | {"extension_digit": 0}, headers=api_headers))
    assert other["ssccs"] == [sscc(0, extension=0), sscc(1, extension=0)]


def test_request_refusals_change_nothing(
    client: TestClient, support: Person, api_headers: dict[str, str], session: Session
) -> None:
    _generate(client, support, 10_000, gs1_company_prefix=SMALL_PREFIX)
    before = snapshot(session)
    body = {"quantity": 1, "extension_digit": EXTENSION, "gs1_company_prefix": SMALL_PREFIX}
    ok(client.post(REQUEST, json=body | {"quantity": 9_999}, headers=api_headers))
    after_draw = snapshot(session)
    response = client.post(REQUEST, json=body | {"quantity": 2}, headers=api_headers)
    assert_error(response, 409, "InsufficientSerialsError", "quantity")
    assert snapshot(session) == after_draw != before
    for changes, field in [
        ({"quantity": 10_001}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"extension_digit": "3"}, "extension_digit"),
        ({"gs1_company_prefix": "0123"}, "gs1_company_prefix"),
        ({"product_code": "01234512345901"}, "product_code"),
    ]:
        assert_error(client.post(REQUEST, json=body | changes, headers=api_headers), 400, "ValidationError", field)
    assert snapshot(session) == after_draw


def test_release_returns_ssccs_that_hold_nothing(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    ssccs = request_ssccs(client, api_headers, 3)
    released = ok(client.post(RELEASE, json={"ssccs": ssccs[:2]}, headers=api_headers))
    assert released == {"released": 2}
    statuses = snapshot(session)["containers"]
    assert [statuses[s][1] for s in ssccs] == ["Available", "Available", "Assigned"]
    assert _events(session, ssccs[0]) == ["Generated", "Assigned", "Released"]
    # Released ones are handed out again first.
    assert request_ssccs(client, api_headers, 2) == ssccs[:2]


def test_release_refusals_name_every_sscc_and_change_nothing(
    client: TestClient, api_headers: dict[str, str], database: Database, demo: DemoCredentials, session: Session
) -> None:
    add_packs(database, ["P1", "P2"])
    case, pallet, emptied, available = request_ssccs(client, api_headers, 4)
    ok(client.post(RELEASE, json={"ssccs": [available]}, headers=api_headers))
    ok(aggregate(client, api_headers, sscc=case, trade_items=[item("P1")]))
    ok(aggregate(client, api_headers, sscc=emptied, trade_items=[item("P2")]))
    ok(aggregate(client, api_headers, sscc=pallet, containers=[emptied]))
    ok(disaggregate(client, api_headers, sscc=emptied, all=True))
    external = sscc(3, extension=9, prefix="4012345")
    ok(aggregate(client, api_headers, sscc=external, containers=[case]))
    ok(disaggregate(client, api_headers, sscc=external, all=True))
    unknown = sscc(999)
    before = snapshot(session)
    response = client.post(RELEASE, json={"ssccs": [case, emptied, available, external, unknown]}, headers=api_headers)
    body = assert_error(response, 400, "ValidationError", "ssccs")
    messages = {d["message"] for d in body["error"]["details"]}
    assert messages == {
        f"unknown: {unknown}",
        f"Available already: {available}",
        f"external (never returned to the pool): {external}",
        f"holds children (disaggregate them first): {case}",
        f"inside a container (disaggregate it first): {emptied}",
    }
    assert_error(client.post(RELEASE, json={"ssccs": []}, headers=api_headers), 400, "ValidationError", "ssccs")
    assert_error(
        client.post(RELEASE, json={"ssccs": ["3" * 18]}, headers=api_headers), 400, "ValidationError", "ssccs.0"
    )
    assert snapshot(session) == before
