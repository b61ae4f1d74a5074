"""Management API (``/api/``) for market profiles: everyone reads them, Support and Administrators
change them."""

from __future__ import annotations

from fastapi import APIRouter

from packtrace.audit.schemas import ReasonQuery
from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.deps import Context, DbSession
from packtrace.kit.envelope import Envelope
from packtrace.markets.schemas import DestinationRead, MarketCreate, MarketRead, MarketUpdate
from packtrace.markets.service import market_service
from packtrace.models import MarketProfile

router = APIRouter(tags=["Management: markets"])


def destination_read(profile: MarketProfile) -> DestinationRead | None:
    if profile.destination_kind is None:
        return None
    return DestinationRead(
        kind=profile.destination_kind,
        url=profile.destination_url,
        path=profile.destination_path,
        auth_header="set" if profile.destination_auth_encrypted else None,
    )


def market_read(profile: MarketProfile) -> MarketRead:
    return MarketRead(
        market=profile.market,
        name=profile.name,
        destination=destination_read(profile),
        created_at=profile.created_at,
    )


@router.get("/markets", summary="List the tenant's market profiles")
def list_markets(user: AnyUser, session: DbSession) -> Envelope[list[MarketRead]]:
    profiles = market_service.list_all(session, user.tenant_id)
    return Envelope(message="Market profiles", data=[market_read(p) for p in profiles])


@router.post("/markets", summary="Add a market profile (Support, Administrator)")
def create_market(body: MarketCreate, user: SupportUser, session: DbSession) -> Envelope[MarketRead]:
    profile = market_service.add(session, user.tenant_id, body.market, body.name, body.reason)
    return Envelope(message="Market profile created", data=market_read(profile))


@router.patch(
    "/markets/{market}", summary="Rename a market profile or set its reports' destination (Support, Administrator)"
)
def update_market(
    market: str, body: MarketUpdate, user: SupportUser, session: DbSession, context: Context
) -> Envelope[MarketRead]:
    """`destination`: `{"kind": "http", "url", "auth_header"?: "Name: value"}` (the header is stored
    encrypted and shown back only as `"set"`), `{"kind": "folder", "path"}` (a folder under the server's
    `PACKTRACE_REPORT_DIR`), or `null` (reports wait, Pending, for a destination)."""
    profile = market_service.update(
        session,
        user.tenant_id,
        market,
        server_key=context.server_key,
        report_dir=context.settings.report_dir,
        name=body.name,
        destination=body.destination,
        set_destination="destination" in body.model_fields_set,
        reason=body.reason,
    )
    return Envelope(message="Market profile updated", data=market_read(profile))


@router.delete("/markets/{market}", summary="Remove a market profile (Support, Administrator)")
def delete_market(
    market: str, user: SupportUser, session: DbSession, reason: ReasonQuery = None
) -> Envelope[MarketRead]:
    """Refused while unfinished packaging orders are for the market."""
    profile = market_service.remove(session, user.tenant_id, market, reason)
    return Envelope(message="Market profile deleted", data=market_read(profile))
