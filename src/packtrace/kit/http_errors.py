"""The one table from domain errors to HTTP, and the error envelope of the Manufacturer V2 API spec:
``{"success": false, "message": ..., "error": {"type": ..., "details": [{"field", "message"}]}}``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from packtrace.kit import errors
from packtrace.kit.request_context import REQUEST_ID_HEADER, current_request_id, is_json_media_type

log = logging.getLogger("packtrace.errors")

# (HTTP status, error type on the wire). The first matching class in the MRO wins.
ERROR_TABLE: dict[type[errors.DomainError], tuple[int, str]] = {
    errors.NoTokenError: (401, "NoTokenError"),
    errors.AuthenticationError: (401, "AuthenticationError"),
    errors.NoChannelKeyError: (401, "NoChannelKeyError"),
    errors.ChannelError: (403, "ChannelError"),
    errors.PermissionDeniedError: (403, "PermissionDeniedError"),
    errors.ValidationError: (400, "ValidationError"),
    errors.NotFoundError: (404, "NotFoundError"),
    errors.ConflictError: (409, "ConflictError"),
    errors.InvalidStateError: (409, "InvalidStateError"),
    errors.InsufficientSerialsError: (409, "InsufficientSerialsError"),
    errors.PayloadTooLargeError: (413, "PayloadTooLargeError"),
    errors.RateLimitError: (429, "RateLimitError"),
    errors.BusyError: (503, "BusyError"),
}

# Plain HTTP conditions raised by the framework itself (unknown route, wrong method, ...).
_HTTP_STATUS_TYPES: dict[int, str] = {
    400: "ValidationError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    405: "MethodNotAllowedError",
    413: "PayloadTooLargeError",
    415: "ValidationError",
}


def status_and_type(error: errors.DomainError) -> tuple[int, str]:
    for cls in type(error).__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return 400, type(error).__name__


def envelope(message: str, error_type: str, details: Sequence[errors.Detail] = ()) -> dict[str, Any]:
    return {
        "success": False,
        "message": message,
        "error": {
            "type": error_type,
            "details": [{"field": d.field, "message": d.message} for d in details],
        },
    }


def error_response(status: int, message: str, error_type: str, details: Sequence[errors.Detail] = ()) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(envelope(message, error_type, details), status_code=status, headers=headers)


def domain_error_response(error: errors.DomainError) -> JSONResponse:
    status, error_type = status_and_type(error)
    response = error_response(status, error.message, error_type, error.details)
    if isinstance(error, errors.RateLimitError | errors.BusyError):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _field_name(loc: Sequence[int | str]) -> str:
    # FastAPI prefixes locations with where the value came from ("body", "query"); integrators know
    # the field by its own name only.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation_message(err: dict[str, Any], content_type: str | None) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "json_invalid":
        return "is not valid JSON"
    if kind in {"model_attributes_type", "dict_type"} and tuple(err.get("loc", ())) == ("body",):
        # FastAPI reads a body that is not declared JSON as bytes, which then is "not an object": say why.
        if not content_type:
            return "needs the header Content-Type: application/json"
        if not is_json_media_type(content_type):
            return f"is sent as Content-Type {content_type}; send it as application/json"
        return "must be a JSON object"
    if kind == "missing":
        return "field required"
    message = str(err.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def validation_details(raw_errors: Sequence[Any], content_type: str | None = None) -> list[errors.Detail]:
    """One detail per error, naming the field; ``content_type`` (the request's) explains a body that is
    not an object."""
    return [
        errors.Detail(
            "body" if e.get("type") == "json_invalid" else _field_name(e.get("loc", ())),
            _validation_message(e, content_type),
        )
        for e in raw_errors
    ]


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.DomainError)
        return domain_error_response(exc)

    async def on_request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = validation_details(exc.errors(), request.headers.get("content-type"))
        summary = "; ".join(f"{d.field}: {d.message}" for d in details)
        return error_response(400, f"Invalid request: {summary}", "ValidationError", details)

    async def on_http_exception(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        error_type = _HTTP_STATUS_TYPES.get(exc.status_code, "HTTPError")
        message = exc.detail if isinstance(exc.detail, str) else "Request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"No route {request.method} {request.url.path}"
        response = error_response(exc.status_code, message, error_type)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_integrity_error(request: Request, exc: Exception) -> JSONResponse:
        # Services check uniqueness before they write; a violation that still reaches here is a concurrent
        # request that created the same thing first.
        log.info("integrity error, request %s: %s", current_request_id(), exc)
        return error_response(409, "The request conflicts with data written at the same time; retry", "ConflictError")

    async def on_stale_data(request: Request, exc: Exception) -> JSONResponse:
        # The row this request changes was changed or deleted by another request that committed first.
        log.info("stale data, request %s: %s", current_request_id(), exc)
        return error_response(
            409, "The record was changed or deleted by another request at the same time; retry", "ConflictError"
        )

    async def on_pool_timeout(request: Request, exc: Exception) -> JSONResponse:
        # Every database connection stayed busy for the pool's timeout: back-pressure, not a failure.
        log.warning("no database connection, request %s: %s", current_request_id(), exc)
        return domain_error_response(errors.BusyError("The server is busy; retry shortly"))

    async def on_data_error(request: Request, exc: Exception) -> JSONResponse:
        # A value the schemas let through but the database refuses (e.g. out of its range).
        log.info("data error, request %s: %s", current_request_id(), exc)
        return error_response(400, "A value of the request is not acceptable to the database", "ValidationError")

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # This handler answers from outside every middleware, so the request id is added here.
        request_id = request.scope.get("state", {}).get("request_id") or current_request_id()
        log.exception("unexpected error, request %s", request_id, exc_info=exc)
        response = error_response(
            500, f"Internal error; quote request id {request_id} to the administrator", "InternalError"
        )
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    app.add_exception_handler(errors.DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(IntegrityError, on_integrity_error)
    app.add_exception_handler(DataError, on_data_error)
    app.add_exception_handler(StaleDataError, on_stale_data)
    app.add_exception_handler(PoolTimeoutError, on_pool_timeout)
    app.add_exception_handler(Exception, on_unexpected)
