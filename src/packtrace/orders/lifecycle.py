"""The order lifecycle: which status may follow which, and what each transition does to the serials.

    Open --assign_serials--> Pending release --release--> In progress <--> Suspended
    Open --release (no serials needed, or created with them)--> In progress --> Completed
    Open / Pending release --cancel--> Cancelled (serials back to Available, but for printed or packed
    ones, which are retired: they never return to the pool; the record stays)

Every transition is written to the order's history with its time, actor and comment."""

from __future__ import annotations

import math
from fractions import Fraction

from sqlalchemy.orm import Session

from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import ConflictError, InvalidStateError, ValidationError
from packtrace.lines.service import line_service
from packtrace.models import PackagingOrder, Product, Tenant
from packtrace.models.enums import OrderStatus
from packtrace.orders import repository
from packtrace.serials import order_lists
from packtrace.serials.service import serial_service

Status = OrderStatus

# For each target status, the statuses it may be reached from; the line's status updates use the same
# table, so a line can suspend, resume and complete an order but never release one.
ALLOWED_FROM: dict[OrderStatus, frozenset[OrderStatus]] = {
    Status.PENDING_RELEASE: frozenset({Status.OPEN}),
    Status.IN_PROGRESS: frozenset({Status.OPEN, Status.PENDING_RELEASE}),  # release
    Status.SUSPENDED: frozenset({Status.IN_PROGRESS}),
    Status.COMPLETED: frozenset({Status.IN_PROGRESS}),
    Status.CANCELLED: frozenset({Status.OPEN, Status.PENDING_RELEASE}),
}
# Resuming is the one line-side move into In progress.
RESUMABLE = frozenset({Status.SUSPENDED})
# Statuses in which the order's content (and so its serials) may still change.
EDITABLE = frozenset({Status.OPEN, Status.PENDING_RELEASE})


def serials_needed(quantity: int | None, extra_percentage: float | None) -> int:
    """``ceil(quantity x (1 + extra / 100))`` in exact arithmetic: 1000 with 10 % is 1100, not 1101.
    The percentage is taken as the decimal the client wrote (the float's shortest repr), since
    43.11 as a binary float is not 43.11."""
    if not quantity:
        return 0
    extra = Fraction(repr(float(extra_percentage or 0)))
    return math.ceil(quantity * (100 + extra) / 100)


def needed_for(order: PackagingOrder) -> int:
    return serials_needed(order.quantity, order.extra_percentage)


def most_producible(order: PackagingOrder) -> int | None:
    """The most packs a line can report for the order: one per serial when it has serials, else its
    quantity with the extra percentage; None for an order without a quantity (nothing to bound it by)."""
    if order.serial_count:
        return order.serial_count
    if order.quantity is None:
        return None
    return needed_for(order)


def _ceiling_reason(order: PackagingOrder) -> str:
    return "one per serial number" if order.serial_count else "its quantity with the extra percentage"


def check_transition(
    order: PackagingOrder, target: OrderStatus, operation: str, allowed: frozenset[OrderStatus] | None = None
) -> None:
    current = OrderStatus(order.status)
    if current not in (ALLOWED_FROM[target] if allowed is None else allowed):
        raise InvalidStateError(
            f"Packaging order {order.order_id!r} is {current.value}: it cannot {operation}",
        )


def move(session: Session, order: PackagingOrder, target: OrderStatus, actor: str, comment: str | None) -> None:
    order.status = target.value
    session.flush()
    repository.record_event(session, order, actor, comment)


