"""Management API (``/api/``) for people: sign-in, the tenant, users, API keys, static tokens and channels.

Roles: everyone reads their own profile and tenant; Support also reads the lists of users and credentials
(never a secret); only an Administrator creates or changes them. Names in paths may hold any text,
percent-encoded (``{name:path}`` so that an encoded ``/`` works too)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from packtrace.audit.schemas import ReasonQuery
from packtrace.auth import failures
from packtrace.auth.principal import AdminUser, AnyUser, SupportUser
from packtrace.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    ApiKeyUpdate,
    ChannelCreate,
    ChannelCreated,
    ChannelRead,
    ChannelUpdate,
    LoginRequest,
    TenantRead,
    TenantUpdate,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from packtrace.auth.service import api_key_service, channel_service, tenant_service, user_service
from packtrace.kit.deps import Context, DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.errors import AuthenticationError
from packtrace.kit.validation import NoNul
from packtrace.models import ApiKey, Channel, User
from packtrace.models.enums import ChannelSource, Role

router = APIRouter(tags=["Management: sign-in and credentials"])

# A name as a path parameter: any text, percent-encoded.
PathName = Annotated[str, NoNul]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def user_read(user: User) -> UserRead:
    return UserRead.model_validate(user, from_attributes=True)


def api_key_read(api_key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        name=api_key.name,
        key_hint=api_key.key_hint,
        active=api_key.active,
        has_static_token=api_key.static_token_hash is not None,
        static_token_created_at=api_key.static_token_created_at,
        created_at=api_key.created_at,
    )


def channel_read(channel: Channel) -> ChannelRead:
    return ChannelRead(
        name=channel.name,
        source=channel.source,
        key_hint=channel.key_hint,
        enabled=channel.enabled,
        created_at=channel.created_at,
    )


@router.post("/login", summary="Sign in with e-mail and password")
def login(body: LoginRequest, request: Request, session: DbSession, context: Context) -> Envelope[TokenRead]:
    subjects = [failures.address(request), failures.email(context, body.email)]
    failures.check(session, context, subjects)
    user = user_service.authenticate(session, body.email, body.password)
    if user is None:
        failures.fail(
            session, context, subjects, AuthenticationError("Sign-in failed: unknown e-mail or wrong password.")
        )
    issued = user_service.issue_token(context.server_key, user, context.settings.user_session_hours)
    return Envelope(message="Signed in", data=TokenRead(token=issued.token, expires_at=issued.expires_at))


@router.get("/me", summary="The signed-in user")
def me(user: AnyUser, session: DbSession) -> Envelope[UserRead]:
    found = user_service.get(session, user.tenant_id, user.user_id)
    return Envelope(message="Signed-in user", data=user_read(found))


@router.get("/tenant", summary="The signed-in user's tenant")
def get_tenant(user: AnyUser, session: DbSession) -> Envelope[TenantRead]:
    tenant = tenant_service.get(session, user.tenant_id)
    return Envelope(message="Tenant", data=TenantRead.model_validate(tenant, from_attributes=True))


@router.patch("/tenant", summary="Change the tenant's settings (Administrator)")
def update_tenant(body: TenantUpdate, admin: AdminUser, session: DbSession) -> Envelope[TenantRead]:
    """`automatic_release`: release an order to its packaging line as soon as it has its serial numbers.
    It applies to orders that get their serials from now on."""
    tenant = tenant_service.set_automatic_release(
        session, tenant_service.get(session, admin.tenant_id), body.automatic_release, body.reason
    )
    return Envelope(message="Tenant updated", data=TenantRead.model_validate(tenant, from_attributes=True))


# -- users ---------------------------------------------------------------------------------------------


@router.get("/users", summary="List the tenant's users (Support, Administrator)")
def list_users(user: SupportUser, session: DbSession) -> Envelope[list[UserRead]]:
    users = user_service.list_all(session, user.tenant_id)
    return Envelope(message="Users", data=[user_read(u) for u in users])


@router.post("/users", summary="Create a user (Administrator)")
def create_user(body: UserCreate, admin: AdminUser, session: DbSession) -> Envelope[UserRead]:
    created = user_service.create(
        session, admin.tenant_id, body.email, body.password, Role(body.role), body.name, body.reason
    )
    return Envelope(message="User created", data=user_read(created))


@router.patch("/users/{user_id}", summary="Change a user's role, name, password or active flag (Administrator)")
def update_user(user_id: UserId, body: UserUpdate, admin: AdminUser, session: DbSession) -> Envelope[UserRead]:
    """Fields left out stay as they are. Nobody can change their own role or disable themselves."""
    target = user_service.get(session, admin.tenant_id, user_id)
    updated = user_service.update(
        session,
        target,
        role=Role(body.role) if body.role is not None else None,
        active=body.active,
        name=body.name,
        password=body.password,
        actor_id=admin.user_id,
        reason=body.reason,
    )
    return Envelope(message="User updated", data=user_read(updated))


# -- API keys and static tokens ------------------------------------------------------------------------


@router.get("/api_keys", summary="List the tenant's API keys (Support, Administrator)")
def list_api_keys(user: SupportUser, session: DbSession) -> Envelope[list[ApiKeyRead]]:
    api_keys = api_key_service.list_all(session, user.tenant_id)
    return Envelope(message="API keys", data=[api_key_read(k) for k in api_keys])


@router.post("/api_keys", summary="Create an API key (Administrator); the key is shown only once")
def create_api_key(
    body: ApiKeyCreate, admin: AdminUser, session: DbSession, context: Context
) -> Envelope[ApiKeyCreated]:
    issued = api_key_service.create(
        session, context.server_key, admin.tenant_id, body.name, body.secret, reason=body.reason
    )
    data = ApiKeyCreated(**api_key_read(issued.api_key).model_dump(), api_key=issued.key)
    return Envelope(message="API key created; copy the key now, it is not shown again", data=data)


@router.patch("/api_keys/{name:path}", summary="Activate or deactivate an API key (Administrator)")
def update_api_key(name: PathName, body: ApiKeyUpdate, admin: AdminUser, session: DbSession) -> Envelope[ApiKeyRead]:
    """A deactivated key's tokens, dynamic and static, stop working at once."""
    api_key = api_key_service.get(session, admin.tenant_id, name)
    api_key = api_key_service.set_active(session, api_key, body.active, body.reason)
    return Envelope(message="API key updated", data=api_key_read(api_key))


