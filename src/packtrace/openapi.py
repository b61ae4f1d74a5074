"""The OpenAPI document as the server really behaves.

FastAPI's own document claims a 422 the server never sends (``kit.http_errors`` answers 400), lists no
other refusal, lets two header schemes share one name and reads the API's security as "any one of the
credentials", and leaves constraints pydantic cannot translate as ``ge``/``le``, which JSON Schema does
not know. ``install_openapi`` replaces ``app.openapi`` with FastAPI's document corrected here, once:

- every operation documents the refusals it can answer, with the error envelope's schema, derived from
  ``kit.http_errors.ERROR_TABLE`` (a status added there is documented everywhere until a rule here says
  where it cannot happen);
- the Manufacturer V2 API needs a token (``x-access-token`` or ``Authorization: Bearer``) *and* the
  channel key: two alternative requirements, each with the channel key;
- limits are ``minimum``/``maximum``;
- ``links`` chain an order's operations (create -> details -> release -> status -> commission) for
  clients and for stateful testing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from packtrace.auth.principal import CHANNEL_KEY_SCHEME
from packtrace.kit.http_errors import ERROR_TABLE

ERROR_SCHEMA = "ErrorEnvelope"
# FastAPI's validation error schemas, which describe the 422 nobody receives.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
_WRITES = {"post", "put", "patch", "delete"}
# Constraints pydantic writes under their Python names when it cannot place them (a validator before
# the type), and their JSON Schema names.
_JSON_SCHEMA_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
# Refusals answered outside the domain error table: the framework's own 400 for a request that does not
# match its schema, and the handler of last resort.
_OTHER_TYPES = {400: {"ValidationError"}, 500: {"InternalError"}}


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    type: str
    details: list[ErrorDetail]


class ErrorEnvelope(BaseModel):
    """Every refusal: ``kit.http_errors.envelope``."""

    success: Literal[False]
    message: str
    error: ErrorBody


class EpcisProblem(BaseModel):
    """The EPCIS 2.0 REST binding's refusal (RFC 7807), answered under ``/epcis/``."""

    type: str
    title: str
    status: int


# The EPCIS 2.0 interface answers in its standard's media types: JSON-LD documents, RFC 7807 problems
# (beside the V2 envelope, which authentication failures still carry), and statuses the V2 API has not.
EPCIS_PROBLEM_SCHEMA = "EpcisProblem"
_EPCIS_STATUSES = {400, 401, 403, 404, 413, 415, 500, 501}


# EPCIS 2.0 XML (an EPCISDocument, or an EPCISQueryDocument for queries): with Accept, or as a capture body.
_EPCIS_XML = {
    media: {"schema": {"type": "string", "description": "EPCIS 2.0 XML"}} for media in ("application/xml", "text/xml")
}


def _is_epcis(path: str) -> bool:
    return path.startswith("/epcis/") or path.endswith("/packaging_order/epcis")


def _document_epcis(document: dict[str, Any]) -> None:
    problem = {"schema": {"$ref": f"#/components/schemas/{EPCIS_PROBLEM_SCHEMA}"}}
    for path, method, operation in _operations(document):
        if not _is_epcis(path):
            continue
        responses = operation.setdefault("responses", {})
        for status in sorted(_EPCIS_STATUSES):
            responses.setdefault(str(status), {"description": "Refused: the standard's exception"})
        for status, response in responses.items():
            content = response.setdefault("content", {})
            if int(status) >= 400:
                content["application/problem+json"] = problem
            else:
                content["application/ld+json"] = {"schema": {"type": "object"}}
                content["application/json"] = {"schema": {"type": "object"}}
                if method == "get" and status == "200":
                    content.update(_EPCIS_XML)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas[EPCIS_PROBLEM_SCHEMA] = EpcisProblem.model_json_schema()


@dataclass(frozen=True)
class Link:
    """After a successful ``source`` operation, ``target`` may follow with values of its response."""

    name: str
    source: tuple[str, str]  # (method, path below the API's prefix)
    target: tuple[str, str]
    parameters: dict[str, str] | None = None
    request_body: dict[str, Any] | None = None


def _from_data(*fields: str) -> dict[str, str]:
    return {field: f"$response.body#/data/{field}" for field in fields}


