"""Reports tab: the reporting outbox per market and state, each report's document, attempts and the
receiver's answers, retry and cancel and each market's destination (Support and Administrators), and a
chart of reports per day and state drawn as inline SVG (no script, nothing from outside)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError as PydanticError

from packtrace.admin.forms import Form, checked, optional_text, reason, text
from packtrace.admin.rendering import redirect, render
from packtrace.admin.session import SignedIn, tab_guard
from packtrace.kit.deps import DbSession, app_context
from packtrace.kit.errors import DomainError, ValidationError
from packtrace.kit.pagination import encode_cursor
from packtrace.markets.management import destination_read
from packtrace.markets.schemas import FolderDestination, HttpDestination
from packtrace.markets.service import market_service
from packtrace.models import Report
from packtrace.models.enums import Market
from packtrace.reporting.delivery import Parcel, file_name
from packtrace.reporting.service import KINDS, STATES, DayCounts, check_filter, report_service

TAB = "reports"
router = APIRouter(prefix="/reports", dependencies=[Depends(tab_guard(TAB))])

PAGE_SIZE = 50
CHART_DAYS = 14
FILTERS = ("market", "state", "kind")
# The chart's colours, one per state, in the order the bars stack (bottom up).
STATE_COLOURS = {
    "Acknowledged": "#2e8b57",
    "Sent": "#4a90d9",
    "Pending": "#e0b341",
    "Rejected": "#c0392b",
    "Cancelled": "#9a9a9a",
}
_BAR_WIDTH, _GAP, _HEIGHT = 22, 8, 120


@dataclass(frozen=True)
class Block:
    state: str
    colour: str
    y: float
    height: float


@dataclass(frozen=True)
class DayBar:
    x: int
    label: str
    total: int
    blocks: list[Block]
    description: str


def chart(days: list[DayCounts]) -> tuple[list[DayBar], int]:
    """Stacked bars of the reports written each day, by state; and the largest day's count (the scale)."""
    largest = max([sum(d.counts.values()) for d in days] + [1])
    bars = []
    for n, day in enumerate(days):
        bottom, blocks = float(_HEIGHT), []
        for state, colour in STATE_COLOURS.items():
            count = day.counts.get(state, 0)
            if count:
                height = _HEIGHT * count / largest
                bottom -= height
                blocks.append(Block(state, colour, round(bottom, 2), round(height, 2)))
        parts = ", ".join(f"{day.counts[s]} {s}" for s in STATE_COLOURS if day.counts.get(s))
        description = f"{day.day.isoformat()}: {parts or 'no reports'}"
        bars.append(
            DayBar(n * (_BAR_WIDTH + _GAP), day.day.strftime("%d"), sum(day.counts.values()), blocks, description)
        )
    return bars, largest


