"""Management API (``/api/``) for batch recalls and withdrawals: everyone lists them, Support and
Administrators recall."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.batches.repository import RecallRow
from packtrace.batches.schemas import RecallCreate, RecallPage, RecallRead
from packtrace.batches.service import recall_service
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.kit.validation import NoNul

router = APIRouter(tags=["Management: batch recalls"])


def recall_read(row: RecallRow) -> RecallRead:
    return RecallRead(
        product_code=row.product_code,
        batch=row.batch,
        kind=row.kind,
        reason=row.reason,
        actor=row.actor,
        created_at=row.created_at,
    )


@router.post("/batches/recall", summary="Recall or withdraw a batch (Support, Administrator)")
def recall_batch(body: RecallCreate, user: SupportUser, session: DbSession) -> Envelope[RecallRead]:
    """Irreversible: none of the batch's packs may be commissioned, aggregated or shipped any more, and a
    second call for the batch is a 409. The markets it was reported to are told."""
    row = recall_service.recall(
        session, user.tenant_id, body.product_code, body.batch, body.kind, body.reason, user.actor
    )
    message = "Batch recalled" if row.kind == "recall" else "Batch withdrawn"
    return Envelope(message=message, data=recall_read(row))


@router.get("/batches/recalls", summary="Recalled and withdrawn batches, paged")
def list_recalls(
    user: AnyUser,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    cursor: Annotated[str | None, Query(max_length=200), NoNul] = None,
) -> Envelope[RecallPage]:
    """Oldest first; pass `next_cursor` back as `cursor` for the next page."""
    rows, next_cursor = recall_service.page(session, user.tenant_id, limit, cursor)
    return Envelope(
        message="Batch recalls", data=RecallPage(recalls=[recall_read(r) for r in rows], next_cursor=next_cursor)
    )
