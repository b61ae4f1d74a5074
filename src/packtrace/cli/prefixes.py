"""``prefix``: the GS1 company prefixes under which a tenant registers products and makes SSCCs."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.output import JsonOption, emit, print_message
from packtrace.models import CompanyPrefix
from packtrace.prefixes.service import company_prefix_service

prefix_app = typer.Typer(
    help="GS1 company prefixes: products are registered and SSCCs made only under the tenant's own "
    "(or, for products, a registered partner's).",
    no_args_is_help=True,
)

PrefixArgument = Annotated[str, typer.Argument(help="The GS1 company prefix (6-12 digits).", show_default=False)]


def prefix_row(row: CompanyPrefix) -> dict[str, Any]:
    return {"prefix": row.prefix, "own": row.partner is None, "partner": row.partner, "created_at": row.created_at}


@prefix_app.command("add")
def prefix_add(
    tenant: TenantOption,
    prefix: PrefixArgument,
    partner: Annotated[
        str | None,
        typer.Option(
            "--partner",
            help="The owner's name, for a partner's prefix (a contract packer packing for the marketing "
            "authorisation holder): products only, never SSCCs.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a GS1 company prefix: the tenant's own, or a partner's (--partner)."""
    with unit_of_work(load_settings()) as session:
        row = prefix_row(company_prefix_service.register(session, tenant_named(session, tenant).id, prefix, partner))
    emit(row, as_json, "GS1 company prefix registered")


@prefix_app.command("remove")
def prefix_remove(tenant: TenantOption, prefix: PrefixArgument, as_json: JsonOption = False) -> None:
    """Remove a GS1 company prefix (refused while products are registered under it)."""
    with unit_of_work(load_settings()) as session:
        company_prefix_service.remove(session, tenant_named(session, tenant).id, prefix)
    print_message(f"GS1 company prefix {prefix} removed.", as_json, {"prefix": prefix, "removed": True})


@prefix_app.command("list")
def prefix_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's GS1 company prefixes."""
    with unit_of_work(load_settings()) as session:
        rows = [prefix_row(r) for r in company_prefix_service.list_all(session, tenant_named(session, tenant).id)]
    emit(rows, as_json, "GS1 company prefixes")
