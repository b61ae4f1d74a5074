"""Sign-in, sign-out and the start page. Failed sign-ins count in the same limiter as the API's (per
address and per e-mail)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from packtrace.admin.forms import Form, text
from packtrace.admin.rendering import redirect, render
from packtrace.admin.session import (
    SIGN_IN_FORM_HOURS,
    SignedIn,
    clear_cookie,
    new_csrf_token,
    read_cookie,
    signed_in_user,
    write_cookie,
)
from packtrace.auth import failures
from packtrace.auth.service import user_service
from packtrace.kit.deps import Context, DbSession
from packtrace.kit.errors import AuthenticationError, RateLimitError

router = APIRouter()

SIGN_IN_FAILED = "Sign-in failed: unknown e-mail or wrong password."


def safe_next(value: str) -> str:
    """Where to go after sign-in: a path of the admin only, never another site."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value and len(value) <= 2000:
        return value
    return "/"


@router.get("/")
def start(request: Request, viewer: SignedIn) -> Response:
    tabs = viewer.tabs
    if tabs:
        return redirect(request, tabs[0].path)
    return render(request, "empty.html", viewer=viewer)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    cookie = read_cookie(request)
    csrf_token = cookie.csrf_token if cookie else new_csrf_token()
    response = render(request, "login.html", viewer=None, csrf_token=csrf_token, next=safe_next(next), email="")
    if cookie is None:
        write_cookie(request, response, None, SIGN_IN_FORM_HOURS, csrf_token)
    return response


@router.post("/login")
def sign_in(request: Request, form: Form, session: DbSession, context: Context) -> Response:
    email, password, after = text(form, "email"), form.get("password"), safe_next(text(form, "next"))
    cookie = read_cookie(request)
    csrf_token = cookie.csrf_token if cookie else ""

    def refused(status: int, message: str) -> HTMLResponse:
        return render(
            request,
            "login.html",
            viewer=None,
            status=status,
            csrf_token=csrf_token,
            next=after,
            email=email,
            message=message,
        )

    subjects = [failures.address(request), failures.email(context, email)]
    try:
        failures.check(session, context, subjects)
        user = user_service.authenticate(session, email, password if isinstance(password, str) else "")
        if user is None:
            failures.fail(session, context, subjects, AuthenticationError(SIGN_IN_FAILED))
    except RateLimitError as error:
        page = refused(429, error.message)
        page.headers["Retry-After"] = str(error.retry_after)
        return page
    except AuthenticationError:
        return refused(401, SIGN_IN_FAILED)
    response = redirect(request, after)
    write_cookie(request, response, user, context.settings.user_session_hours, new_csrf_token())
    return response


@router.post("/logout")
def sign_out(request: Request, session: DbSession) -> RedirectResponse:
    """Ends the session on the server too: the user's credentials epoch moves on, so the cookie (and any
    copy of it) is refused from now on, as are the user's other sessions and tokens."""
    user = signed_in_user(request, session)
    if user is not None:
        user_service.revoke_sessions(session, user)
    response = redirect(request, "/login", flash="You have signed out.")
    clear_cookie(request, response)
    return response
