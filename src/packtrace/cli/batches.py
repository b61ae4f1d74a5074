"""``batches``: recalling or withdrawing a batch (irreversible), and the list of those recalled."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from packtrace.batches.repository import RecallRow
from packtrace.batches.service import recall_service
from packtrace.cli.context import TenantOption, cli_actor, load_settings, tenant_named, unit_of_work
from packtrace.cli.output import JsonOption, emit
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.models.enums import RecallKind

batches_app = typer.Typer(help="Batches: recall or withdraw one (irreversible).", no_args_is_help=True)


def recall_row(row: RecallRow) -> dict[str, Any]:
    return {
        "product_code": row.product_code,
        "batch": row.batch,
        "kind": row.kind,
        "reason": row.reason,
        "actor": row.actor,
        "created_at": row.created_at,
    }


@batches_app.command("recall")
def batches_recall(
    tenant: TenantOption,
    product_code: Annotated[str, typer.Argument(help="The product code (GTIN).", show_default=False)],
    batch: Annotated[str, typer.Argument(help="The batch (lot).", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded and reported).", show_default=False)],
    kind: Annotated[RecallKind, typer.Option("--kind", help="recall or withdrawal.")] = RecallKind.RECALL,
    as_json: JsonOption = False,
) -> None:
    """Recall or withdraw a batch: none of its packs may be commissioned, aggregated or shipped again."""
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        row = recall_service.recall(session, tenant_id, product_code, batch, kind.value, reason, cli_actor())
    emit(recall_row(row), as_json, "Batch recalled" if row.kind == RecallKind.RECALL.value else "Batch withdrawn")


@batches_app.command("recalls")
def batches_recalls(tenant: TenantOption, as_json: JsonOption = False) -> None:
    """List the recalled and withdrawn batches."""
    rows: list[dict[str, Any]] = []
    with unit_of_work(load_settings()) as session:
        tenant_id = tenant_named(session, tenant).id
        cursor: str | None = None
        while True:
            found, cursor = recall_service.page(session, tenant_id, MAX_PAGE_SIZE, cursor)
            rows += [recall_row(row) for row in found]
            if cursor is None:
                break
    emit(rows, as_json, "Batch recalls")
