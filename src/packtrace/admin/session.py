"""Who is using the admin UI: the session cookie, the CSRF check of every POST, and the role checks of
every tab.

The cookie is a JWT signed with the server key (HttpOnly, SameSite=Lax, Secure over https or when
``settings.cookie_secure``, scoped to the admin's path). It carries the user's id, the user's credentials
epoch and the session's CSRF token and expires after ``settings.user_session_hours``; before sign-in it
carries a CSRF token only, for the sign-in form. The user is read from the database on every request, so
a disabled user or a changed role takes effect at once, and a cookie issued under an older epoch (before
a sign-out, a new password, a new role) is refused."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from packtrace.admin.service import TabAccess, admin_settings_service
from packtrace.admin.tabs import TABS, Access, Tab, tab
from packtrace.audit.facts import act_as
from packtrace.auth.principal import UserPrincipal
from packtrace.auth.service import user_service
from packtrace.kit import security
from packtrace.kit.deps import Context, DbSession, app_context
from packtrace.models import User
from packtrace.models.enums import Role

SESSION_COOKIE = "packtrace_admin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Lifetime of the cookie that only holds the sign-in form's CSRF token.
SIGN_IN_FORM_HOURS = 2
_TYPE = "admin"


class NotSignedIn(Exception):
    """The request needs a signed-in user and has none: the answer is the sign-in page."""


class PageError(Exception):
    """Refused or impossible: the answer is an error page with this status."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


@dataclass(frozen=True)
class CookieSession:
    user_id: int | None
    csrf_token: str


@dataclass(frozen=True)
class Viewer:
    """The signed-in user and what they may do."""

    principal: UserPrincipal
    name: str
    csrf_token: str
    access: TabAccess

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def actor(self) -> str:
        return self.principal.actor

    def access_to(self, key: str) -> Access:
        return self.access.of(self.role, tab(key))

    def may_view(self, key: str) -> bool:
        return self.access_to(key).may_view

    def may_change(self, key: str) -> bool:
        return self.access_to(key).may_change

    @property
    def tabs(self) -> list[Tab]:
        return [t for t in TABS if self.access.of(self.role, t).may_view]

    def require_change(self, key: str) -> None:
        if not self.may_change(key):
            raise PageError(403, "Not allowed", f"Your role ({self.role.value}) may not change {tab(key).label}.")


def cookie_path(request: Request) -> str:
    return str(request.scope.get("root_path") or "/")


def read_cookie(request: Request) -> CookieSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    claims = security.decode_jwt(app_context(request).server_key, token)
    if claims is None or claims.get("typ") != _TYPE or not isinstance(claims.get("csrf"), str):
        return None
    subject = claims.get("sub")
    user_id = int(subject) if isinstance(subject, str) and subject.isdigit() else None
    return CookieSession(user_id, claims["csrf"])


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def write_cookie(request: Request, response: Response, user: User | None, hours: int, csrf_token: str) -> None:
    """Start a session: a user's, or (``user`` None) the sign-in form's. Signing in starts a new
    session with a new CSRF token, so a token known before sign-in is worth nothing after it."""
    server_key = app_context(request).server_key
    if user is not None:
        token = user_service.issue_token(server_key, user, hours, _TYPE, csrf=csrf_token).token
    else:
        token, _ = security.encode_jwt(server_key, {"typ": _TYPE, "csrf": csrf_token}, timedelta(hours=hours))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=hours * 3600,
        path=cookie_path(request),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or app_context(request).settings.cookie_secure


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=cookie_path(request), httponly=True, samesite="lax", secure=_secure(request)
    )


def signed_in_user(request: Request, session: Session) -> User | None:
    """The user whose session the request's cookie holds, if that session is still valid."""
    token = request.cookies.get(SESSION_COOKIE)
    return user_service.from_token(session, app_context(request).server_key, token, _TYPE) if token else None


async def csrf_guard(request: Request) -> AsyncIterator[None]:
    """Every POST (form or htmx) must carry the session's CSRF token, in the form or in a header; a
    cross-site page cannot read it, so it cannot forge the request. The form's uploaded files are closed
    after the answer, refused or not (a large upload is spooled to a temporary file)."""
    try:
        if request.method not in SAFE_METHODS:
            await _check_csrf(request)
        yield
    finally:
        await request.close()


async def _check_csrf(request: Request) -> None:
    session = read_cookie(request)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or sent is None or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise PageError(
            403,
            "Form expired",
            "This form is stale or did not come from PackTrace (its security token does not match your session). "
            "Reload the page and try again.",
        )


def signed_in(request: Request, session: DbSession, context: Context) -> Viewer:
    cookie = read_cookie(request)
    user = signed_in_user(request, session) if cookie is not None else None
    if cookie is None or user is None:
        raise NotSignedIn()
    viewer = Viewer(
        UserPrincipal(user.tenant_id, user.id, user.email, Role(user.role)),
        user.name,
        cookie.csrf_token,
        admin_settings_service.tab_access(session, user.tenant_id),
    )
    act_as(session, viewer.actor)  # the audit trail names who made this request's changes
    request.state.viewer = viewer  # for the error pages, which are rendered outside the view
    return viewer


SignedIn = Annotated[Viewer, Depends(signed_in)]


def tab_guard(key: str) -> Callable[[Request, Viewer], Viewer]:
    """The dependency of a tab's router: reading needs the tab's view access, anything else its change
    access, checked on the server for every route of the tab."""
    the_tab = tab(key)

    def guard(request: Request, viewer: SignedIn) -> Viewer:
        access = viewer.access.of(viewer.role, the_tab)
        if not access.may_view:
            raise PageError(403, "Not allowed", f"Your role ({viewer.role.value}) may not open {the_tab.label}.")
        if request.method not in SAFE_METHODS and not access.may_change:
            raise PageError(403, "Not allowed", f"Your role ({viewer.role.value}) may not change {the_tab.label}.")
        return viewer

    guard.tab_key = key  # type: ignore[attr-defined]  # lets a test check that every route has a guard
    return guard
