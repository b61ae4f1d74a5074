"""``pool``: a product's serial pool, the Available serials that orders and label printers draw from."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import UNEXPECTED_ERROR, USER_ERROR, describe_domain_error, describe_unexpected, fail
from packtrace.cli.output import JsonOption, plural, print_json
from packtrace.cli.progress import progress_bar
from packtrace.kit.batches import commit_in_batches, kept_note
from packtrace.kit.db import Database
from packtrace.kit.errors import DomainError
from packtrace.products.service import product_service
from packtrace.serials import service as serials_module
from packtrace.serials.service import PoolStatus, serial_service

pool_app = typer.Typer(
    help="Serial pools: the Available serials of a product, from which orders and label printers draw.",
    no_args_is_help=True,
)

MAX_GENERATE = 10_000_000

ProductOption = Annotated[
    str,
    typer.Option("--product", "-p", help="The product code (GTIN-14; GTIN-8/12/13 are padded).", show_default=False),
]


def pool_row(status: PoolStatus) -> dict[str, Any]:
    return asdict(status)


def print_pool(status: PoolStatus) -> None:
    headings = ("Available", "Assigned", "Total", "EU maximum", "Refill below", "Refill size")
    refill = (f"{status.threshold:,}", f"{status.refill_size:,}") if status.threshold > 0 else ("off", "")
    values = (f"{status.available:,}", f"{status.assigned:,}", f"{status.total:,}", f"{status.max_live:,}", *refill)
    table = Table(title=f"Serial pool of {status.product_code}", box=box.SIMPLE_HEAD, title_justify="left")
    for heading in headings:
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_row(*values)
    # Never narrower than the figures: a count cut short would be wrong, not just untidy.
    needed = sum(max(len(h), len(v)) + 3 for h, v in zip(headings, values, strict=True)) + 2
    console = Console(width=max(Console().width, needed), highlight=False)
    with console.capture() as captured:
        console.print(table)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


@pool_app.command("status")
def pool_status(tenant: TenantOption, product: ProductOption, as_json: JsonOption = False) -> None:
    """Show a product's pool: its serials per status, the EU rule's maximum and the refill setting."""
    with unit_of_work(load_settings()) as session:
        found = product_service.get(session, tenant_named(session, tenant).id, product)
        status = serial_service.pool_status(session, found)
    if as_json:
        print_json(pool_row(status))
    else:
        print_pool(status)


@pool_app.command("generate")
def pool_generate(
    tenant: TenantOption,
    product: ProductOption,
    count: Annotated[
        int,
        typer.Option(
            "--count", "-n", min=1, max=MAX_GENERATE, help="How many new serials to make.", show_default=False
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Make new Available serials for a product's pool.

    They are made and committed in batches, each in a transaction of its own, with a progress bar (on
    stderr, when it is a terminal). A failure halfway keeps the batches already done: the error says how
    many, and `pool status` shows them. A count the EU rule does not allow is refused before anything
    is made."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        tenant_id = tenant_named(session, tenant).id
        found = product_service.get(session, tenant_id, product)
        product_service.check_room(found, count)
        code = found.code
    made = _generate_in_batches(settings.database_url, tenant_id, code, count)
    with unit_of_work(settings) as session:
        status = serial_service.pool_status(session, product_service.get(session, tenant_id, code))
    if as_json:
        print_json({**pool_row(status), "generated": made})
    else:
        typer.echo(f"{plural(made, 'serial')} made for {code}.")
        print_pool(status)


def _generate_in_batches(database_url: str, tenant_id: int, code: str, count: int) -> int:
    """Commit batch by batch, so that a large fill shows progress, holds no lock for long (the product's
    row is locked only while one batch commits) and keeps what it made if it fails."""
    database = Database(database_url)
    made = 0

    try:
        with progress_bar(f"Generating for {code}", count) as done, database.unit_of_work() as session:

            def committed(so_far: int) -> None:
                nonlocal made
                made = so_far
                done(so_far)

            found = product_service.get(session, tenant_id, code)
            generate = serial_service.generate_into_pool
            batch = serials_module.BATCH_SIZE
            commit_in_batches(session, count, batch, lambda s, n: generate(s, found, n), committed)
            serial_service.refresh_statistics(session, made)
    except DomainError as error:
        fail(describe_domain_error(error), USER_ERROR)
    except Exception as error:
        fail(f"{describe_unexpected(error)}{kept_note(made, count)}", UNEXPECTED_ERROR)
    finally:
        database.dispose()
    return made
