"""Packaging tab, packaging lines: list, create, rename, set the GLN (the readPoint of the EPCIS events of
its orders), delete (refused while orders use the line)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin import repository
from packtrace.admin.forms import Form, FormErrors, form_values, reason, text
from packtrace.admin.listing import parse_list_params
from packtrace.admin.rendering import is_htmx_partial, redirect, render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer, tab_guard
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.lines.service import line_service
from packtrace.models import PackagingLine

TAB = "packaging"
router = APIRouter(prefix="/packaging/lines", dependencies=[Depends(tab_guard(TAB))])


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    row_errors: dict[int, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    params = parse_list_params(request.query_params, tuple(repository.LINE_SORTS), "tag")
    page = repository.line_page(session, viewer.principal.tenant_id, params)
    partial = request.method == "GET" and is_htmx_partial(request, "results")
    return render(
        request,
        "packaging/_lines_results.html" if partial else "packaging/lines.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        page=page,
        may_change=viewer.may_change(TAB),
        values=values or {"tag": "", "name": ""},
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
        row_errors=row_errors or {},
    )


def _line(session: Session, viewer: Viewer, line_id: int) -> PackagingLine:
    line = repository.line_by_id(session, viewer.principal.tenant_id, line_id)
    if line is None:
        raise PageError(404, "Not found", f"There is no packaging line {line_id}.")
    return line


@router.get("")
def line_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _page(request, viewer, session)


@router.post("")
def create_line(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    # The tag is taken as typed: the service refuses leading or trailing spaces rather than hide them.
    tag = form.get("tag")
    try:
        line = line_service.create(
            session, viewer.principal.tenant_id, tag if isinstance(tag, str) else "", text(form, "name"), reason(form)
        )
    except DomainError as error:
        session.rollback()
        errors = FormErrors.of(error, ("tag", "name"))
        values = form_values(form, ("tag", "name"))
        return _page(request, viewer, session, values=values, errors=errors, status=status_of(error))
    return redirect(request, "/packaging/lines", f"Packaging line {line.tag} created.")


@router.post("/{line_id:int}/rename")
def rename_line(line_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    line = _line(session, viewer, line_id)
    try:
        line_service.rename(session, line, text(form, "name"), reason(form))
    except DomainError as error:
        session.rollback()
        return _page(request, viewer, session, row_errors={line_id: error.message}, status=status_of(error))
    return redirect(request, "/packaging/lines", f"Packaging line {line.tag} renamed.")


@router.post("/{line_id:int}/location")
def locate_line(line_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    """What ``PATCH /api/lines/{tag}`` with ``gln`` does: an empty GLN removes it and its extension."""
    line = _line(session, viewer, line_id)
    try:
        line_service.set_location(session, line, text(form, "gln"), text(form, "gln_extension"), reason(form))
    except DomainError as error:
        session.rollback()
        return _page(request, viewer, session, row_errors={line_id: error.message}, status=status_of(error))
    where = f"GLN {line.gln}" if line.gln else "no GLN"
    return redirect(request, "/packaging/lines", f"Packaging line {line.tag}: {where}.")


@router.post("/{line_id:int}/delete")
def delete_line(line_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    line = _line(session, viewer, line_id)
    tag = line.tag
    try:
        line_service.delete(session, line, reason(form))
    except DomainError as error:
        session.rollback()
        return _page(request, viewer, session, row_errors={line_id: error.message}, status=status_of(error))
    return redirect(request, "/packaging/lines", f"Packaging line {tag} deleted.")
