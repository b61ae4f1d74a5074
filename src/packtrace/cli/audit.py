"""``audit``: check the audit trail's hash chain, export the trail, and set the PostgreSQL roles that keep
it append-only."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from packtrace.audit.export import csv_chunks, json_chunks
from packtrace.audit.repository import AuditFilter
from packtrace.audit.service import audit_service, in_utc
from packtrace.auth.service import tenant_service
from packtrace.cli.context import load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import USER_ERROR, fail
from packtrace.cli.output import JsonOption, print_json

audit_app = typer.Typer(help="The audit trail: verify its hash chain, export it.", no_args_is_help=True)


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


OptionalTenant = Annotated[
    str | None, typer.Option("--tenant", "-t", help="Only this tenant (default: every tenant).", show_default=False)
]


@audit_app.command("verify")
def verify(tenant: OptionalTenant = None, as_json: JsonOption = False) -> None:
    """Recompute every tenant's hash chain; name the first broken link (exit 1) if there is one."""
    with unit_of_work(load_settings()) as session:
        tenant_ids = [tenant_named(session, tenant).id] if tenant else None
        reports = audit_service.verify(session, tenant_ids)
        names = {r.tenant_id: tenant_service.get(session, r.tenant_id).name for r in reports}
    rows = [
        {
            "tenant": names[r.tenant_id],
            "records": r.records,
            "intact": r.broken is None,
            "first_broken_record": r.broken.sequence if r.broken else None,
            "problem": r.broken.problem if r.broken else None,
        }
        for r in reports
    ]
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            if row["intact"]:
                typer.echo(f"{row['tenant']}: {row['records']:,} records, chain intact")
    broken = next((r for r in rows if not r["intact"]), None)
    if broken is not None:
        fail(
            f"tenant {broken['tenant']}: the chain breaks at record {broken['first_broken_record']}: "
            f"{broken['problem']}",
            USER_ERROR,
        )


@audit_app.command("export")
def export(
    tenant: Annotated[str, typer.Option("--tenant", "-t", help="Name of the tenant.", show_default=False)],
    output_format: Annotated[Format, typer.Option("--format", "-f", help="csv or json.")] = Format.CSV,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")] = None,
    entity: Annotated[str | None, typer.Option(help="Only records of this entity (product, user...).")] = None,
    actor: Annotated[str | None, typer.Option(help="Only records whose actor contains this.")] = None,
    since: Annotated[datetime | None, typer.Option("--from", help="Records at or after (UTC if no zone).")] = None,
    until: Annotated[datetime | None, typer.Option("--to", help="Records before (UTC if no zone).")] = None,
) -> None:
    """Write the tenant's audit trail, oldest first, as CSV or JSON."""
    where = AuditFilter(entity=entity, actor=actor, since=in_utc(since, "from"), until=in_utc(until, "to"))
    chunks = csv_chunks if output_format is Format.CSV else json_chunks
    with unit_of_work(load_settings()) as session:
        records = audit_service.export(session, tenant_named(session, tenant).id, where)
        if output is None:
            for chunk in chunks(records):
                typer.echo(chunk, nl=False)
            return
        with output.open("w", encoding="utf-8", newline="") as file:
            for chunk in chunks(records):
                file.write(chunk)


@audit_app.command("grant-roles")
def grant_roles(
    server_role: Annotated[
        str, typer.Option("--server-role", help="The role the server connects as.", show_default=False)
    ],
) -> None:
    """PostgreSQL: let SERVER_ROLE use every table of the schema but only add and read audit records.
    Run it as the owner of the tables (who runs the migrations), after every `packtrace migrate`."""
    with unit_of_work(load_settings()) as session:
        audit_service.grant_roles(session, server_role)
    typer.echo(f"{server_role} may now read and write the data, and only add and read audit records")
