"""``reports``: the reporting outbox (list, show, the document, retry, cancel) and ``worker``, which
delivers due reports."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.output import JsonOption, emit, print_json, print_record, print_table
from packtrace.config import Settings
from packtrace.kit.db import Database
from packtrace.models import Report
from packtrace.reporting.service import KINDS, STATES, check_filter, report_service
from packtrace.reporting.worker import Worker, WorkerSettings

reports_app = typer.Typer(help="The reporting outbox: reports to markets and partners.", no_args_is_help=True)

IdArgument = Annotated[int, typer.Argument(help="The report's id.", show_default=False)]
ReasonOption = Annotated[str | None, typer.Option("--reason", help="Why, for the audit trail.")]
LIST_COLUMNS = ["id", "market", "kind", "subject", "state", "attempts", "last_error", "created_at"]


def report_row(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "market": report.market,
        "kind": report.kind,
        "stream": report.stream,
        "subject": report.subject,
        "state": report.state,
        "attempts": report.attempts,
        "last_error": report.last_error,
        "next_attempt_at": report.next_attempt_at,
        "created_at": report.created_at,
    }


@reports_app.command("list")
def reports_list(
    tenant: TenantOption,
    market: Annotated[str | None, typer.Option("--market", "-m", help="Only this market's.")] = None,
    state: Annotated[str | None, typer.Option("--state", help=f"Only in this state: {', '.join(STATES)}.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=f"Only this kind: {', '.join(KINDS)}.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The tenant's reports, newest first."""
    with unit_of_work(load_settings()) as session:
        where = check_filter(market, state, kind)
        rows, _ = report_service.page(session, tenant_named(session, tenant).id, where, limit, None)
        data = [report_row(r) for r in rows]
    if as_json:
        print_json(data)
    else:
        print_table(data, "Reports", LIST_COLUMNS, empty="No reports.")


@reports_app.command("show")
def reports_show(tenant: TenantOption, report_id: IdArgument, as_json: JsonOption = False) -> None:
    """A report: its state and each delivery attempt with the receiver's answer."""
    with unit_of_work(load_settings()) as session:
        report = report_service.get(session, tenant_named(session, tenant).id, report_id)
        row = report_row(report) | {"idempotency_key": report.idempotency_key, "media_type": report.media_type}
        attempts = [
            {"at": a.at, "outcome": a.outcome, "http_status": a.http_status, "answer": a.answer}
            for a in report_service.attempts(session, report)
        ]
    if as_json:
        print_json(row | {"attempt_log": attempts})
        return
    print_record(row, f"Report {report_id}")
    print_table(attempts, "Attempts", empty="No delivery attempt yet.")


@reports_app.command("document")
def reports_document(
    tenant: TenantOption,
    report_id: IdArgument,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write it to this file (default: stdout).")
    ] = None,
) -> None:
    """The report's document, as delivered."""
    with unit_of_work(load_settings()) as session:
        document = report_service.get(session, tenant_named(session, tenant).id, report_id).document
    if output is None:
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
    else:
        output.write_bytes(document)


@reports_app.command("retry")
def reports_retry(
    tenant: TenantOption, report_id: IdArgument, reason: ReasonOption = None, as_json: JsonOption = False
) -> None:
    """Deliver a Rejected (or failing Pending) report again, now."""
    with unit_of_work(load_settings()) as session:
        row = report_row(report_service.retry(session, tenant_named(session, tenant).id, report_id, reason))
    emit(row, as_json, "Report due again")


@reports_app.command("cancel")
def reports_cancel(
    tenant: TenantOption, report_id: IdArgument, reason: ReasonOption = None, as_json: JsonOption = False
) -> None:
    """Never deliver a report (refused once Acknowledged); the later ones of its stream go ahead."""
    with unit_of_work(load_settings()) as session:
        row = report_row(report_service.cancel(session, tenant_named(session, tenant).id, report_id, reason))
    emit(row, as_json, "Report cancelled")


def worker_settings(settings: Settings) -> WorkerSettings:
    return WorkerSettings(
        server_key=settings.signing_key(),
        report_dir=settings.report_dir,
        timeout_seconds=settings.report_timeout_seconds,
        lease_seconds=settings.report_lease_seconds,
        poll_seconds=settings.worker_poll_seconds,
    )


def start_worker_thread(settings: Settings) -> tuple[threading.Event, threading.Thread]:
    """The outbox worker on a thread of this process (``serve``): stopped by setting the event."""
    stop = threading.Event()
    database = Database(settings.database_url, limits=settings.connection_limits())
    worker = Worker(database, worker_settings(settings))

    def run() -> None:
        try:
            worker.run(stop)
        finally:
            database.dispose()  # its connections are closed, not left to the garbage collector

    thread = threading.Thread(target=run, name="outbox-worker", daemon=True)
    thread.start()
    return stop, thread


def worker_cmd(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then exit.")] = False,
) -> None:
    """Deliver due reports to their markets' destinations until stopped (SIGTERM or Ctrl-C finish the
    delivery under way first)."""
    settings = load_settings()
    with unit_of_work(settings):
        pass  # the database exists and has the current schema
    database = Database(settings.database_url, limits=settings.connection_limits())
    worker = Worker(database, worker_settings(settings))
    try:
        if once:
            handled = worker.run_once()
            typer.echo(f"{handled} report(s) handled.")
            return
        stop = threading.Event()

        def on_signal(_number: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        typer.echo(f"Outbox worker {worker.name} running; SIGTERM or Ctrl-C stop it.", err=True)
        worker.run(stop)
    finally:
        database.dispose()
