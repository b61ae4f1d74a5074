"""POST /epcis/capture with EPCIS 2.0 XML: the same events, rules, refusals, duplicates and error
behaviours as JSON-LD; the standard's XML examples captured or refused event by event; documents that are
not EPCIS 2.0 XML refused with the line and the rule, where GS1's own XSD refuses them too; a defended
parser."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import identifiers as ids
from packtrace.epcis import xml_in, xml_out
from packtrace.epcis.events import Where, aggregation_event, document, lot_ilmd, object_event
from packtrace.epcis.hashing import event_hash
from packtrace.models import EpcisEvent, Pack
from tests.aggregation.support import sscc
from tests.epcis.support import reference_hashes, stored_events
from tests.epcis.xml_support import XML_BODY, xsd_errors
from tests.support import standards

CAPTURE = "/epcis/capture"
AT = datetime(2026, 12, 2, 7, 30, 0, 500_000, tzinfo=UTC)
PROCEED = {"GS1-Capture-Error-Behaviour": "proceed"}


def _commissioning(serials: list[str], lot: str = "XML-LOT") -> dict[str, Any]:
    epcs = [ids.sgtin(DEMO_PRODUCT_CODE, s) for s in serials]
    return object_event(AT, Where("+02:00"), epcs, "ADD", "commissioning", "active", lot_ilmd(lot, "280630", AT))


def _xml(events: list[dict[str, Any]]) -> bytes:
    return xml_out.to_bytes(events, AT, query=False)


def _capture(client: TestClient, headers: dict[str, str], body: bytes, **extra: str) -> dict[str, Any]:
    response = client.post(CAPTURE, content=body, headers=headers | XML_BODY | extra)
    assert response.status_code == 202, response.text
    job: dict[str, Any] = client.get(response.headers["Location"], headers=headers).json()
    return job


def _statuses(session: Session) -> dict[str, str]:
    session.expire_all()
    return {row[0]: row[1] for row in session.execute(select(Pack.serial, Pack.status))}


def _count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(EpcisEvent)) or 0


def test_an_event_captured_as_xml_is_applied_and_hashes_as_its_json_twin(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    event = _commissioning(["X-1", "X-2"])
    assert xsd_errors(_xml([event])) == []
    job = _capture(client, api_headers, _xml([event]))
    assert (job["success"], job["errors"]) == (True, [])
    assert _statuses(session) == {"X-1": "Active", "X-2": "Active"}
    (stored,) = stored_events(session)  # JSON schema valid, eventID the reference implementation's
    assert stored["eventID"] == event_hash(event)
    assert stored["ilmd"] == {"cbvmda:lotNumber": "XML-LOT", "cbvmda:itemExpirationDate": "2028-06-30"}
    assert (stored["bizStep"], stored["disposition"]) == ("commissioning", "active")
    # The same event as JSON-LD: a duplicate by our hash, accepted and not applied again.
    again = client.post(
        CAPTURE, content=json.dumps(document([event], AT)), headers=api_headers | {"Content-Type": "application/json"}
    )
    assert again.status_code == 202
    assert client.get(again.headers["Location"], headers=api_headers).json()["success"] is True
    assert _count(session) == 1
    found = client.get("/epcis/events", params={"EQ_bizStep": "commissioning"}, headers=api_headers).json()
    assert [e["eventID"] for e in found["epcisBody"]["queryResults"]["resultsBody"]["eventList"]] == [stored["eventID"]]


def test_packing_unpacking_and_destroying_in_xml_with_rollback_and_proceed(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    _capture(client, api_headers, _xml([_commissioning(["P-1", "P-2", "P-3"])]))
    case = ids.sscc(sscc(720001))
    packs = [ids.sgtin(DEMO_PRODUCT_CODE, s) for s in ("P-1", "P-2")]
    packing = aggregation_event(AT, Where(), case, packs, "ADD", "packing", "in_progress")
    unknown = object_event(AT, Where(), [ids.sgtin(DEMO_PRODUCT_CODE, "NOPE")], "DELETE", "destroying", "destroyed")
    destroying = object_event(AT, Where(), [ids.sgtin(DEMO_PRODUCT_CODE, "P-3")], "DELETE", "destroying", "destroyed")
    # rollback (the default): one refusal undoes the whole document
    job = _capture(client, api_headers, _xml([packing, unknown, destroying]))
    assert job["success"] is False and [e["eventIndex"] for e in job["errors"]] == [1]
    assert _count(session) == 1 and _statuses(session)["P-3"] == "Active"
    # proceed: the refused event alone is left out
    job = _capture(client, api_headers, _xml([packing, unknown, destroying]), **PROCEED)
    assert [e["eventIndex"] for e in job["errors"]] == [1] and "NOPE" in job["errors"][0]["title"]
    assert _statuses(session)["P-3"] == "Decommissioned"
    unpacking = aggregation_event(AT, Where(), case, packs[:1], "DELETE", "unpacking", "in_progress")
    response = client.post(CAPTURE, content=_xml([unpacking]), headers=api_headers | {"Content-Type": "text/xml"})
    assert response.status_code == 202
    steps = [e.get("bizStep") for e in stored_events(session)]
    assert steps == ["commissioning", "packing", "destroying", "unpacking"]


# What each of the standard's XML examples gets: the document refused whole (the reason), or each refused
# event's index with its reason. None of them commissions with a lot and expiry, which packs need.
EXAMPLES: dict[str, str | dict[int, str]] = {
    "gs1-EPCIS__XML_CBV_CBV-11.1-2020-06-16a.xml": {0: "needs cbvmda:lotNumber and cbvmda:itemExpirationDate"},
    "gs1-EPCIS__XML_CaptureJob_Example-CaptureJobWithErrors.xml": "root is {urn:epcglobal:epcis:xsd:2}EPCISCaptureJob",
    "gs1-EPCIS__XML_WithExtension_ObjectEvent.xml": {
        0: "does not record ObjectEvent OBSERVE shipping",
        1: "needs cbvmda:lotNumber and cbvmda:itemExpirationDate",
    },
    "openepcis-test-resources__GS1_US_Pharma_Example_2_2_1_1.xml": "EPCIS 1.2 XML (urn:epcglobal:epcis:xsd:1)",
}


def test_the_standards_xml_examples_are_captured_or_refused_precisely(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    examples = {path.name: path.read_bytes() for path in standards("epcis", "examples").glob("*.xml")}
    assert set(examples) == set(EXAMPLES)
    for name, expected in EXAMPLES.items():
        response = client.post(CAPTURE, content=examples[name], headers=api_headers | XML_BODY | PROCEED)
        if isinstance(expected, str):
            assert response.status_code == 400, (name, response.text)
            assert response.json()["title"].startswith("line ") and expected in response.json()["title"], name
            continue
        assert response.status_code == 202, (name, response.text)
        job = client.get(response.headers["Location"], headers=api_headers).json()
        refused = {error["eventIndex"]: error["title"] for error in job["errors"]}
        assert set(refused) == set(expected), (name, refused)
        assert all(expected[i] in refused[i] for i in refused), refused
    # Nothing was applied: the query answers no event of them.
    found = client.get("/epcis/events", headers=api_headers).json()
    assert found["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == [] and _count(session) == 0


def _event(children: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"'
        ' creationDate="2026-12-02T07:30:00Z">\n<EPCISBody>\n<EventList>\n<ObjectEvent>\n'
        + children
        + "\n</ObjectEvent>\n</EventList>\n</EPCISBody>\n</epcis:EPCISDocument>\n"
    ).encode()


TIME = "<eventTime>2026-12-02T07:30:00.000Z</eventTime>\n<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n"
EPC = f"<epcList><epc>{ids.sgtin(DEMO_PRODUCT_CODE, 'B-1')}</epc></epcList>\n"
INVALID = [
    (_event(TIME + "<action>ADD</action>\n" + EPC), "line 9: epcList out of order"),
    (_event(TIME + EPC + "<action>MOVE</action>"), "line 9: action is one of ADD, OBSERVE, DELETE"),
    (_event("<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n" + EPC + "<action>ADD</action>"), "needs eventTime"),
    (_event(TIME + EPC + "<action>ADD</action><colour>red</colour>"), "ObjectEvent has no element colour"),
    (_event(TIME.replace("07:30:00.000Z", "07:30:00") + EPC + "<action>ADD</action>"), "with a time zone"),
    (_event(TIME + EPC + "<action>ADD</action><quantityList><quantityElement><quantity>1</quantity>"
            "</quantityElement></quantityList>"), "quantityElement is epcClass"),
    (_event(TIME + "<epcList><id>x</id></epcList><action>ADD</action>"), "epcList holds epc elements only"),
    (_event(TIME + EPC + "<action>ADD</action>").replace(b"EPCISBody", b"Body"), "EPCISDocument holds"),
    (_event(TIME + EPC + "<action>ADD</action>").replace(b"xsd:2", b"xsd:3"), "EPCISDocument in urn:epcglobal"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "rule"), INVALID, ids=[rule for _, rule in INVALID])
def test_documents_gs1s_xsd_refuses_are_refused_with_line_and_rule(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session, body: bytes, rule: str
) -> None:
    assert xsd_errors(body), "the independent check: GS1's XSD refuses it too"
    response = client.post(CAPTURE, content=body, headers=api_headers | XML_BODY)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"] == "epcisException:ValidationException" and problem["title"].startswith("line ")
    assert rule in problem["title"]
    assert response.headers["GS1-EPCIS-Capture-Limit"]
    assert _count(session) == 0


def test_the_minimal_valid_document_passes_both_checks(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    body = _event(TIME + EPC + "<action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>")
    assert xsd_errors(body) == []
    job = _capture(client, api_headers, body, **PROCEED)
    # Valid XML, but no lot or expiry: refused as the JSON path refuses it, event by event.
    assert [e["eventIndex"] for e in job["errors"]] == [0] and "cbvmda:lotNumber" in job["errors"][0]["title"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<epcis:EPCISDocument", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2">&x;</epcis:EPCISDocument>',
            "DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><d>&c;</d>',
            "DOCTYPE",
        ),
    ],
)
def test_the_parser_is_defended(
    client: TestClient, api_headers: dict[str, str], demo: object, body: bytes, reason: str
) -> None:
    response = client.post(CAPTURE, content=body, headers=api_headers | XML_BODY)
    assert response.status_code == 400, response.text
    assert reason in response.json()["title"] and "root:" not in response.text


def test_extension_fields_captured_as_xml_are_kept_with_their_namespaces(
    client: TestClient, api_headers: dict[str, str], demo: object, session: Session
) -> None:
    line = "<ex:line>L-7</ex:line><ex:shift><ex:crew>B</ex:crew><ex:crew>C</ex:crew></ex:shift>"
    ilmd = (
        "<ilmd><cbvmda:lotNumber>EXT-1</cbvmda:lotNumber><cbvmda:itemExpirationDate>2028-06-30"
        "</cbvmda:itemExpirationDate><ex:grade>A</ex:grade></ilmd>"
    )
    body = _event(
        TIME + EPC + "<action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>" + ilmd + line
    )
    body = body.replace(
        b"xmlns:epcis=", b'xmlns:cbvmda="urn:epcglobal:cbv:mda" xmlns:ex="https://ns.example.com/epcis/" xmlns:epcis='
    )
    assert xsd_errors(body) == []
    job = _capture(client, api_headers, body)
    assert (job["success"], job["errors"]) == (True, [])
    (stored,) = stored_events(session, reference=False)  # JSON schema valid
    assert stored["@context"] == {"ex": "https://ns.example.com/epcis/"}
    # The reference implementation reads only the document's context, and hashes an event's own
    # "@context" as if it were a field: given the event's context at the document's level, it agrees.
    doc = document([{k: v for k, v in stored.items() if k != "@context"}], AT)
    doc["@context"] = [*doc["@context"], stored["@context"]]
    assert reference_hashes(doc) == [stored["eventID"]]
    assert stored["ex:line"] == "L-7" and stored["ex:shift"] == {"ex:crew": ["B", "C"]}
    assert stored["ilmd"]["ex:grade"] == "A" and stored["ilmd"]["cbvmda:lotNumber"] == "EXT-1"
    # And out again: the same elements in the same namespaces.
    answer = client.get("/epcis/events", headers=api_headers | {"Accept": "application/xml"})
    assert xsd_errors(answer.content) == []
    assert (
        b'<ex:line xmlns:ex="https://ns.example.com/epcis/">L-7</ex:line>' in answer.content
        or b"<ex:line>L-7" in answer.content
    )


def test_extension_wrappers_are_read_as_the_extensions_they_hold() -> None:
    wrapped = "<baseExtension><ex:a>1</ex:a></baseExtension>" + EPC + "<action>OBSERVE</action>"
    body = _event(TIME + wrapped + "<extension><ex:b>2</ex:b></extension><ex:c>3</ex:c>").replace(
        b"xmlns:epcis=", b'xmlns:ex="https://ns.example.com/x" xmlns:epcis='
    )
    assert xsd_errors(body) == []
    (event,) = xml_in.parse_document(body)["epcisBody"]["eventList"]
    assert (event["ex:a"], event["ex:b"], event["ex:c"]) == ("1", "2", "3")
