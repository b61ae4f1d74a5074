"""Manufacturer V2 API: packaging orders. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from packtrace.auth.principal import ApiCaller
from packtrace.kit.db import Database
from packtrace.kit.deps import Context, DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.kit.validation import NoNul
from packtrace.models import OrderEvent, PackagingOrder
from packtrace.orders.schemas import (
    AssignSerials,
    OrderCreate,
    OrderDetails,
    OrderEventRead,
    OrderPage,
    OrderRead,
    OrderSerialPage,
    OrderUpdate,
    ReleaseOrder,
    StatusUpdate,
)
from packtrace.orders.service import OrderDetail, order_service

router = APIRouter(tags=["Packaging orders"])
MAX_SERIAL_PAGE = 10_000


def order_read(order: PackagingOrder) -> OrderRead:
    extra = order.extra_percentage
    return OrderRead(
        order_id=order.order_id,
        order_description=order.order_description,
        product_code=order.product_code,
        product_code_schema=order.product_code_schema,
        batch=order.batch,
        expiry_date=order.expiry_date,
        quantity=order.quantity,
        extra_percentage=int(extra) if extra is not None and float(extra).is_integer() else extra,
        serialized=order.serialized,
        packaging_line_tag=order.packaging_line_tag,
        market=order.market,
        status=order.status,
        serial_count=order.serial_count,
        has_serials=order.serial_count > 0,
        produced_quantity=order.produced_quantity,
        expiry_on=order.expiry_on.isoformat() if order.expiry_on else None,
        created_at=order.created_at,
        updated_at=order.updated_at,
    )


def _event_read(event: OrderEvent) -> OrderEventRead:
    return OrderEventRead(status=event.status, at=event.at, actor=event.actor, comment=event.comment)


def order_details(detail: OrderDetail) -> OrderDetails:
    return OrderDetails(
        **order_read(detail.order).model_dump(),
        serials_assigned=detail.serials_assigned,
        history=[_event_read(e) for e in detail.history],
    )


@router.post("/packaging_order", summary="Create packaging order")
def create_packaging_order(body: OrderCreate, caller: ApiCaller, session: DbSession) -> Envelope[OrderRead]:
    """Creates the order (with its serial numbers when `serialized` is true). Sending the same `order_id`
    with the same content again returns the existing order; with different content it is a conflict."""
    result = order_service.create(session, caller.tenant_id, body, caller.actor)
    return Envelope(message="Packaging order created", data=order_read(result.order))


@router.get("/packaging_order/details", summary="Get order details")
def get_order_details(
    caller: ApiCaller, session: DbSession, order_id: Annotated[str, Query(min_length=1, max_length=255), NoNul]
) -> Envelope[OrderDetails]:
    detail = order_service.detail(session, caller.tenant_id, order_id)
    return Envelope(message="Packaging order details", data=order_details(detail))


@router.get("/packaging_order/open", summary="Get open packaging orders")
def get_open_orders(
    caller: ApiCaller,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    cursor: Annotated[str | None, Query(max_length=200), NoNul] = None,
) -> Envelope[OrderPage]:
    """Orders not yet finished (Open, Pending release, In progress, Suspended), oldest first; pass
    `next_cursor` back as `cursor` for the next page."""
    orders, next_cursor = order_service.open_orders(session, caller.tenant_id, limit, cursor)
    return Envelope(
        message="Open packaging orders",
        data=OrderPage(orders=[order_read(o) for o in orders], next_cursor=next_cursor),
    )


@router.patch("/packaging_order", summary="Update packaging order")
def update_packaging_order(body: OrderUpdate, caller: ApiCaller, session: DbSession) -> Envelope[OrderRead]:
    """Only while the order is Open or Pending release. A new quantity or extra percentage re-sizes the
    order's serial numbers (more are drawn from the pool, surplus ones go back to it)."""
    order = order_service.update(session, caller.tenant_id, body, caller.actor)
    return Envelope(message="Packaging order updated", data=order_read(order))


@router.delete("/packaging_order", summary="Delete (cancel) packaging order")
def cancel_packaging_order(
    caller: ApiCaller, session: DbSession, order_id: Annotated[str, Query(min_length=1, max_length=255), NoNul]
) -> Envelope[OrderRead]:
    """Open or Pending release orders only: the order becomes Cancelled (its record stays) and its serial
    numbers go back to the pool as Available."""
    order = order_service.cancel(session, caller.tenant_id, order_id, caller.actor)
    return Envelope(message="Packaging order cancelled", data=order_read(order))