@router.post(
    "/api_keys/{name:path}/static_token",
    summary="Generate the API key's static token (Administrator); it replaces the previous one",
)
def generate_static_token(
    name: PathName, admin: AdminUser, session: DbSession, context: Context, reason: ReasonQuery = None
) -> Envelope[TokenRead]:
    """The token never expires and is shown only in this response; the key's previous static token, if
    any, stops working at once."""
    api_key = api_key_service.get(session, admin.tenant_id, name)
    issued = api_key_service.generate_static_token(session, context.server_key, api_key, reason=reason)
    return Envelope(
        message="Static token generated; copy it now, it is not shown again",
        data=TokenRead(token=issued.token, expires_at=issued.expires_at),
    )


@router.delete("/api_keys/{name:path}/static_token", summary="Revoke the API key's static token (Administrator)")
def revoke_static_token(
    name: PathName, admin: AdminUser, session: DbSession, reason: ReasonQuery = None
) -> Envelope[ApiKeyRead]:
    api_key = api_key_service.get(session, admin.tenant_id, name)
    api_key_service.revoke_static_token(session, api_key, reason)
    return Envelope(message="Static token revoked", data=api_key_read(api_key))


# -- shopfloor channels --------------------------------------------------------------------------------


@router.get("/channels", summary="List the tenant's shopfloor channels (Support, Administrator)")
def list_channels(user: SupportUser, session: DbSession) -> Envelope[list[ChannelRead]]:
    channels = channel_service.list_all(session, user.tenant_id)
    return Envelope(message="Channels", data=[channel_read(c) for c in channels])


@router.post("/channels", summary="Create a Manufacturer V2 API channel (Administrator); the key is shown only once")
def create_channel(
    body: ChannelCreate, admin: AdminUser, session: DbSession, context: Context
) -> Envelope[ChannelCreated]:
    issued = channel_service.create(
        session, context.server_key, admin.tenant_id, body.name, ChannelSource.MANUFACTURER_V2_API, reason=body.reason
    )
    data = ChannelCreated(**channel_read(issued.channel).model_dump(), channel_key=issued.key)
    return Envelope(message="Channel created; copy the key now, it is not shown again", data=data)


@router.patch("/channels/{name:path}", summary="Enable or disable a channel (Administrator)")
def update_channel(name: PathName, body: ChannelUpdate, admin: AdminUser, session: DbSession) -> Envelope[ChannelRead]:
    """Requests through a disabled channel are refused at once (403 ChannelError)."""
    channel = channel_service.get(session, admin.tenant_id, name)
    channel = channel_service.set_enabled(session, channel, body.enabled, body.reason)
    return Envelope(message="Channel updated", data=channel_read(channel))
