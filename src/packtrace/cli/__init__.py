"""The ``packtrace`` command: run the service, and manage tenants, credentials and master data.

Every command that touches data runs in one unit of work, and any error is one line on stderr
(``cli.errors``)."""

from __future__ import annotations

import typer

from packtrace.cli import (
    audit,
    batches,
    credentials,
    epcis,
    labels,
    masterdata,
    packs,
    partners,
    pool,
    prefixes,
    reports,
    service_cmds,
    ssccs,
    tenancy,
)
from packtrace.cli.errors import CliGroup

SERVICE = "Run the service"
TENANCY = "Tenants and credentials"
MASTER_DATA = "Master data"
SERIALS = "Serial numbers"

app = typer.Typer(
    cls=CliGroup,
    help="PackTrace: serialized manufacturing for pharmaceutical packaging.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

app.command("serve", rich_help_panel=SERVICE)(service_cmds.serve_cmd)
app.command("demo", rich_help_panel=SERVICE)(service_cmds.demo_cmd)
app.command("seed-demo", rich_help_panel=SERVICE)(service_cmds.seed_demo_cmd)
app.command("migrate", rich_help_panel=SERVICE)(service_cmds.migrate_cmd)
app.command("worker", rich_help_panel=SERVICE)(reports.worker_cmd)

app.add_typer(tenancy.tenant_app, name="tenant", rich_help_panel=TENANCY)
app.add_typer(tenancy.user_app, name="user", rich_help_panel=TENANCY)
app.add_typer(credentials.apikey_app, name="apikey", rich_help_panel=TENANCY)
app.add_typer(credentials.token_app, name="token", rich_help_panel=TENANCY)
app.add_typer(credentials.channel_app, name="channel", rich_help_panel=TENANCY)
app.add_typer(audit.audit_app, name="audit", rich_help_panel=TENANCY)

app.add_typer(prefixes.prefix_app, name="prefix", rich_help_panel=MASTER_DATA)
app.add_typer(masterdata.market_app, name="market", rich_help_panel=MASTER_DATA)
app.add_typer(masterdata.product_app, name="product", rich_help_panel=MASTER_DATA)
app.add_typer(masterdata.line_app, name="line", rich_help_panel=MASTER_DATA)
app.add_typer(partners.partners_app, name="partners", rich_help_panel=MASTER_DATA)

app.add_typer(pool.pool_app, name="pool", rich_help_panel=SERIALS)
app.add_typer(ssccs.sscc_app, name="sscc", rich_help_panel=SERIALS)
app.add_typer(packs.commission_app, name="commission", rich_help_panel=SERIALS)
app.add_typer(labels.labels_app, name="labels", rich_help_panel=SERIALS)
app.add_typer(epcis.epcis_app, name="epcis", rich_help_panel=SERIALS)
app.add_typer(batches.batches_app, name="batches", rich_help_panel=SERIALS)
app.add_typer(reports.reports_app, name="reports", rich_help_panel=SERIALS)


def main() -> None:
    app(prog_name="packtrace")