@router.post("/packaging_order/assign_serials", summary="Assign serials to packaging orders")
def assign_serials(body: AssignSerials, caller: ApiCaller, session: DbSession) -> Envelope[list[OrderRead]]:
    """Each order Open -> Pending release with all its serial numbers, drawn from the product's pool.
    All or nothing: when the pool cannot supply every order, none is changed (InsufficientSerialsError)."""
    orders = order_service.assign_serials(session, caller.tenant_id, body.order_ids, caller.actor)
    return Envelope(message="Serial numbers assigned", data=[order_read(o) for o in orders])


@router.patch("/packaging_order/release", summary="Release order to packaging line")
def release_order(body: ReleaseOrder, caller: ApiCaller, session: DbSession) -> Envelope[OrderRead]:
    order = order_service.release(session, caller.tenant_id, body.order_id, body.packaging_line_tag, caller.actor)
    return Envelope(message="Packaging order released", data=order_read(order))


@router.patch("/packaging_order/status", summary="Update order status from the line")
def update_order_status(body: StatusUpdate, caller: ApiCaller, session: DbSession) -> Envelope[OrderRead]:
    """In progress <-> Suspended, In progress -> Completed, or a progress report (In progress again) with
    the produced quantity, which never decreases."""
    order = order_service.report_status(
        session, caller.tenant_id, body.order_id, body.status, body.produced_quantity, body.comment, caller.actor
    )
    return Envelope(message="Packaging order status updated", data=order_read(order))


# Serials per block of the download; a block is one string of about 14 bytes a serial.
_CSV_CHUNK = 20_000


@router.get(
    "/packaging_order/serials",
    summary="Order's serial numbers",
    responses={200: {"content": {"text/csv": {}}, "description": "JSON page, or CSV with format=csv"}},
)
def order_serials(
    caller: ApiCaller,
    session: DbSession,
    context: Context,
    order_id: Annotated[str, Query(min_length=1, max_length=255), NoNul],
    limit: Annotated[int, Query(ge=1, le=MAX_SERIAL_PAGE)] = 1000,
    cursor: Annotated[str | None, Query(max_length=200), NoNul] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """The serials for the line to print: a page (`limit`, `cursor` -> `next_cursor`), or with
    `format=csv` all of them streamed as `SerialNumber,GTIN,Batch,ExpirationDate` (expiry as YYMMDD)."""
    if format == "csv":
        order = order_service.get(session, caller.tenant_id, order_id)
        return StreamingResponse(
            order_serials_csv(context.db, order),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{csv_filename(order.order_id)}.csv"'},
        )
    order, serials, next_cursor = order_service.serial_page(session, caller.tenant_id, order_id, limit, cursor)
    page = OrderSerialPage(
        order_id=order.order_id, product_code=order.product_code, serials=serials, next_cursor=next_cursor
    )
    return Envelope(message="Serial numbers of the order", data=page)


def order_serials_csv(db: Database, order: PackagingOrder) -> Iterator[str]:
    """The order's CSV, a block of lines at a time. Every line ends with the same fields, so a block of
    serials becomes its lines by one replace of its newlines; a block holding a serial that needs quoting
    (set 82 has both '"' and ',') goes through the csv module, which writes exactly what it always did."""
    # Its own session: the request's unit of work has ended before the body streams.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["SerialNumber", "GTIN", "Batch", "ExpirationDate"])
    yield buffer.getvalue()
    tail = (order.product_code, order.batch or "", order.expiry_date or "")
    buffer.seek(0)
    buffer.truncate()
    writer.writerow(("", *tail))
    line_end = buffer.getvalue()
    with db.session_factory() as session:
        for block in order_service.serial_text_chunks(session, order, _CSV_CHUNK):
            if '"' in block or "," in block or "\r" in block:
                buffer.seek(0)
                buffer.truncate()
                writer.writerows((serial, *tail) for serial in block.split("\n"))
                yield buffer.getvalue()
            else:
                yield block.replace("\n", line_end) + line_end


def csv_filename(order_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in order_id)[:100] or "order"
