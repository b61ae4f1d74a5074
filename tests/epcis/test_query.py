"""The REST query interface: a whole line run through the V2 API yields exactly the expected events, in
order, found by EPC, by bizStep and page by page; the standard's exceptions for bad queries."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.gs1.epc import sgtin_urn
from tests.aggregation.support import CONTAINER, item, sscc
from tests.auth.people import Person
from tests.epcis.support import check, stored_events, summary
from tests.packs.support import COMMISSION, DECOMMISSION, commission_body, decommission_body, ok, start_order
from tests.support import ORDERS

EVENTS = "/epcis/events"


def _sgtin(serial: str) -> str:
    return f"https://id.gs1.org/01/{DEMO_PRODUCT_CODE}/21/{serial}"


def _events(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["GS1-EPCIS-Version"] == "2.0" and response.headers["GS1-CBV-Version"] == "2.0.0"
    body = response.json()
    assert body["type"] == "EPCISQueryDocument"
    events: list[dict[str, Any]] = body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return events


@pytest.fixture
def line_run(client: TestClient, api_headers: dict[str, str]) -> dict[str, Any]:
    """Release, commission 120, destroy 2, 10 cases of 11 packs onto a pallet, unpack one case."""
    order = start_order(client, api_headers, order_id="RUN-1", quantity=120, extra_percentage=0)
    serials = order.serials
    assert len(serials) == 120
    ok(client.post(COMMISSION, json=commission_body(serials, order_id="RUN-1"), headers=api_headers))
    ok(client.post(DECOMMISSION, json=decommission_body(serials[:2], "Destroyed"), headers=api_headers))
    cases = [sscc(700000 + n) for n in range(10)]
    for n, case in enumerate(cases):
        packs = serials[2 + 11 * n : 2 + 11 * (n + 1)]
        ok(client.post(CONTAINER, json={"sscc": case, "trade_items": [item(s) for s in packs]}, headers=api_headers))
    pallet = sscc(799999)
    ok(client.post(CONTAINER, json={"sscc": pallet, "containers": cases}, headers=api_headers))
    ok(client.request("DELETE", CONTAINER, json={"sscc": cases[0], "all": True}, headers=api_headers))
    return {"serials": serials, "cases": cases, "pallet": pallet}


def test_a_line_run_yields_exactly_the_expected_events_in_order(
    client: TestClient, api_headers: dict[str, str], line_run: dict[str, Any], session: Session
) -> None:
    cases, pallet = line_run["cases"], line_run["pallet"]
    uri = {code: f"https://id.gs1.org/00/{code}" for code in [*cases, pallet]}
    expected = [
        ("ObjectEvent", "ADD", "commissioning", "active", None, 120),
        ("ObjectEvent", "DELETE", "destroying", "destroyed", None, 2),
    ]
    for case in cases:
        expected += [
            ("ObjectEvent", "ADD", "commissioning", "active", None, 1),
            ("AggregationEvent", "ADD", "packing", "in_progress", uri[case], 11),
        ]
    expected += [
        ("ObjectEvent", "ADD", "commissioning", "active", None, 1),
        ("AggregationEvent", "ADD", "packing", "in_progress", uri[pallet], 10),
        ("AggregationEvent", "DELETE", "unpacking", "in_progress", uri[cases[0]], 11),
    ]
    stored = stored_events(session)  # each validated against the schema and the reference hash
    assert [summary(e) for e in stored] == expected
    # Page by page (7 events a page), following the Link header: the same events in the same order.
    paged: list[dict[str, Any]] = []
    url: str | None = f"{EVENTS}?perPage=7"
    while url:
        response = client.get(url, headers=api_headers)
        paged += _events(response)
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert [e["eventID"] for e in paged] == [e["eventID"] for e in stored]
    assert len(paged) == 25


def test_events_are_found_by_epc_bizstep_parent_and_event_id(
    client: TestClient, api_headers: dict[str, str], line_run: dict[str, Any], plain_user: Person
) -> None:
    serials, cases = line_run["serials"], line_run["cases"]
    pack = _sgtin(serials[2])  # in the first case, unpacked at the end
    by_epc = _events(client.get(EVENTS, params={"MATCH_epc": pack}, headers=api_headers))
    assert [(e["bizStep"], e.get("parentID")) for e in by_epc] == [
        ("commissioning", None),
        ("packing", f"https://id.gs1.org/00/{cases[0]}"),
        ("unpacking", f"https://id.gs1.org/00/{cases[0]}"),
    ]
    # The same through the EPC's own resource, its URI URL-encoded, and with the EPC URN form.
    own = _events(client.get(f"/epcis/epcs/{quote(pack, safe='')}/events", headers=plain_user.headers))
    assert [e["eventID"] for e in own] == [e["eventID"] for e in by_epc]
    urn = sgtin_urn(DEMO_PRODUCT_CODE, 7, serials[2])
    assert _events(client.get(EVENTS, params={"MATCH_epc": urn}, headers=api_headers)) == by_epc
    destroyed = _events(client.get(EVENTS, params={"EQ_bizStep": "destroying"}, headers=api_headers))
    assert [sorted(e["epcList"]) for e in destroyed] == [sorted(_sgtin(s) for s in serials[:2])]
    steps = _events(
        client.get(EVENTS, params={"EQ_bizStep": "packing|unpacking", "EQ_action": "DELETE"}, headers=api_headers)
    )
    assert [e["bizStep"] for e in steps] == ["unpacking"]
    as_parent = _events(
        client.get(EVENTS, params={"MATCH_parentID": f"https://id.gs1.org/00/{cases[1]}"}, headers=api_headers)
    )
    assert [e["type"] for e in as_parent] == ["AggregationEvent"]
    any_role = _events(
        client.get(EVENTS, params={"MATCH_anyEPC": f"https://id.gs1.org/00/{cases[1]}"}, headers=api_headers)
    )
    assert [e["bizStep"] for e in any_role] == ["commissioning", "packing", "packing"]
    one = by_epc[1]
    response = client.get(f"{EVENTS}/{quote(one['eventID'], safe='')}", headers=api_headers)
    assert response.status_code == 200 and response.json() == one
    check([response.json()])
    assert (
        client.get(f"{EVENTS}/{quote('ni:///sha-256;00?ver=CBV2.0', safe='')}", headers=api_headers).status_code == 404
    )


def test_a_tenant_sees_only_its_own_events(
    client: TestClient, api_headers: dict[str, str], line_run: dict[str, Any], outsider: Person
) -> None:
    assert _events(client.get(EVENTS, headers=outsider.headers)) == []


@pytest.mark.parametrize(
    ("params", "status", "exception"),
    [
        ({"MATCH_pony": "x"}, 400, "QueryParameterException"),
        ({"colour": "red"}, 400, "QueryParameterException"),
        ({"EQ_action": "ERASE"}, 400, "QueryParameterException"),
        ({"GE_eventTime": "yesterday"}, 400, "QueryParameterException"),
        ({"perPage": "0"}, 400, "QueryParameterException"),
        ({"nextPageToken": "garbage!"}, 400, "QueryParameterException"),
        ({"EQ_readPoint": "https://id.gs1.org/414/4012345000016"}, 501, "ImplementationException"),
        ({"orderBy": "eventTime"}, 501, "ImplementationException"),
        ({"EQ_ILMD_lotNumber": "B1"}, 501, "ImplementationException"),
    ],
)
def test_bad_queries_get_the_standards_exceptions(
    client: TestClient, api_headers: dict[str, str], demo: object, params: dict[str, str], status: int, exception: str
) -> None:
    response = client.get(EVENTS, params=params, headers=api_headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"epcisException:{exception}" and body["status"] == status
    assert next(iter(params)) in body["title"]


def test_without_credentials_nothing_is_read(client: TestClient, demo: object) -> None:
    assert client.get(EVENTS).status_code == 401


def test_an_orders_whole_story_is_one_document(
    client: TestClient, api_headers: dict[str, str], line_run: dict[str, Any], session: Session
) -> None:
    response = client.get(f"{ORDERS}/epcis", params={"order_id": "RUN-1"}, headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.headers["GS1-EPCIS-Version"] == "2.0"
    body = response.json()
    assert body["type"] == "EPCISDocument"
    check(body["epcisBody"]["eventList"])
    # Every event of the run: the packs', and the cases' and the pallet's they went into.
    assert [e["eventID"] for e in body["epcisBody"]["eventList"]] == [e["eventID"] for e in stored_events(session)]
    missing = client.get(f"{ORDERS}/epcis", params={"order_id": "NO-SUCH"}, headers=api_headers)
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "NotFoundError"
