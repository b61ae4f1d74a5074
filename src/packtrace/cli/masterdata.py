"""``market``, ``product`` and ``line``: a tenant's master data."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import CliError
from packtrace.cli.output import JsonOption, emit, print_message
from packtrace.gs1.serials import DEFAULT_ALPHABET, DEFAULT_SERIAL_LENGTH
from packtrace.lines.service import line_service
from packtrace.markets.schemas import FolderDestination, HttpDestination
from packtrace.markets.service import MARKETS, market_service
from packtrace.models import MarketProfile, PackagingLine
from packtrace.products import regulatory
from packtrace.products.service import ProductSettings, ProductView, product_service

market_app = typer.Typer(help="Market profiles: the markets a tenant supplies.", no_args_is_help=True)
product_app = typer.Typer(help="Products (GTIN-14) and how their serial numbers are made.", no_args_is_help=True)
line_app = typer.Typer(help="Packaging lines, known to the API by their tag.", no_args_is_help=True)

MarketArgument = Annotated[str, typer.Argument(help=f"The market: one of {MARKETS}.", show_default=False)]
CodeOption = Annotated[str, typer.Option("--code", "-c", help="The product code (GTIN-14; GTIN-8/12/13 are padded).")]
TagOption = Annotated[str, typer.Option("--tag", help="The line's tag, as the API names it.")]

NameOption = Annotated[str | None, typer.Option("--name", "-n", help="Product name.", show_default=False)]
AliasOption = Annotated[str | None, typer.Option("--alias", help="Another name (an ERP material number).")]
PrefixOption = Annotated[
    int | None, typer.Option("--company-prefix-length", help="Digits of the GS1 company prefix (6-12).")
]
MarketsOption = Annotated[
    list[str] | None,
    typer.Option("--market", "-m", help=f"A market the product is registered for ({MARKETS}); repeat for several."),
]
SerialLengthOption = Annotated[
    int | None, typer.Option("--serial-length", help=f"Characters per serial number (default {DEFAULT_SERIAL_LENGTH}).")
]
SerialAlphabetOption = Annotated[
    str | None,
    typer.Option("--serial-alphabet", help=f"Characters serial numbers are made of (default {DEFAULT_ALPHABET})."),
]

PoolThresholdOption = Annotated[
    int | None,
    typer.Option(
        "--pool-threshold",
        help="Replenish the serial pool when a draw leaves fewer Available serials than this "
        "(0-10,000,000; 0 turns replenishment off).",
        show_default=False,
    ),
]
PoolRefillSizeOption = Annotated[
    int | None,
    typer.Option(
        "--pool-refill-size",
        help="Serials made per replenishment (0-1,000,000; above 0 while the threshold is).",
        show_default=False,
    ),
]

PRODUCT_LIST_COLUMNS = ["code", "name", "alias", "markets", "serial_length", "serial_count", "pool_refill"]


def market_row(profile: MarketProfile) -> dict[str, Any]:
    where = profile.destination_url or profile.destination_path
    destination = f"{profile.destination_kind}: {where}" if profile.destination_kind else None
    if profile.destination_auth_encrypted:
        destination = f"{destination} (auth header set)"
    return {
        "market": profile.market,
        "name": profile.name,
        "destination": destination,
        "created_at": profile.created_at,
    }


RegulatoryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--field",
        help="Regulatory master data as NAME=VALUE, repeatable: "
        + ", ".join(regulatory.FIELDS)
        + " (target_markets comma-separated; an empty VALUE clears).",
        show_default=False,
    ),
]


def product_row(view: ProductView, with_regulatory: bool = True) -> dict[str, Any]:
    """A product for output; the list leaves the regulatory fields out to keep its table narrow."""
    product = view.product
    extra = regulatory.values_of(product) if with_regulatory else {}
    return extra | {
        "code": product.code,
        "name": product.name,
        "alias": product.alias,
        "markets": list(view.markets),
        "company_prefix_length": product.company_prefix_length,
        "serial_length": product.serial_length,
        "serial_alphabet": product.serial_alphabet,
        "serial_count": product.serial_count,
        "pool_threshold": product.pool_threshold,
        "pool_refill_size": product.pool_refill_size,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def line_row(line: PackagingLine) -> dict[str, Any]:
    return {"tag": line.tag, "name": line.name, "created_at": line.created_at}


@market_app.command("add")
def market_add(
    tenant: TenantOption,
    market: MarketArgument,
    name: Annotated[str, typer.Option("--name", "-n", help="Display name (default: the market code).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Add a market profile; orders for a market need one."""
    with unit_of_work(load_settings()) as session:
        row = market_row(market_service.add(session, tenant_named(session, tenant).id, market, name))
    emit(row, as_json, "Market profile added")


