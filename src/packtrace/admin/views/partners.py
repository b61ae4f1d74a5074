"""Products tab, trading partners and batch recalls: the master data shipments name, and recalling or
withdrawing a batch (from a product's page)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin.forms import Form, FormErrors, form_values, reason, text
from packtrace.admin.rendering import redirect, render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer, tab_guard
from packtrace.batches.service import recall_service
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError, ValidationError
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.models.enums import Role
from packtrace.partners.service import LocationInput, location_uri, partner_service

TAB = "products"
router = APIRouter(prefix="/products", dependencies=[Depends(tab_guard(TAB))])

FIELDS = ("name", "gln", "us_state_license", "locations")
RECALL_FIELDS = ("batch", "kind", "recall_reason")


def _locations(raw: str) -> list[LocationInput]:
    """One location a line: ``SGLN;name[;address]``."""
    found = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(";", 2)
        if len(parts) < 2:
            raise ValidationError.on_field("locations", f"line {number}: write SGLN;name[;address]")
        found.append(LocationInput(parts[0].strip(), parts[1].strip(), parts[2].strip() if len(parts) > 2 else ""))
    return found


def _partners_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    views, next_cursor = partner_service.page(
        session, viewer.principal.tenant_id, MAX_PAGE_SIZE, request.query_params.get("cursor")
    )
    rows = [(view.partner, [(location_uri(loc), loc) for loc in view.locations]) for view in views]
    return render(
        request,
        "products/partners.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        rows=rows,
        next_cursor=next_cursor,
        may_change=viewer.may_change(TAB),
        values=values or dict.fromkeys(FIELDS, ""),
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )


@router.get("/partners")
def partner_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _partners_page(request, viewer, session)


@router.post("/partners")
def create_partner(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    viewer.require_change(TAB)
    try:
        view = partner_service.create(
            session,
            viewer.principal.tenant_id,
            name=text(form, "name"),
            gln=text(form, "gln"),
            locations=_locations(text(form, "locations")),
            us_state_license=text(form, "us_state_license") or None,
            reason=reason(form),
        )
    except DomainError as error:
        session.rollback()
        errors = FormErrors.of(_form_error(error), FIELDS)
        return _partners_page(
            request, viewer, session, values=form_values(form, FIELDS), errors=errors, status=status_of(error)
        )
    return redirect(request, "/products/partners", f"Trading partner {view.partner.gln} registered.")


@router.post("/partners/{gln}/delete")
def delete_partner(gln: str, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    viewer.require_change(TAB)
    try:
        partner_service.remove(session, viewer.principal.tenant_id, gln, reason(form))
    except DomainError as error:
        session.rollback()
        return _partners_page(request, viewer, session, errors=FormErrors.of(error, ()), status=status_of(error))
    return redirect(request, "/products/partners", f"Trading partner {gln} deleted.")


def _form_error(error: DomainError) -> DomainError:
    """A location's error names its place in the list (``locations[1].sgln``); the form has one box."""
    details = [type(d)("locations", d.message) if d.field.startswith("locations") else d for d in error.details]
    return type(error)(error.message, details)


@router.get("/recalls")
def recall_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    rows, next_cursor = recall_service.page(
        session, viewer.principal.tenant_id, MAX_PAGE_SIZE, request.query_params.get("cursor")
    )
    return render(request, "products/recalls.html", viewer=viewer, tab=TAB, rows=rows, next_cursor=next_cursor)


@router.post("/{code}/recall")
def recall_batch(code: str, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    """Support and Administrators only, whatever the tab's settings: a recall cannot be undone."""
    viewer.require_change(TAB)
    if viewer.principal.role not in (Role.ADMINISTRATOR, Role.SUPPORT):
        raise PageError(403, "Not allowed", "Only Support and Administrators recall or withdraw batches.")
    try:
        row = recall_service.recall(
            session,
            viewer.principal.tenant_id,
            code,
            text(form, "batch"),
            text(form, "kind"),
            text(form, "recall_reason"),
            viewer.principal.actor,
        )
    except DomainError as error:
        session.rollback()
        raise PageError(status_of(error), "Not recalled", error.message) from None
    verb = "recalled" if row.kind == "recall" else "withdrawn"
    return redirect(request, "/products/recalls", f"Batch {row.batch} of {row.product_code} {verb}.")
