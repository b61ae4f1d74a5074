"""``POST /v1/api_auth``: a dynamic token for an API key and its secret."""

from __future__ import annotations

from fastapi import APIRouter, Request

from packtrace.auth import failures
from packtrace.auth.schemas import ApiAuthRequest, TokenRead
from packtrace.auth.service import api_key_service
from packtrace.kit.deps import Context, DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.errors import AuthenticationError

router = APIRouter(tags=["Authentication"])


@router.post("/v1/api_auth", summary="Get a dynamic access token (valid one day)")
def api_auth(body: ApiAuthRequest, request: Request, session: DbSession, context: Context) -> Envelope[TokenRead]:
    subjects = [failures.address(request), failures.api_key_sent(context, body.api_key)]
    failures.check(session, context, subjects)
    api_key = api_key_service.authenticate(session, context.server_key, body.api_key, body.api_secret)
    if api_key is None:
        # Never say whether the key or the secret was wrong.
        failures.fail(
            session, context, subjects, AuthenticationError("Authentication failed: unknown API key or wrong secret.")
        )
    issued = api_key_service.issue_dynamic_token(context.server_key, api_key, context.settings.dynamic_token_hours)
    return Envelope(
        message="Authentication successful", data=TokenRead(token=issued.token, expires_at=issued.expires_at)
    )