ORDER_LINKS = (
    Link("OrderDetails", ("post", "/packaging_order"), ("get", "/packaging_order/details"), _from_data("order_id")),
    Link(
        "ReleaseOrder",
        ("post", "/packaging_order"),
        ("patch", "/packaging_order/release"),
        None,
        _from_data("order_id"),
    ),
    Link(
        "ReleaseOrder",
        ("get", "/packaging_order/details"),
        ("patch", "/packaging_order/release"),
        None,
        _from_data("order_id"),
    ),
    Link(
        "StartOrder",
        ("patch", "/packaging_order/release"),
        ("patch", "/packaging_order/status"),
        None,
        {**_from_data("order_id"), "status": "In progress"},
    ),
    Link(
        "CommissionPacks",
        ("patch", "/packaging_order/release"),
        ("post", "/serials/commission"),
        None,
        _from_data("product_code", "product_code_schema", "batch", "expiry_date"),
    ),
    Link(
        "CommissionOrderPacks",
        ("patch", "/packaging_order/status"),
        ("post", "/serials/commission"),
        None,
        _from_data("order_id", "product_code", "product_code_schema", "batch", "expiry_date"),
    ),
    Link(
        "OrderSerials",
        ("patch", "/packaging_order/release"),
        ("get", "/packaging_order/serials"),
        _from_data("order_id"),
    ),
)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in _WRITES | {"get", "head", "options", "trace"}:
                yield path, method, operation


def _refusals() -> dict[int, set[str]]:
    """Status -> the error types it carries."""
    statuses: dict[int, set[str]] = {s: set(t) for s, t in _OTHER_TYPES.items()}
    for status, error_type in ERROR_TABLE.values():
        statuses.setdefault(status, set()).add(error_type)
    return statuses


def _may_answer(status: int, method: str, operation: dict[str, Any]) -> bool:
    """False where ``status`` cannot happen; a status no rule names may happen everywhere."""
    has_input = bool(operation.get("parameters")) or "requestBody" in operation
    secured = bool(operation.get("security"))
    writes = method in _WRITES
    rules = {
        400: has_input,
        # Signing in (a write without security) refuses wrong credentials and too many failures too.
        401: secured or writes,
        403: secured,
        404: has_input,
        409: writes,
        413: "requestBody" in operation,
        429: secured or writes,
    }
    return rules.get(status, True)


def _document_refusals(document: dict[str, Any]) -> None:
    refusals = _refusals()
    for _, method, operation in _operations(document):
        responses = operation.setdefault("responses", {})
        responses.pop("422", None)
        for status in sorted(refusals):
            if _may_answer(status, method, operation):
                responses.setdefault(
                    str(status),
                    {
                        "description": ("Refused: " if status < 500 else "Server error: ")
                        + ", ".join(sorted(refusals[status])),
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}},
                    },
                )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    envelope = ErrorEnvelope.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs", {}))
    schemas[ERROR_SCHEMA] = envelope
    referenced = set(_references(document["paths"]))
    for name in _FASTAPI_VALIDATION_SCHEMAS:
        if f"#/components/schemas/{name}" not in referenced:
            schemas.pop(name, None)


def _document_security(document: dict[str, Any]) -> None:
    """An operation that asks for the channel key asks for it beside each token, not instead of one."""
    for _, _, operation in _operations(document):
        requirements = operation.get("security") or []
        if not any(CHANNEL_KEY_SCHEME in r for r in requirements):
            continue
        tokens = [r for r in requirements if CHANNEL_KEY_SCHEME not in r]
        operation["security"] = [{**token, CHANNEL_KEY_SCHEME: []} for token in tokens]


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def _json_schema_limits(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            for python_name, keyword in _JSON_SCHEMA_KEYWORDS.items():
                if python_name in node:
                    node[keyword] = node.pop(python_name)
        for value in node.values():
            _json_schema_limits(value)
    elif isinstance(node, list):
        for value in node:
            _json_schema_limits(value)


def _document_links(document: dict[str, Any], prefix: str, links: tuple[Link, ...]) -> None:
    paths = document.get("paths", {})

    def operation(method: str, path: str) -> dict[str, Any]:
        found: dict[str, Any] = paths[prefix + path][method]
        return found

    for link in links:
        source, target = operation(*link.source), operation(*link.target)
        entry: dict[str, Any] = {"operationId": target["operationId"]}
        if link.parameters:
            entry["parameters"] = link.parameters
        if link.request_body:
            entry["requestBody"] = link.request_body
        source["responses"]["200"].setdefault("links", {})[link.name] = entry


def install_openapi(app: FastAPI, manufacturer_prefix: str) -> None:
    """Serve the corrected document at ``/openapi.json`` (and in ``/docs``)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
            )
            _json_schema_limits(document)
            _document_security(document)
            _document_refusals(document)
            _document_epcis(document)
            _document_links(document, manufacturer_prefix, ORDER_LINKS)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
