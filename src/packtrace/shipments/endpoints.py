"""Manufacturer V2 API: shipments. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from packtrace.aggregation.schemas import TradeItem
from packtrace.auth.principal import ApiCaller
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.validation import NoNul
from packtrace.shipments.facts import PartyLocation
from packtrace.shipments.schemas import PartyRead, ShipmentCreate, ShipmentRead
from packtrace.shipments.service import ShipmentRequest, ShipmentView, shipment_service

router = APIRouter(tags=["Shipments"])

ShipmentIdQuery = Annotated[str, Query(min_length=1, max_length=64, description="the shipment's id"), NoNul]


def _party(found: PartyLocation) -> PartyRead:
    return PartyRead(
        name=found.partner_name,
        gln=found.partner_gln,
        sgln=found.sgln or None,
        location_name=found.location_name or None,
    )


def shipment_read(view: ShipmentView) -> ShipmentRead:
    shipment = view.shipment
    return ShipmentRead(
        shipment_id=shipment.shipment_id,
        status=shipment.status,
        ship_to=_party(view.ship_to),
        sold_to=_party(view.sold_to) if view.sold_to else None,
        po_number=shipment.po_number,
        despatch_advice=shipment.despatch_advice,
        ssccs=view.ssccs,
        trade_items=[TradeItem(product_code=code, serial=serial) for code, serial in view.trade_items],
        pack_count=view.pack_count,
        container_count=view.container_count,
        created_at=shipment.created_at,
        voided_at=shipment.voided_at,
    )


@router.post("/shipments", summary="Ship")
def ship(body: ShipmentCreate, caller: ApiCaller, session: DbSession) -> Envelope[ShipmentRead]:
    """The listed SSCCs and loose trade items, with everything inside them, leave for `ship_to`.

    Everything must be commissioned (Active or Commissioned), not shipped already, not of a recalled or
    withdrawn batch; listed containers must hold something and not sit in a container that stays. For
    products registered for the EU, each batch's upload must have been acknowledged by the EU Hub
    (409 naming the batches otherwise). A `shipment_id` is used once (409). All or nothing; afterwards
    the packs and containers cannot be aggregated, disaggregated or decommissioned until the shipment is
    voided."""
    request = ShipmentRequest(
        shipment_id=body.shipment_id,
        ship_to=body.ship_to,
        sold_to=body.sold_to,
        po_number=body.po_number,
        despatch_advice=body.despatch_advice,
        ssccs=body.ssccs,
        trade_items=[(item.product_code, item.serial) for item in body.trade_items],
    )
    view = shipment_service.ship(session, caller.tenant_id, request, caller.actor)
    return Envelope(message="Shipment recorded", data=shipment_read(view))


@router.get("/shipments", summary="Shipment")
def get_shipment(shipment_id: ShipmentIdQuery, caller: ApiCaller, session: DbSession) -> Envelope[ShipmentRead]:
    """The shipment, its state and counts; 404 for an id the tenant does not have."""
    view = shipment_service.view(session, caller.tenant_id, shipment_id)
    return Envelope(message="Shipment", data=shipment_read(view))


@router.delete("/shipments", summary="Void a shipment")
def void_shipment(shipment_id: ShipmentIdQuery, caller: ApiCaller, session: DbSession) -> Envelope[ShipmentRead]:
    """Before delivery: the packs and containers are back at the site (EPCIS `void_shipping`). A voided
    shipment stays, Voided, and its id is not used again."""
    view = shipment_service.void(session, caller.tenant_id, shipment_id, caller.actor)
    return Envelope(message="Shipment voided", data=shipment_read(view))