@market_app.command("remove")
def market_remove(tenant: TenantOption, market: MarketArgument, as_json: JsonOption = False) -> None:
    """Remove a market profile (refused while unfinished orders are for it)."""
    with unit_of_work(load_settings()) as session:
        market_service.remove(session, tenant_named(session, tenant).id, market)
    print_message(f"Market profile {market} removed.", as_json, {"market": market, "removed": True})


@market_app.command("destination")
def market_destination(
    tenant: TenantOption,
    market: MarketArgument,
    url: Annotated[str | None, typer.Option("--url", help="POST each report to this http(s) URL.")] = None,
    auth_header: Annotated[
        str | None, typer.Option("--auth-header", help="'Name: value' sent with each POST (stored encrypted).")
    ] = None,
    folder: Annotated[
        str | None, typer.Option("--folder", help="Write each report into this folder under PACKTRACE_REPORT_DIR.")
    ] = None,
    none: Annotated[bool, typer.Option("--none", help="No destination: reports wait, Pending.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Set where a market's reports go: --url (with --auth-header), --folder, or --none."""
    if sum((url is not None, folder is not None, none)) != 1 or (auth_header is not None and url is None):
        raise CliError("give one of --url (with --auth-header if any), --folder or --none")
    destination: HttpDestination | FolderDestination | None = None
    if url is not None:
        destination = HttpDestination(kind="http", url=url, auth_header=auth_header)
    elif folder is not None:
        destination = FolderDestination(kind="folder", path=folder)
    settings = load_settings()
    with unit_of_work(settings) as session:
        profile = market_service.update(
            session,
            tenant_named(session, tenant).id,
            market,
            server_key=settings.signing_key(),
            report_dir=settings.report_dir,
            destination=destination,
            set_destination=True,
        )
        row = market_row(profile)
    emit(row, as_json, "Market profile")


@market_app.command("list")
def market_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's market profiles."""
    with unit_of_work(load_settings()) as session:
        rows = [market_row(p) for p in market_service.list_all(session, tenant_named(session, tenant).id)]
    emit(rows, as_json, "Market profiles")


@product_app.command("create")
def product_create(
    tenant: TenantOption,
    code: CodeOption,
    name: Annotated[str, typer.Option("--name", "-n", help="Product name.")],
    company_prefix_length: Annotated[
        int, typer.Option("--company-prefix-length", help="Digits of the GS1 company prefix (6-12).")
    ],
    alias: AliasOption = None,
    markets: MarketsOption = None,
    serial_length: SerialLengthOption = None,
    serial_alphabet: SerialAlphabetOption = None,
    pool_threshold: PoolThresholdOption = None,
    pool_refill_size: PoolRefillSizeOption = None,
    fields: RegulatoryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a product."""
    settings = ProductSettings(
        name=name,
        alias=alias,
        markets=markets or [],
        company_prefix_length=company_prefix_length,
        serial_length=serial_length,
        serial_alphabet=serial_alphabet,
        pool_threshold=pool_threshold,
        pool_refill_size=pool_refill_size,
        regulatory=regulatory.from_text(fields or []),
    )
    with unit_of_work(load_settings()) as session:
        row = product_row(product_service.create(session, tenant_named(session, tenant).id, code, settings))
    emit(row, as_json, "Product created")


@product_app.command("update")
def product_update(
    tenant: TenantOption,
    code: CodeOption,
    name: NameOption = None,
    alias: AliasOption = None,
    markets: Annotated[
        list[str] | None,
        typer.Option("--market", "-m", help=f"Replaces the product's markets ({MARKETS}); repeat for several."),
    ] = None,
    company_prefix_length: PrefixOption = None,
    serial_length: SerialLengthOption = None,
    serial_alphabet: SerialAlphabetOption = None,
    pool_threshold: PoolThresholdOption = None,
    pool_refill_size: PoolRefillSizeOption = None,
    fields: RegulatoryOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a product's settings; what is not given stays as it is. The code never changes."""
    settings = ProductSettings(
        name=name,
        alias=alias,
        markets=markets or None,
        company_prefix_length=company_prefix_length,
        serial_length=serial_length,
        serial_alphabet=serial_alphabet,
        pool_threshold=pool_threshold,
        pool_refill_size=pool_refill_size,
        regulatory=regulatory.from_text(fields or []),
    )
    with unit_of_work(load_settings()) as session:
        row = product_row(product_service.update(session, tenant_named(session, tenant).id, code, settings))
    emit(row, as_json, "Product updated")


@product_app.command("show")
def product_show(tenant: TenantOption, code: CodeOption, as_json: JsonOption = False) -> None:
    """Show one product."""
    with unit_of_work(load_settings()) as session:
        row = product_row(product_service.view(session, tenant_named(session, tenant).id, code))
    emit(row, as_json, "Product")


@product_app.command("list")
def product_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's products."""
    with unit_of_work(load_settings()) as session:
        views = product_service.list_all(session, tenant_named(session, tenant).id)
        rows = [product_row(v, with_regulatory=False) for v in views]
    if as_json:
        emit(rows, as_json, "Products")
        return
    # The two pool settings as one column, to keep the table narrow.
    for row in rows:
        threshold, refill = row["pool_threshold"], row["pool_refill_size"]
        row["pool_refill"] = f"below {threshold:,}: {refill:,}" if threshold else "off"
    emit(rows, as_json, "Products", columns=PRODUCT_LIST_COLUMNS)


@product_app.command("delete")
def product_delete(tenant: TenantOption, code: CodeOption, as_json: JsonOption = False) -> None:
    """Delete a product that has no orders and no serial numbers."""
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        gtin = product_service.get(session, tenant_id, code).code
        product_service.delete(session, tenant_id, code)
    print_message(f"Product {gtin} deleted.", as_json, {"code": gtin, "deleted": True})


@line_app.command("create")
def line_create(
    tenant: TenantOption,
    tag: TagOption,
    name: Annotated[str, typer.Option("--name", "-n", help="Display name.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create a packaging line."""
    with unit_of_work(load_settings()) as session:
        row = line_row(line_service.create(session, tenant_named(session, tenant).id, tag, name))
    emit(row, as_json, "Packaging line created")


@line_app.command("rename")
def line_rename(
    tenant: TenantOption,
    tag: TagOption,
    name: Annotated[str, typer.Option("--name", "-n", help="The new display name.")],
    as_json: JsonOption = False,
) -> None:
    """Change a line's display name (its tag never changes)."""
    with unit_of_work(load_settings()) as session:
        line = line_service.get(session, tenant_named(session, tenant).id, tag)
        row = line_row(line_service.rename(session, line, name))
    emit(row, as_json, "Packaging line renamed")


@line_app.command("list")
def line_list(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List a tenant's packaging lines."""
    with unit_of_work(load_settings()) as session:
        rows = [line_row(line) for line in line_service.list_all(session, tenant_named(session, tenant).id)]
    emit(rows, as_json, "Packaging lines")


@line_app.command("delete")
def line_delete(tenant: TenantOption, tag: TagOption, as_json: JsonOption = False) -> None:
    """Delete a packaging line that no order uses."""
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        line_service.delete(session, line_service.get(session, tenant_id, tag))
    print_message(f"Packaging line {tag!r} deleted.", as_json, {"tag": tag, "deleted": True})
