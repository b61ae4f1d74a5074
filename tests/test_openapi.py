"""The OpenAPI document tells integrators what the server really does: the refusals, the security rule,
the limits, and the links that chain an order's operations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from packtrace.app import MANUFACTURER_V2_PREFIX, create_app
from packtrace.config import Settings
from packtrace.kit import errors, http_errors

WRITES = {"post", "put", "patch", "delete"}
ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_no_operation_documents_the_422_the_server_never_sends(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        assert "422" not in op["responses"], (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_operation_documents_its_refusals_with_the_error_envelope(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        expected = {"500"}
        if op.get("parameters") or "requestBody" in op:
            expected |= {"400", "404"}
        if op.get("security"):
            expected |= {"401", "403", "429"}
        if method in WRITES:
            expected |= {"409", "401", "429"}
        if "requestBody" in op:
            expected.add("413")
        assert expected <= set(op["responses"]), (method, path, sorted(op["responses"]))
        for status in expected:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ENVELOPE_REF}, (method, path, status)
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["required"]) == {"success", "message", "error"}


def test_a_status_added_to_the_error_table_is_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    class BusyLikeError(errors.DomainError):
        pass

    monkeypatch.setitem(http_errors.ERROR_TABLE, BusyLikeError, (503, "BusyLikeError"))
    app = create_app(Settings(database_url="sqlite://", secret_key="k" * 40))
    for path, method, op in _operations(app.openapi()):
        assert "BusyLikeError" in op["responses"]["503"]["description"], (method, path)


def test_security_is_a_token_and_the_channel_key(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    headers = {s["name"] for s in schemes.values() if s["type"] == "apiKey"}
    assert headers == {"x-access-token", "x-channel-key"}
    access = next(n for n, s in schemes.items() if s.get("name") == "x-access-token")
    channel = next(n for n, s in schemes.items() if s.get("name") == "x-channel-key")
    bearer = next(n for n, s in schemes.items() if s.get("scheme") == "bearer")
    for path, method, op in _operations(document):
        if path.startswith(MANUFACTURER_V2_PREFIX):
            assert op["security"] == [{access: [], channel: []}, {bearer: [], channel: []}], (method, path)
        elif path.startswith("/api/") and path != "/api/login":
            assert op["security"] == [{bearer: []}], (method, path)


def test_limits_are_json_schema_keywords(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    for python_only in ('"ge":', '"le":', '"gt":', '"lt":'):
        assert python_only not in text
    quantity = document["components"]["schemas"]["OrderCreate"]["properties"]["quantity"]["anyOf"][0]
    assert quantity["minimum"] == 0 and quantity["maximum"] == 100_000


def test_links_chain_create_details_release_commission(document: dict[str, Any]) -> None:
    by_id = {op["operationId"]: (method, path) for path, method, op in _operations(document)}

    def followers(method: str, path: str) -> set[tuple[str, str]]:
        links = document["paths"][MANUFACTURER_V2_PREFIX + path][method]["responses"]["200"].get("links", {})
        return {by_id[link["operationId"]] for link in links.values()}

    order = MANUFACTURER_V2_PREFIX + "/packaging_order"
    assert ("get", order + "/details") in followers("post", "/packaging_order")
    assert ("patch", order + "/release") in followers("get", "/packaging_order/details")
    assert ("post", MANUFACTURER_V2_PREFIX + "/serials/commission") in followers("patch", "/packaging_order/release")
    release_link = document["paths"][order]["post"]["responses"]["200"]["links"]["ReleaseOrder"]
    assert release_link["requestBody"] == {"order_id": "$response.body#/data/order_id"}
