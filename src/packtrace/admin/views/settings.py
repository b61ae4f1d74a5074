"""Settings tab (Administrator only): market profiles, automatic release, the Digital Link resolver, where
the site's EPCIS events happen (GLN, time-zone offset), and which tabs the Support and User roles may see
or change."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin.forms import Form, FormErrors, checked, reason, text
from packtrace.admin.rendering import redirect, render, status_of
from packtrace.admin.service import CONFIGURABLE_ROLES, admin_settings_service
from packtrace.admin.session import SignedIn, Viewer, tab_guard
from packtrace.admin.tabs import CONFIGURABLE_TABS, Access
from packtrace.auth.service import tenant_service
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError
from packtrace.lines.service import site_service
from packtrace.markets.service import market_service
from packtrace.models.enums import Market, Role

TAB = "settings"
router = APIRouter(prefix="/settings", dependencies=[Depends(tab_guard(TAB))])

ACCESS_LABELS = {Access.NONE: "Hidden", Access.VIEW: "See", Access.CHANGE: "See and change"}


def _page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    section: str | None = None,
    errors: FormErrors | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """``section``: the form an error belongs to, so it is shown there."""
    tenant_id = viewer.principal.tenant_id
    tenant = tenant_service.get(session, tenant_id)
    profiles = market_service.list_all(session, tenant_id)
    present = {p.market for p in profiles}
    access = admin_settings_service.tab_access(session, tenant_id)
    return render(
        request,
        "settings/index.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        tenant=tenant,
        profiles=profiles,
        addable=[m.value for m in Market if m.value not in present],
        roles=CONFIGURABLE_ROLES,
        configurable_tabs=CONFIGURABLE_TABS,
        access=access,
        access_labels=ACCESS_LABELS,
        section=section,
        values=values or {},
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
    )


def _refused(
    request: Request, viewer: Viewer, session: Session, section: str, error: DomainError, fields: tuple[str, ...]
) -> HTMLResponse:
    session.rollback()
    errors = FormErrors.of(error, fields)
    return _page(request, viewer, session, section=section, errors=errors, status=status_of(error))


@router.get("")
def settings_page(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _page(request, viewer, session)


@router.post("/markets")
def add_market(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    try:
        profile = market_service.add(
            session, viewer.principal.tenant_id, text(form, "market"), text(form, "name"), reason(form)
        )
    except DomainError as error:
        return _refused(request, viewer, session, "markets", error, ("market", "name"))
    return redirect(request, "/settings", f"Market profile {profile.market} added.")


@router.post("/markets/{market}/remove")
def remove_market(market: str, request: Request, viewer: SignedIn, session: DbSession) -> Response:
    try:
        market_service.remove(session, viewer.principal.tenant_id, market)
    except DomainError as error:
        # Shown on the profile's row.
        return _refused(request, viewer, session, f"market:{market}", error, ())
    return redirect(request, "/settings", f"Market profile {market} removed.")


@router.post("/release")
def set_automatic_release(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    enabled = checked(form, "automatic_release")
    tenant = tenant_service.get(session, viewer.principal.tenant_id)
    tenant_service.set_automatic_release(session, tenant, enabled, reason(form))
    return redirect(request, "/settings", f"Automatic release is {'on' if enabled else 'off'}.")


@router.post("/resolver")
def set_resolver(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    value = text(form, "digital_link_resolver")
    try:
        tenant = tenant_service.get(session, viewer.principal.tenant_id)
        admin_settings_service.set_digital_link_resolver(session, tenant, value, reason(form))
    except DomainError as error:
        session.rollback()
        return _page(
            request,
            viewer,
            session,
            section="resolver",
            errors=FormErrors.of(error, ("digital_link_resolver",)),
            values={"digital_link_resolver": value},
            status=status_of(error),
        )
    return redirect(request, "/settings", "Digital Link resolver saved.")


SITE_FIELDS = ("gln", "gln_extension", "time_zone_offset")


@router.post("/site")
def set_site(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    """What ``PATCH /api/site`` does: an empty GLN removes it and its extension."""
    values = {name: text(form, name) for name in SITE_FIELDS}
    try:
        tenant = tenant_service.get(session, viewer.principal.tenant_id)
        site_service.set_site(
            session, tenant, values["gln"], values["gln_extension"], values["time_zone_offset"], reason(form)
        )
    except DomainError as error:
        session.rollback()
        errors = FormErrors.of(error, SITE_FIELDS)
        return _page(request, viewer, session, section="site", errors=errors, values=values, status=status_of(error))
    return redirect(request, "/settings", "Site saved: the EPCIS events written from now on carry it.")


@router.post("/permissions")
def set_permissions(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    wanted: dict[tuple[Role, str], Access] = {}
    errors = FormErrors()
    for role in CONFIGURABLE_ROLES:
        for tab in CONFIGURABLE_TABS:
            name = f"{role.value}:{tab.key}"
            raw = text(form, name)
            if raw not in {a.value for a in Access}:
                errors.add(name, "choose Hidden, See, or See and change")
                continue
            wanted[(role, tab.key)] = Access(raw)
    if errors:
        return _page(request, viewer, session, section="permissions", errors=errors, status=400)
    try:
        admin_settings_service.set_tab_access(session, viewer.principal.tenant_id, wanted, reason(form))
    except DomainError as error:
        return _refused(request, viewer, session, "permissions", error, ())
    return redirect(request, "/settings", "Tab permissions saved.")
