"""EPCIS 2.0 XML out of the stored JSON-LD events (pure: no database).

Each event becomes its element with the children in the order the 2.0 XSD's sequences fix; CBV terms,
which JSON-LD carries bare, become the CBV URNs the standard's XML examples use; ILMD fields and user
extensions become elements in their namespaces (``cbvmda:`` in ``urn:epcglobal:cbv:mda``, the XML form of
the namespace JSON-LD writes with a trailing colon). Documents are written incrementally, one event at a
time, so that an order of 100,000 packs is never held twice in memory."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from lxml import etree

from packtrace.epcis.events import SCHEMA_VERSION, format_time
from packtrace.epcis.hashing import CONTEXT_NAMESPACES, context_namespaces

EPCIS_NS = "urn:epcglobal:epcis:xsd:2"
QUERY_NS = "urn:epcglobal:epcis-query:xsd:2"
MDA_NS = "urn:epcglobal:cbv:mda"
XML_TYPES = ("application/xml", "text/xml")
_JSON_TYPES = ("application/json", "application/ld+json")

# The XSD's sequence of each event type after the common part (eventTime, recordTime, eventTimeZoneOffset,
# eventID, errorDeclaration, certificationInfo, baseExtension); user extensions (##other) come last.
COMMON = (
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "errorDeclaration",
    "certificationInfo",
    "baseExtension",
)
_TAIL = ("sourceList", "destinationList", "sensorElementList", "persistentDisposition")
_WHAT_WHERE = ("action", "bizStep", "disposition", "readPoint", "bizLocation")
SEQUENCES: dict[str, tuple[str, ...]] = {
    "ObjectEvent": (("epcList", *_WHAT_WHERE, "bizTransactionList", "quantityList", *_TAIL, "ilmd", "extension")),
    "AggregationEvent": (
        ("parentID", "childEPCs", *_WHAT_WHERE, "bizTransactionList", "childQuantityList", *_TAIL, "extension")
    ),
    "TransactionEvent": (
        ("bizTransactionList", "parentID", "epcList", *_WHAT_WHERE, "quantityList", *_TAIL, "extension")
    ),
    "AssociationEvent": (
        ("parentID", "childEPCs", "childQuantityList", *_WHAT_WHERE, "bizTransactionList", *_TAIL, "extension")
    ),
    "TransformationEvent": (
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        *_WHAT_WHERE[1:],
        "bizTransactionList",
        *_TAIL,
        "ilmd",
        "extension",
    ),
}
EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
QUANTITY_LISTS = frozenset({"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"})
# field -> (child element, CBV kind of its type attribute)
TYPED_LISTS = {
    "bizTransactionList": ("bizTransaction", "btt"),
    "sourceList": ("source", "sdt"),
    "destinationList": ("destination", "sdt"),
}
# CBV kinds of the vocabulary-valued fields, as the 1.x URNs name them.
VOCABULARY = {"bizStep": "bizstep", "disposition": "disp", "reason": "er"}
_WEB_KINDS = {"bizstep": "BizStep", "disp": "Disp", "btt": "BTT", "sdt": "SDT", "er": "ER"}
_QUANTITY = ("epcClass", "quantity", "uom")


def wants_xml(accept: str | None) -> bool:
    """Whether an Accept header prefers EPCIS XML to JSON(-LD): the media range with the highest q, the
    more specific winning a tie, and JSON winning an exact tie (JSON stays the default)."""
    if not accept:
        return False
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))

    def score(offered: str) -> tuple[float, int]:
        best = (0.0, -1)
        for media, q in ranges:
            kind = offered.split("/")[0]
            specificity = 2 if media == offered else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
            if specificity >= 0 and specificity > best[1]:
                best = (q, specificity)
        return best

    xml = max(score(t) for t in XML_TYPES)
    json = max(score(t) for t in _JSON_TYPES)
    return xml[0] > 0 and xml > json


def cbv_urn(kind: str, value: Any) -> str:
    """A CBV term as XML carries it: bare terms and 2.0 web URIs become ``urn:epcglobal:cbv:{kind}:{term}``;
    other URIs (user vocabularies) stay."""
    text = str(value)
    web = f"https://ref.gs1.org/cbv/{_WEB_KINDS[kind]}-"
    if text.startswith(web):
        return f"urn:epcglobal:cbv:{kind}:{text[len(web) :]}"
    return text if ":" in text else f"urn:epcglobal:cbv:{kind}:{text}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Names:
    """JSON-LD keys of extensions as XML names: ``prefix:local`` in the namespace the event's or the
    standard's context gives the prefix (an undefined prefix makes, as in JSON-LD, an IRI of its own);
    full IRIs split at their last ``/``, ``#`` or ``:``; bare keys stay unqualified (inside extensions)."""

    def __init__(self, context: Any) -> None:
        self.namespaces = {**CONTEXT_NAMESPACES, **context_namespaces(context)}

    def qname(self, key: str) -> str:
        prefix, colon, local = key.partition(":")
        if not colon:
            return key
        if local.startswith("//") or prefix == "urn":
            cut = max(key.rfind("/"), key.rfind("#"), key.rfind(":"))
            namespace, local = key[: cut + 1], key[cut + 1 :]
        else:
            namespace = self.namespaces.get(prefix, prefix + ":")
        if namespace == CONTEXT_NAMESPACES["cbvmda"]:
            namespace = MDA_NS
        return f"{{{namespace}}}{local}"


