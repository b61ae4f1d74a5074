"""The admin web UI as an application of its own, mounted under ``/admin`` in the API's app: it shares
the app's context (settings, database, server key, sign-in failure limiter) and middleware, and answers
with HTML pages, errors included."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from packtrace.admin.rendering import STATIC_DIR, base_path, render, status_of
from packtrace.admin.session import NotSignedIn, PageError, csrf_guard
from packtrace.admin.views import (
    audit,
    commissioning,
    credentials,
    labels,
    lines,
    order_page,
    order_serials,
    orders,
    partners,
    pool,
    products,
    reports,
    settings,
    signin,
    users,
)
from packtrace.kit.deps import AppContext
from packtrace.kit.errors import DomainError
from packtrace.kit.request_context import current_request_id

log = logging.getLogger("packtrace.admin")

ADMIN_PATH = "/admin"
# The routers of the pages, by tab. ``orders`` before ``order_page``: "/orders/new" is not an order;
# ``partners`` before ``products``: "/products/partners" is not a product.
VIEWS = (
    signin,
    partners,
    products,
    pool,
    orders,
    order_page,
    order_serials,
    lines,
    commissioning,
    labels,
    reports,
    audit,
    settings,
    users,
    credentials,
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class SecurityHeaders:
    """Headers on every answer of the UI: no framing, no inline script, and pages never cached (they
    show a tenant's data, and some a secret once)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(f"{scope.get('root_path', '')}/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    return render(request, "error.html", viewer=viewer, status=status, title=title, text=message)


def _install_error_pages(admin: FastAPI) -> None:
    async def not_signed_in(request: Request, exc: Exception) -> Response:
        wanted = request.url.path.removeprefix(base_path(request)) or "/"
        if request.url.query:
            wanted += "?" + request.url.query
        target = f"{base_path(request)}/login"
        if request.method == "GET" and wanted != "/":
            target += "?" + urlencode({"next": wanted})
        if request.headers.get("hx-request") == "true":
            # An htmx request would put the sign-in page inside the page; send the whole window there.
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def page_error(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, PageError)
        return _error_page(request, exc.status, exc.title, exc.message)

    async def domain_error(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, DomainError)
        return _error_page(request, status_of(exc), "Not possible", exc.message)

    async def http_error(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return _error_page(request, 404, "Not found", "There is no such page.")
        message = exc.detail if isinstance(exc.detail, str) else "The request was refused."
        return _error_page(request, exc.status_code, "Refused", message)

    async def bad_request(request: Request, exc: Exception) -> HTMLResponse:
        return _error_page(request, 400, "Bad request", "The address or the form was not understood.")

    async def integrity_error(request: Request, exc: Exception) -> HTMLResponse:
        log.info("integrity error, request %s: %s", current_request_id(), exc)
        return _error_page(request, 409, "Conflict", "Someone changed the same data at the same time; try again.")

    async def unexpected(request: Request, exc: Exception) -> HTMLResponse:
        request_id = request.scope.get("state", {}).get("request_id") or current_request_id()
        log.exception("unexpected error, request %s", request_id, exc_info=exc)
        return _error_page(
            request, 500, "Internal error", f"Something went wrong. Quote request id {request_id} to the administrator."
        )

    admin.add_exception_handler(NotSignedIn, not_signed_in)
    admin.add_exception_handler(PageError, page_error)
    admin.add_exception_handler(DomainError, domain_error)
    admin.add_exception_handler(StarletteHTTPException, http_error)
    admin.add_exception_handler(RequestValidationError, bad_request)
    admin.add_exception_handler(IntegrityError, integrity_error)
    admin.add_exception_handler(Exception, unexpected)


def build_admin(context: AppContext) -> FastAPI:
    admin = FastAPI(
        title="PackTrace admin",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_guard)],
    )
    admin.state.context = context
    for view in VIEWS:
        admin.include_router(view.router)
    admin.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_pages(admin)
    admin.add_middleware(SecurityHeaders)
    return admin


def mount_admin(app: FastAPI) -> None:
    app.mount(ADMIN_PATH, build_admin(app.state.context), name="admin")
