"""ASGI middleware around every request: a request id on every response, and the body size limit.

Pure ASGI (not ``BaseHTTPMiddleware``) so that streamed responses stay streamed and the body limit is
enforced while the body is read, before it is held in memory."""

from __future__ import annotations

import json
import re
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# A caller may pass its own id for tracing across systems, if it is short and plain.
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or ``application/<something>+json``, as FastAPI decides what to parse."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _ACCEPTED_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        _request_id.set(request_id)

        await self.app(scope, receive, with_headers(send, [(REQUEST_ID_HEADER.encode(), request_id.encode())]))


def with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """``send`` that sets ``headers`` on the response (replacing any of the same names)."""
    names = {name for name, _ in headers}

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(k, v) for k, v in message.get("headers", []) if k not in names]
            message["headers"] = kept + headers
        await send(message)

    return sending


def _too_large_message(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes"


def _too_large_body(limit: int) -> bytes:
    body: dict[str, Any] = {
        "success": False,
        "message": _too_large_message(limit),
        "error": {"type": "PayloadTooLargeError", "details": []},
    }
    return json.dumps(body).encode()


class BodySizeLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        answered_by_app: tuple[str, ...] = (),
        own_limit: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Path prefixes with a limit of their own, enforced by their endpoint (EPCIS capture: a
        # 100,000-EPC document is about 6 MB, over the API's limit): this one does not apply there.
        self.own_limit = own_limit
        # Path prefixes whose app answers a body over the limit itself (the admin UI answers with a page,
        # not JSON): there the body is read up to the limit, and reading on raises an HTTPException 413.
        self.answered_by_app = answered_by_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (self.own_limit and str(scope.get("path", "")).startswith(self.own_limit)):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        answered_by_app = str(scope.get("path", "")).startswith(self.answered_by_app)
        too_large = declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes
        if too_large and not answered_by_app:
            await self._refuse(scope, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # An HTTPException passes through FastAPI's body parsing untouched and reaches
                    # the app's handlers, which answer with the envelope.
                    raise StarletteHTTPException(413, _too_large_message(self.max_body_bytes))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except StarletteHTTPException as exc:
            if response_started or exc.status_code != 413:
                raise
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = _too_large_body(self.max_body_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
