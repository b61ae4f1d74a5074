"""Management API (``/api/``) for the reporting outbox: everyone reads reports, Support and
Administrators retry or cancel them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.kit.validation import NoNul
from packtrace.models import Report, ReportAttempt
from packtrace.reporting.delivery import Parcel, file_name
from packtrace.reporting.schemas import AttemptRead, ReportAction, ReportDetail, ReportPage, ReportRead
from packtrace.reporting.service import MAX_REPORT_ID, check_filter, report_service

router = APIRouter(tags=["Management: reports"])
# Report ids are 64-bit on PostgreSQL; beyond them no report exists (and SQLite could not bind it).
ReportId = Annotated[int, Path(ge=1, le=MAX_REPORT_ID, description="the report's id")]


def report_read(report: Report) -> ReportRead:
    return ReportRead.model_validate(report, from_attributes=True)


def report_detail(report: Report, attempts: list[ReportAttempt]) -> ReportDetail:
    base = report_read(report).model_dump()
    log = [AttemptRead.model_validate(a, from_attributes=True) for a in attempts]
    return ReportDetail(**base, idempotency_key=report.idempotency_key, attempt_log=log)


@router.get("/reports", summary="The tenant's reports, newest first, paged")
def list_reports(
    user: AnyUser,
    session: DbSession,
    market: Annotated[str | None, Query(max_length=8), NoNul] = None,
    state: Annotated[str | None, Query(max_length=16), NoNul] = None,
    kind: Annotated[str | None, Query(max_length=40), NoNul] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    cursor: Annotated[str | None, Query(max_length=200), NoNul] = None,
) -> Envelope[ReportPage]:
    """Pass `next_cursor` back as `cursor` for the next page."""
    rows, next_cursor = report_service.page(session, user.tenant_id, check_filter(market, state, kind), limit, cursor)
    return Envelope(message="Reports", data=ReportPage(reports=[report_read(r) for r in rows], next_cursor=next_cursor))


@router.get("/reports/{report_id}", summary="A report: its state, attempts and the receiver's answers")
def get_report(report_id: ReportId, user: AnyUser, session: DbSession) -> Envelope[ReportDetail]:
    report = report_service.get(session, user.tenant_id, report_id)
    return Envelope(message="Report", data=report_detail(report, list(report_service.attempts(session, report))))


@router.get(
    "/reports/{report_id}/document",
    summary="The report's document as delivered, with its media type",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "application/xml": {}}}},
)
def get_report_document(report_id: ReportId, user: AnyUser, session: DbSession) -> Response:
    report = report_service.get(session, user.tenant_id, report_id)
    parcel = Parcel(report.id, report.kind, report.subject, report.media_type, report.document, report.idempotency_key)
    disposition = f'attachment; filename="{file_name(parcel)}"'
    return Response(report.document, media_type=report.media_type, headers={"Content-Disposition": disposition})


@router.post(
    "/reports/{report_id}/retry", summary="Deliver a Rejected (or failing) report again now (Support, Administrator)"
)
def retry_report(
    report_id: ReportId, user: SupportUser, session: DbSession, body: ReportAction | None = None
) -> Envelope[ReportRead]:
    report = report_service.retry(session, user.tenant_id, report_id, body.reason if body else None)
    return Envelope(message="Report due again", data=report_read(report))


@router.post("/reports/{report_id}/cancel", summary="Never deliver a report (Support, Administrator)")
def cancel_report(
    report_id: ReportId, user: SupportUser, session: DbSession, body: ReportAction | None = None
) -> Envelope[ReportRead]:
    """Refused once Acknowledged, and while a worker is delivering it (Sent)."""
    report = report_service.cancel(session, user.tenant_id, report_id, body.reason if body else None)
    return Envelope(message="Report cancelled", data=report_read(report))