class OrderLifecycle:
    def resize_serials(self, session: Session, order: PackagingOrder, product: Product) -> None:
        """Give the order exactly the serials its quantity needs: more drawn from the pool (and made new
        where the pool is short), or the surplus returned to the pool."""
        needed = needed_for(order)
        have = order.serial_count
        if needed > have:
            serial_service.supply_order(session, product, order.id, needed - have, generate_missing=True)
        elif needed < have:
            at = transaction_time(session)
            order_lists.release_from_order(session, order.tenant_id, product.id, order.id, at, keep=needed)
        order.serial_count = needed

    def assign_serials(
        self, session: Session, orders: list[tuple[PackagingOrder, Product]], tenant: Tenant, actor: str
    ) -> None:
        """Open -> Pending release for every order, each with all its serials, drawn from the pool only:
        when the pool is short the caller's transaction undoes every draw (all or nothing)."""
        for order, _ in orders:
            check_transition(order, Status.PENDING_RELEASE, "be assigned serial numbers")
        for order, product in orders:
            missing = needed_for(order) - order.serial_count
            if missing > 0:
                serial_service.supply_order(session, product, order.id, missing, generate_missing=False)
                order.serial_count += missing
            move(session, order, Status.PENDING_RELEASE, actor, "serial numbers assigned")
            self.release_automatically(session, order, tenant, actor)

    def release(self, session: Session, order: PackagingOrder, line_tag: str | None, actor: str) -> None:
        check_transition(order, Status.IN_PROGRESS, "be released to a packaging line")
        current = OrderStatus(order.status)
        if current == Status.OPEN and order.serialized and order.serial_count < needed_for(order):
            raise InvalidStateError(
                f"Packaging order {order.order_id!r} is Open without its serial numbers: assign them first"
            )
        if line_tag is not None:
            if order.packaging_line_tag not in (None, line_tag):
                raise ConflictError.on_field(
                    "packaging_line_tag", f"the order is for line {order.packaging_line_tag!r}, not {line_tag!r}"
                )
            line = line_service.find(session, order.tenant_id, line_tag)
            if line is None:
                raise ValidationError.on_field("packaging_line_tag", f"no packaging line tagged {line_tag!r}")
            order.packaging_line_id, order.packaging_line_tag = line.id, line.tag
        if order.packaging_line_tag is None:
            raise ValidationError.on_field(
                "packaging_line_tag", "the order has no packaging line: name one to release it"
            )
        move(session, order, Status.IN_PROGRESS, actor, f"released to {order.packaging_line_tag}")

    def release_automatically(self, session: Session, order: PackagingOrder, tenant: Tenant, actor: str) -> None:
        """The tenant's "automatic release": an order with its serials and a line goes to the line."""
        if tenant.automatic_release and order.packaging_line_tag and order.serial_count >= needed_for(order) > 0:
            move(session, order, Status.IN_PROGRESS, actor, "automatic release")

    def report(
        self,
        session: Session,
        order: PackagingOrder,
        target: OrderStatus,
        produced_quantity: int | None,
        comment: str | None,
        actor: str,
    ) -> None:
        """``PATCH packaging_order/status`` from the line: suspend, resume, complete, or report progress
        (In progress -> In progress)."""
        current = OrderStatus(order.status)
        progress_only = current == target == Status.IN_PROGRESS
        if target == Status.IN_PROGRESS and not progress_only:
            check_transition(order, target, "be resumed", RESUMABLE)
        elif not progress_only:
            check_transition(order, target, f"become {target.value}")
        if produced_quantity is not None:
            if produced_quantity < order.produced_quantity:
                raise ValidationError.on_field(
                    "produced_quantity",
                    f"must not decrease: {order.produced_quantity} were reported already",
                )
            ceiling = most_producible(order)
            if ceiling is not None and produced_quantity > ceiling:
                raise ValidationError.on_field(
                    "produced_quantity",
                    f"must not exceed {ceiling:,}, the packs the order can make ({_ceiling_reason(order)})",
                )
            order.produced_quantity = produced_quantity
        text = comment if comment is not None else f"produced {order.produced_quantity}"
        move(session, order, target, actor, text)

    def cancel(self, session: Session, order: PackagingOrder, actor: str, comment: str | None = None) -> int:
        check_transition(order, Status.CANCELLED, "be cancelled")
        at = transaction_time(session)
        released = order_lists.release_from_order(session, order.tenant_id, order.product_id, order.id, at)
        order.serial_count = 0
        text = f"cancelled; {released.returned} serials back in the pool"
        if released.retired:
            text += f", {released.retired} printed or packed serials retired (never handed out again)"
        move(session, order, Status.CANCELLED, actor, comment or text)
        return released.returned


order_lifecycle = OrderLifecycle()
