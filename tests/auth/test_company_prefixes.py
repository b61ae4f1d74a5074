"""GS1 company prefixes are tenant master data: products are registered only under the tenant's own
prefixes or a registered partner's, and SSCCs are made only under its own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from packtrace.auth.service import tenant_service
from packtrace.config import Settings
from packtrace.demo import DEMO_COMPANY_PREFIX, DEMO_PRODUCT_CODE
from packtrace.kit.db import Database
from packtrace.kit.security import derived_secret
from packtrace.models.enums import Role
from tests.auth.people import Person, expect_error, expect_ok, make_person
from tests.cli.conftest import cli, database_url, raw_cli
from tests.cli.support import Cli
from tests.support import V2, assert_error

PREFIXES = "/api/company_prefixes"
OWN = "5012345"
PARTNER = "4006381"
OWN_GTIN = "05012345678900"  # company prefix 5012345 (7 digits)
PARTNER_GTIN = "04006381333931"  # company prefix 4006381
FOREIGN_GTIN = "09506000134352"  # company prefix 9506000, registered by nobody here

__all__ = ["cli", "database_url", "raw_cli"]


@pytest.fixture
def acme(database: Database, settings: Settings) -> Person:
    """The administrator of a tenant that has registered no prefix yet."""
    with database.unit_of_work() as s:
        tenant_id = tenant_service.create(s, "acme").id
    return make_person(database, settings, tenant_id, "qa@acme.example", Role.ADMINISTRATOR)


def _product(code: str, length: int = 7) -> dict[str, object]:
    return {"product_code": code, "product_code_schema": "GTIN", "name": "Tablets", "company_prefix_length": length}


def _generate(prefix: str) -> dict[str, object]:
    return {"gs1_company_prefix": prefix, "extension_digit": 3, "count": 2}


def test_register_list_and_remove(client: TestClient, acme: Person) -> None:
    own = expect_ok(client.post(PREFIXES, json={"prefix": OWN}, headers=acme.headers))
    assert (own["prefix"], own["own"], own["partner"]) == (OWN, True, None)
    partner = expect_ok(client.post(PREFIXES, json={"prefix": PARTNER, "partner": "MAH AG"}, headers=acme.headers))
    assert (partner["own"], partner["partner"]) == (False, "MAH AG")
    listed = expect_ok(client.get(PREFIXES, headers=acme.headers))
    assert [(p["prefix"], p["own"]) for p in listed] == [(PARTNER, False), (OWN, True)]
    again = client.post(PREFIXES, json={"prefix": OWN}, headers=acme.headers)
    assert_error(again, 409, "ConflictError", field="prefix")
    expect_ok(client.post("/api/products", json=_product(OWN_GTIN), headers=acme.headers))
    refused = client.delete(f"{PREFIXES}/{OWN}", headers=acme.headers)
    assert "1 products" in assert_error(refused, 409, "ConflictError", field="prefix")["message"]
    assert expect_ok(client.delete(f"{PREFIXES}/{PARTNER}", headers=acme.headers))["prefix"] == PARTNER
    assert_error(client.delete(f"{PREFIXES}/{PARTNER}", headers=acme.headers), 404, "NotFoundError", field="prefix")


@pytest.mark.parametrize("prefix", ["12345", "1234567890123", "12345a7", " 123456"])
def test_a_prefix_is_6_to_12_digits(client: TestClient, acme: Person, prefix: str) -> None:
    assert_error(client.post(PREFIXES, json={"prefix": prefix}, headers=acme.headers), 400, "ValidationError", "prefix")


def test_only_administrators_register_prefixes(client: TestClient, support: Person, admin: Person) -> None:
    expect_error(client.post(PREFIXES, json={"prefix": OWN}, headers=support.headers), 403, "PermissionDeniedError")
    # Everyone reads them; the test tenant owns the prefixes of the tests' products.
    assert DEMO_COMPANY_PREFIX in {p["prefix"] for p in expect_ok(client.get(PREFIXES, headers=support.headers))}


def test_products_only_under_own_or_partner_prefixes(client: TestClient, acme: Person) -> None:
    refused = client.post("/api/products", json=_product(OWN_GTIN), headers=acme.headers)
    body = assert_error(refused, 400, "ValidationError", field="product_code")
    assert "5012345" in body["message"] and "not registered" in body["message"]
    expect_ok(client.post(PREFIXES, json={"prefix": OWN}, headers=acme.headers))
    expect_ok(client.post(PREFIXES, json={"prefix": PARTNER, "partner": "MAH AG"}, headers=acme.headers))
    expect_ok(client.post("/api/products", json=_product(OWN_GTIN), headers=acme.headers))
    expect_ok(client.post("/api/products", json=_product(PARTNER_GTIN), headers=acme.headers))
    assert_error(
        client.post("/api/products", json=_product(FOREIGN_GTIN), headers=acme.headers), 400, "ValidationError"
    )
    # The prefix length decides which digits are the prefix: 8 digits of 05012345678900 are 50123456.
    wrong_length = client.post("/api/products", json=_product("05012345678917", 8), headers=acme.headers)
    assert "50123456" in assert_error(wrong_length, 400, "ValidationError", field="product_code")["message"]
    # A change of prefix length is checked too.
    changed = client.patch(f"/api/products/{OWN_GTIN}", json={"company_prefix_length": 8}, headers=acme.headers)
    assert_error(changed, 400, "ValidationError", field="product_code")


def test_ssccs_only_under_own_prefixes(client: TestClient, acme: Person) -> None:
    assert_error(
        client.post("/api/ssccs/generate", json=_generate(OWN), headers=acme.headers),
        400,
        "ValidationError",
        field="gs1_company_prefix",
    )
    expect_ok(client.post(PREFIXES, json={"prefix": PARTNER, "partner": "MAH AG"}, headers=acme.headers))
    partners = client.post("/api/ssccs/generate", json=_generate(PARTNER), headers=acme.headers)
    assert "MAH AG" in assert_error(partners, 400, "ValidationError", field="gs1_company_prefix")["message"]
    expect_ok(client.post(PREFIXES, json={"prefix": OWN}, headers=acme.headers))
    assert expect_ok(client.post("/api/ssccs/generate", json=_generate(OWN), headers=acme.headers))["generated"] == 2


def test_ssccs_requested_through_the_api_follow_the_rule(client: TestClient, api_headers: dict[str, str]) -> None:
    body = {"quantity": 1, "extension_digit": 0, "gs1_company_prefix": "9876543"}
    assert_error(client.post(f"{V2}/ssccs/request", json=body, headers=api_headers), 400, "ValidationError")
    body["gs1_company_prefix"] = DEMO_COMPANY_PREFIX
    assert client.post(f"{V2}/ssccs/request", json=body, headers=api_headers).status_code == 200


def test_the_demo_owns_its_products_prefix(database: Database) -> None:
    from packtrace.demo import seed_demo
    from packtrace.prefixes.service import company_prefix_service

    with database.unit_of_work() as s:
        seed_demo(s, derived_secret(b"k" * 32, "demo").encode())
        tenant_id = tenant_service.get_by_name(s, "demo").id
        rows = company_prefix_service.list_all(s, tenant_id)
    assert [(r.prefix, r.partner) for r in rows] == [(DEMO_COMPANY_PREFIX, None)]
    assert DEMO_PRODUCT_CODE[1:8] == DEMO_COMPANY_PREFIX == "1234512"


def test_the_cli_registers_lists_and_removes(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    refused = cli.error(
        "product", "create", "--tenant", "acme", "--code", OWN_GTIN, "--name", "T", "--company-prefix-length", "7"
    )
    assert refused.startswith("error: product_code: GS1 company prefix 5012345")
    assert cli.json("prefix", "add", "--tenant", "acme", OWN)["own"] is True
    assert cli.json("prefix", "add", "--tenant", "acme", PARTNER, "--partner", "MAH AG")["partner"] == "MAH AG"
    assert [p["prefix"] for p in cli.json("prefix", "list", "--tenant", "acme")] == [PARTNER, OWN]
    cli.ok("product", "create", "--tenant", "acme", "--code", OWN_GTIN, "--name", "T", "--company-prefix-length", "7")
    assert cli.error("prefix", "add", "--tenant", "acme", "123").startswith("error: prefix: must be a GS1 company")
    assert cli.json("prefix", "remove", "--tenant", "acme", PARTNER) == {"prefix": PARTNER, "removed": True}
