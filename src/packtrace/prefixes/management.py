"""Management API (``/api/``) for the tenant's GS1 company prefixes: everyone reads them, only an
Administrator registers or removes one (they decide which GS1 keys the tenant may make)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from packtrace.auth.principal import AdminUser, AnyUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.models import CompanyPrefix
from packtrace.prefixes.schemas import CompanyPrefixCreate, CompanyPrefixRead
from packtrace.prefixes.service import company_prefix_service

router = APIRouter(tags=["Management: GS1 company prefixes"])

PrefixPath = Annotated[str, Path(min_length=1, max_length=12)]


def prefix_read(row: CompanyPrefix) -> CompanyPrefixRead:
    return CompanyPrefixRead(prefix=row.prefix, partner=row.partner, own=row.partner is None, created_at=row.created_at)


@router.get("/company_prefixes", summary="List the tenant's GS1 company prefixes")
def list_prefixes(user: AnyUser, session: DbSession) -> Envelope[list[CompanyPrefixRead]]:
    rows = company_prefix_service.list_all(session, user.tenant_id)
    return Envelope(message="GS1 company prefixes", data=[prefix_read(row) for row in rows])


@router.post("/company_prefixes", summary="Register a GS1 company prefix (Administrator)")
def register_prefix(body: CompanyPrefixCreate, admin: AdminUser, session: DbSession) -> Envelope[CompanyPrefixRead]:
    """Products are registered only under the tenant's prefixes (own or a partner's) and SSCCs made only
    under its own."""
    row = company_prefix_service.register(session, admin.tenant_id, body.prefix, body.partner)
    return Envelope(message="GS1 company prefix registered", data=prefix_read(row))


@router.delete("/company_prefixes/{prefix}", summary="Remove a GS1 company prefix (Administrator)")
def remove_prefix(prefix: PrefixPath, admin: AdminUser, session: DbSession) -> Envelope[CompanyPrefixRead]:
    """Refused while products are registered under it."""
    row = company_prefix_service.remove(session, admin.tenant_id, prefix)
    return Envelope(message="GS1 company prefix removed", data=prefix_read(row))
