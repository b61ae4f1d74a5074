"""``packtrace sscc``: generate and list, as an operator runs them, on a database of its own."""

from __future__ import annotations

import pytest

from tests.aggregation.support import sscc
from tests.cli.support import Cli


@pytest.fixture
def acme(cli: Cli) -> Cli:
    cli.tenant("acme")
    return cli


def test_generate_and_list(acme: Cli) -> None:
    made = acme.json("sscc", "generate", "--tenant", "acme", "--prefix", "0123451", "--extension", "3", "--count", "5")
    assert made == {
        "gs1_company_prefix": "0123451",
        "extension_digit": 3,
        "generated": 5,
        "first_sscc": sscc(0),
        "last_sscc": sscc(4),
    }
    again = acme.json(
        "sscc",
        "generate",
        "--tenant",
        "acme",
        "--prefix",
        "0123451",
        "--extension",
        "3",
        "--count",
        "2",
        "--start",
        "3",
    )
    assert (again["first_sscc"], again["last_sscc"]) == (sscc(5), sscc(6))
    page = acme.json("sscc", "list", "--tenant", "acme", "--limit", "4")
    assert [s["sscc"] for s in page["ssccs"]] == [sscc(n) for n in range(4)]
    assert {s["status"] for s in page["ssccs"]} == {"Available"}
    rest = acme.json("sscc", "list", "--tenant", "acme", "--cursor", page["next_cursor"])
    assert [s["sscc"] for s in rest["ssccs"]] == [sscc(n) for n in range(4, 7)] and rest["next_cursor"] is None
    found = acme.json("sscc", "list", "--tenant", "acme", "--search", sscc(6)[:17], "--status", "Available")
    assert [s["sscc"] for s in found["ssccs"]] == [sscc(6)]
    table = acme.ok("sscc", "list", "--tenant", "acme", "--limit", "2").stdout
    assert sscc(0) in table and "Available" in table and "More: --cursor" in table


def test_refusals_are_one_line_and_make_nothing(acme: Cli) -> None:
    line = acme.error("sscc", "generate", "--tenant", "acme", "--prefix", "12345", "--extension", "3", "--count", "5")
    assert line.startswith("error: gs1_company_prefix: GS1 Company Prefix must be 6 to 12 digits")
    line = acme.error(
        "sscc", "generate", "--tenant", "acme", "--prefix", "0123451", "--extension", "12", "--count", "1"
    )
    assert line == "error: extension_digit: must be a digit 0 to 9"
    line = acme.error(
        "sscc", "generate", "--tenant", "acme", "--prefix", "012345100000", "--extension", "3", "--count", "10001"
    )
    assert "room for 10,000 more SSCCs" in line
    assert "status: must be Available or Assigned" in acme.error("sscc", "list", "--tenant", "acme", "--status", "x")
    assert acme.json("sscc", "list", "--tenant", "acme") == {"ssccs": [], "next_cursor": None}
    assert "no tenant" in acme.error("sscc", "list", "--tenant", "nobody").lower()
