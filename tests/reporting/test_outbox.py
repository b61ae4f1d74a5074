"""The outbox's write side: a report commits with the caller's transaction, or not at all."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.demo import DemoCredentials
from packtrace.models import Report, Tenant
from packtrace.models.enums import ReportKind, ReportState
from packtrace.reporting.outbox import batch_stream, enqueue, is_acknowledged


def _tenant_id(session: Session, demo: DemoCredentials) -> int:
    return session.scalars(select(Tenant.id).where(Tenant.name == demo.tenant)).one()


def _enqueue(session: Session, tenant_id: int) -> Report:
    return enqueue(
        session,
        tenant_id=tenant_id,
        market="EU",
        kind=ReportKind.EU_BATCH_UPLOAD,
        stream=batch_stream("01234512345901", "B1"),
        subject="batch B1",
        media_type="application/json",
        document=b'{"batch": "B1"}',
    )


def test_a_report_is_pending_and_due_with_a_key_of_its_own(session: Session, demo: DemoCredentials) -> None:
    tenant_id = _tenant_id(session, demo)
    first, second = _enqueue(session, tenant_id), _enqueue(session, tenant_id)
    assert first.state == ReportState.PENDING.value and first.attempts == 0
    assert first.next_attempt_at is not None and first.document_size == len(b'{"batch": "B1"}')
    assert first.idempotency_key != second.idempotency_key
    assert not is_acknowledged(
        session, tenant_id, "EU", ReportKind.EU_BATCH_UPLOAD, batch_stream("01234512345901", "B1")
    )


def test_a_report_rolls_back_with_its_transaction(session: Session, demo: DemoCredentials) -> None:
    tenant_id = _tenant_id(session, demo)
    before = session.scalar(select(func.count()).select_from(Report))
    with session.begin_nested() as nested:
        _enqueue(session, tenant_id)
        nested.rollback()
    assert session.scalar(select(func.count()).select_from(Report)) == before


def test_acknowledged_is_per_market_kind_and_stream(session: Session, demo: DemoCredentials) -> None:
    tenant_id = _tenant_id(session, demo)
    report = _enqueue(session, tenant_id)
    report.state = ReportState.ACKNOWLEDGED.value
    session.flush()
    stream = batch_stream("01234512345901", "B1")
    assert is_acknowledged(session, tenant_id, "EU", ReportKind.EU_BATCH_UPLOAD, stream)
    assert not is_acknowledged(session, tenant_id, "US", ReportKind.EU_BATCH_UPLOAD, stream)
    assert not is_acknowledged(session, tenant_id, "EU", ReportKind.EU_BATCH_RECALL, stream)
    assert not is_acknowledged(
        session, tenant_id, "EU", ReportKind.EU_BATCH_UPLOAD, batch_stream("01234512345901", "B2")
    )
