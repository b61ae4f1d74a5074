"""A product's regulatory master data: accepted, validated at its field, shown back, cleared, audited."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DemoCredentials
from packtrace.products.regulatory import ndc_in_gtin, ndc_ten_digit_forms
from tests.auth.people import Person, expect_ok
from tests.cli.support import Cli
from tests.support import assert_error, register_prefixes

# GS1 US: a GTIN-12 "3" + NDC 0001-0123-45 + check digit, as a GTIN-14; its company prefix 0300010.
NDC_GTIN = "00300010123455"
REGULATORY: dict[str, Any] = {
    "common_name": "epcistrazole",
    "pharmaceutical_form": "Film-coated tablet",
    "dosage_form": "TABLET",
    "strength": "100 mg",
    "pack_type": "Blister",
    "pack_size": 30,
    "mah_name": "PackTrace Pharma GmbH",
    "mah_id": "ORG-100000001",
    "target_markets": ["DE", "AT", "DE"],
    "nie": "DKL2012345678A1",
}


def _product(code: str = "04006381333931", **changes: Any) -> dict[str, Any]:
    body = {"product_code": code, "product_code_schema": "GTIN", "name": "Tablets", "company_prefix_length": 7}
    return body | changes


@pytest.fixture
def ndc_prefix(session: Session, demo: DemoCredentials) -> None:
    register_prefixes(session, tenant_service.get_by_name(session, demo.tenant).id, ("0300010",))


def test_regulatory_fields_are_stored_shown_and_cleared(client: TestClient, support: Person) -> None:
    created = expect_ok(client.post("/api/products", json=_product(**REGULATORY), headers=support.headers))
    assert {k: created[k] for k in REGULATORY} == REGULATORY | {"target_markets": ["AT", "DE"]}
    assert created["ndc"] is None
    path = "/api/products/04006381333931"
    cleared = expect_ok(
        client.patch(path, json={"strength": "", "pack_size": 0, "target_markets": []}, headers=support.headers)
    )
    assert (cleared["strength"], cleared["pack_size"], cleared["target_markets"]) == (None, None, [])
    assert cleared["common_name"] == "epcistrazole"  # left out: unchanged


def test_changes_are_audited(client: TestClient, support: Person) -> None:
    expect_ok(client.post("/api/products", json=_product(), headers=support.headers))
    expect_ok(client.patch("/api/products/04006381333931", json={"nie": "NIE-1"}, headers=support.headers))
    response = client.get("/api/audit", params={"entity": "product"}, headers=support.headers)
    changed = response.json()["data"]["records"][0]
    assert changed["action"] == "changed" and changed["changes"] == {"nie": {"old": None, "new": "NIE-1"}}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pack_size": 1_000_001}, "pack_size"),
        ({"pack_size": -1}, "pack_size"),
        ({"target_markets": ["DEU"]}, "target_markets.0"),
        ({"target_markets": ["DE", "de"]}, "target_markets.1"),
        ({"strength": "x" * 101}, "strength"),
        ({"ndc": "1234567890"}, "ndc"),
        ({"ndc": "123-4567-890"}, "ndc"),
        ({"ndc": "12345-6789-012"}, "ndc"),
        ({"common_name": "a\u0007b"}, "common_name"),
    ],
)
def test_bad_values_are_refused_at_their_field(
    client: TestClient, support: Person, changes: dict[str, Any], field: str
) -> None:
    response = client.post("/api/products", json=_product(**changes), headers=support.headers)
    assert_error(response, 400, "ValidationError", field)


@pytest.mark.parametrize("ndc", ["0001-0123-45", "00001-0123-45"])
def test_an_ndc_matching_the_gtin_derived_from_it_is_accepted(
    client: TestClient, support: Person, ndc_prefix: None, ndc: str
) -> None:
    created = expect_ok(client.post("/api/products", json=_product(NDC_GTIN, ndc=ndc), headers=support.headers))
    assert created["ndc"] == ndc


@pytest.mark.parametrize("ndc", ["0001-0123-46", "00011-123-45", "10001-0123-45"])
def test_an_ndc_other_than_the_gtins_own_is_refused(
    client: TestClient, support: Person, ndc_prefix: None, ndc: str
) -> None:
    response = client.post("/api/products", json=_product(NDC_GTIN, ndc=ndc), headers=support.headers)
    body = assert_error(response, 400, "ValidationError", "ndc")
    assert "0001012345" in body["error"]["details"][0]["message"]


def test_a_gtin_not_derived_from_an_ndc_takes_any_well_formed_one(client: TestClient, support: Person) -> None:
    created = expect_ok(client.post("/api/products", json=_product(ndc="12345-678-90"), headers=support.headers))
    assert created["ndc"] == "12345-678-90"


def test_ndc_forms() -> None:
    assert ndc_in_gtin(NDC_GTIN) == "0001012345" and ndc_in_gtin("04006381333931") is None
    assert ndc_ten_digit_forms("0001-0123-45") == {"0001012345"}
    assert ndc_ten_digit_forms("00001-0123-45") == {"0001012345", "0000112345"}
    assert ndc_ten_digit_forms("01234-0567-08") == {"1234056708", "0123456708", "0123405678"}
    assert ndc_ten_digit_forms("12345-6789-12") == set()


def test_the_cli_sets_shows_and_clears_regulatory_fields(cli: Cli) -> None:
    cli.tenant("acme")
    created = cli.json(
        "product", "create", "--tenant", "acme", "--code", "01234512345901", "--name", "Tablets",
        "--company-prefix-length", "7", "--field", "strength=100 mg", "--field", "target_markets=de, at",
        "--field", "pack_size=30",
    )  # fmt: skip
    assert (created["strength"], created["target_markets"], created["pack_size"]) == ("100 mg", ["AT", "DE"], 30)
    updated = cli.json("product", "update", "--tenant", "acme", "--code", "01234512345901", "--field", "strength=")
    assert updated["strength"] is None and updated["pack_size"] == 30
    line = cli.error("product", "update", "--tenant", "acme", "--code", "01234512345901", "--field", "colour=red")
    assert line.startswith("error: field: 'colour=red': expected NAME=VALUE")
    line = cli.error("product", "update", "--tenant", "acme", "--code", "01234512345901", "--field", "ndc=12")
    assert line.startswith("error: ndc: must be an NDC of 10 or 11 digits")
    assert "strength" not in cli.json("product", "list", "--tenant", "acme")[0]
