"""``sscc``: the tenant's pool of SSCCs, from which lines draw the codes of their cases and pallets."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from packtrace.aggregation.repository import SsccListing
from packtrace.aggregation.service import GENERATE_BATCH, MAX_GENERATE, sscc_pool
from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.errors import USER_ERROR, describe_domain_error, fail
from packtrace.cli.output import JsonOption, emit, print_json, print_table
from packtrace.cli.progress import progress_bar
from packtrace.kit.errors import DomainError
from packtrace.kit.pagination import MAX_PAGE_SIZE

sscc_app = typer.Typer(
    help="SSCCs: the tenant's pool of Serial Shipping Container Codes for cases and pallets.",
    no_args_is_help=True,
)

# Who made the SSCCs, in their events' history.
CLI_ACTOR = "cli"


def sscc_row(row: SsccListing) -> dict[str, Any]:
    return {
        "sscc": row.sscc,
        "status": row.status,
        "source": row.source,
        "parent": row.parent_sscc,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


@sscc_app.command("generate")
def sscc_generate(
    tenant: TenantOption,
    prefix: Annotated[
        str, typer.Option("--prefix", "-p", help="The GS1 company prefix (6-12 digits).", show_default=False)
    ],
    extension: Annotated[
        int, typer.Option("--extension", "-e", help="The extension digit (0-9), the SSCC's first.", show_default=False)
    ],
    count: Annotated[
        int,
        typer.Option("--count", "-n", min=1, max=MAX_GENERATE, help="How many SSCCs to make.", show_default=False),
    ],
    start: Annotated[
        int | None,
        typer.Option(
            "--start",
            min=0,
            help="First serial reference (default: after the highest in use); SSCCs that exist are skipped.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make new Available SSCCs: sequential serial references with their check digits, all in one
    transaction (a count the prefix has no room for is refused and nothing is made), with a progress
    bar (on stderr, when it is a terminal)."""
    made = 0
    first = last = None
    with unit_of_work(load_settings()) as session, progress_bar(f"Generating SSCCs under {prefix}", count) as done:
        tenant_id = tenant_named(session, tenant).id
        # Batch by batch in the one transaction, only so that the bar moves.
        while made < count:
            try:
                batch = sscc_pool.generate(
                    session, tenant_id, prefix, extension, min(GENERATE_BATCH, count - made), start, CLI_ACTOR
                )
            except DomainError as error:
                if not made:
                    raise
                fail(
                    f"{describe_domain_error(error)} (after the first {made:,} of {count:,}; nothing was made)",
                    USER_ERROR,
                )
            made += batch.count
            first, last = first or batch.first, batch.last or last
            if start is not None and last is not None:
                start = int(last[1 + len(prefix) : 17]) + 1
            done(made)
    row = {
        "gs1_company_prefix": prefix,
        "extension_digit": extension,
        "generated": made,
        "first_sscc": first,
        "last_sscc": last,
    }
    emit(row, as_json, "SSCCs generated")


@sscc_app.command("list")
def sscc_list(
    tenant: TenantOption,
    status: Annotated[
        str | None, typer.Option("--status", help="Only Available or only Assigned SSCCs.", show_default=False)
    ] = None,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="The first digits of the SSCC.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_PAGE_SIZE, help="SSCCs per page.")] = 100,
    cursor: Annotated[
        str | None,
        typer.Option("--cursor", help="Where the previous page ended (its next cursor).", show_default=False),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the tenant's SSCCs, oldest first, a page at a time."""
    with unit_of_work(load_settings()) as session:
        rows, next_cursor = sscc_pool.page(session, tenant_named(session, tenant).id, status, search, limit, cursor)
        listed = [sscc_row(r) for r in rows]
    if as_json:
        print_json({"ssccs": listed, "next_cursor": next_cursor})
        return
    print_table(listed, "SSCCs", empty="No SSCCs.")
    if next_cursor:
        typer.echo(f"More: --cursor {next_cursor}")
