"""US DSCSA: one EPCIS 1.2 XML document per shipment, shaped on GS1 US's pharma example (section
2.2.1.1): SBDH, EPCIS master data, the transaction statement, the commissioning of every shipped pack
(lot and expiry in ILMD), packing of every container level, and the shipping event.

It is built from what the shipment holds only: a stored commissioning event may name 100,000 packs, most
sold to others, so none is copied. Written as text chunk by chunk (xml.sax.saxutils escapes): a pallet of
1,200 packs makes no element tree."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from packtrace.gs1.epc import escape_serial, sgtin_urn, sscc_urn
from packtrace.reporting.documents.model import Header, Node, ProductData, encode, expiry_iso, iso_time

MEDIA_TYPE = "application/xml"
LEGAL_NOTICE = "Seller has complied with each applicable subsection of FDCA Sec. 581(27)(A)-(G)."
_MDA = "urn:epcglobal:cbv:mda#"


@dataclass(frozen=True)
class Party:
    """A party and location of the shipment: owning party GLN and location SGLN (GLN + extension)."""

    name: str
    gln: str
    location: str  # GLN, optionally followed by "." and an extension, or an SGLN URN
    address: str = ""
    state_license: str | None = None


@dataclass(frozen=True)
class Lot:
    """Shipped packs of one product, lot and expiry, commissioned at ``at`` (the earliest)."""

    product_code: str
    batch: str
    expiry: str  # YYMMDD
    serials: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class Shipment:
    shipment_id: str
    at: datetime
    ship_from: Party
    ship_to: Party
    sold_to: Party | None
    po_number: str | None
    despatch_advice: str | None
    shipped_ssccs: tuple[str, ...]  # the containers listed
    loose_packs: tuple[tuple[str, str], ...]  # (product code, serial) listed outside any container
    time_zone_offset: str = "+00:00"


class Identifiers:
    """EPC URNs need each code's company prefix length: products carry theirs, SSCCs and GLNs take the
    longest registered prefix they start with (7 digits, the most common, when none)."""

    def __init__(self, products: dict[str, ProductData], prefixes: Iterable[str]) -> None:
        self.products = products
        self.prefixes = sorted(set(prefixes), key=len, reverse=True)

    def _prefix_length(self, digits: str) -> int:
        return next((len(p) for p in self.prefixes if digits.startswith(p)), 7)

    def sgtin(self, product_code: str, serial: str) -> str:
        return sgtin_urn(product_code, self.products[product_code].company_prefix_length, serial)

    def sscc(self, sscc: str) -> str:
        return sscc_urn(sscc, self._prefix_length(sscc[1:]))

    def sgln(self, location: str) -> str:
        """``urn:epc:id:sgln:{company prefix}.{location reference}.{extension}`` of a GLN(.extension)."""
        if location.startswith("urn:"):
            return location
        gln, _, extension = location.partition(".")
        length = self._prefix_length(gln)
        # The extension is escaped as an EPC URN's serial is (TDS: the same character set and rules).
        return f"urn:epc:id:sgln:{gln[:length]}.{gln[length:12]}.{escape_serial(extension) if extension else '0'}"


def _attribute(name: str, value: object | None) -> str:
    if value in (None, ""):
        return ""
    return f'<attribute id="{_MDA}{name}">{escape(str(value))}</attribute>'


def _master_data(header: Header, shipment: Shipment, ids: Identifiers) -> Iterator[str]:
    yield '<extension><EPCISMasterData><VocabularyList><Vocabulary type="urn:epcglobal:epcis:vtype:EPCClass">'
    yield "<VocabularyElementList>"
    for product in ids.products.values():
        cp = product.company_prefix_length
        pattern = f"urn:epc:idpat:sgtin:{product.code[1 : 1 + cp]}.{product.code[0]}{product.code[1 + cp : 13]}.*"
        yield f"<VocabularyElement id={quoteattr(pattern)}>"
        if product.ndc:
            yield _attribute("additionalTradeItemIdentification", product.ndc)
            yield _attribute("additionalTradeItemIdentificationTypeCode", "US_FDA_NDC")
        yield _attribute("regulatedProductName", product.name)
        yield _attribute("manufacturerOfTradeItemPartyName", product.mah_name or header.sender.name)
        yield _attribute("dosageFormType", product.dosage_form)
        yield _attribute("strengthDescription", product.strength)
        if product.pack_size:
            yield _attribute("netContentDescription", f"{product.pack_size}")
        yield "</VocabularyElement>"
    yield '</VocabularyElementList></Vocabulary><Vocabulary type="urn:epcglobal:epcis:vtype:Location">'
    yield "<VocabularyElementList>"
    parties = [shipment.ship_from, shipment.ship_to] + ([shipment.sold_to] if shipment.sold_to else [])
    seen: set[str] = set()
    for party in parties:
        for ident, address in ((ids.sgln(party.gln), ""), (ids.sgln(party.location), party.address)):
            if ident in seen:
                continue
            seen.add(ident)
            yield f"<VocabularyElement id={quoteattr(ident)}>{_attribute('name', party.name)}"
            yield _attribute("streetAddressOne", address)
            yield _attribute("stateLicenseNumber", party.state_license if address else None)
            yield "</VocabularyElement>"
    yield "</VocabularyElementList></Vocabulary></VocabularyList></EPCISMasterData></extension>"


def _where(ids: Identifiers, location: str) -> str:
    sgln = escape(ids.sgln(location))
    return f"<readPoint><id>{sgln}</id></readPoint><bizLocation><id>{sgln}</id></bizLocation>"


def _time(at: datetime, offset: str) -> str:
    return f"<eventTime>{iso_time(at)}</eventTime><eventTimeZoneOffset>{offset}</eventTimeZoneOffset>"


def _commissioning(shipment: Shipment, ids: Identifiers, lots: Iterable[Lot]) -> Iterator[str]:
    here = _where(ids, shipment.ship_from.location)
    for lot in lots:
        yield f"<ObjectEvent>{_time(lot.at, shipment.time_zone_offset)}<epcList>"
        yield "".join(f"<epc>{escape(ids.sgtin(lot.product_code, s))}</epc>" for s in lot.serials)
        yield "</epcList><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>"
        yield f"<disposition>urn:epcglobal:cbv:disp:active</disposition>{here}<extension><ilmd>"
        yield f"<cbvmda:lotNumber>{escape(lot.batch)}</cbvmda:lotNumber>"
        yield f"<cbvmda:itemExpirationDate>{expiry_iso(lot.expiry)}</cbvmda:itemExpirationDate>"
        yield "</ilmd></extension></ObjectEvent>"


def _packing(shipment: Shipment, ids: Identifiers, nodes: Iterable[Node]) -> Iterator[str]:
    """One AggregationEvent per container, innermost first (cases before the pallet holding them)."""
    here = _where(ids, shipment.ship_from.location)
    ordered = list(nodes)
    depth: dict[str, int] = {}
    parents = {n.sscc: n.parent for n in ordered}
    for node in ordered:
        level, parent = 0, node.parent
        while parent in parents:
            level, parent = level + 1, parents[parent]
        depth[node.sscc] = level
    for node in sorted(ordered, key=lambda n: -depth[n.sscc]):
        children = [ids.sscc(s) for s in node.child_ssccs] + [ids.sgtin(c, s) for c, s in node.packs]
        yield f"<AggregationEvent>{_time(shipment.at, shipment.time_zone_offset)}"
        yield f"<parentID>{escape(ids.sscc(node.sscc))}</parentID><childEPCs>"
        yield "".join(f"<epc>{escape(c)}</epc>" for c in children)
        yield "</childEPCs><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>"
        yield f"<disposition>urn:epcglobal:cbv:disp:in_progress</disposition>{here}</AggregationEvent>"


def _party_element(tag: str, kind: str, value: str) -> str:
    return f'<{tag} type="urn:epcglobal:cbv:sdt:{kind}">{escape(value)}</{tag}>'


def _shipping(shipment: Shipment, ids: Identifiers, sender_gln: str) -> Iterator[str]:
    epcs = [ids.sscc(s) for s in shipment.shipped_ssccs] + [ids.sgtin(c, s) for c, s in shipment.loose_packs]
    yield f"<ObjectEvent>{_time(shipment.at, shipment.time_zone_offset)}<epcList>"
    yield "".join(f"<epc>{escape(e)}</epc>" for e in epcs)
    yield "</epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>"
    yield "<disposition>urn:epcglobal:cbv:disp:in_transit</disposition>"
    yield f"<readPoint><id>{escape(ids.sgln(shipment.ship_from.location))}</id></readPoint>"
    transactions = []
    buyer = (shipment.sold_to or shipment.ship_to).gln
    if shipment.po_number:
        transactions.append(("po", f"urn:epcglobal:cbv:bt:{buyer}:{shipment.po_number}"))
    if shipment.despatch_advice:
        transactions.append(("desadv", f"urn:epcglobal:cbv:bt:{sender_gln}:{shipment.despatch_advice}"))
    if transactions:
        yield "<bizTransactionList>"
        for kind, value in transactions:
            yield f'<bizTransaction type="urn:epcglobal:cbv:btt:{kind}">{escape(value)}</bizTransaction>'
        yield "</bizTransactionList>"
    owner_to = shipment.sold_to or shipment.ship_to
    yield "<extension><sourceList>"
    yield _party_element("source", "owning_party", ids.sgln(shipment.ship_from.gln))
    yield _party_element("source", "location", ids.sgln(shipment.ship_from.location))
    yield "</sourceList><destinationList>"
    yield _party_element("destination", "owning_party", ids.sgln(owner_to.gln))
    yield _party_element("destination", "location", ids.sgln(shipment.ship_to.location))
    yield "</destinationList></extension><gs1ushc:dropShipment>false</gs1ushc:dropShipment></ObjectEvent>"


def shipment_document(
    header: Header,
    shipment: Shipment,
    products: dict[str, ProductData],
    lots: Iterable[Lot],
    nodes: Iterable[Node],
) -> bytes:
    """The EPCIS 1.2 document of one shipment: ``lots`` are its packs, ``nodes`` its containers."""
    ids = Identifiers(products, header.sender.company_prefixes)
    created = iso_time(header.created)

    def chunks() -> Iterator[str]:
        yield '<?xml version="1.0" encoding="UTF-8"?>\n'
        yield (
            '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" xmlns:cbvmda="urn:epcglobal:cbv:mda"'
            ' xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"'
            f' xmlns:gs1ushc="http://epcis.gs1us.org/hc/ns" schemaVersion="1.2" creationDate="{created}">'
        )
        yield "<EPCISHeader><sbdh:StandardBusinessDocumentHeader><sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>"
        for role, party in (("Sender", shipment.ship_from), ("Receiver", shipment.sold_to or shipment.ship_to)):
            ident = escape(ids.sgln(party.gln))
            yield f'<sbdh:{role}><sbdh:Identifier Authority="GS1">{ident}</sbdh:Identifier></sbdh:{role}>'
        yield "<sbdh:DocumentIdentification><sbdh:Standard>EPCglobal</sbdh:Standard>"
        yield f"<sbdh:TypeVersion>1.0</sbdh:TypeVersion><sbdh:InstanceIdentifier>{header.document_id}"
        yield "</sbdh:InstanceIdentifier><sbdh:Type>Events</sbdh:Type>"
        yield f"<sbdh:CreationDateAndTime>{created}</sbdh:CreationDateAndTime></sbdh:DocumentIdentification>"
        yield "</sbdh:StandardBusinessDocumentHeader>"
        yield from _master_data(header, shipment, ids)
        yield "<gs1ushc:guidelineVersion>GS1 US DSCSA R1.3</gs1ushc:guidelineVersion>"
        yield "<gs1ushc:dscsaTransactionStatement><gs1ushc:affirmTransactionStatement>true"
        yield f"</gs1ushc:affirmTransactionStatement><gs1ushc:legalNotice>{escape(LEGAL_NOTICE)}"
        yield "</gs1ushc:legalNotice></gs1ushc:dscsaTransactionStatement></EPCISHeader><EPCISBody><EventList>"
        yield from _commissioning(shipment, ids, lots)
        yield from _packing(shipment, ids, nodes)
        yield from _shipping(shipment, ids, shipment.ship_from.gln)
        yield "</EventList></EPCISBody></epcis:EPCISDocument>\n"

    return encode(chunks())
