"""POST /epcis/capture: captured events do what they say through the same services and refusals as the
V2 calls; duplicates by our hash; rollback / proceed; who may capture; the capture limit; the standard's
own example documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import endpoints
from packtrace.epcis import identifiers as ids
from packtrace.epcis.events import Where, aggregation_event, document, lot_ilmd, object_event
from packtrace.models import EpcisEvent, Pack
from tests.aggregation.support import sscc
from tests.auth.people import Person
from tests.epcis.support import stored_events
from tests.support import standards

CAPTURE = "/epcis/capture"
JSONLD = {"Content-Type": "application/ld+json"}
AT = datetime(2026, 12, 1, 8, 0, 0, 250_000, tzinfo=UTC)


def _commissioning(serials: list[str], event_id: str | None = None) -> dict[str, Any]:
    epcs = [ids.sgtin(DEMO_PRODUCT_CODE, s) for s in serials]
    event = object_event(AT, Where(), epcs, "ADD", "commissioning", "active", lot_ilmd("CAP-1", "280630", AT))
    return {"eventID": event_id, **event} if event_id else event


def _destroying(serials: list[str]) -> dict[str, Any]:
    epcs = [ids.sgtin(DEMO_PRODUCT_CODE, s) for s in serials]
    return object_event(AT, Where(), epcs, "DELETE", "destroying", "destroyed")


def _capture(client: TestClient, headers: dict[str, str], events: list[dict[str, Any]], **extra: str) -> dict[str, Any]:
    response = client.post(CAPTURE, content=json.dumps(document(events, AT)), headers=headers | JSONLD | extra)
    assert response.status_code == 202, response.text
    assert response.headers["GS1-EPCIS-Capture-Limit"] and response.headers["GS1-EPCIS-Capture-File-Size-Limit"]
    job = client.get(response.headers["Location"], headers=headers)
    assert job.status_code == 200, job.text
    body: dict[str, Any] = job.json()
    assert body["running"] is False and body["captureID"] == response.json()["captureID"]
    return body


def _packs(session: Session) -> dict[str, str]:
    session.expire_all()
    return {row[0]: row[1] for row in session.execute(select(Pack.serial, Pack.status))}


def test_a_captured_commissioning_commissions_and_is_stored_as_sent_once(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    job = _capture(
        client, api_headers, [_commissioning(["CAP-1", "CAP-2"], "urn:uuid:6b6b5a10-0000-4000-8000-000000000001")]
    )
    assert (job["success"], job["captureErrorBehaviour"], job["errors"]) == (True, "rollback", [])
    assert _packs(session) == {"CAP-1": "Active", "CAP-2": "Active"}
    (event,) = stored_events(session, reference=False)  # the sender's own eventID is kept as sent
    assert event["eventID"] == "urn:uuid:6b6b5a10-0000-4000-8000-000000000001"
    # The same event again, under another eventID: a duplicate by our hash, accepted and not applied.
    again = _capture(client, api_headers, [_commissioning(["CAP-1", "CAP-2"], "urn:uuid:other")])
    assert again["success"] is True
    assert session.scalar(select(func.count()).select_from(EpcisEvent)) == 1
    found = client.get(
        "/epcis/events", params={"MATCH_epc": ids.sgtin(DEMO_PRODUCT_CODE, "CAP-2")}, headers=api_headers
    )
    assert [e["eventID"] for e in found.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]] == [
        event["eventID"]
    ]


def test_packing_unpacking_and_destroying_are_applied(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    case = ids.sscc(sscc(600001))
    children = [ids.sgtin(DEMO_PRODUCT_CODE, s) for s in ("P-1", "P-2")]
    events = [
        _commissioning(["P-1", "P-2", "P-3"]),
        aggregation_event(AT, Where(), case, children, "ADD", "packing", "in_progress"),
        aggregation_event(AT, Where(), case, children[:1], "DELETE", "unpacking", "in_progress"),
        _destroying(["P-3"]),
    ]
    job = _capture(client, api_headers, events)
    assert job["errors"] == []
    session.expire_all()
    containers = {row[0]: row[1] for row in session.execute(select(Pack.serial, Pack.container_id))}
    assert containers["P-1"] is None and containers["P-2"] is not None
    assert _packs(session)["P-3"] == "Decommissioned"
    assert [e["bizStep"] for e in stored_events(session)] == ["commissioning", "packing", "unpacking", "destroying"]


def test_rollback_keeps_nothing_and_proceed_keeps_the_good_events(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    events = [
        _commissioning(["R-1"]),
        _destroying(["NEVER-MADE"]),
        {
            "type": "ObjectEvent",
            "eventTime": "2026-12-01T08:00:00Z",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "epcList": [],
        },
    ]
    job = _capture(client, api_headers, events)
    assert job["success"] is False
    assert [(e["eventIndex"], e["type"]) for e in job["errors"]] == [
        (1, "epcisException:ValidationException"),
        (2, "epcisException:ValidationException"),
    ]
    assert "not produced" in job["errors"][0]["title"] and "NEVER-MADE" in job["errors"][0]["title"]
    assert "does not record ObjectEvent OBSERVE shipping" in job["errors"][1]["title"]
    assert _packs(session) == {} and stored_events(session) == []
    proceed = _capture(client, api_headers, events, **{"GS1-Capture-Error-Behaviour": "proceed"})
    assert (proceed["success"], len(proceed["errors"])) == (False, 2)
    assert _packs(session) == {"R-1": "Active"} and len(stored_events(session)) == 1


def test_who_may_capture(
    client: TestClient, demo: object, plain_user: Person, support: Person, session: Session
) -> None:
    body = json.dumps(document([_commissioning(["W-1"])], AT))
    refused = client.post(CAPTURE, content=body, headers=plain_user.headers | JSONLD)
    assert refused.status_code == 403 and refused.json()["type"] == "epcisException:ClientUnauthorizedException"
    assert client.post(CAPTURE, content=body, headers=support.headers | JSONLD).status_code == 202
    assert _packs(session) == {"W-1": "Active"}


def test_bad_captures_get_the_standards_exceptions(
    client: TestClient, api_headers: dict[str, str], demo: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps(document([_commissioning(["L-1"])], AT))
    cases = [
        (body, JSONLD | {"GS1-Capture-Error-Behaviour": "maybe"}, 400, "ValidationException"),
        (body, {"Content-Type": "text/plain"}, 415, "UnsupportedMediaTypeException"),
        ("{not json", JSONLD, 400, "ValidationException"),
        (json.dumps({"type": "EPCISDocument"}), JSONLD, 400, "ValidationException"),
    ]
    for content, headers, status, exception in cases:
        response = client.post(CAPTURE, content=content, headers=api_headers | headers)
        assert (response.status_code, response.json()["type"]) == (status, f"epcisException:{exception}")
    monkeypatch.setattr(endpoints, "CAPTURE_MAX_BYTES", 100)
    too_large = client.post(CAPTURE, content=body, headers=api_headers | JSONLD)
    assert too_large.status_code == 413
    assert too_large.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert "GS1-EPCIS-Capture-File-Size-Limit" in too_large.headers
    assert client.get(f"{CAPTURE}/nope", headers=api_headers).status_code == 404


def test_the_standards_examples_are_captured_or_refused_event_by_event(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    examples = sorted(standards("epcis", "examples").glob("*.jsonld"))
    assert len(examples) >= 5
    for path in examples:
        doc = json.loads(path.read_text())
        response = client.post(
            CAPTURE,
            content=path.read_bytes(),
            headers=api_headers | JSONLD | {"GS1-Capture-Error-Behaviour": "proceed"},
        )
        assert response.status_code == 202, (path.name, response.text)
        job = client.get(response.headers["Location"], headers=api_headers).json()
        events = doc["epcisBody"]["eventList"]
        refused = {error["eventIndex"]: error["title"] for error in job["errors"]}
        # Every refusal names its event and a precise reason (what PackTrace does not record, or the rule).
        assert set(refused) <= set(range(len(events))), path.name
        assert all(len(title) > 20 for title in refused.values()), refused
        stored = {e["eventID"] for e in stored_events(session, reference=False, schema=False)}
        applied = [e for i, e in enumerate(events) if i not in refused]
        assert all(e.get("eventID") in stored for e in applied if "eventID" in e), path.name
