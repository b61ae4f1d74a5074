"""Management API (``/api/``) for the audit trail: Support and Administrators read it, nobody writes it
(records are written by the changes themselves)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from packtrace.audit.repository import AuditFilter
from packtrace.audit.schemas import AuditPageRead, AuditRecordRead
from packtrace.audit.service import audit_service, in_utc
from packtrace.auth.principal import SupportUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.kit.validation import NoNul
from packtrace.models import AuditRecord

router = APIRouter(tags=["Management: audit trail"])

Text = Annotated[str | None, Query(max_length=255), NoNul]


def audit_record_read(record: AuditRecord) -> AuditRecordRead:
    return AuditRecordRead(
        sequence=record.sequence,
        recorded_at=record.recorded_at,
        actor=record.actor,
        entity=record.entity,
        entity_id=record.entity_id,
        action=record.action,
        changes=json.loads(record.changes),
        reason=record.reason,
        previous_hash=record.previous_hash,
        hash=record.hash,
    )


@router.get("/audit", summary="The tenant's audit trail, newest first, paged (Support, Administrator)")
def list_audit(
    user: SupportUser,
    session: DbSession,
    entity: Text = None,
    entity_id: Text = None,
    actor: Annotated[
        str | None, Query(max_length=255, description="a part of the actor, e.g. an e-mail"), NoNul
    ] = None,
    since: Annotated[
        datetime | None, Query(alias="from", description="records at or after (ISO 8601; UTC if no zone)")
    ] = None,
    until: Annotated[
        datetime | None, Query(alias="to", description="records before (ISO 8601; UTC if no zone)")
    ] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="the next_before of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
) -> Envelope[AuditPageRead]:
    where = AuditFilter(entity, entity_id, actor, in_utc(since, "from"), in_utc(until, "to"))
    page = audit_service.page(session, user.tenant_id, where, before, limit)
    data = AuditPageRead(records=[audit_record_read(r) for r in page.records], next_before=page.next_before)
    return Envelope(message="Audit trail", data=data)
