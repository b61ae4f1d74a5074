"""Tenant tab (Administrator only), credentials of the systems that call the API: API keys with their
static tokens, and shopfloor channels. A new key or token is shown once, on the page that answers its
creation (never cached, never in a redirect): only its hash is stored."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from packtrace.admin import repository
from packtrace.admin.forms import Form, FormErrors, checked, form_values, reason, text
from packtrace.admin.rendering import redirect, render, status_of
from packtrace.admin.session import PageError, SignedIn, Viewer, tab_guard
from packtrace.auth.service import SECRET_RULE, api_key_service, channel_service
from packtrace.kit.deps import Context, DbSession
from packtrace.kit.errors import DomainError
from packtrace.models import ApiKey, Channel
from packtrace.models.enums import ChannelSource

TAB = "tenant"
router = APIRouter(prefix="/tenant", dependencies=[Depends(tab_guard(TAB))])


@dataclass(frozen=True)
class Revealed:
    """A secret shown once."""

    title: str
    label: str
    value: str


def _keys_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    revealed: Revealed | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    row_errors: dict[int, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "tenant/api_keys.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        section="api_keys",
        api_keys=api_key_service.list_all(session, viewer.principal.tenant_id),
        secret_rule=SECRET_RULE,
        revealed=revealed,
        values=values or {"name": ""},
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
        row_errors=row_errors or {},
    )


def _channels_page(
    request: Request,
    viewer: Viewer,
    session: Session,
    *,
    revealed: Revealed | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    row_errors: dict[int, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "tenant/channels.html",
        viewer=viewer,
        tab=TAB,
        status=status,
        section="channels",
        channels=channel_service.list_all(session, viewer.principal.tenant_id),
        revealed=revealed,
        values=values or {"name": ""},
        errors=errors.fields if errors else {},
        message=errors.message if errors else None,
        row_errors=row_errors or {},
    )


def _api_key(session: Session, viewer: Viewer, key_id: int) -> ApiKey:
    api_key = repository.api_key_by_id(session, viewer.principal.tenant_id, key_id)
    if api_key is None:
        raise PageError(404, "Not found", f"There is no API key {key_id}.")
    return api_key


def _channel(session: Session, viewer: Viewer, channel_id: int) -> Channel:
    channel = repository.channel_by_id(session, viewer.principal.tenant_id, channel_id)
    if channel is None:
        raise PageError(404, "Not found", f"There is no channel {channel_id}.")
    return channel


# -- API keys and static tokens ------------------------------------------------------------------------


@router.get("/api-keys")
def api_key_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _keys_page(request, viewer, session)


@router.post("/api-keys")
def create_api_key(request: Request, viewer: SignedIn, session: DbSession, context: Context, form: Form) -> Response:
    secret = form.get("secret")
    try:
        issued = api_key_service.create(
            session,
            context.server_key,
            viewer.principal.tenant_id,
            text(form, "name"),
            secret if isinstance(secret, str) else "",
            reason=reason(form),
        )
    except DomainError as error:
        session.rollback()
        errors = FormErrors.of(error, ("name", "secret"))
        values = form_values(form, ("name",))
        return _keys_page(request, viewer, session, values=values, errors=errors, status=status_of(error))
    revealed = Revealed(f"API key {issued.api_key.name} created", "API key", issued.key)
    return _keys_page(request, viewer, session, revealed=revealed)


@router.post("/api-keys/{key_id:int}/static-token")
def generate_static_token(
    key_id: int, request: Request, viewer: SignedIn, session: DbSession, context: Context, form: Form
) -> Response:
    api_key = _api_key(session, viewer, key_id)
    issued = api_key_service.generate_static_token(session, context.server_key, api_key, reason=reason(form))
    revealed = Revealed(f"Static token of {api_key.name} generated", "Static token", issued.token)
    return _keys_page(request, viewer, session, revealed=revealed)


@router.post("/api-keys/{key_id:int}/static-token/revoke")
def revoke_static_token(key_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    api_key = _api_key(session, viewer, key_id)
    try:
        api_key_service.revoke_static_token(session, api_key, reason(form))
    except DomainError as error:
        session.rollback()
        return _keys_page(request, viewer, session, row_errors={key_id: error.message}, status=status_of(error))
    return redirect(request, "/tenant/api-keys", f"The static token of {api_key.name} is revoked.")


@router.post("/api-keys/{key_id:int}/active")
def set_api_key_active(key_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form) -> Response:
    api_key = _api_key(session, viewer, key_id)
    api_key = api_key_service.set_active(session, api_key, checked(form, "active"), reason(form))
    state = "active" if api_key.active else "deactivated: its tokens stop working"
    return redirect(request, "/tenant/api-keys", f"API key {api_key.name} is {state}.")


# -- shopfloor channels --------------------------------------------------------------------------------


@router.get("/channels")
def channel_list(request: Request, viewer: SignedIn, session: DbSession) -> HTMLResponse:
    return _channels_page(request, viewer, session)


@router.post("/channels")
def create_channel(request: Request, viewer: SignedIn, session: DbSession, context: Context, form: Form) -> Response:
    try:
        issued = channel_service.create(
            session,
            context.server_key,
            viewer.principal.tenant_id,
            text(form, "name"),
            ChannelSource.MANUFACTURER_V2_API,
            reason=reason(form),
        )
    except DomainError as error:
        session.rollback()
        errors = FormErrors.of(error, ("name",))
        values = form_values(form, ("name",))
        return _channels_page(request, viewer, session, values=values, errors=errors, status=status_of(error))
    revealed = Revealed(f"Channel {issued.channel.name} created", "Channel key", issued.key)
    return _channels_page(request, viewer, session, revealed=revealed)


@router.post("/channels/{channel_id:int}/enabled")
def set_channel_enabled(
    channel_id: int, request: Request, viewer: SignedIn, session: DbSession, form: Form
) -> Response:
    channel = _channel(session, viewer, channel_id)
    channel = channel_service.set_enabled(session, channel, checked(form, "enabled"), reason(form))
    return redirect(
        request, "/tenant/channels", f"Channel {channel.name} is {'enabled' if channel.enabled else 'disabled'}."
    )
