"""POST packaging_order: the spec's §2, field by field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.gs1.serials import DEFAULT_ALPHABET
from packtrace.serials.repository import serial_states
from tests.support import ORDERS, assert_error, row_counts, sample_order

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

SAMPLE_RESPONSE_DATA: dict[str, Any] = {
    "order_id": "Order130",
    "order_description": "Packaging Order 130",
    "product_code": "01234512345901",
    "product_code_schema": "GTIN",
    "batch": "BATCH111",
    "expiry_date": "221115",
    "quantity": 10,
    "extra_percentage": 10,
    "serialized": True,
    "packaging_line_tag": "test-packaging-line-1",
    "market": "EU",
    "status": "Open",
}


def test_sample_request_gives_sample_response(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=sample_order(), headers=api_headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Packaging order created"
    for field, value in SAMPLE_RESPONSE_DATA.items():
        assert body["data"][field] == value, field
        assert type(body["data"][field]) is type(value), field
    assert body["data"]["serial_count"] == 11
    assert response.headers["x-request-id"]


def test_serialized_order_gets_random_unique_serials_of_the_product_format(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    response = client.post(ORDERS, json=sample_order(quantity=1000, extra_percentage=10), headers=api_headers)
    assert response.status_code == 200, response.text
    serials = session.scalars(select(STATES.c.serial)).all()
    assert len(serials) == 1100 == len(set(serials))
    assert all(len(s) == 12 and set(s) <= set(DEFAULT_ALPHABET) for s in serials)
    statuses = set(session.scalars(select(STATES.c.status)).all())
    assert statuses == {"Assigned"}


def test_unserialized_order_has_no_serials(client: TestClient, api_headers: dict[str, str], session: Session) -> None:
    response = client.post(ORDERS, json=sample_order(serialized=False), headers=api_headers)
    assert response.status_code == 200
    assert response.json()["data"]["serial_count"] == 0
    assert row_counts(session)["serial_numbers"] == 0


def test_only_required_fields(client: TestClient, api_headers: dict[str, str]) -> None:
    body = {"order_id": "Min-1", "product_code_schema": "GTIN", "product_code": "01234512345901"}
    response = client.post(ORDERS, json=body, headers=api_headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "Open"
    assert data["batch"] is None and data["quantity"] is None and data["market"] is None


def test_null_counts_as_absent_for_optional_fields(client: TestClient, api_headers: dict[str, str]) -> None:
    body = sample_order(batch=None, market=None, quantity=None, serialized=None)
    response = client.post(ORDERS, json=body, headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["batch"] is None


@pytest.mark.parametrize(
    ("expiry", "real_date"),
    [("221200", "2022-12-31"), ("240200", "2024-02-29"), ("230200", "2023-02-28"), ("221115", "2022-11-15")],
)
def test_expiry_day_00_is_the_last_day_of_the_month(
    client: TestClient, api_headers: dict[str, str], expiry: str, real_date: str
) -> None:
    response = client.post(ORDERS, json=sample_order(expiry_date=expiry), headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["expiry_date"] == expiry
    assert response.json()["data"]["expiry_on"] == real_date


def test_gtin_13_product_code_finds_the_registered_gtin_14(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=sample_order(product_code="1234512345901"), headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["product_code"] == "01234512345901"


def test_whole_float_quantity_is_accepted(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=sample_order(quantity=10.0), headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["quantity"] == 10
    assert response.json()["data"]["serial_count"] == 11


def test_fractional_extra_percentage(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=sample_order(quantity=1000, extra_percentage=0.5), headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["extra_percentage"] == 0.5
    assert response.json()["data"]["serial_count"] == 1005


def test_same_order_again_returns_the_existing_order(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    first = client.post(ORDERS, json=sample_order(), headers=api_headers)
    before = row_counts(session)
    again = client.post(ORDERS, json=sample_order(), headers=api_headers)
    assert again.status_code == 200, again.text
    assert again.json()["data"] == first.json()["data"]
    assert row_counts(session) == before


def test_same_order_id_with_other_content_is_a_conflict(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    client.post(ORDERS, json=sample_order(), headers=api_headers)
    before = row_counts(session)
    response = client.post(ORDERS, json=sample_order(quantity=20), headers=api_headers)
    body = assert_error(response, 409, "ConflictError", field="quantity")
    assert "Order130" in body["message"]
    assert row_counts(session) == before


def _bad(**changes: Any) -> dict[str, Any]:
    return sample_order(**changes)


INVALID_BODIES = [
    ("batch", _bad(batch="")),
    ("batch", _bad(batch="B" * 256)),
    ("batch", _bad(batch=111)),
    ("expiry_date", _bad(expiry_date="2211")),
    ("expiry_date", _bad(expiry_date="221315")),
    ("expiry_date", _bad(expiry_date="230230")),
    ("expiry_date", _bad(expiry_date=221115)),
    ("extra_percentage", _bad(extra_percentage=101)),
    ("extra_percentage", _bad(extra_percentage=-1)),
    ("extra_percentage", _bad(extra_percentage="10")),
    ("extra_percentage", _bad(extra_percentage=True)),
    ("market", _bad(market="DE")),
    ("market", _bad(market="eu")),
    ("order_description", _bad(order_description="")),
    ("order_description", _bad(order_description="x" * 256)),
    ("order_id", _bad(order_id="")),
    ("order_id", _bad(order_id="x" * 256)),
    ("order_id", _bad(order_id=None)),
    ("order_id", _bad(order_id=...)),
    ("order_id", _bad(order_id=130)),
    ("packaging_line_tag", _bad(packaging_line_tag="no-such-line")),
    ("product_code_schema", _bad(product_code_schema="EAN")),
    ("product_code_schema", _bad(product_code_schema=...)),
    ("product_code", _bad(product_code=...)),
    ("product_code", _bad(product_code="")),
    ("product_code", _bad(product_code="09876543210982")),
    ("product_code", _bad(product_code="not-a-gtin")),
    ("quantity", _bad(quantity="10")),
    ("quantity", _bad(quantity=10.5)),
    ("quantity", _bad(quantity=100001)),
    ("quantity", _bad(quantity=-1)),
    ("quantity", _bad(quantity=True)),
    ("serialized", _bad(serialized="true")),
    ("serialized", _bad(serialized=1)),
    ("colour", _bad(colour="blue")),
]


@pytest.mark.parametrize(("field", "body"), INVALID_BODIES)
def test_invalid_field_is_a_validation_error_that_writes_nothing(
    client: TestClient, api_headers: dict[str, str], session: Session, field: str, body: dict[str, Any]
) -> None:
    before = row_counts(session)
    response = client.post(ORDERS, json=body, headers=api_headers)
    assert_error(response, 400, "ValidationError", field=field)
    assert row_counts(session) == before


def test_wrong_check_digit_names_the_expected_digit(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=sample_order(product_code="01234512345900"), headers=api_headers)
    body = assert_error(response, 400, "ValidationError", field="product_code")
    assert "expected 1" in body["message"]


def test_unknown_field_is_named(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=sample_order(priority="high"), headers=api_headers)
    body = assert_error(response, 400, "ValidationError", field="priority")
    assert "unknown field" in body["message"]


def test_market_the_product_is_not_registered_for(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    from packtrace.products.service import ProductSettings, product_service

    product_service.update(session, _demo_tenant_id(session), "01234512345901", ProductSettings(markets=["US"]))
    session.commit()
    response = client.post(ORDERS, json=sample_order(market="EU"), headers=api_headers)
    body = assert_error(response, 400, "ValidationError", field="market")
    assert "not registered for EU" in body["message"]


def test_market_without_a_profile(client: TestClient, api_headers: dict[str, str], session: Session) -> None:
    from packtrace.markets.service import market_service

    market_service.remove(session, _demo_tenant_id(session), "IDN")
    session.commit()
    response = client.post(ORDERS, json=sample_order(market="IDN"), headers=api_headers)
    body = assert_error(response, 400, "ValidationError", field="market")
    assert "no market profile for IDN" in body["message"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"a string"', "application/json"),
        (b"", "application/json"),
    ],
)
def test_body_that_is_not_a_json_object(
    client: TestClient, api_headers: dict[str, str], session: Session, content: bytes, content_type: str
) -> None:
    before = row_counts(session)
    response = client.post(ORDERS, content=content, headers={**api_headers, "content-type": content_type})
    assert_error(response, 400, "ValidationError")
    assert row_counts(session) == before


def _demo_tenant_id(session: Session) -> int:
    from packtrace.auth.service import tenant_service
    from packtrace.demo import DEMO_TENANT

    return tenant_service.get_by_name(session, DEMO_TENANT).id


def test_nul_characters_are_refused_not_a_server_error(client: TestClient, api_headers: dict[str, str]) -> None:
    assert_error(client.post(ORDERS, json=sample_order(order_id="a\x00b"), headers=api_headers), 400, "ValidationError")
    response = client.get(f"{ORDERS}/details", params={"order_id": "a\x00b"}, headers=api_headers)
    assert_error(response, 400, "ValidationError", field="order_id")
