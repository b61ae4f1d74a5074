"""Management API for serial pools: ``GET /api/products/{code}/pool`` and ``POST .../pool/generate``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.gs1.serials import DEFAULT_ALPHABET, DEFAULT_SERIAL_LENGTH, MIN_GUESS_FACTOR
from packtrace.models import Product
from packtrace.models.enums import SerialSource
from packtrace.products.service import product_service
from packtrace.serials.repository import serial_states
from tests.auth import people
from tests.auth.people import OTHER_PRODUCT_CODE, Person, expect_error, expect_ok
from tests.support import V2, row_counts

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

# The signed-in people of tests.auth.people, as fixtures of this module.
admin, outsider, plain_user, support = people.admin, people.outsider, people.plain_user, people.support

POOL = f"/api/products/{DEMO_PRODUCT_CODE}/pool"
GENERATE = f"{POOL}/generate"
DEMO_MAX_LIVE = len(DEFAULT_ALPHABET) ** DEFAULT_SERIAL_LENGTH // MIN_GUESS_FACTOR
# Ten digits: 10^10 serials, so at most 1,000,000 live under the EU rule (the smallest format allowed).
SMALL_CODE = "04006381333931"
SMALL_FORMAT_MAX_LIVE = 1_000_000


def _pool(client: TestClient, person: Person, path: str = POOL) -> dict[str, Any]:
    data: dict[str, Any] = expect_ok(client.get(path, headers=person.headers))
    return data


def _serial_count(session: Session, code: str) -> int:
    session.expire_all()
    return session.scalar(select(Product.serial_count).where(Product.code == code)) or 0


def test_a_new_product_has_an_empty_pool(client: TestClient, plain_user: Person) -> None:
    assert _pool(client, plain_user) == {
        "product_code": DEMO_PRODUCT_CODE,
        "available": 0,
        "assigned": 0,
        "total": 0,
        "max_live": DEMO_MAX_LIVE,
        "threshold": 0,
        "refill_size": 0,
    }
    # Any form of the code finds it, as the products API does.
    assert _pool(client, plain_user, "/api/products/1234512345901/pool")["product_code"] == DEMO_PRODUCT_CODE


def test_counts_right_after_generating_and_drawing(
    client: TestClient, support: Person, api_headers: dict[str, str], session: Session
) -> None:
    generated = expect_ok(client.post(GENERATE, json={"count": 120}, headers=support.headers))
    assert (generated["available"], generated["assigned"], generated["total"]) == (120, 0, 120)
    assert _serial_count(session, DEMO_PRODUCT_CODE) == 120

    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 45}
    assert client.post(f"{V2}/serials/request", json=body, headers=api_headers).status_code == 200
    status = _pool(client, support)
    assert (status["available"], status["assigned"], status["total"]) == (75, 45, 120)

    again = expect_ok(client.post(GENERATE, json={"count": 30}, headers=support.headers))
    assert (again["available"], again["assigned"], again["total"]) == (105, 45, 150)
    assert _serial_count(session, DEMO_PRODUCT_CODE) == 150
    rows = session.execute(select(STATES.c.serial, STATES.c.status, STATES.c.source)).all()
    assert len({serial for serial, _, _ in rows}) == 150
    assert {source for _, _, source in rows} == {SerialSource.INTERNAL.value}


@pytest.mark.parametrize(("role", "may_generate"), [("plain_user", False), ("support", True), ("admin", True)])
def test_everyone_reads_the_pool_and_only_support_and_administrators_fill_it(
    client: TestClient, request: pytest.FixtureRequest, session: Session, role: str, may_generate: bool
) -> None:
    person: Person = request.getfixturevalue(role)
    assert _pool(client, person)["total"] == 0
    response = client.post(GENERATE, json={"count": 10}, headers=person.headers)
    if may_generate:
        assert expect_ok(response)["available"] == 10
    else:
        expect_error(response, 403, "PermissionDeniedError")
        assert row_counts(session)["serial_numbers"] == 0
        assert _serial_count(session, DEMO_PRODUCT_CODE) == 0


def test_signed_out_callers_are_refused(client: TestClient, api_headers: dict[str, str]) -> None:
    # The Manufacturer V2 API's credentials do not open the management API.
    for response in (
        client.get(POOL),
        client.get(POOL, headers=api_headers),
        client.post(GENERATE, json={"count": 1}, headers=api_headers),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["success"] is False


@pytest.fixture
def small_format(client: TestClient, support: Person) -> str:
    """A product whose serials are ten digits: the EU rule allows 1,000,000 of them."""
    body = {
        "product_code": SMALL_CODE,
        "product_code_schema": "GTIN",
        "name": "Ten-digit serials",
        "company_prefix_length": 7,
        "serial_length": 10,
        "serial_alphabet": "0123456789",
    }
    expect_ok(client.post("/api/products", json=body, headers=support.headers))
    return f"/api/products/{SMALL_CODE}/pool"


def test_a_count_beyond_the_eu_rule_is_refused_up_front(
    client: TestClient, support: Person, session: Session, small_format: str
) -> None:
    assert _pool(client, support, small_format)["max_live"] == SMALL_FORMAT_MAX_LIVE
    before = row_counts(session)
    body = expect_error(
        client.post(f"{small_format}/generate", json={"count": SMALL_FORMAT_MAX_LIVE + 1}, headers=support.headers),
        409,
        "InsufficientSerialsError",
    )
    assert "1,000,001" in body["message"] and "EU rule" in body["message"]
    assert row_counts(session) == before
    assert _serial_count(session, SMALL_CODE) == 0


def test_a_count_that_crosses_the_eu_rule_with_the_serials_made_before_writes_nothing(
    client: TestClient, support: Person, session: Session, small_format: str
) -> None:
    expect_ok(client.post(f"{small_format}/generate", json={"count": 40}, headers=support.headers))
    # As if nearly a million serials had been made for it already.
    session.execute(update(Product).where(Product.code == SMALL_CODE).values(serial_count=SMALL_FORMAT_MAX_LIVE - 10))
    session.commit()
    before = row_counts(session)
    body = expect_error(
        client.post(f"{small_format}/generate", json={"count": 11}, headers=support.headers),
        409,
        "InsufficientSerialsError",
    )
    assert "1,000,001" in body["message"]
    assert row_counts(session) == before
    assert _serial_count(session, SMALL_CODE) == SMALL_FORMAT_MAX_LIVE - 10
    # Exactly up to the maximum is allowed.
    assert expect_ok(client.post(f"{small_format}/generate", json={"count": 10}, headers=support.headers))[
        "available"
    ] == (50)
    assert _serial_count(session, SMALL_CODE) == SMALL_FORMAT_MAX_LIVE


def test_the_serial_service_refuses_too_even_when_the_early_check_is_passed(
    client: TestClient, support: Person, session: Session, small_format: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The early check reads the count without a lock; a concurrent generation may have used the room
    since. The serial service's own count, made after the rows, is the authority: the request fails and
    its rows are undone."""
    session.execute(update(Product).where(Product.code == SMALL_CODE).values(serial_count=SMALL_FORMAT_MAX_LIVE - 5))
    session.commit()
    monkeypatch.setattr(product_service, "check_room", lambda product, count: None)
    before = row_counts(session)
    expect_error(
        client.post(f"{small_format}/generate", json={"count": 6}, headers=support.headers),
        409,
        "InsufficientSerialsError",
    )
    assert row_counts(session) == before
    assert _serial_count(session, SMALL_CODE) == SMALL_FORMAT_MAX_LIVE - 5


