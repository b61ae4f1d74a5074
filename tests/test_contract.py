"""Contract: requests generated from our own OpenAPI document never produce a server error, and every
refusal is the spec's error envelope."""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from packtrace.demo import DemoCredentials

EXAMPLES_PER_OPERATION = 20


def _check(case: Any, demo: DemoCredentials) -> None:
    headers = dict(case.headers or {})
    # Authenticate unless the case set its own credentials, so validation behind authentication is reached.
    headers.setdefault("x-access-token", demo.static_token)
    headers.setdefault("x-channel-key", demo.channel_key)
    case.headers = headers
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    if response.status_code >= 400:
        body = response.json()
        if body.get("type", "").startswith("epcisException:"):
            # The EPCIS 2.0 REST interface answers in its standard's RFC 7807 shape, not the V2 envelope.
            assert case.path.startswith("/epcis/") and body["status"] == response.status_code and body["title"], body
        else:
            assert body["success"] is False and body["error"]["type"], body


def test_no_generated_request_produces_a_server_error(client: TestClient, demo: DemoCredentials) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            _check(case, demo)

        check()
