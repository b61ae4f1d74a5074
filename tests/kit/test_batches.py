"""Large fills through the API commit batch by batch: up to one batch is all or nothing; above it, a
failure keeps the committed batches and the error says how many (``kit.batches``)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.aggregation import management as aggregation_management
from packtrace.aggregation.service import sscc_pool
from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.gs1.check_digit import compute_check_digit
from packtrace.kit.db import Database
from packtrace.kit.errors import InsufficientSerialsError
from packtrace.models import Product
from packtrace.serials import management
from packtrace.serials.service import MAX_REQUEST, serial_service
from tests.auth import people
from tests.auth.people import expect_error, expect_ok

support = people.support
GENERATE = f"/api/products/{DEMO_PRODUCT_CODE}/pool/generate"
POOL = f"/api/products/{DEMO_PRODUCT_CODE}/pool"


def failing_on_call(failing: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the ``failing``-th batch fail (the pool's space used up, say); returns the batch sizes seen."""
    sizes: list[int] = []
    original = serial_service.generate_into_pool

    def generate(session: Session, product: Product, count: int) -> int:
        sizes.append(count)
        if len(sizes) == failing:
            raise InsufficientSerialsError("no room")
        return original(session, product, count)

    monkeypatch.setattr(serial_service, "generate_into_pool", generate)
    return sizes


def test_one_call_stays_atomic_up_to_what_serials_request_draws() -> None:
    assert management.ATOMIC_GENERATE >= MAX_REQUEST >= 200_000


def test_a_failure_keeps_the_committed_batches_and_says_so(
    client: TestClient, support: people.Person, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(management, "ATOMIC_GENERATE", 100)
    sizes = failing_on_call(3, monkeypatch)
    body = expect_error(
        client.post(GENERATE, json={"count": 250}, headers=support.headers), 409, "InsufficientSerialsError"
    )
    assert sizes == [100, 100, 50]
    assert "200 of 250 serials were made and committed" in body["message"]
    pool: dict[str, Any] = expect_ok(client.get(POOL, headers=support.headers))
    assert pool["available"] == 200


def test_a_fill_of_one_batch_is_all_or_nothing(
    client: TestClient, support: people.Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(management, "ATOMIC_GENERATE", 100)
    failing_on_call(1, monkeypatch)
    body = expect_error(
        client.post(GENERATE, json={"count": 100}, headers=support.headers), 409, "InsufficientSerialsError"
    )
    assert "nothing was made" in body["message"]
    assert expect_ok(client.get(POOL, headers=support.headers))["available"] == 0


def test_a_large_fill_succeeds_in_batches(
    client: TestClient, support: people.Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(management, "ATOMIC_GENERATE", 100)
    sizes = failing_on_call(0, monkeypatch)
    data = expect_ok(client.post(GENERATE, json={"count": 250}, headers=support.headers))
    assert sizes == [100, 100, 50]
    assert data["available"] == 250


def test_ssccs_beyond_one_batch_are_made_in_committed_batches_in_sequence(
    client: TestClient, support: people.Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aggregation_management, "ATOMIC_GENERATE", 100)
    body = {"gs1_company_prefix": "1234512", "extension_digit": 3, "count": 250, "start_reference": 7}
    data = expect_ok(client.post("/api/ssccs/generate", json=body, headers=support.headers))
    assert data["generated"] == 250
    # One run of references, as one large generation makes: 7 to 256, each SSCC's check digit its own.
    assert (data["first_sscc"][:17], data["last_sscc"][:17]) == ("31234512000000007", "31234512000000256")
    assert data["first_sscc"][17] == compute_check_digit(data["first_sscc"][:17])


def test_a_failed_sscc_batch_keeps_the_earlier_ones(
    client: TestClient, support: people.Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aggregation_management, "ATOMIC_GENERATE", 100)
    calls: list[int] = []
    original = sscc_pool.generate

    def generate(*args: Any) -> Any:
        calls.append(args[4])
        if len(calls) == 2:
            raise InsufficientSerialsError("no room")
        return original(*args)

    monkeypatch.setattr(sscc_pool, "generate", generate)
    body = {"gs1_company_prefix": "1234512", "extension_digit": 3, "count": 250}
    error = expect_error(
        client.post("/api/ssccs/generate", json=body, headers=support.headers), 409, "InsufficientSerialsError"
    )
    assert "100 of 250 SSCCs were made and committed" in error["message"]
    assert calls == [100, 100]
