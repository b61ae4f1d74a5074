"""Manufacturer V2 API: packaging orders. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from packtrace.auth.principal import ApiCaller
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.pagination import MAX_PAGE_SIZE
from packtrace.kit.validation import NoNul
from packtrace.models import OrderEvent, PackagingOrder
from packtrace.orders.schemas import OrderCreate, OrderDetails, OrderEventRead, OrderPage, OrderRead
from packtrace.orders.service import OrderDetail, order_service

router = APIRouter(tags=["Packaging orders"])


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
