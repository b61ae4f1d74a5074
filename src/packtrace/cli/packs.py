"""``commission``: commissioning a batch to the market, and packs from a CSV file."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import USER_ERROR, fail
from packtrace.cli.output import JsonOption, plural, print_json, print_message, print_table
from packtrace.markets.service import MARKETS
from packtrace.packs import csv_import
from packtrace.packs.csv_import import ImportResult
from packtrace.packs.service import pack_service

commission_app = typer.Typer(
    help="Commissioning: a produced batch to the market, and produced packs from a CSV file.", no_args_is_help=True
)

ProductOption = Annotated[
    str,
    typer.Option("--product", "-p", help="The product code (GTIN-14; GTIN-8/12/13 are padded).", show_default=False),
]
BatchOption = Annotated[str, typer.Option("--batch", "-b", help="The batch, as printed.", show_default=False)]
MarketOption = Annotated[
    str | None,
    typer.Option("--market", "-m", help=f"The market ({MARKETS}), recorded in the packs' history.", show_default=False),
]
FileArgument = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        help="CSV: SerialNumber,GTIN,Batch,ExpirationDate[,ManufacturingDate] with a header.",
        show_default=False,
    ),
]
FailedOutOption = Annotated[
    Path | None,
    typer.Option(
        "--failed-out",
        help="Write the failed rows here (the file's columns plus Reason); a header only when none failed.",
        show_default=False,
        dir_okay=False,
    ),
]


def cli_actor() -> str:
    """Who the history records for a CLI command: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


@commission_app.command("market")
def commission_market(
    tenant: TenantOption,
    product: ProductOption,
    batch: BatchOption,
    market: MarketOption = None,
    as_json: JsonOption = False,
) -> None:
    """Commission a batch to the market: every Active pack of the product's batch becomes Commissioned.

    Packs Commissioned or Decommissioned already are left as they are (a second run commissions 0)."""
    with unit_of_work(load_settings()) as session:
        done = pack_service.market_commission(
            session, tenant_named(session, tenant).id, product, batch, market.upper() if market else None, cli_actor()
        )
        row = {
            "product_code": done.product.code,
            "batch": done.batch,
            "market": done.market,
            "commissioned": done.commissioned,
        }
    print_message(
        f"{plural(done.commissioned, 'pack')} of {row['product_code']} batch {batch} commissioned.", as_json, row
    )


@commission_app.command("import")
def commission_import(
    file: FileArgument, tenant: TenantOption, failed_out: FailedOutOption = None, as_json: JsonOption = False
) -> None:
    """Commission packs from a CSV file, row by row.

    The good rows are committed; each failed row is reported with its reason (and written to
    --failed-out, to be corrected and imported again). Exit status 1 when any row failed: the good
    rows are committed all the same."""
    data = file.read_bytes()
    with unit_of_work(load_settings()) as session:
        result = csv_import.import_csv(session, tenant_named(session, tenant).id, csv_import.decode(data), cli_actor())
        if failed_out is not None:
            # Inside the unit of work: when the file cannot be written, nothing is committed either.
            failed_out.write_text(result.failed_rows_csv(), encoding="utf-8", newline="")
    if as_json:
        print_json(_summary(result) | {"failed_csv": result.failed_csv()})
    else:
        _print_result(result, failed_out)
    if result.failed:
        where = f"; they are in {failed_out}" if failed_out else ""
        fail(
            f"{len(result.failed):,} of {plural(result.rows, 'row')} failed (the other rows are committed){where}",
            USER_ERROR,
        )


def _summary(result: ImportResult) -> dict[str, Any]:
    return {
        "rows": result.rows,
        "committed": result.committed,
        "already_active": result.already_active,
        "failed": len(result.failed),
        "groups": [vars(g) for g in result.groups],
    }


def _print_result(result: ImportResult, failed_out: Path | None) -> None:
    typer.echo(
        f"{plural(result.rows, 'row')}: {plural(result.committed, 'pack')} commissioned, "
        f"{result.already_active:,} already active, {len(result.failed):,} failed."
    )
    print_table([vars(g) for g in result.groups], "Committed", empty="Nothing committed.")
    if result.failed and failed_out is None:
        failures = [
            {"row": row.number, "serial": row.fields.get(csv_import.SERIAL, ""), "reason": reason}
            for row, reason in sorted(result.failed, key=lambda failure: failure[0].number)
        ]
        print_table(failures, "Failed rows")
