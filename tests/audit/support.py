"""Reading the audit trail in tests: the records of a tenant, as dicts, oldest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.models import AuditRecord


@dataclass(frozen=True)
class Entry:
    sequence: int
    actor: str
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Any]
    reason: str | None


def trail(session: Session, tenant_id: int, entity: str | None = None) -> list[Entry]:
    query = select(AuditRecord).where(AuditRecord.tenant_id == tenant_id)
    if entity is not None:
        query = query.where(AuditRecord.entity == entity)
    session.expire_all()
    return [
        Entry(r.sequence, r.actor, r.entity, r.entity_id, r.action, json.loads(r.changes), r.reason)
        for r in session.scalars(query.order_by(AuditRecord.sequence))
    ]


def last(session: Session, tenant_id: int, entity: str) -> Entry:
    entries = trail(session, tenant_id, entity)
    assert entries, f"no audit record of a {entity}"
    return entries[-1]
