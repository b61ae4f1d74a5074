"""Management API (``/api/``) for market profiles: everyone reads them, Support and Administrators
change them."""

from __future__ import annotations

from fastapi import APIRouter

from packtrace.audit.schemas import ReasonQuery
from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.markets.schemas import MarketCreate, MarketRead
from packtrace.markets.service import market_service
from packtrace.models import MarketProfile

router = APIRouter(tags=["Management: markets"])


def market_read(profile: MarketProfile) -> MarketRead:
    return MarketRead(market=profile.market, name=profile.name, created_at=profile.created_at)


@router.get("/markets", summary="List the tenant's market profiles")
def list_markets(user: AnyUser, session: DbSession) -> Envelope[list[MarketRead]]:
    profiles = market_service.list_all(session, user.tenant_id)
    return Envelope(message="Market profiles", data=[market_read(p) for p in profiles])


@router.post("/markets", summary="Add a market profile (Support, Administrator)")
def create_market(body: MarketCreate, user: SupportUser, session: DbSession) -> Envelope[MarketRead]:
    profile = market_service.add(session, user.tenant_id, body.market, body.name, body.reason)
    return Envelope(message="Market profile created", data=market_read(profile))


@router.delete("/markets/{market}", summary="Remove a market profile (Support, Administrator)")
def delete_market(
    market: str, user: SupportUser, session: DbSession, reason: ReasonQuery = None
) -> Envelope[MarketRead]:
    """Refused while unfinished packaging orders are for the market."""
    profile = market_service.remove(session, user.tenant_id, market, reason)
    return Envelope(message="Market profile deleted", data=market_read(profile))
