"""JSON request bodies are checked once, for every endpoint, before FastAPI parses them.

Python's ``json`` (and so FastAPI) keeps the last of two equal keys without a word: ``{"quantity": 10,
"quantity": 1000}`` would be an order of 1000. An ERP that sends that has a bug that must not pass
unnoticed, so such a body is refused naming the key. A body that is not JSON at all is refused naming
``body`` with the line and column where it breaks (FastAPI names only a character offset).

Pure ASGI, inside the body size limit: the body is read through the limited ``receive``, so it is never
held beyond the limit, and handed on unchanged."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from packtrace.kit.errors import Detail, ValidationError
from packtrace.kit.http_errors import domain_error_response
from packtrace.kit.request_context import is_json_media_type

_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def body_problem(body: bytes) -> ValidationError | None:
    """What is wrong with a JSON body as JSON (not as a request), or None."""
    try:
        json.loads(body, object_pairs_hook=_refuse_duplicates)
    except DuplicateKeyError as error:
        field, message = error.key, "given more than once in one object; send each field once"
    except UnicodeDecodeError:
        field, message = "body", "is not UTF-8 text"
    except json.JSONDecodeError as error:
        field, message = "body", f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
    else:
        return None
    return ValidationError(f"Invalid request: {field}: {message}", [Detail(field, message)])


class JsonBodyMiddleware:
    def __init__(self, app: ASGIApp, skip_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        # Paths whose app parses its own bodies (the admin UI's forms).
        self.skip_prefixes = skip_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") not in _METHODS_WITH_BODY
            or str(scope.get("path", "")).startswith(self.skip_prefixes)
            or not is_json_media_type(dict(scope.get("headers") or []).get(b"content-type", b"").decode("latin-1"))
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client is gone: no one to answer
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        problem = body_problem(body) if body.strip() else None
        if problem is not None:
            await domain_error_response(problem)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
