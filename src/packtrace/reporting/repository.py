"""All SQL of the reporting outbox: claiming due reports, recording answers, and reading reports back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased, defer

from packtrace.kit.db import on_postgres
from packtrace.models import MarketProfile, Report, ReportAttempt
from packtrace.models.enums import ReportState

# States after which a report no longer holds the later ones of its stream.
SETTLED = (ReportState.ACKNOWLEDGED.value, ReportState.CANCELLED.value)


def _is_due(now: datetime):  # type: ignore[no-untyped-def]
    """Pending and due, or Sent by a worker whose lease ran out (it stopped mid-delivery)."""
    return or_(
        and_(Report.state == ReportState.PENDING.value, Report.next_attempt_at <= now),
        and_(Report.state == ReportState.SENT.value, Report.lease_until < now),
    )


def due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Reports a worker may claim now, oldest first: due, of a market with a destination, and first of
    their stream that is not settled (an earlier Pending, Sent or Rejected one holds them)."""
    earlier = aliased(Report)
    held = exists().where(
        earlier.tenant_id == Report.tenant_id,
        earlier.market == Report.market,
        earlier.stream == Report.stream,
        earlier.id < Report.id,
        earlier.state.not_in(SETTLED),
    )
    query = (
        select(Report.id)
        .join(MarketProfile, and_(MarketProfile.tenant_id == Report.tenant_id, MarketProfile.market == Report.market))
        .where(MarketProfile.destination_kind.is_not(None), _is_due(now), ~held)
        .order_by(Report.id)
        .limit(limit)
    )
    if on_postgres(session):
        # Rows another worker is claiming right now are skipped, not waited for. SQLite runs one writer
        # at a time; there the conditional UPDATE of ``claim`` is what keeps two workers apart.
        query = query.with_for_update(skip_locked=True, of=Report)
    return list(session.scalars(query))


def claim(session: Session, report_id: int, owner: str, now: datetime, lease_until: datetime) -> Report | None:
    """Takes the report for ``owner`` until ``lease_until`` if it is still due (no other worker took it
    in between): it becomes Sent, one more attempt. None when it was not."""
    before = session.scalar(select(Report.state).where(Report.id == report_id))
    taken = session.execute(
        update(Report)
        .where(Report.id == report_id, _is_due(now))
        .values(
            state=ReportState.SENT.value,
            lease_owner=owner,
            lease_until=lease_until,
            attempts=Report.attempts + 1,
            sent_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    report = session.get(Report, report_id, populate_existing=True)
    assert report is not None
    if before == ReportState.SENT.value:
        # The worker that held it stopped before recording an answer: the receiver may or may not have
        # it; sent again with the same idempotency key, it can tell.
        add_attempt(
            session,
            report.tenant_id,
            report.id,
            now,
            "expired",
            None,
            "the worker delivering it stopped; delivering again",
        )
    return report


def settle(session: Session, report_id: int, owner: str, now: datetime, values: dict[str, object]) -> bool:
    """Records the outcome of ``owner``'s delivery, unless the report is no longer its own (an operator
    cancelled it, or its lease ran out and another worker took it over)."""
    done = session.execute(
        update(Report)
        .where(Report.id == report_id, Report.lease_owner == owner, Report.state == ReportState.SENT.value)
        .values(lease_owner=None, lease_until=None, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def add_attempt(
    session: Session,
    tenant_id: int,
    report_id: int,
    at: datetime,
    outcome: str,
    http_status: int | None,
    answer: str | None,
) -> None:
    session.add(
        ReportAttempt(
            tenant_id=tenant_id,
            report_id=report_id,
            at=at,
            outcome=outcome,
            http_status=http_status,
            answer=answer,
        )
    )
    session.flush()


def destination(session: Session, tenant_id: int, market: str) -> MarketProfile | None:
    return session.scalar(
        select(MarketProfile).where(MarketProfile.tenant_id == tenant_id, MarketProfile.market == market)
    )


# -- reading back ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    market: str | None = None
    state: str | None = None
    kind: str | None = None


def page(session: Session, tenant_id: int, where: ReportFilter, before_id: int | None, limit: int) -> list[Report]:
    """Newest first, without their documents."""
    query = (
        select(Report)
        .options(defer(Report.document))
        .where(Report.tenant_id == tenant_id)
        .order_by(Report.id.desc())
        .limit(limit)
    )
    if where.market is not None:
        query = query.where(Report.market == where.market)
    if where.state is not None:
        query = query.where(Report.state == where.state)
    if where.kind is not None:
        query = query.where(Report.kind == where.kind)
    if before_id is not None:
        query = query.where(Report.id < before_id)
    return list(session.scalars(query))


def get(session: Session, tenant_id: int, report_id: int, *, for_update: bool = False) -> Report | None:
    query = select(Report).where(Report.tenant_id == tenant_id, Report.id == report_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def attempts(session: Session, report_id: int) -> Sequence[ReportAttempt]:
    return session.scalars(
        select(ReportAttempt).where(ReportAttempt.report_id == report_id).order_by(ReportAttempt.id)
    ).all()


def created_since(session: Session, tenant_id: int, since: datetime, market: str | None) -> list[tuple[datetime, str]]:
    """When each report of the period was written and its state now (for the per-day chart)."""
    query = select(Report.created_at, Report.state).where(Report.tenant_id == tenant_id, Report.created_at >= since)
    if market is not None:
        query = query.where(Report.market == market)
    return [(at, state) for at, state in session.execute(query)]