@router.get("")
def reports_page(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _index(request, viewer, session)


def _index(
    request: Request, viewer: SignedIn, session: DbSession, not_saved: tuple[str, str] | None = None
) -> HTMLResponse:
    """``not_saved``: (market, message) of a destination form that was refused, shown on its row."""
    params = request.query_params
    values = {name: params.get(name, "").strip() for name in FILTERS}
    tenant_id = viewer.principal.tenant_id
    error: str | None = None
    rows: list[Report] = []
    next_before: int | None = None
    try:
        where = check_filter(values["market"] or None, values["state"] or None, values["kind"] or None)
        before = params.get("before", "")
        cursor = encode_cursor(int(before)) if before.isdigit() and int(before) < 2**62 else None
        rows, next_cursor = report_service.page(session, tenant_id, where, PAGE_SIZE, cursor)
        next_before = rows[-1].id if next_cursor else None
    except DomainError as refused:
        error = refused.message
    bars, largest = chart(report_service.per_day(session, tenant_id, CHART_DAYS, values["market"] or None))
    return render(
        request,
        "reports/index.html",
        viewer=viewer,
        tab=TAB,
        status=400 if error or not_saved else 200,
        reports=rows,
        profiles=[(p, destination_read(p)) for p in market_service.list_all(session, tenant_id)],
        may_change=viewer.may_change(TAB),
        not_saved=not_saved,
        values=values,
        markets=[m.value for m in Market],
        states=STATES,
        kinds=KINDS,
        error=error,
        next_before=next_before,
        filter_query=urlencode({k: v for k, v in values.items() if v}),
        bars=bars,
        largest=largest,
        colours=STATE_COLOURS,
        chart_width=CHART_DAYS * (_BAR_WIDTH + _GAP),
        bar_width=_BAR_WIDTH,
        chart_height=_HEIGHT,
    )


def _detail(
    request: Request, viewer: SignedIn, session: DbSession, report_id: int, error: str | None = None
) -> HTMLResponse:
    report = report_service.get(session, viewer.principal.tenant_id, report_id)
    return render(
        request,
        "reports/report.html",
        viewer=viewer,
        tab=TAB,
        status=409 if error else 200,
        report=report,
        attempts=report_service.attempts(session, report),
        may_change=viewer.may_change(TAB),
        error=error,
    )


@router.get("/{report_id:int}")
def report_page(report_id: int, request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _detail(request, viewer, session, report_id)


@router.get("/{report_id:int}/document")
def report_document(report_id: int, viewer: SignedIn, session: DbSession) -> Response:
    report = report_service.get(session, viewer.principal.tenant_id, report_id)
    parcel = Parcel(report.id, report.kind, report.subject, report.media_type, report.document, report.idempotency_key)
    disposition = f'attachment; filename="{file_name(parcel)}"'
    return Response(report.document, media_type=report.media_type, headers={"Content-Disposition": disposition})


@router.post("/{report_id:int}/retry")
def retry(report_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    try:
        report_service.retry(session, viewer.principal.tenant_id, report_id, reason(form))
    except DomainError as error:
        session.rollback()
        return _detail(request, viewer, session, report_id, error.message)
    return redirect(request, f"/reports/{report_id}", f"Report {report_id} is due again.")


@router.post("/{report_id:int}/cancel")
def cancel(report_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    try:
        report_service.cancel(session, viewer.principal.tenant_id, report_id, reason(form))
    except DomainError as error:
        session.rollback()
        return _detail(request, viewer, session, report_id, error.message)
    return redirect(request, f"/reports/{report_id}", f"Report {report_id} is cancelled.")


@router.post("/destinations/{market}")
def set_destination(market: str, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    """What ``PATCH /api/markets/{market}`` does with a destination: an http one (URL, and an auth header
    that is written, never shown; left empty it keeps the stored one unless "remove" is ticked), a drop
    folder under the server's report folder, or none (reports then wait, Pending)."""
    kind = text(form, "kind")
    destination: HttpDestination | FolderDestination | None = None
    try:
        if kind == "http":
            header = None if checked(form, "remove_auth_header") else optional_text(form, "auth_header")
            destination = HttpDestination(kind="http", url=text(form, "url"), auth_header=header)
        elif kind == "folder":
            destination = FolderDestination(kind="folder", path=text(form, "path"))
        elif kind != "none":
            raise ValidationError.on_field("kind", "choose http, folder or none")
        context = app_context(request)
        market_service.update(
            session,
            viewer.principal.tenant_id,
            market,
            server_key=context.server_key,
            report_dir=context.settings.report_dir,
            destination=destination,
            set_destination=True,
            keep_auth_header=kind == "http" and not checked(form, "remove_auth_header"),
            reason=reason(form),
        )
    except PydanticError as invalid:
        session.rollback()
        problem = invalid.errors()[0]
        field = str(problem["loc"][-1]) if problem["loc"] else kind
        return _index(request, viewer, session, (market, f"{field}: {problem['msg']}"))
    except DomainError as error:
        session.rollback()
        return _index(request, viewer, session, (market, error.message))
    return redirect(request, "/reports", f"Destination of {market.upper()} saved.")
