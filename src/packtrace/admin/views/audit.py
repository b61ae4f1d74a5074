"""Audit tab (Administrator; Support reads): the tenant's audit trail with filters by entity, actor and
time, paged newest first, and the same selection as a CSV download."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams

from packtrace.admin.forms import FormErrors
from packtrace.admin.rendering import render
from packtrace.admin.session import SignedIn, tab_guard
from packtrace.audit.export import csv_chunks
from packtrace.audit.repository import AuditFilter
from packtrace.audit.service import audit_service, in_utc
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError

TAB = "audit"
router = APIRouter(prefix="/audit", dependencies=[Depends(tab_guard(TAB))])

PAGE_SIZE = 50
FILTERS = ("entity", "actor", "from", "to")
ENTITIES = (
    "api_key",
    "channel",
    "label_order",
    "line",
    "market",
    "packaging_order",
    "product",
    "report",
    "serial_pool",
    "sscc_pool",
    "tab_permissions",
    "tenant",
    "user",
)


def _moment(params: QueryParams, name: str, errors: FormErrors) -> datetime | None:
    """A ``datetime-local`` field (or any ISO 8601 time): UTC unless it names a zone."""
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        errors.add(name, "not a date and time (YYYY-MM-DDTHH:MM)")
        return None
    try:
        return in_utc(moment, name)
    except DomainError as error:
        errors.add(name, error.details[0].message if error.details else error.message)
        return None


def _filter(params: QueryParams, errors: FormErrors) -> AuditFilter:
    return AuditFilter(
        entity=params.get("entity", "").strip()[:64] or None,
        actor=params.get("actor", "").strip()[:255] or None,
        since=_moment(params, "from", errors),
        until=_moment(params, "to", errors),
    )


def _before(params: QueryParams, errors: FormErrors) -> int | None:
    raw = params.get("before", "")
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 2**62:
        errors.add("before", "not a page of this list")
        return None
    return int(raw)


@router.get("")
def audit_page(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    params = request.query_params
    errors = FormErrors()
    where, before = _filter(params, errors), _before(params, errors)
    values = {name: params.get(name, "") for name in FILTERS}
    page = None
    if not errors:
        try:
            page = audit_service.page(session, viewer.principal.tenant_id, where, before, PAGE_SIZE)
        except DomainError as error:
            errors = FormErrors.of(error, ("from", "to", "before"))
    query = urlencode({name: params[name] for name in FILTERS if params.get(name)})
    return render(
        request,
        "audit/index.html",
        viewer=viewer,
        tab=TAB,
        status=400 if errors else 200,
        page=page,
        values=values,
        entities=ENTITIES,
        filter_query=query,
        errors=errors.fields,
        message=errors.message,
    )


@router.get("/export.csv")
def audit_csv(request: Request, viewer: SignedIn, session: DbSession) -> Response:
    """The whole selection, oldest first: built before the response is sent, while the request's session
    is still open."""
    errors = FormErrors()
    where = _filter(request.query_params, errors)
    if errors:
        problems = "; ".join(f"{name}: {text}" for name, text in errors.fields.items())
        return Response(f"{problems}\n", status_code=400, media_type="text/plain")
    body = "".join(csv_chunks(audit_service.export(session, viewer.principal.tenant_id, where)))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
