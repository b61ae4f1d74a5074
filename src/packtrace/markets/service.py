"""Rules for market profiles."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change, snapshot
from packtrace.kit.errors import ConflictError, NotFoundError, ValidationError
from packtrace.kit.security import encrypt_secret
from packtrace.markets import repository
from packtrace.markets.destination import AUTH_PURPOSE, check_url, folder_under, parse_auth_header
from packtrace.markets.schemas import FolderDestination, HttpDestination
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
# The destination as audited: the encrypted auth header is a secret, recorded only as changed.
AUDITED_DESTINATION = ("destination_kind", "destination_url", "destination_path", "destination_auth_encrypted")
_SECRETS = ("destination_auth_encrypted",)


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

    def update(
        self,
        session: Session,
        tenant_id: int,
        market: str,
        *,
        server_key: bytes,
        report_dir: Path | None,
        name: str | None = None,
        destination: HttpDestination | FolderDestination | None = None,
        set_destination: bool = False,
        keep_auth_header: bool = False,
        reason: str | None = None,
    ) -> MarketProfile:
        """Renames the profile and, with ``set_destination``, replaces its destination (None: removes it).
        ``keep_auth_header``: an http destination sent without a header keeps the stored one (a form
        cannot show it back to be sent again)."""
        code = parse_market(market)
        profile = repository.profile(session, tenant_id, code.value)
        if profile is None:
            raise NotFoundError.on_field("market", f"no market profile {code.value}")
        before = snapshot(profile, AUDITED + AUDITED_DESTINATION)
        if name is not None:
            profile.name = name.strip() or code.value
        if set_destination:
            kept = profile.destination_auth_encrypted if profile.destination_kind == "http" else None
            _apply_destination(profile, destination, server_key, report_dir)
            keep = keep_auth_header and isinstance(destination, HttpDestination) and destination.auth_header is None
            if keep and kept is not None:
                profile.destination_auth_encrypted = kept
        after = snapshot(profile, AUDITED + AUDITED_DESTINATION)
        if after != before:
            session.flush()
            publish_change(
                session, tenant_id, "market", code.value, "updated", before, after, reason=reason, secrets=_SECRETS
            )
        return profile

    def list_all(self, session: Session, tenant_id: int) -> list[MarketProfile]:
        return list(repository.profiles(session, tenant_id))

    def has(self, session: Session, tenant_id: int, market: Market) -> bool:
        return repository.profile(session, tenant_id, market.value) is not None


market_service = MarketService()


def _apply_destination(
    profile: MarketProfile,
    destination: HttpDestination | FolderDestination | None,
    server_key: bytes,
    report_dir: Path | None,
) -> None:
    profile.destination_kind = profile.destination_url = profile.destination_path = None
    profile.destination_auth_encrypted = None
    if isinstance(destination, HttpDestination):
        profile.destination_kind = "http"
        profile.destination_url = check_url(destination.url)
        if destination.auth_header is not None:
            name, value = parse_auth_header(destination.auth_header)
            profile.destination_auth_encrypted = encrypt_secret(server_key, AUTH_PURPOSE, f"{name}: {value}")
    elif isinstance(destination, FolderDestination):
        folder_under(report_dir, destination.path)
        profile.destination_kind = "folder"
        profile.destination_path = destination.path.strip().replace("\\", "/")
