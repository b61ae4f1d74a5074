"""What the CLI prints: passwords from stdin for scripts, the one progress bar of long generations,
tables whose headings a narrow terminal wraps between words only, plurals and GS1's capitals."""

from __future__ import annotations

import functools
import re

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from packtrace.cli import progress
from packtrace.cli.output import heading, plural
from tests.cli.support import STRONG_SECRET, Cli

EMAIL = "ops@acme.example"


def test_user_create_takes_the_password_from_stdin(cli: Cli, api: TestClient) -> None:
    cli.ok("tenant", "create", "acme")
    args = ("user", "create", "--tenant", "acme", "--email", EMAIL, "--role", "User", "--password-stdin")
    result = cli.ok(*args, input=f"{STRONG_SECRET}\n")
    assert STRONG_SECRET not in result.stdout + result.stderr
    assert api.post("/api/login", json={"email": EMAIL, "password": STRONG_SECRET}).status_code == 200
    cli.ok("user", "set-password", "--tenant", "acme", "--email", EMAIL, "--password-stdin", input="Other-Pass-1\n")
    assert api.post("/api/login", json={"email": EMAIL, "password": "Other-Pass-1"}).status_code == 200


def test_password_stdin_refuses_nothing_or_both(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    args = ("user", "create", "--tenant", "acme", "--email", EMAIL, "--role", "User", "--password-stdin")
    assert cli.error(*args, input="") == "error: no password on standard input"
    both = cli.error(*args, "--password", STRONG_SECRET, input=f"{STRONG_SECRET}\n")
    assert "not both" in both
    assert cli.json("user", "list", "--tenant", "acme") == []


def test_apikey_secret_from_stdin(cli: Cli, api: TestClient) -> None:
    cli.ok("tenant", "create", "acme")
    key = cli.json(
        "apikey", "create", "--tenant", "acme", "--name", "erp", "--secret-stdin", input=f"{STRONG_SECRET}\n"
    )
    answer = api.post("/v1/api_auth", json={"api_key": key["key"], "api_secret": STRONG_SECRET})
    assert answer.status_code == 200, answer.text


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress bar as a terminal would show it (CliRunner is not one)."""
    monkeypatch.setattr(progress, "Console", functools.partial(Console, force_terminal=True, width=120))


@pytest.mark.usefixtures("terminal")
def test_sscc_generate_shows_the_progress_of_pool_generate(cli: Cli) -> None:
    cli.tenant("acme")
    made = cli.ok("sscc", "generate", "--tenant", "acme", "--prefix", "1234512", "--extension", "3", "--count", "1200")
    assert "Generating SSCCs under 1234512" in made.stderr and "1200/1200" in made.stderr
    assert "1200/1200" not in made.stdout
    listed = cli.json("sscc", "list", "--tenant", "acme", "--limit", "1000")
    assert len(listed["ssccs"]) == 1000 and listed["next_cursor"]


def test_sscc_generate_is_all_or_nothing(cli: Cli) -> None:
    cli.tenant("acme")
    cli.ok("prefix", "add", "--tenant", "acme", "12345123456")
    # An 11-digit prefix leaves 5 digits of serial reference: room for 100,000 SSCCs, two batches and a bit.
    args = ("sscc", "generate", "--tenant", "acme", "--prefix", "12345123456", "--extension", "0")
    refused = cli.error(*args, "--count", "100001")
    assert "room for" in refused and "nothing was made" in refused
    assert cli.json("sscc", "list", "--tenant", "acme")["ssccs"] == []
    made = cli.json(*args, "--count", "60000", "--start", "40000")
    assert made["generated"] == 60000 and made["first_sscc"][12:17] == "40000" and made["last_sscc"][12:17] == "99999"


def test_table_headings_wrap_between_words_at_80_columns(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.tenant("acme")
    cli.ok("market", "add", "--tenant", "acme", "EU")
    cli.ok(
        "product", "create", "--tenant", "acme", "--code", "01234512345901", "--name", "Demo 10 mg",
        "--company-prefix-length", "7", "--market", "EU",
    )  # fmt: skip
    monkeypatch.setenv("COLUMNS", "80")
    table = cli.ok("product", "list", "--tenant", "acme").stdout
    head = table.split("─", 1)[0]
    assert max(map(len, table.splitlines())) <= 80, table
    words = {word for key in cli.json("product", "list", "--tenant", "acme")[0] for word in heading(key).split()}
    found = set(re.findall(r"\S+", head)) - {"Products"}
    assert len(found) > 5 and found <= words, f"headings broken inside words: {sorted(found - words)}\n{table}"


def test_headings_and_counts_read_as_english() -> None:
    assert heading("gs1_company_prefix") == "GS1 company prefix"
    assert heading("first_sscc") == "First SSCC"
    assert heading("company_prefix_length") == "Company prefix length"
    assert (plural(1, "pack"), plural(2, "pack"), plural(1000, "serial")) == ("1 pack", "2 packs", "1,000 serials")
