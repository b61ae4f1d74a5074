"""Which fact sends which market report: each handler builds the document and enqueues it in the fact's
own transaction (``outbox.enqueue``), so a report exists exactly when its fact does.

Only markets the tenant has a profile for are reported to. The EU, China and Indonesia hear of a batch
when it is commissioned to their market; the US hears of packs per shipment (DSCSA), never per batch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.orm import Session

from packtrace.batches.facts import BatchRecalled
from packtrace.gs1.gln import parse_sgln
from packtrace.kit.facts import subscribe
from packtrace.models.enums import Market, ReportKind
from packtrace.packs.facts import BatchCommissionedToMarket, PacksDecommissioned
from packtrace.products.facts import ProductMasterDataChanged
from packtrace.reporting.documents import chn, dscsa, eu, idn, sources
from packtrace.reporting.documents.model import Header
from packtrace.reporting.outbox import batch_stream, enqueue, product_stream, shipment_stream
from packtrace.shipments.facts import PacksShipped, PartyLocation

BATCH_MARKETS = (Market.EU.value, Market.CHN.value, Market.IDN.value)


def _header(session: Session, tenant_id: int, at: datetime) -> Header:
    return Header(created=at, sender=sources.sender(session, tenant_id))


def on_product_changed(session: Session, fact: ProductMasterDataChanged) -> None:
    if Market.EU.value not in fact.markets or Market.EU.value not in sources.profiles(session, fact.tenant_id):
        return
    found = sources.product(session, fact.tenant_id, fact.product_code)
    if found is None:
        return
    document = eu.master_data(_header(session, fact.tenant_id, fact.at), found[1])
    enqueue(
        session,
        tenant_id=fact.tenant_id,
        market=Market.EU.value,
        kind=ReportKind.EU_MASTER_DATA,
        stream=product_stream(fact.product_code),
        subject=f"master data of {fact.product_code}" + (" (registered)" if fact.created else " (changed)"),
        media_type=eu.MEDIA_TYPE,
        document=document,
    )


def on_batch_commissioned(session: Session, fact: BatchCommissionedToMarket) -> None:
    """The batch report of each market the batch is for: the one named, else its orders' markets."""
    if fact.commissioned == 0:  # a retry released nothing new
        return
    found = sources.product(session, fact.tenant_id, fact.product_code)
    if found is None:
        return
    product_id, product = found
    markets = {fact.market} if fact.market else sources.batch_markets(session, fact.tenant_id, product_id, fact.batch)
    markets &= sources.profiles(session, fact.tenant_id) & set(BATCH_MARKETS)
    if not markets:
        return
    header = _header(session, fact.tenant_id, fact.at)
    stream = batch_stream(fact.product_code, fact.batch)
    for expiry in sources.commissioned_at(session, fact.tenant_id, product_id, fact.batch, fact.at):
        if Market.EU.value in markets:
            serials = sources.released_serials(session, fact.tenant_id, product_id, fact.batch, expiry, fact.at)
            document = eu.batch_upload(header, product, fact.batch, expiry, serials)
            _enqueue_batch(session, fact, Market.EU.value, ReportKind.EU_BATCH_UPLOAD, stream, document, eu.MEDIA_TYPE)
        for market, module, kind in (
            (Market.CHN.value, chn, ReportKind.CHN_BATCH),
            (Market.IDN.value, idn, ReportKind.IDN_BATCH),
        ):
            if market not in markets:
                continue
            packs = sources.released_packs(session, fact.tenant_id, product_id, fact.batch, expiry, fact.at)
            containers = sources.hierarchy(session, fact.tenant_id, (c for _s, c in packs))
            nodes = sources.nodes(containers, ((product.code, s, c) for s, c in packs))
            pack_rows = [(s, containers[c][0] if c in containers else None) for s, c in packs]
            document = module.batch_report(header, product, fact.batch, expiry, pack_rows, nodes)
            _enqueue_batch(session, fact, market, kind, stream, document, module.MEDIA_TYPE)


def _enqueue_batch(
    session: Session,
    fact: BatchCommissionedToMarket,
    market: str,
    kind: ReportKind,
    stream: str,
    document: bytes,
    media_type: str,
) -> None:
    enqueue(
        session,
        tenant_id=fact.tenant_id,
        market=market,
        kind=kind,
        stream=stream,
        subject=f"batch {fact.batch} of {fact.product_code}",
        media_type=media_type,
        document=document,
    )


