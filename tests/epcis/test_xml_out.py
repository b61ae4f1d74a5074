"""EPCIS 2.0 XML out: every document the query interface and the order endpoint write validates against
GS1's 2.0 XSD, carries the stored JSON-LD faithfully (read back, each event hashes to its eventID), keeps
the paging and version headers, and goes back in through capture as the same events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import xml_in, xml_out
from packtrace.epcis.hashing import context_namespaces, event_hash
from packtrace.kit.db import Database
from packtrace.models import EpcisEvent, Tenant
from tests.aggregation.support import CONTAINER, item, sscc
from tests.epcis.xml_support import XML, XML_BODY, as_capture_document, valid, xsd_errors
from tests.packs.support import COMMISSION, DECOMMISSION, commission_body, decommission_body, ok, start_order
from tests.support import V2

EVENTS = "/epcis/events"
MDA = "{urn:epcglobal:cbv:mda}"


@pytest.fixture
def run(client: TestClient, api_headers: dict[str, str], database: Database) -> dict[str, Any]:
    """A site with a GLN; an order of 12 commissioned, 1 destroyed, 5 in a case on a pallet, the case
    emptied again."""
    with database.unit_of_work() as s:
        s.execute(update(Tenant).values(gln="4012345000009", gln_extension="HALL-2", time_zone_offset="+01:00"))
    order = start_order(client, api_headers, order_id="XML-1", quantity=12, extra_percentage=0)
    serials = order.serials
    ok(client.post(COMMISSION, json=commission_body(serials, order_id="XML-1"), headers=api_headers))
    ok(client.post(DECOMMISSION, json=decommission_body(serials[:1], "Destroyed"), headers=api_headers))
    case, pallet = sscc(710001), sscc(710002)
    ok(client.post(CONTAINER, json={"sscc": case, "trade_items": [item(s) for s in serials[1:6]]}, headers=api_headers))
    ok(client.post(CONTAINER, json={"sscc": pallet, "containers": [case]}, headers=api_headers))
    ok(client.request("DELETE", CONTAINER, json={"sscc": case, "all": True}, headers=api_headers))
    return {"serials": serials, "case": case, "pallet": pallet}


def _read_back(body: bytes) -> list[dict[str, Any]]:
    """The events of an XML answer as capture reads them."""
    doc = xml_in.parse_document(as_capture_document(body))
    events: list[dict[str, Any]] = doc["epcisBody"]["eventList"]
    namespaces = context_namespaces(doc["@context"])
    return [{**event, "hash": event_hash(event, namespaces)} for event in events]


def test_query_answers_in_xml_validate_and_carry_every_event_faithfully(
    client: TestClient, api_headers: dict[str, str], run: dict[str, Any]
) -> None:
    as_json = client.get(EVENTS, headers=api_headers).json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    response = client.get(EVENTS, headers=api_headers | XML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert response.headers["GS1-EPCIS-Version"] == "2.0" and response.headers["GS1-CBV-Version"] == "2.0.0"
    root = valid(response.content)
    assert root.tag == "{urn:epcglobal:epcis-query:xsd:2}EPCISQueryDocument"
    assert root.findtext("EPCISBody/{urn:epcglobal:epcis-query:xsd:2}QueryResults/queryName") == "SimpleEventQuery"
    elements = root.findall(".//EventList/*")
    assert [e.tag for e in elements] == [e["type"] for e in as_json]
    # Read back, every event hashes to the eventID (our hash) its JSON-LD carries: nothing hashed was lost.
    back = _read_back(response.content)
    assert [e["hash"] for e in back] == [e["eventID"] for e in as_json]
    for xml_event, json_event in zip(back, as_json, strict=True):
        for name in ("eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "action", "bizStep", "disposition"):
            assert xml_event.get(name) == json_event.get(name), name
        assert xml_event["bizLocation"] == json_event["bizLocation"]
    commissioning = elements[0]
    assert commissioning.findtext("bizStep") == "urn:epcglobal:cbv:bizstep:commissioning"
    assert commissioning.findtext("disposition") == "urn:epcglobal:cbv:disp:active"
    assert commissioning.findtext(f"ilmd/{MDA}lotNumber") == as_json[0]["ilmd"]["cbvmda:lotNumber"]
    assert commissioning.findtext(f"ilmd/{MDA}itemExpirationDate") == as_json[0]["ilmd"]["cbvmda:itemExpirationDate"]
    assert commissioning.findtext("bizLocation/id") == "https://id.gs1.org/414/4012345000009/254/HALL-2"
    assert len(commissioning.findall("epcList/epc")) == 12
    packing = next(e for e in elements if e.findtext("bizStep") == "urn:epcglobal:cbv:bizstep:packing")
    assert packing.findtext("parentID") == f"https://id.gs1.org/00/{run['case']}"


def test_xml_pages_link_as_json_and_one_event_or_one_epc_answer_in_xml(
    client: TestClient, api_headers: dict[str, str], run: dict[str, Any]
) -> None:
    first = client.get(EVENTS, params={"perPage": 2}, headers=api_headers | XML)
    assert first.headers["Link"] == client.get(EVENTS, params={"perPage": 2}, headers=api_headers).headers["Link"]
    assert len(valid(first.content).findall(".//EventList/*")) == 2
    following = client.get(first.headers["Link"].split(">")[0][1:], headers=api_headers | XML)
    assert following.status_code == 200 and len(valid(following.content).findall(".//EventList/*")) == 2

    event_id = client.get(EVENTS, headers=api_headers).json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    one = client.get(f"{EVENTS}/{quote(event_id[0]['eventID'], safe='')}", headers=api_headers | XML)
    assert one.status_code == 200 and one.headers["content-type"].startswith("application/xml")
    assert [e["hash"] for e in _read_back(one.content)] == [event_id[0]["eventID"]]

    epc = f"https://id.gs1.org/01/{DEMO_PRODUCT_CODE}/21/{run['serials'][1]}"
    named = client.get(f"/epcis/epcs/{quote(epc, safe='')}/events", headers=api_headers | XML)
    steps = [e.findtext("bizStep") for e in valid(named.content).findall(".//EventList/*")]
    assert steps == [f"urn:epcglobal:cbv:bizstep:{s}" for s in ("commissioning", "packing", "unpacking")]
    # Errors stay RFC 7807 JSON, as the standard's OpenAPI allows.
    bad = client.get(EVENTS, params={"nonsense": "1"}, headers=api_headers | XML)
    assert bad.status_code == 400 and bad.json()["type"] == "epcisException:QueryParameterException"


def test_the_order_document_in_xml_is_the_json_documents_events(
    client: TestClient, api_headers: dict[str, str], run: dict[str, Any]
) -> None:
    url = f"{V2}/packaging_order/epcis"
    as_json = client.get(url, params={"order_id": "XML-1"}, headers=api_headers).json()["epcisBody"]["eventList"]
    response = client.get(url, params={"order_id": "XML-1"}, headers=api_headers | {"Accept": "text/xml"})
    assert response.status_code == 200, response.text
    root = valid(response.content)
    assert root.tag == "{urn:epcglobal:epcis:xsd:2}EPCISDocument" and root.get("schemaVersion") == "2.0"
    assert [e["hash"] for e in _read_back(response.content)] == [e["eventID"] for e in as_json]
    assert client.get(url, params={"order_id": "NOPE"}, headers=api_headers | XML).status_code == 404


def test_xml_answers_go_back_in_through_capture_as_the_same_events(
    client: TestClient, api_headers: dict[str, str], run: dict[str, Any], session: Session
) -> None:
    before = session.scalar(select(func.count()).select_from(EpcisEvent))
    answer = client.get(EVENTS, headers=api_headers | XML)
    captured = client.post(
        "/epcis/capture", content=as_capture_document(answer.content), headers=api_headers | XML_BODY
    )
    assert captured.status_code == 202, captured.text
    job = client.get(captured.headers["Location"], headers=api_headers).json()
    # Each is found a duplicate by our hash: accepted, not applied or stored again.
    assert (job["success"], job["errors"]) == (True, [])
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(EpcisEvent)) == before


def test_accept_values_other_than_xml_keep_json(client: TestClient, api_headers: dict[str, str], demo: object) -> None:
    for accept in ("application/json", "text/csv", "*/*", "application/xml;q=0.5, application/json"):
        response = client.get(EVENTS, headers=api_headers | {"Accept": accept})
        assert response.status_code == 200 and response.json()["type"] == "EPCISQueryDocument", accept


@pytest.mark.parametrize(
    ("accept", "xml"),
    [
        (None, False),
        ("", False),
        ("application/xml", True),
        ("text/xml", True),
        ("application/json, application/xml", False),
        ("application/xml, application/json", False),
        ("application/json;q=0.5, application/xml", True),
        ("application/*", False),
        ("*/*, text/xml", True),
        ("application/xml;q=0", False),
        ("text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.8", True),
    ],
)
def test_content_negotiation(accept: str | None, xml: bool) -> None:
    assert xml_out.wants_xml(accept) is xml


AT = datetime(2026, 12, 3, 9, 15, 0, 123_000, tzinfo=UTC)
SHIPPING: dict[str, Any] = {
    "@context": {"ex": "https://ns.example.com/epcis/"},
    "type": "ObjectEvent",
    "eventTime": "2026-12-03T10:15:00.123+01:00",
    "eventTimeZoneOffset": "+01:00",
    "eventID": "urn:uuid:0b7e6a2a-0000-4000-8000-000000000001",
    "errorDeclaration": {
        "declarationTime": "2026-12-03T11:00:00.000Z",
        "reason": "incorrect_data",
        "correctiveEventIDs": ["urn:uuid:0b7e6a2a-0000-4000-8000-000000000002"],
    },
    "epcList": ["https://id.gs1.org/00/340123450000000017"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {"id": "https://id.gs1.org/414/4012345000016"},
    "bizLocation": {"id": "https://id.gs1.org/414/4012345000009/254/HALL-2", "ex:dock": "D-4"},
    "bizTransactionList": [
        {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000009:PO-77"},
        {"bizTransaction": "https://example.com/desadv/12"},
    ],
    "quantityList": [{"epcClass": "https://id.gs1.org/01/04012345000108/10/LOT-1", "quantity": 40, "uom": "KGM"}],
    "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/4012345000009"}],
    "destinationList": [
        {"type": "owning_party", "destination": "https://id.gs1.org/417/4098765000002"},
        {"type": "location", "destination": "https://id.gs1.org/414/4098765000019"},
    ],
    "sensorElementList": [
        {
            "sensorMetadata": {"time": "2026-12-03T09:00:00.000Z", "deviceID": "urn:uuid:sensor-1"},
            "sensorReport": [{"type": "gs1:MT-Temperature", "value": 4.5, "uom": "CEL"}],
        }
    ],
    "persistentDisposition": {"set": ["completeness_verified"], "unset": ["completeness_inferred"]},
    "ex:carrier": {"ex:name": "Rail & Road", "ex:legs": ["1", "2"]},
    "ex:temperatureLogged": "true",
}


def test_shipping_and_extension_fields_convert_both_ways_in_the_xsds_order() -> None:
    body = xml_out.to_bytes([SHIPPING], AT, query=False)
    root = valid(body)
    (event,) = root.findall(".//ObjectEvent")
    standard = [child.tag for child in event if isinstance(child.tag, str) and not child.tag.startswith("{")]
    assert standard == [
        "eventTime",
        "eventTimeZoneOffset",
        "eventID",
        "errorDeclaration",
        "epcList",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "quantityList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "persistentDisposition",
    ]
    assert event.find("bizTransactionList/bizTransaction").get("type") == "urn:epcglobal:cbv:btt:po"
    assert event.find("sourceList/source").get("type") == "urn:epcglobal:cbv:sdt:owning_party"
    assert event.findtext("{https://ns.example.com/epcis/}carrier/{https://ns.example.com/epcis/}name") == "Rail & Road"
    doc = xml_in.parse_document(body)
    (back,) = doc["epcisBody"]["eventList"]
    assert back == SHIPPING
    namespaces = context_namespaces(doc["@context"])
    assert event_hash(back, namespaces) == event_hash(SHIPPING, context_namespaces(SHIPPING["@context"]))


def test_an_empty_answer_is_a_valid_document() -> None:
    for query in (True, False):
        assert xsd_errors(xml_out.to_bytes([], AT, query=query)) == []
    with pytest.raises(ValueError, match=r"no EPCIS 2\.0 XML form"):
        xml_out.event_element({"type": "QuantityEvent"})
    assert etree.fromstring(xml_out.to_bytes([], AT, query=False)).get("creationDate") == "2026-12-03T09:15:00.123Z"
