"""Pages from the templates, redirects after a POST, and the one-line message ("flash") the page after a
redirect shows."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined
from markupsafe import Markup, escape

from packtrace.admin.session import Viewer, cookie_path
from packtrace.kit import security
from packtrace.kit.deps import app_context
from packtrace.kit.errors import DomainError
from packtrace.kit.http_errors import status_and_type

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
FLASH_COOKIE = "packtrace_admin_flash"
_FLASH_SECONDS = 60

templates = Jinja2Templates(directory=TEMPLATES_DIR)
templates.env.undefined = StrictUndefined  # a misspelt name fails the tests instead of rendering as ""


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def _number(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0")


def _breakable(value: str) -> Markup:
    """An actor or e-mail address that may wrap after "user:" and before "@" in a narrow column."""
    return escape(value).replace(":", Markup(":<wbr>")).replace("@", Markup("<wbr>@"))


templates.env.filters["when"] = _when
templates.env.filters["breakable"] = _breakable
templates.env.filters["number"] = _number


def base_path(request: Request) -> str:
    return str(request.scope.get("root_path") or "")


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None,
    tab: str | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    flash = _take_flash(request)
    values: dict[str, Any] = {
        "base": base_path(request),
        "viewer": viewer,
        "active_tab": tab,
        "flash": flash,
        "csrf_token": viewer.csrf_token if viewer else context.pop("csrf_token", ""),
        "errors": context.pop("errors", None) or {},
        "message": context.pop("message", None),
        **context,
    }
    response = templates.TemplateResponse(request, template, values, status_code=status)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path=cookie_path(request))
    return response


def redirect(request: Request, path: str, flash: str | None = None) -> RedirectResponse:
    """303 See Other to ``path`` under the admin, after a POST that worked."""
    response = RedirectResponse(base_path(request) + path, status_code=303)
    if flash:
        token, _ = security.encode_jwt(
            app_context(request).server_key, {"typ": "admin_flash", "text": flash}, timedelta(seconds=_FLASH_SECONDS)
        )
        response.set_cookie(
            FLASH_COOKIE, token, max_age=_FLASH_SECONDS, path=cookie_path(request), httponly=True, samesite="lax"
        )
    return response


def _take_flash(request: Request) -> str | None:
    token = request.cookies.get(FLASH_COOKIE)
    if not token:
        return None
    claims = security.decode_jwt(app_context(request).server_key, token)
    if claims is None or claims.get("typ") != "admin_flash" or not isinstance(claims.get("text"), str):
        return None
    return str(claims["text"])


def status_of(error: DomainError) -> int:
    return status_and_type(error)[0]


def is_htmx_partial(request: Request, target: str) -> bool:
    """An htmx request that replaces only the element ``target`` (not a history restore)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-target") == target
        and request.headers.get("hx-history-restore-request") != "true"
    )
