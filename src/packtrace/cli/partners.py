"""``partners``: the trading partners shipments go to, with their locations (SGLN Digital Link URIs)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import CliError
from packtrace.cli.output import JsonOption, emit, print_message
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.partners.service import LocationInput, PartnerView, location_uri, partner_service

partners_app = typer.Typer(
    help="Trading partners: who shipments go to (GLN), their locations (SGLN) and US state licence.",
    no_args_is_help=True,
)

GlnArgument = Annotated[str, typer.Argument(help="The partner's GLN (13 digits).", show_default=False)]
ReasonOption = Annotated[
    str | None, typer.Option("--reason", help="Why: recorded in the audit trail.", show_default=False)
]


def partner_row(view: PartnerView) -> dict[str, Any]:
    partner = view.partner
    return {
        "gln": partner.gln,
        "name": partner.name,
        "us_state_license": partner.us_state_license,
        "locations": [{"sgln": location_uri(row), "name": row.name, "address": row.address} for row in view.locations],
    }


def parse_location(value: str) -> LocationInput:
    """``SGLN;name[;address]``: the address may hold commas, so the fields are separated by ``;``."""
    parts = value.split(";", 2)
    if len(parts) < 2 or not parts[1].strip():
        raise CliError(f"--location: write 'SGLN;name[;address]', got {value!r}")
    return LocationInput(parts[0].strip(), parts[1].strip(), parts[2].strip() if len(parts) > 2 else "")


@partners_app.command("add")
def partners_add(
    tenant: TenantOption,
    gln: GlnArgument,
    name: Annotated[str, typer.Option("--name", help="The partner's name.", show_default=False)],
    location: Annotated[
        list[str] | None,
        typer.Option(
            "--location",
            help="A location: 'https://id.gs1.org/414/{gln}[/254/{extension}];name[;address]' (repeatable).",
            show_default=False,
        ),
    ] = None,
    us_state_license: Annotated[
        str | None, typer.Option("--us-state-license", help="A US partner's state licence.", show_default=False)
    ] = None,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a trading partner with its locations."""
    locations = [parse_location(value) for value in location or []]
    with unit_of_work(load_settings()) as session:
        view = partner_service.create(
            session,
            tenant_named(session, tenant).id,
            name=name,
            gln=gln,
            locations=locations,
            us_state_license=us_state_license,
            reason=reason,
        )
        row = partner_row(view)
    emit(row, as_json, "Trading partner registered")


@partners_app.command("list")
def partners_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's trading partners."""
    rows: list[dict[str, Any]] = []
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        cursor: str | None = None
        while True:
            views, cursor = partner_service.page(session, tenant_id, MAX_PAGE_SIZE, cursor)
            rows += [partner_row(view) for view in views]
            if cursor is None:
                break
    # The table counts locations (their URIs would wrap); `show` and --json list them.
    table = [{**row, "locations": len(row["locations"])} for row in rows]
    emit(rows if as_json else table, as_json, "Trading partners")


@partners_app.command("show")
def partners_show(tenant: TenantOption, gln: GlnArgument, as_json: JsonOption = False) -> None:
    """One trading partner with its locations."""
    with unit_of_work(load_settings()) as session:
        row = partner_row(partner_service.view(session, tenant_named(session, tenant).id, gln))
    emit(row, as_json, "Trading partner")


@partners_app.command("remove")
def partners_remove(
    tenant: TenantOption, gln: GlnArgument, reason: ReasonOption = None, as_json: JsonOption = False
) -> None:
    """Delete a trading partner (refused once a shipment names it)."""
    with unit_of_work(load_settings()) as session:
        partner_service.remove(session, tenant_named(session, tenant).id, gln, reason)
    print_message(f"Trading partner {gln} removed.", as_json, {"gln": gln, "removed": True})
