"""DSCSA: one EPCIS 1.2 XML document per shipment, valid against GS1's XSD, with only what was shipped."""

from __future__ import annotations

from dataclasses import replace

import pytest

from packtrace.reporting.documents import dscsa
from packtrace.reporting.documents.model import Node, ProductData
from tests.reporting.documents_support import AT, header, valid_epcis_12

NS = {
    "epcis": "urn:epcglobal:epcis:xsd:1",
    "sbdh": "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader",
}
# A GTIN derived from NDC 0001-0123-45 (GS1 US: "03" + NDC + check digit), as in GS1 US's example.
US_PRODUCT = ProductData(
    code="00300010123455",
    code_scheme="GTIN",
    company_prefix_length=6,
    name="Epcistra",
    markets=("US",),
    dosage_form="TABLET",
    strength="100mg",
    pack_size=500,
    ndc="0001-0123-45",
)
PALLET, CASE_1, CASE_2 = "003000110000000014", "003000110000000021", "003000110000000038"
NODES = [
    Node(PALLET, None, (CASE_1, CASE_2)),
    Node(CASE_1, PALLET, (), tuple((US_PRODUCT.code, f"S{i}") for i in range(1, 4))),
    Node(CASE_2, PALLET, (), tuple((US_PRODUCT.code, f"S{i}") for i in range(4, 7))),
]
LOTS = [
    dscsa.Lot(US_PRODUCT.code, "A123", "351115", tuple(f"S{i}" for i in range(1, 7)), AT),
    dscsa.Lot(US_PRODUCT.code, "A124", "360200", ("L1",), AT),
]
SHIPMENT = dscsa.Shipment(
    shipment_id="SHIP-1",
    at=AT,
    ship_from=dscsa.Party("PackTrace Pharma", "0300011111116", "0300011111215"),
    ship_to=dscsa.Party("GS1 Drug Distributor", "0399999999991", "0399993456780.7", "136 Main St", "KY-1234"),
    sold_to=None,
    po_number="XYZPO189",
    despatch_advice="DEL100",
    shipped_ssccs=(PALLET,),
    loose_packs=((US_PRODUCT.code, "L1"),),
    time_zone_offset="-05:00",
)


def _document() -> bytes:
    return dscsa.shipment_document(header(), SHIPMENT, {US_PRODUCT.code: US_PRODUCT}, iter(LOTS), NODES)


def test_the_document_is_valid_epcis_12_with_sbdh_and_master_data() -> None:
    root = valid_epcis_12(_document())
    assert root.get("schemaVersion") == "1.2"
    sender = root.findtext(".//sbdh:Sender/sbdh:Identifier", namespaces=NS)
    receiver = root.findtext(".//sbdh:Receiver/sbdh:Identifier", namespaces=NS)
    assert (sender, receiver) == ("urn:epc:id:sgln:030001.111111.0", "urn:epc:id:sgln:039999.999999.0")
    element = root.find(".//VocabularyElement[@id='urn:epc:idpat:sgtin:030001.0012345.*']")
    assert element is not None
    attributes = {a.get("id").split("#")[1]: a.text for a in element.findall("attribute")}
    assert attributes == {
        "additionalTradeItemIdentification": "0001-0123-45",
        "additionalTradeItemIdentificationTypeCode": "US_FDA_NDC",
        "regulatedProductName": "Epcistra",
        "manufacturerOfTradeItemPartyName": "PackTrace Pharma",
        "dosageFormType": "TABLET",
        "strengthDescription": "100mg",
        "netContentDescription": "500",
    }
    statement = root.findtext(".//{http://epcis.gs1us.org/hc/ns}affirmTransactionStatement")
    assert statement == "true"


