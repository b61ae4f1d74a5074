"""``packtrace audit``: verify names the first broken link, export writes the trail as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from packtrace.kit.db import make_engine
from tests.cli.support import Cli


def _trail_of_three(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    for tag in ("line-a", "line-b"):
        cli.ok("line", "create", "--tenant", "acme", "--tag", tag, "--name", f"Line {tag}")
    cli.ok("line", "rename", "--tenant", "acme", "--tag", "line-a", "--name", "=cmd|' /C calc'!A0")


def test_export_csv_has_one_row_a_change_with_old_and_new_values(cli: Cli) -> None:
    _trail_of_three(cli)
    rows = list(csv.DictReader(io.StringIO(cli.ok("audit", "export", "--tenant", "acme").stdout)))
    assert [(r["sequence"], r["entity"], r["entity_id"], r["action"]) for r in rows] == [
        ("1", "tenant", "acme", "created"),
        ("2", "line", "line-a", "created"),
        ("3", "line", "line-b", "created"),
        ("4", "line", "line-a", "changed"),
    ]
    assert all(r["actor"].startswith("cli:") for r in rows)
    assert json.loads(rows[3]["changes"]) == {"name": {"old": "Line line-a", "new": "=cmd|' /C calc'!A0"}}


def test_export_json_filters_by_entity_and_writes_a_file(cli: Cli, tmp_path: object) -> None:
    _trail_of_three(cli)
    out = f"{tmp_path}/trail.json"
    cli.ok("audit", "export", "--tenant", "acme", "--format", "json", "--entity", "line", "--output", out)
    with open(out, encoding="utf-8") as file:
        records = json.load(file)
    assert [r["sequence"] for r in records] == [2, 3, 4]
    assert records[2]["previous_hash"] == records[1]["hash"]


def test_verify_passes_an_intact_chain(cli: Cli) -> None:
    _trail_of_three(cli)
    assert "acme: 4 records, chain intact" in cli.ok("audit", "verify").stdout


def test_verify_names_the_first_broken_link_on_one_line(cli: Cli, database_url: str) -> None:
    _trail_of_three(cli)
    engine = make_engine(database_url)
    with engine.begin() as conn:  # as the owner of the tables could, with the guard switched off
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_records_no_update"))
        conn.execute(text("UPDATE audit_records SET reason = 'backdated' WHERE sequence = 3"))
    engine.dispose()
    line = cli.error("audit", "verify", "--tenant", "acme")
    assert "tenant acme: the chain breaks at record 3" in line and "altered" in line


def test_grant_roles_on_sqlite_says_there_are_no_roles(cli: Cli, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has roles: tests/audit/test_postgres.py grants them")
    assert "PostgreSQL only" in cli.error("audit", "grant-roles", "--server-role", "packtrace_server")
