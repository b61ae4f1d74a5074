"""Rules of the audit trail: appending a record to its tenant's hash chain, reading the trail, and
checking that chain. Nothing here commits: the record lands in the transaction of the change."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from packtrace.audit import repository
from packtrace.audit.facts import RecordChanged, actor_of
from packtrace.audit.repository import GENESIS_HASH, AuditFilter
from packtrace.kit.clock import transaction_time
from packtrace.kit.db import on_postgres
from packtrace.kit.errors import ValidationError
from packtrace.kit.facts import subscribe
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.models import AuditRecord


def in_utc(moment: datetime | None, field_name: str) -> datetime | None:
    """A time bound of a filter in UTC, the zone of every record; a time without a zone is taken as UTC."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first representable UTC instant
        raise ValidationError.on_field(field_name, "out of the range of times PackTrace keeps") from None


def canonical_changes(changes: object) -> str:
    """The changes as stored and hashed: sorted keys, no spaces, so the same change always hashes the same."""
    return json.dumps(changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(
    *,
    tenant_id: int,
    sequence: int,
    recorded_at: datetime,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    changes: str,
    reason: str | None,
    previous_hash: str,
) -> str:
    """SHA-256 over every column of the record and the hash of the one before it."""
    fields = [
        tenant_id,
        sequence,
        recorded_at.isoformat(),
        actor,
        entity,
        entity_id,
        action,
        changes,
        reason,
        previous_hash,
    ]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def hash_of(record: AuditRecord) -> str:
    return record_hash(
        tenant_id=record.tenant_id,
        sequence=record.sequence,
        recorded_at=record.recorded_at,
        actor=record.actor,
        entity=record.entity,
        entity_id=record.entity_id,
        action=record.action,
        changes=record.changes,
        reason=record.reason,
        previous_hash=record.previous_hash,
    )


def append(session: Session, fact: RecordChanged) -> None:
    """The audit subscriber: the record of ``fact``, chained after the tenant's last one."""
    head = repository.lock_head(session, fact.tenant_id)
    # Microseconds are what both databases keep: hash what will be read back.
    recorded_at = transaction_time(session)
    record = AuditRecord(
        tenant_id=fact.tenant_id,
        sequence=head.sequence + 1,
        recorded_at=recorded_at,
        actor=actor_of(session)[:600],
        entity=fact.entity,
        entity_id=fact.entity_id[:255],
        action=fact.action,
        changes=canonical_changes(fact.changes),
        reason=fact.reason[:1000] if fact.reason else None,
        previous_hash=head.hash,
    )
    record.hash = hash_of(record)
    session.add(record)
    head.sequence, head.hash = record.sequence, record.hash
    session.flush()


@dataclass(frozen=True)
class BrokenLink:
    tenant_id: int
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"tenant {self.tenant_id}: record {self.sequence}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    tenant_id: int
    records: int
    broken: BrokenLink | None


@dataclass(frozen=True)
class AuditPage:
    records: Sequence[AuditRecord]
    next_before: int | None  # the ``before`` of the next (older) page, None on the last


class AuditService:
    def page(self, session: Session, tenant_id: int, where: AuditFilter, before: int | None, size: int) -> AuditPage:
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError.on_field("limit", f"must be 1 to {MAX_PAGE_SIZE}")
        if before is not None and before < 1:
            raise ValidationError.on_field("before", "must be a record's sequence number (1 or more)")
        if where.since and where.until and where.since >= where.until:
            raise ValidationError.on_field("to", "must be after from")
        records = repository.page(session, tenant_id, where, before, size + 1)
        more = len(records) > size
        records = records[:size]
        return AuditPage(records, records[-1].sequence if more and records else None)

    def export(self, session: Session, tenant_id: int, where: AuditFilter) -> Iterator[AuditRecord]:
        return repository.in_order(session, tenant_id, where)

    def verify_tenant(self, session: Session, tenant_id: int) -> ChainReport:
        """Recompute the tenant's chain from its first record; the first record that does not follow
        from the one before it is the broken link (altered, removed or inserted rows all show there)."""
        expected_previous, expected_sequence, count = GENESIS_HASH, 1, 0
        for record in repository.in_order(session, tenant_id):
            count += 1
            problem = None
            if record.sequence != expected_sequence:
                problem = f"expected record {expected_sequence} here: records are missing"
            elif record.previous_hash != expected_previous:
                problem = "its previous hash is not the hash of the record before it"
            elif hash_of(record) != record.hash:
                problem = "its content does not match its hash: it was altered"
            if problem:
                return ChainReport(tenant_id, count, BrokenLink(tenant_id, record.sequence, problem))
            expected_previous, expected_sequence = record.hash, record.sequence + 1
        head = repository.head(session, tenant_id)
        if head is not None and (head.sequence, head.hash) != (expected_sequence - 1, expected_previous):
            last = expected_sequence - 1
            problem = f"the chain's head is at record {head.sequence}: records after {last} are missing"
            return ChainReport(tenant_id, count, BrokenLink(tenant_id, expected_sequence, problem))
        return ChainReport(tenant_id, count, None)

    def verify(self, session: Session, tenant_ids: Sequence[int] | None = None) -> list[ChainReport]:
        tenants = tenant_ids if tenant_ids is not None else repository.tenants_with_records(session)
        return [self.verify_tenant(session, tenant_id) for tenant_id in tenants]

    def grant_roles(self, session: Session, server_role: str) -> None:
        if not on_postgres(session):
            raise ValidationError.on_field("database", "roles exist on PostgreSQL only; SQLite has none")
        if not server_role.strip():
            raise ValidationError.on_field("server_role", "must not be blank")
        repository.grant_roles(session, server_role)


audit_service = AuditService()


def wire() -> None:
    subscribe(RecordChanged, append)
