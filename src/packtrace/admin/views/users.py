"""Tenant tab (Administrator only), users: create, change role, disable and enable. Nobody can change
their own role or disable themselves (the service refuses it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin.forms import Form, FormErrors, checked, form_values, reason, text
from packtrace.admin.rendering import redirect, render, status_of
from packtrace.admin.session import SignedIn, Viewer, tab_guard
from packtrace.auth.service import SECRET_RULE, user_service
from packtrace.kit.deps import DbSession
from packtrace.kit.errors import DomainError, ValidationError
from packtrace.models.enums import Role

TAB = "tenant"
router = APIRouter(prefix="/tenant", dependencies=[Depends(tab_guard(TAB))])

FIELDS = ("email", "name", "password", "role")
ROLES = [r.value for r in Role]


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
    return render(
        request,
        "tenant/users.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        section="users",
        users=user_service.list_all(session, viewer.principal.tenant_id),
        roles=ROLES,
        role_options=[(r, r) for r in ROLES],
        secret_rule=SECRET_RULE,
        values=values or {"email": "", "name": "", "role": Role.USER.value},
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
        row_errors=row_errors or {},
    )


@router.get("")
def tenant(request: Request) -> Response:
    return redirect(request, "/tenant/users")


@router.get("/users")
def user_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _page(request, viewer, session)


def _role(raw: str, field: str = "role") -> Role:
    if raw not in ROLES:
        raise ValidationError.on_field(field, f"choose one of {', '.join(ROLES)}")
    return Role(raw)


@router.post("/users")
def create_user(request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    password = form.get("password")
    try:
        user = user_service.create(
            session,
            viewer.principal.tenant_id,
            text(form, "email"),
            password if isinstance(password, str) else "",
            _role(text(form, "role")),
            text(form, "name"),
            reason(form),
        )
    except DomainError as error:
        session.rollback()
        values = form_values(form, ("email", "name", "role"))
        return _page(
            request, viewer, session, values=values, errors=FormErrors.of(error, FIELDS), status=status_of(error)
        )
    return redirect(request, "/tenant/users", f"User {user.email} created.")


@router.post("/users/{user_id:int}/role")
def change_role(user_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    try:
        user = user_service.get(session, viewer.principal.tenant_id, user_id)
        role = _role(text(form, "role"))
        user_service.update(session, user, role=role, actor_id=viewer.principal.user_id, reason=reason(form))
    except DomainError as error:
        session.rollback()
        return _page(request, viewer, session, row_errors={user_id: error.message}, status=status_of(error))
    return redirect(request, "/tenant/users", f"{user.email} is now {user.role}.")


@router.post("/users/{user_id:int}/active")
def set_active(user_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    active = checked(form, "active")
    try:
        user = user_service.get(session, viewer.principal.tenant_id, user_id)
        user_service.update(session, user, active=active, actor_id=viewer.principal.user_id, reason=reason(form))
    except DomainError as error:
        session.rollback()
        return _page(request, viewer, session, row_errors={user_id: error.message}, status=status_of(error))
    return redirect(request, "/tenant/users", f"{user.email} is {'enabled' if active else 'disabled'}.")
