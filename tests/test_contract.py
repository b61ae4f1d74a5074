"""Contract: requests generated from our own OpenAPI document, one operation at a time and in the chains
its links describe (create -> details -> release -> status -> commission), never produce a server error,
and every answer conforms to the document (status documented, content type, body schema, headers).

``PACKTRACE_CONTRACT_EXAMPLES`` sets the examples per operation (and the stateful scenarios); CI raises
it so that each database gets at least 3,000 requests. The generated sizes are capped (``_capped``) so
that a sweep does not create orders of 100,000 serials by the thousand and fill the disk."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import stateful as schemathesis_stateful
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Connection

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import DemoCredentials, seed_demo
from packtrace.kit.db import Database

EXAMPLES_PER_OPERATION = int(os.environ.get("PACKTRACE_CONTRACT_EXAMPLES", "20"))
STATEFUL_STEPS = 8
# Largest number or list a generated request may carry: enough to cross every rule's edge cases, small
# enough that thousands of requests stay quick and small on disk.
SIZE_CAP = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
HYPOTHESIS = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}


def _capped(node: Any) -> Any:
    """The document with every ``maximum``/``maxItems`` above ``SIZE_CAP`` lowered to it."""
    if isinstance(node, dict):
        capped = {key: _capped(value) for key, value in node.items()}
        for keyword in ("maximum", "maxItems"):
            if isinstance(capped.get(keyword), int | float) and capped[keyword] > SIZE_CAP:
                capped[keyword] = SIZE_CAP
        return capped
    if isinstance(node, list):
        return [_capped(value) for value in node]
    return node


class Caller:
    """Adds the demo's credentials unless the case brings its own, and counts the requests made."""

    def __init__(self, client: TestClient, demo: DemoCredentials, connection: Connection) -> None:
        login = client.post("/api/login", json={"email": demo.admin_email, "password": demo.admin_password})
        assert login.status_code == 200, login.text
        self.user_token = login.json()["data"]["token"]
        self.demo = demo
        self.connection = connection
        self.requests = 0
        self._savepoint: Any = None

    def begin(self) -> None:
        """Each example or scenario starts from the same data (the demo), so that what one wrote cannot
        make another's replay differ, and a long sweep does not pile up rows."""
        self._savepoint = self.connection.begin_nested()

    def end(self) -> None:
        self._savepoint.rollback()

    def headers(self, case: Any) -> dict[str, str]:
        # Generated credentials would stop nearly every request at authentication (tested on its own):
        # valid ones take their place, so that generation reaches the rules behind it.
        headers = dict(case.headers or {})
        if case.path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.user_token}"
        else:
            headers["x-access-token"] = self.demo.static_token
            headers["x-channel-key"] = self.demo.channel_key
        return headers

    def check(self, case: Any) -> None:
        case.headers = self.headers(case)
        self.begin()
        try:
            response = case.call()
        finally:
            self.end()
        self.requests += 1
        case.validate_response(response, checks=CHECKS)


@pytest.fixture
def contract(settings: Settings, database: Database, connection: Connection) -> Iterator[tuple[Any, Caller]]:
    # Generated credentials fail by the thousand; the failure limiter is tested elsewhere.
    app = create_app(settings.model_copy(update={"auth_failure_limit": 10**9}), database=database)
    with TestClient(app, raise_server_exceptions=False) as client:
        with database.unit_of_work() as session:
            demo = seed_demo(session, settings.signing_key())
        schema = schemathesis.openapi.from_dict(_capped(copy.deepcopy(app.openapi())))
        schema.app = app
        yield schema, Caller(client, demo, connection)


def _orders_of(demo: DemoCredentials, document: dict[str, Any]) -> dict[str, Any]:
    """The document with the order's inputs narrowed to the demo's master data and valid values, so that
    the chains start from orders that exist (random product codes would stop every chain at creation)."""
    order = document["components"]["schemas"]["OrderCreate"]["properties"]
    order["product_code"] = {"type": "string", "enum": [demo.product_code]}
    order["packaging_line_tag"] = {"type": "string", "enum": [demo.packaging_line_tag]}
    order["order_id"] = {"type": "string", "pattern": "^[A-Za-z0-9-]{1,20}$"}
    order["batch"] = {"type": "string", "pattern": "^[A-Z0-9]{1,20}$"}
    order["expiry_date"] = {"type": "string", "enum": ["301231", "291100"]}
    return document


def test_generated_requests_conform_to_the_document(
    contract: tuple[Any, Caller], record_testsuite_property: Callable[[str, object], None]
) -> None:
    schema, caller = contract
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50
    started = time.monotonic()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, **HYPOTHESIS)  # type: ignore[arg-type]
        def check(case: Any) -> None:
            caller.check(case)

        check()
    # In the JUnit report CI writes: how many requests, in how long.
    record_testsuite_property("contract_requests", caller.requests)
    record_testsuite_property("contract_seconds", round(time.monotonic() - started))
    # Operations without inputs are done after one example; every other gives its share.
    assert caller.requests >= EXAMPLES_PER_OPERATION * len(operations) // 2


def test_linked_operations_conform_to_the_document(
    contract: tuple[Any, Caller],
    monkeypatch: pytest.MonkeyPatch,
    record_testsuite_property: Callable[[str, object], None],
) -> None:
    schema, caller = contract
    schema = schemathesis.openapi.from_dict(_orders_of(caller.demo, copy.deepcopy(schema.raw_schema)))
    schema.app = contract[0].app
    # schemathesis takes the `order_id` a create sends for a reference to an "Order" no operation makes,
    # and so never starts a chain at creating an order: start chains at every POST, as its rule reads
    # without that inference.
    monkeypatch.setattr(
        schemathesis_stateful,
        "is_likely_root_transition",
        lambda operation, node, produced: (
            operation.method == "post" or (operation.method == "get" and not operation.path_parameters)
        ),
    )
    machine = schema.as_state_machine()

    class Chains(machine):  # type: ignore[misc,valid-type]
        def setup(self) -> None:
            caller.begin()

        def teardown(self) -> None:
            caller.end()

        def before_call(self, case: Any) -> None:
            case.headers = caller.headers(case)

        def after_call(self, response: Any, case: Any) -> None:
            caller.requests += 1
            super().after_call(response, case)

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    started = time.monotonic()
    Chains.run(
        settings=settings(max_examples=EXAMPLES_PER_OPERATION, stateful_step_count=STATEFUL_STEPS, **HYPOTHESIS)  # type: ignore[arg-type]
    )
    record_testsuite_property("contract_linked_requests", caller.requests)
    record_testsuite_property("contract_linked_seconds", round(time.monotonic() - started))
    assert caller.requests >= EXAMPLES_PER_OPERATION