def _extension(parent: etree._Element, key: str, value: Any, names: _Names) -> None:
    if key.startswith("@"):
        return
    if isinstance(value, list):
        for item in value:
            _extension(parent, key, item, names)
        return
    element = etree.SubElement(parent, names.qname(key))
    if isinstance(value, Mapping):
        if "@value" in value:
            element.text = _text(value["@value"])
        for child_key, child in value.items():
            _extension(element, child_key, child, names)
    elif value is not None:
        element.text = _text(value)


def _leaf(parent: etree._Element, name: str, value: Any) -> etree._Element:
    element = etree.SubElement(parent, name)
    element.text = _text(value)
    return element


def _location(parent: etree._Element, name: str, value: Mapping[str, Any], names: _Names) -> None:
    element = etree.SubElement(parent, name)
    _leaf(element, "id", value["id"])
    for key, child in value.items():
        if key != "id":
            _extension(element, key, child, names)


def _sensor_elements(parent: etree._Element, elements: list[Mapping[str, Any]], names: _Names) -> None:
    listing = etree.SubElement(parent, "sensorElementList")
    for sensor in elements:
        element = etree.SubElement(listing, "sensorElement")
        if "sensorMetadata" in sensor:
            _attributes(etree.SubElement(element, "sensorMetadata"), sensor["sensorMetadata"], names)
        for report in sensor.get("sensorReport", []):
            _attributes(etree.SubElement(element, "sensorReport"), report, names)
        for key, value in sensor.items():
            if key not in ("sensorMetadata", "sensorReport"):
                _extension(element, key, value, names)


def _attributes(element: etree._Element, values: Mapping[str, Any], names: _Names) -> None:
    for key, value in values.items():
        if not isinstance(value, Mapping | list):
            element.set(names.qname(key), _text(value))


def _field(element: etree._Element, name: str, value: Any, names: _Names, fast: bool) -> None:
    if name in EPC_LISTS:
        listing = etree.SubElement(element, name)
        if fast and value:
            listing.append(etree.Comment(_EPCS))  # filled in by event_bytes, as text
            return
        for epc in value:
            etree.SubElement(listing, "epc").text = epc
    elif name in QUANTITY_LISTS:
        listing = etree.SubElement(element, name)
        for quantity in value:
            item = etree.SubElement(listing, "quantityElement")
            for key in _QUANTITY:
                if key in quantity:
                    _leaf(item, key, quantity[key])
    elif name in VOCABULARY:
        _leaf(element, name, cbv_urn(VOCABULARY[name], value))
    elif name in ("readPoint", "bizLocation"):
        _location(element, name, value, names)
    elif name in TYPED_LISTS:
        child_name, kind = TYPED_LISTS[name]
        listing = etree.SubElement(element, name)
        for item in value:
            child = _leaf(listing, child_name, item[child_name])
            if "type" in item:
                child.set("type", cbv_urn(kind, item["type"]))
    elif name == "persistentDisposition":
        listing = etree.SubElement(element, name)
        for key in ("unset", "set"):
            for disposition in value.get(key, []):
                _leaf(listing, key, cbv_urn("disp", disposition))
    elif name == "errorDeclaration":
        declaration = etree.SubElement(element, name)
        _leaf(declaration, "declarationTime", value["declarationTime"])
        if "reason" in value:
            _leaf(declaration, "reason", cbv_urn("er", value["reason"]))
        if value.get("correctiveEventIDs"):
            ids = etree.SubElement(declaration, "correctiveEventIDs")
            for event_id in value["correctiveEventIDs"]:
                _leaf(ids, "correctiveEventID", event_id)
    elif name == "sensorElementList":
        _sensor_elements(element, value, names)
    elif name in ("ilmd", "extension", "baseExtension"):
        wrapper = etree.SubElement(element, name)
        for key, child in value.items():
            _extension(wrapper, key, child, names)
    else:
        _leaf(element, name, value)


