"""The shipping events of the EPCIS log: subscribed to ``PacksShipped`` and ``ShipmentVoided``.

A shipment is one ObjectEvent OBSERVE, bizStep ``shipping``, disposition ``in_transit``, naming what was
listed (an SSCC stands for everything inside it, as its packing events say), with the purchase order and
despatch advice (CBV 2.0 business transaction types ``po`` and ``desadv``) and who and where it leaves
(``sourceList``) and goes to (``destinationList``). A void is the CBV's ``void_shipping`` OBSERVE of
the same identifiers, disposition ``in_progress``: they are at the site, in the supply chain's hands
again."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from packtrace.epcis import identifiers, repository
from packtrace.epcis.events import object_event
from packtrace.epcis.service import CAPTURING, epcis_service
from packtrace.kit.facts import subscribe
from packtrace.shipments.facts import PacksShipped, ShipmentVoided


def party(gln: str) -> str:
    """A party (PGLN) as a Digital Link URI: ``https://id.gs1.org/417/{gln}``."""
    return f"{identifiers.ID_BASE}/417/{gln}"


def business_transaction(owner_gln: str, reference: str) -> str:
    """A CBV business transaction identifier: ``urn:epcglobal:cbv:bt:{gln}:{reference}``, the GLN of the
    party that issued the document and its own reference (percent-encoded)."""
    return f"urn:epcglobal:cbv:bt:{owner_gln}:{quote(reference, safe='')}"


def _epcs(ssccs: tuple[str, ...], trade_items: tuple[tuple[str, str], ...]) -> list[str]:
    return [identifiers.sscc(code) for code in ssccs] + [
        identifiers.sgtin(code, serial) for code, serial in trade_items
    ]


def shipping_event(session: Session, fact: PacksShipped) -> dict[str, Any]:
    where = epcis_service.where(session, fact.tenant_id)
    _, site_gln, _ = repository.tenant_site(session, fact.tenant_id)
    event = object_event(fact.at, where, _epcs(fact.ssccs, fact.trade_items), "OBSERVE", "shipping", "in_transit")
    buyer = fact.sold_to.partner_gln if fact.sold_to else fact.ship_to.partner_gln
    transactions = []
    if fact.po_number:
        transactions.append({"type": "po", "bizTransaction": business_transaction(buyer, fact.po_number)})
    if fact.despatch_advice:
        # The despatch advice is the shipper's document: under our GLN when the site has one.
        transactions.append(
            {"type": "desadv", "bizTransaction": business_transaction(site_gln or buyer, fact.despatch_advice)}
        )
    if transactions:
        event["bizTransactionList"] = transactions
    sources = []
    if site_gln:
        sources.append({"type": "owning_party", "source": party(site_gln)})
    if where.biz_location:
        sources.append({"type": "location", "source": where.biz_location})
    if sources:
        event["sourceList"] = sources
    event["destinationList"] = [
        {"type": "owning_party", "destination": party(fact.ship_to.partner_gln)},
        {"type": "location", "destination": fact.ship_to.sgln},
    ]
    return event


def void_event(session: Session, fact: ShipmentVoided) -> dict[str, Any]:
    where = epcis_service.where(session, fact.tenant_id)
    epcs = _epcs(fact.ssccs, fact.trade_items)
    return object_event(fact.at, where, epcs, "OBSERVE", "void_shipping", "in_progress")


def on_shipped(session: Session, fact: PacksShipped) -> None:
    if session.info.get(CAPTURING):
        return  # the captured event is the fact's event (epcis.capture)
    epcis_service.record(session, fact.tenant_id, shipping_event(session, fact))


def on_voided(session: Session, fact: ShipmentVoided) -> None:
    if session.info.get(CAPTURING):
        return
    epcis_service.record(session, fact.tenant_id, void_event(session, fact))


def wire() -> None:
    """Subscribe the log to shipments (called from ``packtrace.subscribers``)."""
    subscribe(PacksShipped, on_shipped)
    subscribe(ShipmentVoided, on_voided)
