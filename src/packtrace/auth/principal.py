"""Who is calling. Endpoints ask for a principal; the dependencies here authenticate the request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from packtrace.auth.service import api_key_service, channel_service, user_service
from packtrace.kit import security
from packtrace.kit.deps import Context, DbSession, client_address
from packtrace.kit.errors import AuthenticationError, NoChannelKeyError, NoTokenError, PermissionDeniedError
from packtrace.models.enums import ChannelSource, Role

TOKEN_FAILED = "Failed to authenticate the provided token."

_access_token = APIKeyHeader(name="x-access-token", auto_error=False, description="Access token")
_bearer = HTTPBearer(auto_error=False, description="Access token as `Authorization: Bearer <token>`")
_channel_key = APIKeyHeader(name="x-channel-key", auto_error=False, description="Shopfloor channel key")


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
    client = client_address(request)
    context.auth_failures.check(client)
    token = access_token or (bearer.credentials if bearer else None)
    if not token:
        raise _no_token(request)
    api_key = api_key_service.verify_token(session, context.server_key, token)
    if api_key is None:
        context.auth_failures.record_failure(client)
        raise AuthenticationError(TOKEN_FAILED)
    if not channel_key:
        raise NoChannelKeyError("No channel key provided.")
    channel = channel_service.verify(
        session, context.server_key, channel_key, api_key.tenant_id, ChannelSource.MANUFACTURER_V2_API
    )
    return ApiPrincipal(api_key.tenant_id, api_key.id, api_key.name, channel.id, channel.name)


def user_principal(
    request: Request,
    session: DbSession,
    context: Context,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> UserPrincipal:
    client = client_address(request)
    context.auth_failures.check(client)
    if bearer is None or not bearer.credentials:
        raise _no_token(request)
    claims = security.decode_jwt(context.server_key, bearer.credentials)
    user = None
    if claims is not None and claims.get("typ") == "user" and str(claims.get("sub", "")).isdigit():
        user = user_service.find(session, int(claims["sub"]))
    if user is None or not user.active:
        context.auth_failures.record_failure(client)
        raise AuthenticationError(TOKEN_FAILED)
    return UserPrincipal(user.tenant_id, user.id, user.email, Role(user.role))


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
