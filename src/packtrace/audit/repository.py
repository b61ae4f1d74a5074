"""All SQL of the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from packtrace.kit.db import dialect_insert
from packtrace.models import AuditChainHead, AuditRecord

GENESIS_HASH = "0" * 64
# The tables whose rows the server role may only add and read.
APPEND_ONLY_TABLES = ("audit_records",)


@dataclass(frozen=True)
class AuditFilter:
    entity: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def lock_head(session: Session, tenant_id: int) -> AuditChainHead:
    """The tenant's chain head, locked until the transaction ends (PostgreSQL ``FOR UPDATE``; SQLite
    writers hold the database's one write lock already). The row is made on the first change, and
    ``ON CONFLICT DO NOTHING`` lets two first changes at once both go on to wait for the same row."""
    session.execute(
        dialect_insert(session, AuditChainHead)
        .values(tenant_id=tenant_id, sequence=0, hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    query = select(AuditChainHead).where(AuditChainHead.tenant_id == tenant_id).with_for_update()
    return session.execute(query.execution_options(populate_existing=True)).scalar_one()


def head(session: Session, tenant_id: int) -> AuditChainHead | None:
    return session.get(AuditChainHead, tenant_id)


def _filtered(tenant_id: int, where: AuditFilter) -> Select[AuditRecord]:
    query = select(AuditRecord).where(AuditRecord.tenant_id == tenant_id)
    if where.entity:
        query = query.where(AuditRecord.entity == where.entity)
    if where.entity_id:
        query = query.where(AuditRecord.entity_id == where.entity_id)
    if where.actor:
        # A part of the actor: an e-mail, an API key's or a channel's name.
        query = query.where(AuditRecord.actor.contains(where.actor, autoescape=True))
    if where.since:
        query = query.where(AuditRecord.recorded_at >= where.since)
    if where.until:
        query = query.where(AuditRecord.recorded_at < where.until)
    return query


def page(
    session: Session, tenant_id: int, where: AuditFilter, before_sequence: int | None, size: int
) -> Sequence[AuditRecord]:
    """Newest first, ``size`` rows older than ``before_sequence``."""
    query = _filtered(tenant_id, where)
    if before_sequence is not None:
        query = query.where(AuditRecord.sequence < before_sequence)
    return session.scalars(query.order_by(AuditRecord.sequence.desc()).limit(size)).all()


def in_order(
    session: Session, tenant_id: int, where: AuditFilter | None = None, batch: int = 1000
) -> Iterator[AuditRecord]:
    """The tenant's records oldest first, read in batches so a long trail never sits in memory at once (the
    session's identity map holds rows weakly: a batch written out is let go)."""
    after = 0
    while True:
        query = _filtered(tenant_id, where or AuditFilter()).where(AuditRecord.sequence > after)
        rows = session.scalars(query.order_by(AuditRecord.sequence).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].sequence


def tenants_with_records(session: Session) -> list[int]:
    found = session.scalars(select(AuditRecord.tenant_id).distinct()).all()
    heads = session.scalars(select(AuditChainHead.tenant_id)).all()
    return sorted(set(found) | set(heads))


def grant_roles(session: Session, server_role: str) -> None:
    """Let ``server_role`` use every table of the current schema, but only add and read audit records.
    PostgreSQL only; the caller runs this as the owner of the tables."""
    quote = session.connection().dialect.identifier_preparer.quote
    role = quote(server_role)
    schema = session.execute(text("SELECT current_schema()")).scalar_one()
    where = quote(schema)
    session.execute(text(f"GRANT USAGE ON SCHEMA {where} TO {role}"))
    session.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {role}"))
    session.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {role}"))
    for table in APPEND_ONLY_TABLES:
        name = f"{where}.{quote(table)}"
        session.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {name} FROM {role}"))
