"""Rules for packaging orders. Nothing here commits: the request's unit of work does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from packtrace.audit.facts import Json, publish_change, snapshot
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.expiry import parse_expiry
from packtrace.kit.errors import ConflictError, Detail, InvalidStateError, NotFoundError, ValidationError
from packtrace.kit.pagination import decode_cursor, encode_cursor
from packtrace.lines.service import line_service
from packtrace.markets.service import market_service
from packtrace.models import OrderEvent, PackagingOrder, Product, Tenant
from packtrace.models.enums import Market, OrderStatus
from packtrace.orders import repository
from packtrace.orders.lifecycle import EDITABLE, order_lifecycle
from packtrace.orders.schemas import OrderCreate, OrderUpdate
from packtrace.packs.rules import batch_problem
from packtrace.products import repository as products
from packtrace.products.service import product_service
from packtrace.serials import order_lists

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


@dataclass(frozen=True)
class CreatedOrder:
    order: PackagingOrder
    created: bool  # False: an identical order existed already (a retry)


@dataclass(frozen=True)
class OrderDetail:
    order: PackagingOrder
    serials_assigned: int
    history: list[OrderEvent]


# What the audit trail records of an order.
AUDITED_FIELDS = (
    "order_description",
    "product_code",
    "batch",
    "expiry_date",
    "extra_percentage",
    "quantity",
    "serialized",
    "packaging_line_tag",
    "market",
    "status",
    "serial_count",
    "produced_quantity",
)


def _audited(order: PackagingOrder) -> dict[str, Json]:
    return snapshot(order, AUDITED_FIELDS)


def _publish(session: Session, order: PackagingOrder, action: str, before: dict[str, Json] | None) -> None:
    publish_change(session, order.tenant_id, "packaging_order", order.order_id, action, before, _audited(order))


class OrderService:
    def create(self, session: Session, tenant_id: int, request: OrderCreate, actor: str) -> CreatedOrder:
        product = self._product(session, tenant_id, request.product_code)
        content = self._content(request, product)
        existing = repository.by_order_id(session, tenant_id, request.order_id)
        if existing is not None:
            return CreatedOrder(self._same_or_conflict(existing, content), created=False)
        self._check_references(session, tenant_id, product, request.market, request.packaging_line_tag)
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
            order_lifecycle.resize_serials(session, order, product)
            order_lifecycle.release_automatically(session, order, self._tenant(session, tenant_id), actor)
        session.flush()
        _publish(session, order, "created", None)
        return CreatedOrder(order, created=True)

    def update(self, session: Session, tenant_id: int, request: OrderUpdate, actor: str) -> PackagingOrder:
        """``PATCH packaging_order``: only before release; a new quantity re-sizes the order's serials."""
        order = self.get_for_change(session, tenant_id, request.order_id)
        if OrderStatus(order.status) not in EDITABLE:
            raise InvalidStateError(f"Packaging order {order.order_id!r} is {order.status}: it cannot be changed")
        before = _audited(order)
        changes = request.model_dump(exclude={"order_id"}, exclude_none=True)
        changed_fields = ", ".join(sorted(changes))
        product = self._product(session, tenant_id, changes.get("product_code", order.product_code))
        if product.id != order.product_id and order.serial_count:
            raise ConflictError.on_field(
                "product_code", f"the order has serial numbers of {order.product_code}; cancel it and create a new one"
            )
        changes["product_code"] = product.code
        self._check_lot(changes.get("batch"), changes.get("expiry_date"))
        serialized, quantity = changes.get("serialized", order.serialized), changes.get("quantity", order.quantity)
        self._check_quantity_of_serialized(serialized, quantity)
        self._check_references(session, tenant_id, product, changes.get("market"), changes.get("packaging_line_tag"))
        for field, value in changes.items():
            setattr(order, field, value)
        order.product_id = product.id
        if "expiry_date" in changes:
            order.expiry_on = parse_expiry(changes["expiry_date"])
        if "packaging_line_tag" in changes:
            line = line_service.find(session, tenant_id, changes["packaging_line_tag"])
            order.packaging_line_id = line.id if line else None
        if order.serialized or order.serial_count or OrderStatus(order.status) == OrderStatus.PENDING_RELEASE:
            order_lifecycle.resize_serials(session, order, product)
        repository.record_event(session, order, actor, f"updated: {changed_fields}")
        session.flush()
        _publish(session, order, "changed", before)
        return order

    def detail(self, session: Session, tenant_id: int, order_id: str) -> OrderDetail:
        order = self.get(session, tenant_id, order_id)
        return OrderDetail(
            order,
            order_lists.count_for_order(session, tenant_id, order.id),
            list(repository.history(session, tenant_id, order.id)),
        )

    def get(self, session: Session, tenant_id: int, order_id: str) -> PackagingOrder:
        order = repository.by_order_id(session, tenant_id, order_id)
        if order is None:
            raise NotFoundError.on_field("order_id", f"no packaging order {order_id!r}")
        return order

    def get_for_change(self, session: Session, tenant_id: int, order_id: str) -> PackagingOrder:
        """``get``, with the order's row locked: concurrent changes to one order are serialized, and the
        later one checks its rules against what the earlier one left."""
        order = repository.by_order_id_for_update(session, tenant_id, order_id)
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

    def assign_serials(
        self, session: Session, tenant_id: int, order_ids: list[str], actor: str
    ) -> list[PackagingOrder]:
        unique_ids = list(dict.fromkeys(order_ids))
        # Locked in one order (sorted ids), so two requests naming the same orders never deadlock.
        locked = {order_id: self.get_for_change(session, tenant_id, order_id) for order_id in sorted(unique_ids)}
        orders = [locked[order_id] for order_id in unique_ids]
        pairs = [(order, self._product_of(session, order)) for order in orders]
        order_lifecycle.assign_serials(session, pairs, self._tenant(session, tenant_id), actor)
        session.flush()
        return orders

    def release(
        self, session: Session, tenant_id: int, order_id: str, line_tag: str | None, actor: str
    ) -> PackagingOrder:
        order = self.get_for_change(session, tenant_id, order_id)
        before = _audited(order)
        order_lifecycle.release(session, order, line_tag, actor)
        session.flush()
        _publish(session, order, "released", before)
        return order

    def report_status(
        self,
        session: Session,
        tenant_id: int,
        order_id: str,
        status: str,
        produced_quantity: int | None,
        comment: str | None,
        actor: str,
    ) -> PackagingOrder:
        order = self.get_for_change(session, tenant_id, order_id)
        before = _audited(order)
        order_lifecycle.report(session, order, OrderStatus(status), produced_quantity, comment, actor)
        session.flush()
        _publish(session, order, "status reported", before)
        return order

    def cancel(self, session: Session, tenant_id: int, order_id: str, actor: str) -> PackagingOrder:
        order = self.get_for_change(session, tenant_id, order_id)
        before = _audited(order)
        order_lifecycle.cancel(session, order, actor)
        session.flush()
        _publish(session, order, "cancelled", before)
        return order

    def serial_page(
        self, session: Session, tenant_id: int, order_id: str, limit: int, cursor: str | None
    ) -> tuple[PackagingOrder, list[str], str | None]:
        order = self.get(session, tenant_id, order_id)
        rows = order_lists.order_page(session, tenant_id, order.id, decode_cursor(cursor), limit + 1)
        has_more = len(rows) > limit
        rows = rows[:limit]
        return order, [serial for _, serial in rows], encode_cursor(rows[-1][0]) if has_more else None

    def serial_chunks(self, session: Session, order: PackagingOrder, chunk: int) -> Iterator[list[str]]:
        return order_lists.stream_order_serials(session, order.tenant_id, order.id, chunk)

    def serial_text_chunks(self, session: Session, order: PackagingOrder, chunk: int) -> Iterator[str]:
        """The order's serials as newline-separated blocks, for the CSV download."""
        return order_lists.stream_order_serial_text(session, order.tenant_id, order.id, chunk)

    # -- creation steps -------------------------------------------------------------------------------

    def _product(self, session: Session, tenant_id: int, code: str) -> Product:
        return product_service.registered(session, tenant_id, code)

    def _product_of(self, session: Session, order: PackagingOrder) -> Product:
        product = session.get(Product, order.product_id)
        assert product is not None and product.tenant_id == order.tenant_id
        return product

    def _tenant(self, session: Session, tenant_id: int) -> Tenant:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        return tenant

    def _content(self, request: OrderCreate, product: Product) -> dict[str, Any]:
        content = request.model_dump(include=set(CONTENT_FIELDS))
        content["product_code"] = product.code
        self._check_lot(request.batch, request.expiry_date)
        self._check_quantity_of_serialized(request.serialized, request.quantity)
        return content

    @staticmethod
    def _check_quantity_of_serialized(serialized: bool | None, quantity: int | None) -> None:
        # Serials are counted from the quantity: without one, a "serialized" order would have none and
        # the ERP would learn it only when the line finds no serials to print.
        if serialized and quantity is None:
            raise ValidationError.on_field("quantity", "required when serialized is true (serials are counted from it)")

    @staticmethod
    def _check_lot(batch: str | None, expiry_date: str | None) -> None:
        """A batch and expiry the order's labels and packs could never carry are refused now, at create
        and update: found only at labelling, they would leave an order that can no longer be changed.
        The spec's "1-255" batch is the vendor's column size; GS1 AI 10 allows 1-20 characters of set 82."""
        details: list[Detail] = []
        if batch is not None and (problem := batch_problem(batch)):
            details.append(Detail("batch", problem))
        if expiry_date is not None:
            try:
                parse_expiry(expiry_date)
            except GS1Error as exc:
                details.append(Detail("expiry_date", str(exc)))
        if details:
            raise ValidationError("; ".join(f"{d.field}: {d.message}" for d in details), details)

    def _check_references(
        self, session: Session, tenant_id: int, product: Product, market_code: str | None, line_tag: str | None
    ) -> None:
        details: list[Detail] = []
        if market_code is not None:
            market = Market(market_code)
            if market.value not in products.markets_of(session, tenant_id, product.id):
                details.append(Detail("market", f"product {product.code} is not registered for {market.value}"))
            elif not market_service.has(session, tenant_id, market):
                details.append(Detail("market", f"you have no market profile for {market.value}"))
        if line_tag is not None and line_service.find(session, tenant_id, line_tag) is None:
            details.append(Detail("packaging_line_tag", f"no packaging line tagged {line_tag!r}"))
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
