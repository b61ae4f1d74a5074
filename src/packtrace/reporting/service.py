"""Rules for reading reports back and for what operators do to them (retry, cancel)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import ConflictError, NotFoundError, ValidationError
from packtrace.kit.pagination import decode_cursor, encode_cursor
from packtrace.models import Report, ReportAttempt
from packtrace.models.enums import Market, ReportKind, ReportState
from packtrace.reporting import repository
from packtrace.reporting.repository import ReportFilter

STATES = tuple(s.value for s in ReportState)
KINDS = tuple(k.value for k in ReportKind)


@dataclass(frozen=True)
class DayCounts:
    day: date
    counts: dict[str, int]  # state -> reports written that day, in that state now


def check_filter(market: str | None, state: str | None, kind: str | None) -> ReportFilter:
    if market is not None and market not in {m.value for m in Market}:
        raise ValidationError.on_field("market", f"must be one of {', '.join(m.value for m in Market)}")
    if state is not None and state not in STATES:
        raise ValidationError.on_field("state", f"must be one of {', '.join(STATES)}")
    if kind is not None and kind not in KINDS:
        raise ValidationError.on_field("kind", f"must be one of {', '.join(KINDS)}")
    return ReportFilter(market, state, kind)


# The largest id a report can have (a BIGINT on PostgreSQL).
MAX_REPORT_ID = 2**62


class ReportService:
    def page(
        self, session: Session, tenant_id: int, where: ReportFilter, limit: int, cursor: str | None
    ) -> tuple[list[Report], str | None]:
        rows = repository.page(session, tenant_id, where, decode_cursor(cursor), limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1].id) if more else None

    def get(self, session: Session, tenant_id: int, report_id: int) -> Report:
        # Ids beyond 64 bits name no report (and neither database could bind them): the admin UI's
        # routes take any integer.
        report = repository.get(session, tenant_id, report_id) if 0 < report_id <= MAX_REPORT_ID else None
        if report is None:
            raise NotFoundError.on_field("id", f"no report {report_id}")
        return report

    def attempts(self, session: Session, report: Report) -> Sequence[ReportAttempt]:
        return repository.attempts(session, report.id)

    def retry(self, session: Session, tenant_id: int, report_id: int, reason: str | None = None) -> Report:
        """A Rejected report, or a Pending one that failed before, becomes due now (it is delivered with
        the same idempotency key: a receiver that took it after all can tell)."""
        report = self._for_change(session, tenant_id, report_id)
        failed_pending = report.state == ReportState.PENDING.value and report.attempts > 0
        if report.state != ReportState.REJECTED.value and not failed_pending:
            raise ConflictError.on_field(
                "id",
                f"report {report_id} is {report.state}: only Rejected or failing Pending reports are retried",
            )
        return self._move(session, report, ReportState.PENDING, "retried", reason, due=True)

    def cancel(self, session: Session, tenant_id: int, report_id: int, reason: str | None = None) -> Report:
        """The report is never delivered; the later ones of its stream go ahead."""
        report = self._for_change(session, tenant_id, report_id)
        if report.state in {ReportState.ACKNOWLEDGED.value, ReportState.CANCELLED.value}:
            raise ConflictError.on_field("id", f"report {report_id} is {report.state} already")
        if report.state == ReportState.SENT.value:
            raise ConflictError.on_field("id", f"report {report_id} is being delivered; cancel it once it is answered")
        return self._move(session, report, ReportState.CANCELLED, "cancelled", reason, due=False)

    def per_day(self, session: Session, tenant_id: int, days: int, market: str | None = None) -> list[DayCounts]:
        """Reports written on each of the last ``days`` days, by their state now (oldest day first)."""
        today = transaction_time(session).date()
        first = today - timedelta(days=days - 1)
        since = datetime.combine(first, datetime.min.time(), tzinfo=transaction_time(session).tzinfo)
        counts: dict[date, Counter[str]] = {first + timedelta(days=n): Counter() for n in range(days)}
        for at, state in repository.created_since(session, tenant_id, since, market):
            counts.setdefault(at.date(), Counter())[state] += 1
        return [DayCounts(day, dict(counts[day])) for day in sorted(counts)]

    def _for_change(self, session: Session, tenant_id: int, report_id: int) -> Report:
        report = repository.get(session, tenant_id, report_id, for_update=True)
        if report is None:
            raise NotFoundError.on_field("id", f"no report {report_id}")
        return report

    def _move(
        self, session: Session, report: Report, state: ReportState, action: str, reason: str | None, *, due: bool
    ) -> Report:
        before = {"state": report.state, "next_attempt_at": _iso(report.next_attempt_at)}
        now = transaction_time(session)
        report.state = state.value
        report.next_attempt_at = now if due else None
        report.updated_at = now
        session.flush()
        after = {"state": report.state, "next_attempt_at": _iso(report.next_attempt_at)}
        publish_change(session, report.tenant_id, "report", report.id, action, before, after, reason=reason)
        return report


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


report_service = ReportService()
