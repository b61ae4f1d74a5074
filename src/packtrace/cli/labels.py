"""``labels render``: the same label documents as ``POST label_orders/``, written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError as PydanticValidationError

from packtrace.cli.context import TenantOption, load_settings, tenant_named, unit_of_work
from packtrace.cli.output import JsonOption, print_message
from packtrace.kit.errors import ValidationError
from packtrace.kit.http_errors import validation_details
from packtrace.labels.schemas import LabelOrderCreate
from packtrace.labels.service import label_service

labels_app = typer.Typer(
    help="Labels: GS1 DataMatrix pack labels (with a Digital Link QR if wanted), SSCC case and GS1 logistic labels.",
    no_args_is_help=True,
)


@labels_app.command("render")
def render_cmd(
    tenant: TenantOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write (PDF, zip of PNGs, or ZPL).")],
    order: Annotated[str | None, typer.Option("--order", help="Labels for this packaging order's serials.")] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Product code, with --serials-file or --quantity.")
    ] = None,
    serials_file: Annotated[
        Path | None, typer.Option("--serials-file", help="A file of Assigned serials, one per line.", exists=True)
    ] = None,
    quantity: Annotated[int | None, typer.Option("--quantity", help="Draw this many serials from the pool.")] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="Batch printed (with --product).")] = None,
    expiry: Annotated[str | None, typer.Option("--expiry", help="Expiry printed, YYMMDD (with --product).")] = None,
    sscc: Annotated[
        list[str] | None, typer.Option("--sscc", help="An SSCC for a case label; repeat for several.")
    ] = None,
    template: Annotated[
        str,
        typer.Option(
            "--template", help="pack, pack_qr, case, logistic_a6 or logistic_a5 (the last three take --sscc)."
        ),
    ] = "pack",
    width: Annotated[
        float | None, typer.Option("--width-mm", help="Label width in mm, with --height-mm (default: the template's).")
    ] = None,
    height: Annotated[float | None, typer.Option("--height-mm", help="Label height in mm, with --width-mm.")] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="pdf, png (a zip) or zpl.")] = "pdf",
    as_json: JsonOption = False,
) -> None:
    """Render labels and write them to --out; the label order is kept on the record like one made
    through the API."""
    serials = None
    if serials_file is not None:
        serials = [line.strip() for line in serials_file.read_text().splitlines() if line.strip()]
    try:
        request = LabelOrderCreate.model_validate(
            {
                "template": template,
                "format": format,
                "order_id": order,
                "product_code": product,
                "serials": serials,
                "quantity": quantity,
                "batch": batch,
                "expiry_date": expiry,
                "ssccs": sscc or None,
                "label_width_mm": width,
                "label_height_mm": height,
            }
        )
    except PydanticValidationError as exc:
        details = validation_details(exc.errors())
        raise ValidationError("; ".join(f"{d.field}: {d.message}" for d in details), details) from None
    with unit_of_work(load_settings()) as session:
        label_order = label_service.create(session, tenant_named(session, tenant).id, request, "cli")
        document, count, public_id = label_order.document, label_order.label_count, label_order.public_id
    out.write_bytes(document)
    print_message(
        f"{count} label(s) written to {out} (label order {public_id})",
        as_json,
        {"id": public_id, "label_count": count, "file": str(out)},
    )
