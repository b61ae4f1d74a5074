"""Rules for market profiles."""

from __future__ import annotations

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change, snapshot
from packtrace.kit.errors import ConflictError, NotFoundError, ValidationError
from packtrace.markets import repository
from packtrace.models import MarketProfile
from packtrace.models.enums import Market

MARKETS = ", ".join(m.value for m in Market)


def parse_market(value: str, field: str = "market") -> Market:
    try:
        return Market(value)
    except ValueError:
        raise ValidationError.on_field(field, f"{value!r} is not a market; use one of {MARKETS}") from None


# What the audit trail records of a market profile.
AUDITED = ("market", "name")


class MarketService:
    def add(
        self, session: Session, tenant_id: int, market: str, name: str = "", reason: str | None = None
    ) -> MarketProfile:
        code = parse_market(market)
        if repository.profile(session, tenant_id, code.value) is not None:
            raise ConflictError.on_field("market", f"the market profile {code.value} exists already")
        if len(name.strip()) > 255:
            raise ValidationError.on_field("name", "must be at most 255 characters")
        profile = MarketProfile(tenant_id=tenant_id, market=code.value, name=name.strip() or code.value)
        session.add(profile)
        session.flush()
        after = snapshot(profile, AUDITED)
        publish_change(session, tenant_id, "market", code.value, "created", None, after, reason=reason)
        return profile

    def remove(self, session: Session, tenant_id: int, market: str, reason: str | None = None) -> MarketProfile:
        """Removes the profile and returns it (as it was)."""
        code = parse_market(market)
        profile = repository.profile(session, tenant_id, code.value)
        if profile is None:
            raise NotFoundError.on_field("market", f"no market profile {code.value}")
        in_use = repository.open_orders_for_market(session, tenant_id, code.value)
        if in_use:
            raise ConflictError.on_field(
                "market", f"{in_use} unfinished packaging order(s) are for {code.value}; finish them first"
            )
        before = snapshot(profile, AUDITED)
        session.delete(profile)
        session.flush()
        publish_change(session, tenant_id, "market", code.value, "deleted", before, None, reason=reason)
        return profile

    def list_all(self, session: Session, tenant_id: int) -> list[MarketProfile]:
        return list(repository.profiles(session, tenant_id))

    def has(self, session: Session, tenant_id: int, market: Market) -> bool:
        return repository.profile(session, tenant_id, market.value) is not None


market_service = MarketService()
