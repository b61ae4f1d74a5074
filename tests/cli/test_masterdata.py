"""``market``, ``product`` and ``line``: round trips, and refusals that leave nothing behind."""

from __future__ import annotations

import pytest

from tests.cli.support import Cli

GTIN = "01234512345901"


@pytest.fixture
def acme(cli: Cli) -> Cli:
    cli.tenant("acme")
    return cli


def test_market_round_trip(acme: Cli) -> None:
    added = acme.json("market", "add", "--tenant", "acme", "EU", "--name", "European Union")
    assert (added["market"], added["name"]) == ("EU", "European Union")
    acme.ok("market", "add", "--tenant", "acme", "US")
    assert [(m["market"], m["name"]) for m in acme.json("market", "list", "--tenant", "acme")] == [
        ("EU", "European Union"),
        ("US", "US"),
    ]
    assert "European Union" in acme.ok("market", "list", "--tenant", "acme").stdout
    assert acme.json("market", "remove", "--tenant", "acme", "EU") == {"market": "EU", "removed": True}
    assert [m["market"] for m in acme.json("market", "list", "--tenant", "acme")] == ["US"]


def test_market_refusals(acme: Cli) -> None:
    assert acme.error("market", "add", "--tenant", "acme", "XX").startswith("error: market: 'XX' is not a market")
    acme.ok("market", "add", "--tenant", "acme", "EU")
    assert "exists already" in acme.error("market", "add", "--tenant", "acme", "EU")
    assert acme.error("market", "remove", "--tenant", "acme", "US") == "error: market: no market profile US"
    assert len(acme.json("market", "list", "--tenant", "acme")) == 1


def test_product_with_wrong_check_digit_is_refused_and_not_written(acme: Cli) -> None:
    line = acme.error(
        "product", "create", "--tenant", "acme", "--code", "01234512345900", "--name", "Tablets",
        "--company-prefix-length", "7",
    )  # fmt: skip
    assert line == "error: product_code: GTIN 01234512345900 has check digit 0, expected 1"
    assert acme.json("product", "list", "--tenant", "acme") == []


def test_product_round_trip(acme: Cli) -> None:
    created = acme.json(
        "product", "create", "--tenant", "acme", "--code", GTIN, "--name", "Tablets 10",
        "--company-prefix-length", "7", "--alias", "MAT-1", "--market", "EU", "--market", "US",
        "--serial-length", "14",
    )  # fmt: skip
    assert created["code"] == GTIN
    assert (created["name"], created["alias"], created["markets"]) == ("Tablets 10", "MAT-1", ["EU", "US"])
    assert (created["company_prefix_length"], created["serial_length"]) == (7, 14)

    assert acme.json("product", "show", "--tenant", "acme", "--code", GTIN) == created
    assert GTIN in acme.ok("product", "show", "--tenant", "acme", "--code", GTIN).stdout

    updated = acme.json(
        "product", "update", "--tenant", "acme", "--code", GTIN, "--name", "Tablets 20", "--market", "CHN"
    )
    assert (updated["name"], updated["alias"], updated["markets"]) == ("Tablets 20", "MAT-1", ["CHN"])
    assert updated["serial_length"] == 14  # not given, not changed
    unchanged = acme.json("product", "update", "--tenant", "acme", "--code", GTIN, "--alias", "MAT-2")
    assert (unchanged["markets"], unchanged["alias"]) == (["CHN"], "MAT-2")

    listed = acme.json("product", "list", "--tenant", "acme")
    assert [(p["code"], p["name"]) for p in listed] == [(GTIN, "Tablets 20")]
    assert GTIN in acme.ok("product", "list", "--tenant", "acme").stdout

    assert acme.json("product", "delete", "--tenant", "acme", "--code", GTIN) == {"code": GTIN, "deleted": True}
    assert acme.json("product", "list", "--tenant", "acme") == []
    assert acme.error("product", "show", "--tenant", "acme", "--code", GTIN).startswith(
        "error: product_code: no product"
    )


def test_product_defaults_and_refusals(acme: Cli) -> None:
    created = acme.json(
        "product", "create", "--tenant", "acme", "--code", GTIN, "--name", "T", "--company-prefix-length", "7"
    )
    assert created["serial_length"] == 12 and created["markets"] == []
    line = acme.error("product", "update", "--tenant", "acme", "--code", GTIN, "--market", "MARS")
    assert line.startswith("error: markets: 'MARS' is not a market")
    assert acme.json("product", "show", "--tenant", "acme", "--code", GTIN)["markets"] == []
    line = acme.error("product", "update", "--tenant", "acme", "--code", GTIN, "--company-prefix-length", "abc")
    assert "--company-prefix-length" in line


def test_line_round_trip(acme: Cli) -> None:
    created = acme.json("line", "create", "--tenant", "acme", "--tag", "line-1", "--name", "Blister 1")
    assert (created["tag"], created["name"]) == ("line-1", "Blister 1")
    assert "exists already" in acme.error("line", "create", "--tenant", "acme", "--tag", "line-1")
    renamed = acme.json("line", "rename", "--tenant", "acme", "--tag", "line-1", "--name", "Blister one")
    assert renamed["name"] == "Blister one"
    assert [(x["tag"], x["name"]) for x in acme.json("line", "list", "--tenant", "acme")] == [("line-1", "Blister one")]
    assert "Blister one" in acme.ok("line", "list", "--tenant", "acme").stdout
    assert acme.json("line", "delete", "--tenant", "acme", "--tag", "line-1") == {"tag": "line-1", "deleted": True}
    assert acme.json("line", "list", "--tenant", "acme") == []
    assert (
        acme.error("line", "delete", "--tenant", "acme", "--tag", "line-1")
        == "error: tag: no packaging line tagged 'line-1'"
    )


def test_masterdata_is_per_tenant(acme: Cli) -> None:
    acme.tenant("globex")
    acme.ok("line", "create", "--tenant", "acme", "--tag", "line-1")
    acme.ok("market", "add", "--tenant", "acme", "EU")
    acme.ok("product", "create", "--tenant", "acme", "--code", GTIN, "--name", "T", "--company-prefix-length", "7")
    for group in ("line", "market", "product"):
        assert acme.json(group, "list", "--tenant", "globex") == [], group
    acme.ok("line", "create", "--tenant", "globex", "--tag", "line-1")  # the same tag in another tenant


def test_failed_command_leaves_nothing_half_written(acme: Cli) -> None:
    # The product row is written before its markets are checked; the unit of work must roll it back.
    line = acme.error(
        "product", "create", "--tenant", "acme", "--code", GTIN, "--name", "T", "--company-prefix-length", "7",
        "--market", "EU", "--market", "MARS",
    )  # fmt: skip
    assert line.startswith("error: markets: 'MARS' is not a market")
    assert acme.json("product", "list", "--tenant", "acme") == []
    acme.ok("product", "create", "--tenant", "acme", "--code", GTIN, "--name", "T", "--company-prefix-length", "7")
