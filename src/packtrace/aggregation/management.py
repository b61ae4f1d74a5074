"""Management API (``/api/``) for the SSCC pool: everyone lists it, Support and Administrators fill it.

The bodies are here rather than in ``schemas.py``, which holds the Manufacturer V2 API's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from packtrace.aggregation.repository import SsccListing
from packtrace.aggregation.schemas import CompanyPrefix, ExtensionDigit
from packtrace.aggregation.service import MAX_GENERATE, sscc_pool
from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.batches import ATOMIC_GENERATE, commit_in_batches
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.kit.validation import NoNul

router = APIRouter(tags=["Management: SSCCs"])


class SsccGenerate(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    gs1_company_prefix: CompanyPrefix
    extension_digit: ExtensionDigit
    count: Annotated[int, Field(ge=1, le=MAX_GENERATE, description="new Available SSCCs to make")]
    start_reference: Annotated[
        int | None,
        Field(
            ge=0,
            description="first serial reference to use (default: after the highest in use); taken ones are skipped",
        ),
    ] = None


class SsccsGenerated(BaseModel):
    gs1_company_prefix: str
    extension_digit: int
    generated: int
    first_sscc: str | None
    last_sscc: str | None


class SsccRead(BaseModel):
    sscc: str
    status: str
    source: str
    parent: str | None = Field(description="the SSCC of the container it is in")
    created_at: datetime
    updated_at: datetime


class SsccPage(BaseModel):
    ssccs: list[SsccRead]
    next_cursor: str | None


def sscc_read(row: SsccListing) -> SsccRead:
    return SsccRead(
        sscc=row.sscc,
        status=row.status,
        source=row.source,
        parent=row.parent_sscc,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post("/ssccs/generate", summary="Generate SSCCs into the pool (Support, Administrator)")
def generate_ssccs(body: SsccGenerate, user: SupportUser, session: DbSession) -> Envelope[SsccsGenerated]:
    """Sequential serial references with their check digits, status Available: up to 200,000 in one
    transaction, more in committed batches of 200,000 (a failure keeps the batches made and says how many).
    A count the prefix has no room for is refused (409 InsufficientSerialsError) and nothing is made."""
    prefix, extension = body.gs1_company_prefix, body.extension_digit
    made, batch = sscc_pool.batches(user.tenant_id, prefix, extension, body.start_reference, user.actor)
    generated = commit_in_batches(session, body.count, ATOMIC_GENERATE, batch, noun="SSCCs")
    data = SsccsGenerated(
        gs1_company_prefix=prefix,
        extension_digit=extension,
        generated=generated,
        first_sscc=next((m.first for m in made if m.first), None),
        last_sscc=next((m.last for m in reversed(made) if m.last), None),
    )
    return Envelope(message="SSCCs generated", data=data)


@router.get("/ssccs", summary="The tenant's SSCCs, paged")
def list_ssccs(
    user: AnyUser,
    session: DbSession,
    status: Annotated[Literal["Available", "Assigned"] | None, Query()] = None,
    search: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,18}$", description="first digits of the SSCC"), NoNul
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    cursor: Annotated[str | None, Query(max_length=200), NoNul] = None,
) -> Envelope[SsccPage]:
    """Oldest first; pass `next_cursor` back as `cursor` for the next page."""
    rows, next_cursor = sscc_pool.page(session, user.tenant_id, status, search, limit, cursor)
    return Envelope(message="SSCCs", data=SsccPage(ssccs=[sscc_read(r) for r in rows], next_cursor=next_cursor))
