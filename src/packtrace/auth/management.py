"""Management API (``/api/``) for people: sign-in, users, API keys, static tokens and channels."""

from __future__ import annotations

from fastapi import APIRouter, Request

from packtrace.auth.principal import AnyUser
from packtrace.auth.schemas import LoginRequest, TokenRead, UserRead
from packtrace.auth.service import user_service
from packtrace.kit.deps import Context, DbSession, client_address
from packtrace.kit.envelope import Envelope
from packtrace.kit.errors import AuthenticationError

router = APIRouter(tags=["Management: sign-in and credentials"])


@router.post("/login", summary="Sign in with e-mail and password")
def login(body: LoginRequest, request: Request, session: DbSession, context: Context) -> Envelope[TokenRead]:
    client = client_address(request)
    context.auth_failures.check(client)
    user = user_service.authenticate(session, body.email, body.password)
    if user is None:
        context.auth_failures.record_failure(client)
        raise AuthenticationError("Sign-in failed: unknown e-mail or wrong password.")
    issued = user_service.issue_token(context.server_key, user, context.settings.user_session_hours)
    return Envelope(message="Signed in", data=TokenRead(token=issued.token, expires_at=issued.expires_at))


@router.get("/me", summary="The signed-in user")
def me(user: AnyUser, session: DbSession) -> Envelope[UserRead]:
    found = user_service.get(session, user.tenant_id, user.user_id)
    return Envelope(message="Signed-in user", data=UserRead.model_validate(found, from_attributes=True))
