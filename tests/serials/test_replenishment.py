"""A product's pool settings (threshold and refill size): what is accepted, and the replenishment rule
itself, seen through ``serials/request`` of the Manufacturer V2 API: a draw that leaves fewer than
``pool_threshold`` Available serials makes ``pool_refill_size`` new ones, in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import Product
from packtrace.models.enums import SerialStatus
from packtrace.serials.repository import serial_states
from tests.auth import people
from tests.auth.people import Person, expect_error, expect_ok
from tests.support import V2, assert_error, fill_pool

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

REQUEST = f"{V2}/serials/request"
PRODUCT = f"/api/products/{DEMO_PRODUCT_CODE}"
TEN_DIGITS = {"serial_length": 10, "serial_alphabet": "0123456789"}  # at most 1,000,000 live serials

# The signed-in people of tests.auth.people, as fixtures of this module.
support = people.support


def _request(client: TestClient, headers: dict[str, str], quantity: int) -> Any:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": quantity}
    return client.post(REQUEST, json=body, headers=headers)


def _pool(session: Session) -> tuple[int, int, int]:
    """(Available, Assigned, products.serial_count) of the demo product, read from the database."""
    session.expire_all()
    counts = dict(
        session.execute(select(STATES.c.status, func.count()).group_by(STATES.c.status)).all()  # type: ignore[arg-type]
    )
    made = session.scalar(select(Product.serial_count).where(Product.code == DEMO_PRODUCT_CODE)) or 0
    return counts.get(SerialStatus.AVAILABLE.value, 0), counts.get(SerialStatus.ASSIGNED.value, 0), made


def _set_pool(client: TestClient, person: Person, threshold: int, refill_size: int) -> dict[str, Any]:
    body = {"pool_threshold": threshold, "pool_refill_size": refill_size}
    data: dict[str, Any] = expect_ok(client.patch(PRODUCT, json=body, headers=person.headers))
    return data


# -- the settings ----------------------------------------------------------------------------------------


def test_a_product_starts_without_replenishment(client: TestClient, support: Person) -> None:
    product = expect_ok(client.get(PRODUCT, headers=support.headers))
    assert (product["pool_threshold"], product["pool_refill_size"]) == (0, 0)


def test_settings_are_stored_and_shown(client: TestClient, support: Person) -> None:
    updated = _set_pool(client, support, 10_000_000, 1_000_000)  # both at their maximum
    assert (updated["pool_threshold"], updated["pool_refill_size"]) == (10_000_000, 1_000_000)
    # A change of something else leaves them as they are; a threshold of 0 turns replenishment off.
    expect_ok(client.patch(PRODUCT, json={"name": "Renamed"}, headers=support.headers))
    assert expect_ok(client.get(PRODUCT, headers=support.headers))["pool_threshold"] == 10_000_000
    off = expect_ok(client.patch(PRODUCT, json={"pool_threshold": 0}, headers=support.headers))
    assert (off["pool_threshold"], off["pool_refill_size"]) == (0, 1_000_000)
    created = expect_ok(
        client.post(
            "/api/products",
            json={
                "product_code": "4006381333931",
                "product_code_schema": "GTIN",
                "name": "With a pool",
                "company_prefix_length": 7,
                "pool_threshold": 500,
                "pool_refill_size": 2000,
            },
            headers=support.headers,
        )
    )
    assert (created["pool_threshold"], created["pool_refill_size"]) == (500, 2000)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"pool_threshold": -1, "pool_refill_size": 10}, "pool_threshold", "0 to 10,000,000"),
        ({"pool_threshold": 10_000_001, "pool_refill_size": 10}, "pool_threshold", "0 to 10,000,000"),
        ({"pool_threshold": 10, "pool_refill_size": -1}, "pool_refill_size", "0 to 1,000,000"),
        ({"pool_threshold": 10, "pool_refill_size": 1_000_001}, "pool_refill_size", "0 to 1,000,000"),
        ({"pool_threshold": 10, "pool_refill_size": 0}, "pool_refill_size", "above 0"),
        ({"pool_threshold": 10}, "pool_refill_size", "above 0"),  # the stored refill size is 0
        ({"pool_threshold": "10"}, "pool_threshold", None),  # strict: a number, not a string
        ({"pool_refill_size": 1.5}, "pool_refill_size", None),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(
    client: TestClient, support: Person, body: dict[str, Any], field: str, words: str | None
) -> None:
    refused = assert_error(client.patch(PRODUCT, json=body, headers=support.headers), 400, "ValidationError", field)
    if words is not None:
        assert words in refused["message"], refused
    product = expect_ok(client.get(PRODUCT, headers=support.headers))
    assert (product["pool_threshold"], product["pool_refill_size"]) == (0, 0)


def test_a_new_product_with_bad_settings_is_not_created(client: TestClient, support: Person) -> None:
    body = {
        "product_code": "4006381333931",
        "product_code_schema": "GTIN",
        "name": "P",
        "company_prefix_length": 7,
        "pool_threshold": 100,
    }
    assert_error(client.post("/api/products", json=body, headers=support.headers), 400, "ValidationError")
    expect_error(client.get("/api/products/4006381333931", headers=support.headers), 404, "NotFoundError")


def test_the_refill_must_fit_the_eu_rule(client: TestClient, support: Person, session: Session) -> None:
    expect_ok(client.patch(PRODUCT, json=TEN_DIGITS, headers=support.headers))
    # Ten digits allow 1,000,000 serials: a refill of all of them fits while none are made ...
    assert _set_pool(client, support, 1, 1_000_000)["pool_refill_size"] == 1_000_000
    _set_pool(client, support, 0, 0)
    # ... but not once 400,000 are.
    session.execute(update(Product).where(Product.code == DEMO_PRODUCT_CODE).values(serial_count=400_000))
    session.commit()
    refused = assert_error(
        client.patch(PRODUCT, json={"pool_threshold": 1, "pool_refill_size": 600_001}, headers=support.headers),
        400,
        "ValidationError",
        "pool_refill_size",
    )
    assert "EU rule" in refused["message"] and "400,000" in refused["message"]
    assert _set_pool(client, support, 1, 600_000)["pool_refill_size"] == 600_000
    # A setting made before keeps working for changes of anything else.
    session.execute(update(Product).where(Product.code == DEMO_PRODUCT_CODE).values(serial_count=900_000))
    session.commit()
    expect_ok(client.patch(PRODUCT, json={"alias": "MAT-1"}, headers=support.headers))


def test_a_smaller_serial_format_must_still_hold_the_refill(
    client: TestClient, support: Person, session: Session
) -> None:
    _set_pool(client, support, 100, 1_000_000)
    session.execute(update(Product).where(Product.code == DEMO_PRODUCT_CODE).values(serial_count=1))
    session.commit()
    # Ten digits allow 1,000,000 serials; with one made, a refill of 1,000,000 no longer fits.
    assert_error(
        client.patch(PRODUCT, json=TEN_DIGITS, headers=support.headers), 400, "ValidationError", "pool_refill_size"
    )
    assert expect_ok(client.get(PRODUCT, headers=support.headers))["serial_length"] == 12
    # Together with a smaller refill, the same change is accepted.
    changed = expect_ok(
        client.patch(PRODUCT, json={**TEN_DIGITS, "pool_refill_size": 999_999}, headers=support.headers)
    )
    assert (changed["serial_length"], changed["pool_refill_size"]) == (10, 999_999)


# -- the rule --------------------------------------------------------------------------------------------


@pytest.fixture
def pool_of_40(client: TestClient, support: Person, database: Database, demo: DemoCredentials) -> None:
    """40 Available serials; refill by 50 when a draw leaves fewer than 30."""
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 40)
    _set_pool(client, support, 30, 50)


def test_a_draw_that_leaves_the_threshold_or_more_refills_nothing(
    client: TestClient, api_headers: dict[str, str], session: Session, pool_of_40: None
) -> None:
    assert _request(client, api_headers, 5).status_code == 200
    assert _pool(session) == (35, 5, 40)
    # Exactly the threshold left: not fewer, so still no refill.
    assert _request(client, api_headers, 5).status_code == 200
    assert _pool(session) == (30, 10, 40)


def test_a_draw_that_leaves_fewer_than_the_threshold_refills_by_the_refill_size(
    client: TestClient, api_headers: dict[str, str], session: Session, pool_of_40: None
) -> None:
    response = _request(client, api_headers, 11)
    assert response.status_code == 200, response.text
    drawn = response.json()["data"]["serials"]
    assert len(drawn) == 11
    # 29 left, below 30: 50 new ones, all Available, none of them one of those just handed out.
    assert _pool(session) == (79, 11, 90)
    available = set(session.scalars(select(STATES.c.serial).where(STATES.c.status == "Available")))
    assert not available & set(drawn)


def test_emptying_the_pool_refills_it(
    client: TestClient, api_headers: dict[str, str], session: Session, pool_of_40: None
) -> None:
    assert _request(client, api_headers, 40).status_code == 200
    assert _pool(session) == (50, 40, 90)
    # The refill is what the next draw takes from.
    assert _request(client, api_headers, 25).status_code == 200
    assert _pool(session) == (75, 65, 140)  # 25 left < 30: refilled again


def test_a_refused_draw_refills_nothing(
    client: TestClient, api_headers: dict[str, str], session: Session, pool_of_40: None
) -> None:
    assert_error(_request(client, api_headers, 41), 409, "InsufficientSerialsError")
    assert _pool(session) == (40, 0, 40)


def test_without_a_threshold_nothing_is_refilled(
    client: TestClient, api_headers: dict[str, str], support: Person, session: Session, pool_of_40: None
) -> None:
    _set_pool(client, support, 0, 50)
    assert _request(client, api_headers, 40).status_code == 200
    assert _pool(session) == (0, 40, 40)
    assert_error(_request(client, api_headers, 1), 409, "InsufficientSerialsError")