def event_element(event: Mapping[str, Any], *, fast: bool = False) -> etree._Element:
    """One JSON-LD event as its EPCIS 2.0 XML element (``fast``: EPC lists left to ``event_bytes``)."""
    kind = str(event["type"])
    if kind not in SEQUENCES:
        raise ValueError(f"no EPCIS 2.0 XML form for event type {kind!r}")
    names = _Names(event.get("@context"))
    # The prefixes the event's own context declares keep their names in XML (lxml would say ns0, ns1).
    declared = {p: ns for p, ns in context_namespaces(event.get("@context")).items() if p.isidentifier()}
    element = etree.Element(kind, nsmap=declared or None)
    standard = COMMON + SEQUENCES[kind]
    for name in standard:
        if name in event and event[name] is not None:
            _field(element, name, event[name], names, fast)
    for key, value in event.items():
        if key not in standard and key != "type":
            _extension(element, key, value, names)
    return element


# A 100,000-EPC list costs 100,000 lxml elements (half a second): it is written as text instead, escaped as
# lxml escapes text, into the placeholder its element holds.
_EPCS = "packtrace:epcs"
_PLACEHOLDER = f"<!--{_EPCS}-->".encode()
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _epc_bytes(epcs: list[Any]) -> bytes:
    text = "\n".join(str(epc) for epc in epcs)
    if _NOT_XML.search(text) or text.count("\n") != len(epcs) - 1:
        raise ValueError("an EPC holds characters XML cannot carry")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return ("<epc>" + text.replace("\n", "</epc><epc>") + "</epc>").encode()


def event_bytes(event: Mapping[str, Any]) -> bytes:
    """One JSON-LD event as EPCIS 2.0 XML, serialised (namespaces declared where used)."""
    data = etree.tostring(event_element(event, fast=True), encoding="utf-8")
    for name in (n for n in SEQUENCES[str(event["type"])] if n in EPC_LISTS and event.get(n)):
        data = data.replace(_PLACEHOLDER, _epc_bytes(event[name]), 1)
    return bytes(data)


def stream_document(events: Iterable[Mapping[str, Any]], created: datetime, *, query: bool) -> Iterator[bytes]:
    """An ``epcis:EPCISDocument`` (or, with ``query``, the ``epcisq:EPCISQueryDocument`` of a
    SimpleEventQuery) holding ``events``, written and yielded one event at a time."""
    nsmap = {"epcisq": QUERY_NS} if query else {"epcis": EPCIS_NS}
    nsmap["cbvmda"] = MDA_NS
    attributes = {
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": format_time(created, "+00:00").replace("+00:00", "Z"),
    }
    root = etree.Element(
        f"{{{QUERY_NS}}}EPCISQueryDocument" if query else f"{{{EPCIS_NS}}}EPCISDocument", attributes, nsmap=nsmap
    )
    body = etree.SubElement(root, "EPCISBody")
    if query:
        results = etree.SubElement(body, f"{{{QUERY_NS}}}QueryResults")
        etree.SubElement(results, "queryName").text = "SimpleEventQuery"
        body = etree.SubElement(results, "resultsBody")
    etree.SubElement(body, "EventList").append(etree.Comment(_EPCS))
    head, tail = etree.tostring(root, xml_declaration=True, encoding="utf-8").split(_PLACEHOLDER)
    yield head
    for event in events:
        yield event_bytes(event)
    yield tail


def to_bytes(events: Iterable[Mapping[str, Any]], created: datetime, *, query: bool) -> bytes:
    """``stream_document`` at once (small documents, tests)."""
    return b"".join(stream_document(events, created, query=query))
