"""Manufacturer V2 API: label orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from packtrace.auth.principal import ApiCaller
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.validation import NoNul
from packtrace.labels.schemas import LabelOrderCreate, LabelOrderRead
from packtrace.labels.service import label_service
from packtrace.models import LabelOrder

router = APIRouter(tags=["Label orders"])
LabelOrderId = Annotated[str, Path(min_length=1, max_length=64), NoNul]


def label_order_read(order: LabelOrder, request: Request) -> LabelOrderRead:
    return LabelOrderRead(
        id=order.public_id,
        status=order.status,
        template=order.template,
        format=order.format,
        label_count=order.label_count,
        source=order.source,
        document_url=str(request.url_for("label_order_document", label_order_id=order.public_id)),
        created_at=order.created_at,
    )


@router.post("/label_orders/", summary="Create and execute a label order")
@router.post("/label_orders", include_in_schema=False)
def create_label_order(
    body: LabelOrderCreate, request: Request, caller: ApiCaller, session: DbSession
) -> Envelope[LabelOrderRead]:
    """Renders the labels at once (status `Executed`): `pack` labels carry the GS1 DataMatrix and the
    human-readable PC/SN/Batch/Exp lines, `pack_qr` labels add a GS1 Digital Link QR code on the tenant's
    resolver beside the DataMatrix, `case` labels the SSCC as GS1-128 with its content count, and
    `logistic_a6` / `logistic_a5` GS1 logistic labels with the SSCC and, for a unit of one GTIN, batch and
    expiry, (02)+(37) and (17)+(10). `format`: `pdf` (one label per page), `png` (a zip of PNGs) or `zpl`
    (Zebra printers). `label_width_mm` and `label_height_mm` go together; a size that would print a symbol
    below its GS1 minimum X-dimension or bar height is refused, naming the minimum. A batch over 20
    characters or a serial outside GS1 set 82 cannot be printed and is refused."""
    order = label_service.create(session, caller.tenant_id, body, caller.actor)
    return Envelope(message="Label order executed", data=label_order_read(order, request))


@router.get("/label_orders/{label_order_id}", summary="Get a label order")
def get_label_order(
    label_order_id: LabelOrderId, request: Request, caller: ApiCaller, session: DbSession
) -> Envelope[LabelOrderRead]:
    order = label_service.get(session, caller.tenant_id, label_order_id)
    return Envelope(message="Label order", data=label_order_read(order, request))


@router.get(
    "/label_orders/{label_order_id}/document",
    summary="Download a label order's document",
    responses={200: {"content": {"application/pdf": {}, "application/zip": {}, "text/plain": {}}}},
)
def label_order_document(label_order_id: LabelOrderId, caller: ApiCaller, session: DbSession) -> Response:
    order = label_service.get(session, caller.tenant_id, label_order_id)
    return Response(
        order.document,
        media_type=order.media_type,
        headers={"Content-Disposition": f'attachment; filename="{order.file_name}"'},
    )
