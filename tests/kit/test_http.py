"""What every response has in common: request ids, the envelope for framework errors, the body limit,
and an internal error that gives away nothing."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.kit.db import Database
from tests.support import ORDERS, assert_error, sample_order


def test_every_response_has_a_request_id(client: TestClient, api_headers: dict[str, str]) -> None:
    responses = [
        client.get("/health"),
        client.post(ORDERS, json=sample_order(), headers=api_headers),
        client.get(f"{ORDERS}/open"),
        client.get("/no/such/route"),
    ]
    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(ids) and len(set(ids)) == len(ids)


def test_a_callers_request_id_is_kept(client: TestClient) -> None:
    assert client.get("/health", headers={"x-request-id": "erp-4711"}).headers["x-request-id"] == "erp-4711"
    odd = client.get("/health", headers={"x-request-id": "bad id with spaces"}).headers["x-request-id"]
    assert odd != "bad id with spaces"


def test_unknown_route_and_method_use_the_envelope(client: TestClient) -> None:
    assert_error(client.get("/v1/manufacturer/v2/api/nothing"), 404, "NotFoundError")
    assert_error(client.put(ORDERS, json={}), 405, "MethodNotAllowedError")


def test_body_above_the_limit(database: Database, api_headers: dict[str, str]) -> None:
    settings = Settings(database_url=database.url, secret_key="k" * 40, max_body_bytes=2048)
    with TestClient(create_app(settings, database=database)) as small:
        big = sample_order(order_description="x" * 255, batch="b" * 255) | {"padding": "p" * 4000}
        body = assert_error(small.post(ORDERS, json=big, headers=api_headers), 413, "PayloadTooLargeError")
        assert "2048" in body["message"]

        def chunks() -> object:
            yield b'{"order_id": "'
            for _ in range(10):
                yield b"x" * 1000
            yield b'"}'

        streamed = small.post(
            ORDERS,
            content=chunks(),
            headers={**api_headers, "content-type": "application/json"},  # type: ignore[arg-type]
        )
        assert_error(streamed, 413, "PayloadTooLargeError")


def test_unexpected_error_is_an_internal_error_with_only_a_request_id(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(database_url=database.url, secret_key="k" * 40), database=database)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as test_client, caplog.at_level(logging.ERROR):
        response = test_client.get("/boom")
    body = assert_error(response, 500, "InternalError")
    assert "secret internals" not in response.text
    assert response.headers["x-request-id"] in body["message"]
    assert "secret internals" in caplog.text


def test_database_refusals_that_slip_through_are_client_errors(database: Database) -> None:
    from sqlalchemy.exc import DataError, IntegrityError

    app = create_app(Settings(database_url=database.url, secret_key="k" * 40), database=database)

    @app.get("/race")
    def race() -> None:
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    @app.get("/range")
    def out_of_range() -> None:
        raise DataError("INSERT ...", {}, Exception("value out of range"))

    with TestClient(app, raise_server_exceptions=False) as test_client:
        assert_error(test_client.get("/race"), 409, "ConflictError")
        body = assert_error(test_client.get("/range"), 400, "ValidationError")
        assert "out of range" not in body["message"]
