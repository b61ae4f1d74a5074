"""Helpers of the EPCIS XML tests: GS1's own 2.0 XSD (read from ../shared/standards, never shipped) and
the conversions between a query answer and a capture document."""

from __future__ import annotations

from functools import cache

from lxml import etree

from packtrace.epcis.xml_out import EPCIS_NS
from tests.support import standards

XML = {"Accept": "application/xml"}
XML_BODY = {"Content-Type": "application/xml"}


@cache
def _schema() -> etree.XMLSchema:
    # The query XSD imports the EPCIS one: it validates EPCISDocument and EPCISQueryDocument alike. Its
    # imports and includes are relative file names, resolved beside it; the network is never asked.
    path = standards("epcis", "xsd-2.0", "EPCglobal-epcis-query-2_0.xsd")
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def xsd_errors(body: bytes) -> list[str]:
    """What GS1's EPCIS 2.0 XSD finds wrong with a document (empty: valid)."""
    schema = _schema()
    root = etree.fromstring(body, etree.XMLParser(no_network=True, resolve_entities=False))
    if schema.validate(root.getroottree()):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def valid(body: bytes) -> etree._Element:
    """The document's root, once the XSD has found it valid."""
    errors = xsd_errors(body)
    assert not errors, errors[:5]
    return etree.fromstring(body)


def as_capture_document(body: bytes) -> bytes:
    """The EventList of an XML answer (query or order document) inside an EPCISDocument to capture."""
    listing = next(etree.fromstring(body).iter("EventList"))
    root = etree.Element(
        f"{{{EPCIS_NS}}}EPCISDocument",
        schemaVersion="2.0",
        creationDate="2026-12-03T10:00:00.000Z",
        nsmap={"epcis": EPCIS_NS},
    )
    etree.SubElement(root, "EPCISBody").append(listing)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
