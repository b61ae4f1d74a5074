"""Management API for products."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.kit.db import Database
from packtrace.products.service import product_service
from tests.auth.people import OTHER_PRODUCT_CODE, Person, create_order, expect_error, expect_ok, order_details
from tests.support import register_prefixes

DEMO_CODE = "01234512345901"
NEW_PRODUCT: dict[str, Any] = {
    "product_code": "4006381333931",  # a GTIN-13
    "product_code_schema": "GTIN",
    "name": "Tablets 20",
    "markets": ["US", "EU"],
    "company_prefix_length": 7,
}


def product_codes(database: Database, tenant_id: int) -> list[str]:
    with database.unit_of_work() as s:
        return [v.product.code for v in product_service.list_all(s, tenant_id)]


def test_create_stores_a_gtin13_as_gtin14_with_defaults(client: TestClient, support: Person) -> None:
    created = expect_ok(client.post("/api/products", json=NEW_PRODUCT, headers=support.headers))
    assert created["product_code"] == "04006381333931"
    assert created["product_code_schema"] == "GTIN"
    assert created["markets"] == ["EU", "US"]
    assert (created["serial_length"], created["serial_alphabet"]) == (12, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert created["alias"] is None
    # Found by either form of its code, and listed with its markets.
    for code in ("04006381333931", "4006381333931"):
        assert expect_ok(client.get(f"/api/products/{code}", headers=support.headers))["name"] == "Tablets 20"
    listed = {p["product_code"]: p["markets"] for p in expect_ok(client.get("/api/products", headers=support.headers))}
    assert listed == {DEMO_CODE: ["CHN", "EU", "IDN", "US"], "04006381333931": ["EU", "US"]}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"product_code": "01234512345900"}, "product_code", ["expected 1"]),
        ({"serial_alphabet": "0123456789#"}, "serial_alphabet", ["'#'"]),
        ({"serial_length": 4, "serial_alphabet": "0123456789"}, "serial_length", ["10,000 serials"]),
        ({"serial_length": 0}, "serial_length", ["serial length"]),
        ({"serial_alphabet": ""}, "serial_alphabet", ["empty"]),
        ({"serial_length": 21}, "serial_length", ["1 to 20"]),
        ({"company_prefix_length": 13}, "company_prefix_length", ["6 to 12"]),
        ({"company_prefix_length": "7"}, "company_prefix_length", []),
        ({"markets": ["EU", "XX"]}, "markets.1", []),
        ({"product_code_schema": "EAN"}, "product_code_schema", []),
        ({"name": "  "}, "name", ["blank"]),
        ({"colour": "blue"}, "colour", ["unknown field"]),
    ],
)
def test_create_refusals_name_the_problem_and_write_nothing(
    client: TestClient, support: Person, database: Database, change: dict[str, Any], field: str, words: list[str]
) -> None:
    before = product_codes(database, support.tenant_id)
    response = client.post("/api/products", json=NEW_PRODUCT | change, headers=support.headers)
    body = expect_error(response, 400, "ValidationError")
    detail = body["error"]["details"][0]
    assert detail["field"] == field
    # The message for a person names the field too (request errors), or is the detail itself (rule errors).
    assert f"{field}: {detail['message']}" in body["message"] or body["message"] == detail["message"]
    for word in words:
        assert word in detail["message"]
        assert word in body["message"]
    assert product_codes(database, support.tenant_id) == before


def test_create_refuses_a_code_registered_already(client: TestClient, support: Person, database: Database) -> None:
    body = NEW_PRODUCT | {"product_code": DEMO_CODE}
    expect_error(client.post("/api/products", json=body, headers=support.headers), 409, "ConflictError")
    assert product_codes(database, support.tenant_id) == [DEMO_CODE]


def test_update_changes_settings_but_never_the_code(client: TestClient, support: Person) -> None:
    path = f"/api/products/{DEMO_CODE}"
    updated = expect_ok(
        client.patch(
            path,
            json={"name": "Renamed", "alias": "R-1", "serial_length": 14, "markets": ["EU"]},
            headers=support.headers,
        )
    )
    assert (updated["name"], updated["alias"], updated["serial_length"], updated["markets"]) == (
        "Renamed",
        "R-1",
        14,
        ["EU"],
    )
    assert expect_ok(client.patch(path, json={"alias": ""}, headers=support.headers))["alias"] is None

    refused = client.patch(path, json={"product_code": "04006381333931", "name": "Other"}, headers=support.headers)
    body = expect_error(refused, 400, "ValidationError")
    assert body["error"]["details"][0]["field"] == "product_code"
    assert "cannot change" in body["message"]
    after = expect_ok(client.get(path, headers=support.headers))
    assert (after["product_code"], after["name"]) == (DEMO_CODE, "Renamed")
    expect_error(client.get("/api/products/04006381333931", headers=support.headers), 404, "NotFoundError")


def test_refused_update_changes_nothing(client: TestClient, support: Person) -> None:
    path = f"/api/products/{DEMO_CODE}"
    before = expect_ok(client.get(path, headers=support.headers))
    # The name is valid, the alphabet is not: the whole request is refused.
    refused = client.patch(path, json={"name": "Renamed", "serial_alphabet": "AB#"}, headers=support.headers)
    expect_error(refused, 400, "ValidationError")
    assert expect_ok(client.get(path, headers=support.headers)) == before


def test_a_market_of_an_open_order_cannot_be_removed(
    client: TestClient, support: Person, api_headers: dict[str, str]
) -> None:
    create_order(client, api_headers, "ORDER-EU", market="EU")
    path = f"/api/products/{DEMO_CODE}"
    before_order = order_details(client, api_headers, "ORDER-EU")

    refused = client.patch(path, json={"markets": ["US"], "name": "Renamed"}, headers=support.headers)
    body = expect_error(refused, 409, "ConflictError")
    assert body["error"]["details"][0]["field"] == "markets"
    assert "EU" in body["message"]
    product = expect_ok(client.get(path, headers=support.headers))
    assert (product["markets"], product["name"]) == (["CHN", "EU", "IDN", "US"], "Demo product 10 tablets")
    after_order = order_details(client, api_headers, "ORDER-EU")
    assert after_order == before_order
    assert after_order["status"] == "Open"

    # Markets no unfinished order is for can go.
    assert expect_ok(client.patch(path, json={"markets": ["EU"]}, headers=support.headers))["markets"] == ["EU"]


def test_company_prefix_length_is_fixed_once_orders_exist(
    client: TestClient, support: Person, api_headers: dict[str, str]
) -> None:
    create_order(client, api_headers, "ORDER-1")
    refused = client.patch(f"/api/products/{DEMO_CODE}", json={"company_prefix_length": 8}, headers=support.headers)
    expect_error(refused, 409, "ConflictError")
    assert expect_ok(client.get(f"/api/products/{DEMO_CODE}", headers=support.headers))["company_prefix_length"] == 7


def test_delete_an_unused_product(client: TestClient, support: Person, database: Database) -> None:
    expect_ok(client.post("/api/products", json=NEW_PRODUCT, headers=support.headers))
    deleted = expect_ok(client.delete("/api/products/04006381333931", headers=support.headers))
    assert deleted["product_code"] == "04006381333931"
    expect_error(client.get("/api/products/04006381333931", headers=support.headers), 404, "NotFoundError")
    assert product_codes(database, support.tenant_id) == [DEMO_CODE]


def test_a_product_with_orders_cannot_be_deleted(
    client: TestClient, support: Person, api_headers: dict[str, str], database: Database
) -> None:
    create_order(client, api_headers, "ORDER-1")
    body = expect_error(client.delete(f"/api/products/{DEMO_CODE}", headers=support.headers), 409, "ConflictError")
    assert DEMO_CODE in body["message"]
    assert product_codes(database, support.tenant_id) == [DEMO_CODE]
    assert order_details(client, api_headers, "ORDER-1")["product_code"] == DEMO_CODE


def test_another_tenants_product_is_not_found(
    client: TestClient, outsider: Person, support: Person, database: Database
) -> None:
    h = outsider.headers
    missing = expect_error(client.get("/api/products/05012345678900", headers=h), 404, "NotFoundError")
    foreign = expect_error(client.get(f"/api/products/{DEMO_CODE}", headers=h), 404, "NotFoundError")
    assert foreign["message"] == missing["message"].replace("05012345678900", DEMO_CODE)
    expect_error(client.patch(f"/api/products/{DEMO_CODE}", json={"name": "Mine"}, headers=h), 404, "NotFoundError")
    expect_error(client.delete(f"/api/products/{DEMO_CODE}", headers=h), 404, "NotFoundError")
    assert [p["product_code"] for p in expect_ok(client.get("/api/products", headers=h))] == [OTHER_PRODUCT_CODE]
    # The same code may be registered by tenant B too: codes are unique per tenant.
    expect_ok(client.post("/api/products", json=NEW_PRODUCT | {"product_code": DEMO_CODE}, headers=h))
    assert product_codes(database, support.tenant_id) == [DEMO_CODE]
    assert expect_ok(client.get(f"/api/products/{DEMO_CODE}", headers=support.headers))["name"] == (
        "Demo product 10 tablets"
    )


def test_shrinking_the_serial_format_below_the_serials_made_is_refused(session: Session) -> None:
    from packtrace.kit.errors import ValidationError as DomainValidationError
    from packtrace.products.service import ProductSettings, product_service

    tenant = tenant_service.create(session, "shrink")
    register_prefixes(session, tenant.id)
    view = product_service.create(
        session, tenant.id, "01234512345901", ProductSettings(name="p", company_prefix_length=7)
    )
    view.product.serial_count = 5_000_000  # as if five million serials had been made
    session.flush()
    with pytest.raises(DomainValidationError, match="5,000,000 serial numbers already"):
        # 10 digits: 10^10 / 10,000 = 1,000,000 live serials at most
        product_service.update(
            session, tenant.id, "01234512345901", ProductSettings(serial_length=10, serial_alphabet="0123456789")
        )