def on_decommissioned(session: Session, fact: PacksDecommissioned) -> None:
    """EU pack status updates, for packs that had been released to the market (an Active pack never
    reached the EU Hub), one report per batch so that each follows its batch's upload."""
    if Market.EU.value not in sources.profiles(session, fact.tenant_id):
        return
    found = sources.product(session, fact.tenant_id, fact.product_code)
    if found is None or Market.EU.value not in found[1].markets:
        return
    product_id, product = found
    by_batch: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for serial, batch, reason in sources.market_commissioned(session, fact.tenant_id, product_id, fact.serials):
        by_batch[batch].append((serial, batch, reason))
    header = _header(session, fact.tenant_id, fact.at)
    for batch, updates in sorted(by_batch.items()):
        enqueue(
            session,
            tenant_id=fact.tenant_id,
            market=Market.EU.value,
            kind=ReportKind.EU_PACK_STATUS,
            stream=batch_stream(fact.product_code, batch),
            subject=f"{len(updates)} packs of batch {batch} of {fact.product_code} {fact.reason.lower()}",
            media_type=eu.MEDIA_TYPE,
            document=eu.pack_status(header, product, updates),
        )


def on_recalled(session: Session, fact: BatchRecalled) -> None:
    if Market.EU.value not in sources.profiles(session, fact.tenant_id):
        return
    found = sources.product(session, fact.tenant_id, fact.product_code)
    if found is None or Market.EU.value not in found[1].markets:
        return
    document = eu.batch_recall(_header(session, fact.tenant_id, fact.at), found[1], fact.batch, fact.kind, fact.reason)
    enqueue(
        session,
        tenant_id=fact.tenant_id,
        market=Market.EU.value,
        kind=ReportKind.EU_BATCH_RECALL,
        stream=batch_stream(fact.product_code, fact.batch),
        subject=f"batch {fact.batch} of {fact.product_code}: {fact.kind}",
        media_type=eu.MEDIA_TYPE,
        document=document,
    )


def _party(location: PartyLocation) -> dscsa.Party:
    """The party with its location as GLN(.extension), the form the DSCSA document's EPC URNs are made
    from: a shipment names locations by their Digital Link SGLN, and a party named by its GLN alone (no
    location) is at that GLN."""
    sgln = location.sgln
    if sgln.startswith(("https://", "http://")):
        gln, extension = parse_sgln(sgln)
        sgln = f"{gln}.{extension}" if extension else gln
    elif not sgln:
        sgln = location.partner_gln
    elif sgln.isdigit() and len(sgln) > 13:  # GLN and extension run together
        sgln = f"{sgln[:13]}.{sgln[13:]}"
    return dscsa.Party(location.partner_name, location.partner_gln, sgln, location.address, location.us_state_license)


def on_shipped(session: Session, fact: PacksShipped) -> None:
    """The DSCSA document of a shipment holding US products: everything shipped, and nothing else."""
    if Market.US.value not in sources.profiles(session, fact.tenant_id):
        return
    containers = sources.descendants(session, fact.tenant_id, fact.ssccs)
    packs = sources.packs_in(session, fact.tenant_id, list(containers)) + sources.loose_packs(
        session, fact.tenant_id, fact.trade_items
    )
    products = sources.products_by_id(session, fact.tenant_id, (row[0] for row in packs))
    if not any(Market.US.value in p.markets for p in products.values()):
        return
    lots: dict[tuple[str, str, str], list[tuple[str, datetime]]] = defaultdict(list)
    for _pid, code, serial, batch, expiry, at, _container in packs:
        lots[(code, batch, expiry)].append((serial, at))
    header = _header(session, fact.tenant_id, fact.at)
    own = sources.own_gln(header.sender)
    location = own + (f".{header.sender.gln_extension}" if header.sender.gln_extension else "")
    shipment = dscsa.Shipment(
        shipment_id=fact.shipment_id,
        at=fact.at,
        ship_from=dscsa.Party(header.sender.name, own, location),
        ship_to=_party(fact.ship_to),
        sold_to=_party(fact.sold_to) if fact.sold_to else None,
        po_number=fact.po_number,
        despatch_advice=fact.despatch_advice,
        shipped_ssccs=fact.ssccs,
        loose_packs=fact.trade_items,
    )
    document = dscsa.shipment_document(
        header,
        shipment,
        {p.code: p for p in products.values()},
        (
            dscsa.Lot(code, batch, expiry, tuple(s for s, _ in found), min(at for _, at in found))
            for (code, batch, expiry), found in sorted(lots.items())
        ),
        sources.nodes(containers, ((row[1], row[2], row[6]) for row in packs)),
    )
    enqueue(
        session,
        tenant_id=fact.tenant_id,
        market=Market.US.value,
        kind=ReportKind.US_DSCSA_SHIPMENT,
        stream=shipment_stream(fact.shipment_id),
        subject=f"shipment {fact.shipment_id} to {fact.ship_to.partner_name}",
        media_type=dscsa.MEDIA_TYPE,
        document=document,
    )


def wire() -> None:
    """Subscribe the report triggers (called from ``packtrace.subscribers``)."""
    subscribe(ProductMasterDataChanged, on_product_changed)
    subscribe(BatchCommissionedToMarket, on_batch_commissioned)
    subscribe(PacksDecommissioned, on_decommissioned)
    subscribe(BatchRecalled, on_recalled)
    subscribe(PacksShipped, on_shipped)
