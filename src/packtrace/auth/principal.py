"""Who is calling. Endpoints ask for a principal; the dependencies here authenticate the request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from packtrace.audit.facts import act_as
from packtrace.auth import failures
from packtrace.auth.service import api_key_service, channel_service, user_service
from packtrace.kit.deps import Context, DbSession
from packtrace.kit.errors import (
    AuthenticationError,
    ChannelError,
    NoChannelKeyError,
    NoTokenError,
    PermissionDeniedError,
)
from packtrace.models.enums import ChannelSource, Role

TOKEN_FAILED = "Failed to authenticate the provided token."

# Each scheme has a name of its own in the OpenAPI document (by default both headers were "APIKeyHeader",
# one hiding the other); packtrace.openapi pairs the channel key with either token.
ACCESS_TOKEN_SCHEME = "AccessToken"
BEARER_SCHEME = "Bearer"
CHANNEL_KEY_SCHEME = "ChannelKey"
_access_token = APIKeyHeader(
    name="x-access-token", scheme_name=ACCESS_TOKEN_SCHEME, auto_error=False, description="Access token"
)
_bearer = HTTPBearer(
    scheme_name=BEARER_SCHEME,
    auto_error=False,
    description="`Authorization: Bearer <token>`: an access token (Manufacturer V2 API) or a user token from "
    "`POST /api/login` (management API)",
)
_channel_key = APIKeyHeader(
    name="x-channel-key", scheme_name=CHANNEL_KEY_SCHEME, auto_error=False, description="Shopfloor channel key"
)


def _no_token(request: Request) -> NoTokenError:
    # A token sent as "Authorization: <token>" is the commonest slip; "no token" would send the caller
    # looking for a token they did send.
    words = request.headers.get("authorization", "").split()
    if len(words) == 1:
        return NoTokenError("The Authorization header has no scheme: send 'Authorization: Bearer <token>'.")
    if words and words[0].lower() != "bearer":
        return NoTokenError(f"The Authorization scheme {words[0]!r} is not accepted: send 'Bearer <token>'.")
    return NoTokenError("No token provided.")


@dataclass(frozen=True)
class ApiPrincipal:
    """A system calling the Manufacturer V2 API: an API key through a shopfloor channel."""

    tenant_id: int
    api_key_id: int
    api_key_name: str
    channel_id: int
    channel_name: str

    @property
    def actor(self) -> str:
        return f"api_key:{self.api_key_name} channel:{self.channel_name}"


@dataclass(frozen=True)
class UserPrincipal:
    """A person signed in to the management API or the admin UI."""

    tenant_id: int
    user_id: int
    email: str
    role: Role

    @property
    def actor(self) -> str:
        return f"user:{self.email}"


def manufacturer_api_principal(
    request: Request,
    session: DbSession,
    context: Context,
    access_token: Annotated[str | None, Security(_access_token)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    channel_key: Annotated[str | None, Security(_channel_key)] = None,
) -> ApiPrincipal:
    """A valid token with a valid channel key is never refused by the failure limiter: failures count
    against what was guessed (an invalid token against the address, a wrong channel key against the API
    key that sent it), not against everyone behind the same address."""
    token = access_token or (bearer.credentials if bearer else None)
    if not token:
        raise _no_token(request)
    api_key, found = api_key_service.verify_token_and_channel(session, context.server_key, token, channel_key)
    if api_key is None:
        failures.fail(session, context, [failures.address(request)], AuthenticationError(TOKEN_FAILED))
    if not channel_key:
        raise NoChannelKeyError("No channel key provided.")
    try:
        channel = channel_service.check(found, api_key.tenant_id, ChannelSource.MANUFACTURER_V2_API)
    except ChannelError as error:
        failures.fail(session, context, [failures.api_key(api_key.key_hash)], error)
    principal = ApiPrincipal(api_key.tenant_id, api_key.id, api_key.name, channel.id, channel.name)
    act_as(session, principal.actor)  # the audit trail names who made this request's changes
    return principal


def user_principal(
    request: Request,
    session: DbSession,
    context: Context,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> UserPrincipal:
    if bearer is None or not bearer.credentials:
        raise _no_token(request)
    user = user_service.from_token(session, context.server_key, bearer.credentials, "user")
    if user is None:
        failures.fail(session, context, [failures.address(request)], AuthenticationError(TOKEN_FAILED))
    principal = UserPrincipal(user.tenant_id, user.id, user.email, Role(user.role))
    act_as(session, principal.actor)  # the audit trail names who made this request's changes
    return principal


def require_role(*roles: Role) -> Callable[[UserPrincipal], UserPrincipal]:
    """A dependency that lets through only users with one of ``roles``."""

    def check(principal: Annotated[UserPrincipal, Depends(user_principal)]) -> UserPrincipal:
        if principal.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise PermissionDeniedError(f"This needs the role {allowed}; you are {principal.role.value}")
        return principal

    return check


ApiCaller = Annotated[ApiPrincipal, Depends(manufacturer_api_principal)]
AnyUser = Annotated[UserPrincipal, Depends(require_role(Role.ADMINISTRATOR, Role.SUPPORT, Role.USER))]
SupportUser = Annotated[UserPrincipal, Depends(require_role(Role.ADMINISTRATOR, Role.SUPPORT))]
AdminUser = Annotated[UserPrincipal, Depends(require_role(Role.ADMINISTRATOR))]