def test_another_tenants_product_is_not_found(
    client: TestClient, support: Person, outsider: Person, session: Session
) -> None:
    # Each tenant sees only its own product codes: the demo's code is unknown to tenant B, and B's to the demo.
    expect_error(client.get(POOL, headers=outsider.headers), 404, "NotFoundError")
    expect_error(client.post(GENERATE, json={"count": 5}, headers=outsider.headers), 404, "NotFoundError")
    theirs = f"/api/products/{OTHER_PRODUCT_CODE}/pool"
    expect_error(client.get(theirs, headers=support.headers), 404, "NotFoundError")
    expect_error(client.post(f"{theirs}/generate", json={"count": 5}, headers=support.headers), 404, "NotFoundError")
    assert row_counts(session)["serial_numbers"] == 0
    # B's own pool is B's to fill.
    assert expect_ok(client.post(f"{theirs}/generate", json={"count": 5}, headers=outsider.headers))["total"] == 5
    assert _pool(client, support)["total"] == 0


@pytest.mark.parametrize(
    "body",
    [{"count": 0}, {"count": -1}, {"count": 10_000_001}, {"count": "5"}, {"count": 1.5}, {}, {"count": 5, "x": 1}],
)
def test_a_bad_count_is_a_validation_error(
    client: TestClient, support: Person, session: Session, body: dict[str, Any]
) -> None:
    expect_error(client.post(GENERATE, json=body, headers=support.headers), 400, "ValidationError")
    assert row_counts(session)["serial_numbers"] == 0


def test_a_code_that_is_no_gtin_is_a_validation_error_and_an_unknown_one_not_found(
    client: TestClient, support: Person
) -> None:
    expect_error(client.get("/api/products/01234512345900/pool", headers=support.headers), 400, "ValidationError")
    expect_error(client.get("/api/products/00000000000000/pool", headers=support.headers), 404, "NotFoundError")
    expect_error(
        client.post("/api/products/00000000000000/pool/generate", json={"count": 1}, headers=support.headers),
        404,
        "NotFoundError",
    )


def test_the_pool_shows_the_products_refill_setting(client: TestClient, support: Person) -> None:
    expect_ok(
        client.patch(
            f"/api/products/{DEMO_PRODUCT_CODE}",
            json={"pool_threshold": 100, "pool_refill_size": 500},
            headers=support.headers,
        )
    )
    status = _pool(client, support)
    assert (status["threshold"], status["refill_size"]) == (100, 500)
    # Filling by hand does not trigger a refill: only draws do.
    assert expect_ok(client.post(GENERATE, json={"count": 10}, headers=support.headers))["total"] == 10
