"""Rules for packaging orders. Nothing here commits: the request's unit of work does."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from packtrace.gs1.errors import GS1Error
from packtrace.gs1.expiry import parse_expiry
from packtrace.kit.errors import ConflictError, Detail, NotFoundError, ValidationError
from packtrace.kit.pagination import decode_cursor, encode_cursor
from packtrace.lines.service import line_service
from packtrace.markets.service import market_service
from packtrace.models import OrderEvent, PackagingOrder, Product
from packtrace.models.enums import Market, OrderStatus
from packtrace.orders import repository
from packtrace.orders.schemas import OrderCreate
from packtrace.products import repository as products
from packtrace.products.service import parse_product_code
from packtrace.serials import repository as serials
from packtrace.serials.service import serial_service

# The fields that make an order's content; a retry with the same order_id must match them all.
CONTENT_FIELDS = (
    "order_description",
    "product_code",
    "product_code_schema",
    "batch",
    "expiry_date",
    "quantity",
    "extra_percentage",
    "serialized",
    "packaging_line_tag",
    "market",
)


def serials_needed(quantity: int | None, extra_percentage: float | None) -> int:
    """``ceil(quantity x (1 + extra / 100))`` in exact arithmetic: 1000 with 10 % is 1100, not 1101.
    The percentage is taken as the decimal the client wrote (the float's shortest repr), since
    43.11 as a binary float is not 43.11."""
    if not quantity:
        return 0
    extra = Fraction(repr(float(extra_percentage or 0)))
    return math.ceil(quantity * (100 + extra) / 100)


@dataclass(frozen=True)
class CreatedOrder:
    order: PackagingOrder
    created: bool  # False: an identical order existed already (a retry)


@dataclass(frozen=True)
class OrderDetail:
    order: PackagingOrder
    serials_assigned: int
    history: list[OrderEvent]


class OrderService:
    def create(self, session: Session, tenant_id: int, request: OrderCreate, actor: str) -> CreatedOrder:
        product = self._product(session, tenant_id, request.product_code)
        content = self._content(request, product)
        existing = repository.by_order_id(session, tenant_id, request.order_id)
        if existing is not None:
            return CreatedOrder(self._same_or_conflict(existing, content), created=False)
        self._check_references(session, tenant_id, product, request)
        try:
            # A savepoint: if a concurrent request inserted the same order_id first, only this insert
            # is undone and the retry rule below still answers.
            with session.begin_nested():
                order = self._insert(session, tenant_id, product, request, content, actor)
        except IntegrityError:
            existing = repository.by_order_id(session, tenant_id, request.order_id)
            if existing is None:
                raise
            return CreatedOrder(self._same_or_conflict(existing, content), created=False)
        if request.serialized:
            needed = serials_needed(request.quantity, request.extra_percentage)
            order.serial_count = serial_service.generate_for_order(session, product, order.id, needed)
        session.flush()
        return CreatedOrder(order, created=True)

    def detail(self, session: Session, tenant_id: int, order_id: str) -> OrderDetail:
        order = self.get(session, tenant_id, order_id)
        return OrderDetail(
            order,
            serials.count_for_order(session, tenant_id, order.id),
            list(repository.history(session, tenant_id, order.id)),
        )

    def get(self, session: Session, tenant_id: int, order_id: str) -> PackagingOrder:
        order = repository.by_order_id(session, tenant_id, order_id)
        if order is None:
            raise NotFoundError.on_field("order_id", f"no packaging order {order_id!r}")
        return order

    def open_orders(
        self, session: Session, tenant_id: int, limit: int, cursor: str | None
    ) -> tuple[list[PackagingOrder], str | None]:
        orders = list(repository.open_orders(session, tenant_id, decode_cursor(cursor), limit + 1))
        has_more = len(orders) > limit
        orders = orders[:limit]
        return orders, encode_cursor(orders[-1].id) if has_more else None

    # -- creation steps -------------------------------------------------------------------------------

    def _product(self, session: Session, tenant_id: int, code: str) -> Product:
        product = products.by_code(session, tenant_id, parse_product_code(code))
        if product is None:
            raise ValidationError.on_field("product_code", f"{code} is not a product code registered by you")
        return product

    def _content(self, request: OrderCreate, product: Product) -> dict[str, Any]:
        content = request.model_dump(include=set(CONTENT_FIELDS))
        content["product_code"] = product.code
        if request.expiry_date is not None:
            try:
                parse_expiry(request.expiry_date)
            except GS1Error as exc:
                raise ValidationError.on_field("expiry_date", str(exc)) from None
        return content

    def _check_references(self, session: Session, tenant_id: int, product: Product, request: OrderCreate) -> None:
        details: list[Detail] = []
        if request.market is not None:
            market = Market(request.market)
            if market.value not in products.markets_of(session, tenant_id, product.id):
                details.append(Detail("market", f"product {product.code} is not registered for {market.value}"))
            elif not market_service.has(session, tenant_id, market):
                details.append(Detail("market", f"you have no market profile for {market.value}"))
        if request.packaging_line_tag is not None and (
            line_service.find(session, tenant_id, request.packaging_line_tag) is None
        ):
            details.append(Detail("packaging_line_tag", f"no packaging line tagged {request.packaging_line_tag!r}"))
        if details:
            raise ValidationError("; ".join(f"{d.field}: {d.message}" for d in details), details)

    def _insert(
        self,
        session: Session,
        tenant_id: int,
        product: Product,
        request: OrderCreate,
        content: dict[str, Any],
        actor: str,
    ) -> PackagingOrder:
        line = line_service.find(session, tenant_id, request.packaging_line_tag) if request.packaging_line_tag else None
        order = PackagingOrder(
            tenant_id=tenant_id,
            order_id=request.order_id,
            product_id=product.id,
            packaging_line_id=line.id if line else None,
            expiry_on=parse_expiry(request.expiry_date) if request.expiry_date else None,
            status=OrderStatus.OPEN.value,
            serial_count=0,
            created_by=actor,
            **content,
        )
        session.add(order)
        session.flush()
        repository.record_event(session, order, actor, "created")
        session.flush()
        return order

    def _same_or_conflict(self, existing: PackagingOrder, content: dict[str, Any]) -> PackagingOrder:
        differing = [f for f in CONTENT_FIELDS if getattr(existing, f) != content[f]]
        if differing:
            details = [Detail(f, f"differs from the existing order ({getattr(existing, f)!r})") for f in differing]
            raise ConflictError(
                f"Packaging order {existing.order_id!r} exists with different content: {', '.join(differing)}",
                details,
            )
        return existing


order_service = OrderService()
