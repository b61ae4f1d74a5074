"""Management API (``/api/``) for trading partners: everyone reads them, Support and Administrators
change them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from packtrace.audit.schemas import ReasonQuery
from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.kit.validation import NoNul
from packtrace.partners.schemas import (
    LocationBody,
    LocationRead,
    PartnerCreate,
    PartnerPage,
    PartnerRead,
    PartnerUpdate,
)
from packtrace.partners.service import LocationInput, PartnerView, location_uri, partner_service

router = APIRouter(tags=["Management: trading partners"])

GlnPath = Annotated[str, Path(min_length=1, max_length=13)]


def partner_read(view: PartnerView) -> PartnerRead:
    partner = view.partner
    return PartnerRead(
        name=partner.name,
        gln=partner.gln,
        us_state_license=partner.us_state_license,
        locations=[
            LocationRead(
                sgln=location_uri(row), gln=row.gln, extension=row.extension or None, name=row.name, address=row.address
            )
            for row in view.locations
        ],
        created_at=partner.created_at,
        updated_at=partner.updated_at,
    )


def _locations(bodies: list[LocationBody]) -> list[LocationInput]:
    return [LocationInput(body.sgln, body.name, body.address) for body in bodies]


@router.get("/partners", summary="The tenant's trading partners, paged")
def list_partners(
    user: AnyUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    cursor: Annotated[str | None, Query(max_length=200), NoNul] = None,
) -> Envelope[PartnerPage]:
    """Oldest first; pass `next_cursor` back as `cursor` for the next page."""
    views, next_cursor = partner_service.page(session, user.tenant_id, limit, cursor)
    return Envelope(
        message="Trading partners", data=PartnerPage(partners=[partner_read(v) for v in views], next_cursor=next_cursor)
    )


@router.post("/partners", summary="Register a trading partner (Support, Administrator)")
def create_partner(body: PartnerCreate, user: SupportUser, session: DbSession) -> Envelope[PartnerRead]:
    """Locations are SGLNs as GS1 Digital Link URIs (`https://id.gs1.org/414/{gln}[/254/{extension}]`);
    a location belongs to one partner only."""
    view = partner_service.create(
        session,
        user.tenant_id,
        name=body.name,
        gln=body.gln,
        locations=_locations(body.locations),
        us_state_license=body.us_state_license,
        reason=body.reason,
    )
    return Envelope(message="Trading partner created", data=partner_read(view))


@router.get("/partners/{gln}", summary="One trading partner")
def get_partner(gln: GlnPath, user: AnyUser, session: DbSession) -> Envelope[PartnerRead]:
    return Envelope(message="Trading partner", data=partner_read(partner_service.view(session, user.tenant_id, gln)))


@router.patch("/partners/{gln}", summary="Change a trading partner (Support, Administrator)")
def update_partner(gln: GlnPath, body: PartnerUpdate, user: SupportUser, session: DbSession) -> Envelope[PartnerRead]:
    """The GLN never changes. `locations` replaces the list; a location shipments went to stays."""
    view = partner_service.update(
        session,
        user.tenant_id,
        gln,
        name=body.name,
        locations=_locations(body.locations) if body.locations is not None else None,
        us_state_license=body.us_state_license,
        reason=body.reason,
    )
    return Envelope(message="Trading partner updated", data=partner_read(view))


@router.delete("/partners/{gln}", summary="Delete a trading partner (Support, Administrator)")
def delete_partner(
    gln: GlnPath, user: SupportUser, session: DbSession, reason: ReasonQuery = None
) -> Envelope[PartnerRead]:
    """Refused once a shipment names the partner or one of its locations."""
    view = partner_service.remove(session, user.tenant_id, gln, reason)
    return Envelope(message="Trading partner deleted", data=partner_read(view))
