"""``packtrace market destination``, ``packtrace worker`` and ``packtrace reports ...`` as an operator
runs them, on a database of their own (the CLI commits)."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from packtrace.cli import service_cmds
from packtrace.config import Settings
from packtrace.kit.db import Database
from packtrace.models import Tenant
from tests.cli.conftest import database_url, raw_cli
from tests.cli.support import Cli
from tests.reporting.receiver import running
from tests.reporting.support import add_report
from tests.support import fake_uvicorn

pytestmark = pytest.mark.usefixtures("seeded_reports_cancelled")

__all__ = ["database_url", "raw_cli"]


@pytest.fixture
def operator(raw_cli: Cli) -> Cli:
    raw_cli.ok("migrate")
    raw_cli.tenant("acme")
    for market in ("EU", "US"):
        raw_cli.ok("market", "add", "--tenant", "acme", market)
    return raw_cli


def _tenant_id(database: Database) -> int:
    with database.unit_of_work() as session:
        return session.scalars(select(Tenant.id).where(Tenant.name == "acme")).one()


def test_destination_worker_and_reports(operator: Cli, database_url: str) -> None:
    database = Database(database_url)
    try:
        tenant = _tenant_id(database)
        first, second = add_report(database, tenant, "B1"), add_report(database, tenant, "B2")
    finally:
        database.dispose()
    with running() as receiver:
        shown = operator.json(
            "market", "destination", "--tenant", "acme", "EU", "--url", receiver.url, "--auth-header", "X-Api-Key: k1"
        )
        assert shown["destination"] == f"http: {receiver.url} (auth header set)"
        assert "k1" not in json.dumps(operator.json("market", "list", "--tenant", "acme"))
        assert operator.ok("worker", "--once").stdout == "2 report(s) handled.\n"
    assert [r.headers["x-api-key"] for r in receiver.requests] == ["k1", "k1"]
    listed = operator.json("reports", "list", "--tenant", "acme", "--state", "Acknowledged")
    assert [r["id"] for r in listed] == [second, first]
    shown = operator.json("reports", "show", "--tenant", "acme", str(first))
    assert shown["idempotency_key"] == receiver.requests[0].key
    assert [(a["outcome"], a["http_status"]) for a in shown["attempt_log"]] == [("Acknowledged", 200)]
    assert operator.ok("reports", "document", "--tenant", "acme", str(first)).stdout == '{"batch": "B1"}'
    refused = operator.error("reports", "cancel", "--tenant", "acme", str(first))
    assert "Acknowledged already" in refused
    assert "is Acknowledged" in operator.error("reports", "retry", "--tenant", "acme", str(first))
    assert "PACKTRACE_REPORT_DIR" in operator.error("market", "destination", "--tenant", "acme", "EU", "--folder", "eu")
    assert "one of" in operator.error("market", "destination", "--tenant", "acme", "EU", "--url", "x", "--none")
    assert operator.json("market", "destination", "--tenant", "acme", "EU", "--none")["destination"] is None


def test_cancel_from_the_cli(operator: Cli, database_url: str) -> None:
    database = Database(database_url)
    try:
        report_id = add_report(database, _tenant_id(database))
    finally:
        database.dispose()
    cancelled = operator.json("reports", "cancel", "--tenant", "acme", str(report_id), "--reason", "sent by hand")
    assert cancelled["state"] == "Cancelled"
    assert "no report 999" in operator.error("reports", "show", "--tenant", "acme", "999")


def test_serve_runs_one_outbox_worker_unless_told_not_to(operator: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_uvicorn(monkeypatch)
    started: list[threading.Event] = []

    def start(settings: Settings) -> tuple[threading.Event, threading.Thread]:
        # A stand-in for the worker's thread: what is tested is that serve starts one and stops it, not
        # delivery (a real worker here would hold a connection to the test database past the test).
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait, name="outbox-worker", daemon=True)
        thread.start()
        started.append(stop)
        return stop, thread

    monkeypatch.setattr(service_cmds, "start_worker_thread", start)
    operator.ok("serve", "--port", "0", "--workers", "3")
    assert len(started) == 1 and started[0].is_set()  # one per server, stopped with it
    operator.ok("serve", "--port", "0", "--no-worker")
    assert len(started) == 1