def test_events_commission_pack_and_ship_exactly_what_was_shipped() -> None:
    root = valid_epcis_12(_document())
    events = root.find(".//EventList")
    assert events is not None
    kinds = [(e.tag, e.findtext("bizStep").rsplit(":", 1)[1]) for e in events]  # type: ignore[union-attr]
    assert kinds == [
        ("ObjectEvent", "commissioning"),
        ("ObjectEvent", "commissioning"),
        ("AggregationEvent", "packing"),
        ("AggregationEvent", "packing"),
        ("AggregationEvent", "packing"),
        ("ObjectEvent", "shipping"),
    ]
    first = events[0]
    assert [e.text for e in first.iter("epc")][:2] == [
        "urn:epc:id:sgtin:030001.0012345.S1",
        "urn:epc:id:sgtin:030001.0012345.S2",
    ]
    assert first.findtext(".//{urn:epcglobal:cbv:mda}lotNumber") == "A123"
    assert first.findtext(".//{urn:epcglobal:cbv:mda}itemExpirationDate") == "2035-11-15"
    assert first.findtext("eventTimeZoneOffset") == "-05:00"
    # Cases are packed before the pallet that holds them.
    assert events[2].findtext("parentID") == "urn:epc:id:sscc:030001.01000000002"
    assert events[4].findtext("parentID") == "urn:epc:id:sscc:030001.01000000001"
    assert [e.text for e in events[4].iter("epc")] == [
        "urn:epc:id:sscc:030001.01000000002",
        "urn:epc:id:sscc:030001.01000000003",
    ]
    shipping = events[5]
    assert [e.text for e in shipping.iter("epc")] == [
        "urn:epc:id:sscc:030001.01000000001",
        "urn:epc:id:sgtin:030001.0012345.L1",
    ]
    assert shipping.findtext("action") == "OBSERVE" and shipping.findtext("disposition").endswith(":in_transit")  # type: ignore[union-attr]
    transactions = {t.get("type").rsplit(":", 1)[1]: t.text for t in shipping.iter("bizTransaction")}
    assert transactions == {
        "po": "urn:epcglobal:cbv:bt:0399999999991:XYZPO189",
        "desadv": "urn:epcglobal:cbv:bt:0300011111116:DEL100",
    }
    destinations = {d.get("type").rsplit(":", 1)[1]: d.text for d in shipping.iter("destination")}
    assert destinations == {
        "owning_party": "urn:epc:id:sgln:039999.999999.0",
        "location": "urn:epc:id:sgln:039999.345678.7",
    }
    # Every pack commissioned is one shipped (in a case or loose), and nothing else is named.
    commissioned = {e.text for event in events[:2] for e in event.iter("epc")}
    packed = {e.text for event in events[2:4] for e in event.iter("epc")}
    assert commissioned == packed | {"urn:epc:id:sgtin:030001.0012345.L1"} and len(commissioned) == 7


def test_a_shipment_to_a_buyer_other_than_the_ship_to_names_the_buyer() -> None:
    buyer = dscsa.Party("GS1 Drug Buyer", "0399998888883", "0399998888883")
    document = dscsa.shipment_document(
        header(), replace(SHIPMENT, sold_to=buyer), {US_PRODUCT.code: US_PRODUCT}, iter(LOTS), NODES
    )
    root = valid_epcis_12(document)
    assert root.findtext(".//sbdh:Receiver/sbdh:Identifier", namespaces=NS) == "urn:epc:id:sgln:039999.888888.0"


def test_text_is_escaped() -> None:
    odd = replace(US_PRODUCT, name="A & B <forte>")
    lots = [dscsa.Lot(US_PRODUCT.code, "L<&>", "351115", ("S&1",), AT)]
    nodes = [Node(PALLET, None, (), ((US_PRODUCT.code, "S&1"),))]
    shipment = replace(SHIPMENT, loose_packs=(), po_number="P&O")
    root = valid_epcis_12(dscsa.shipment_document(header(), shipment, {odd.code: odd}, iter(lots), nodes))
    assert root.findtext(".//{urn:epcglobal:cbv:mda}lotNumber") == "L<&>"
    assert "urn:epc:id:sgtin:030001.0012345.S%261" in [e.text for e in root.iter("epc")]


def test_the_xsd_check_can_fail() -> None:
    broken = _document().replace(b"<action>OBSERVE</action>", b"<action>SHIP</action>", 1)
    with pytest.raises(AssertionError):
        valid_epcis_12(broken)
