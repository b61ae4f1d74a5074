"""All SQL for packaging orders and their history."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.models import OrderEvent, PackagingOrder
from packtrace.models.enums import OPEN_ORDER_STATUSES


def by_order_id(session: Session, tenant_id: int, order_id: str) -> PackagingOrder | None:
    return session.scalar(
        select(PackagingOrder).where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.order_id == order_id)
    )


def by_order_id_for_update(session: Session, tenant_id: int, order_id: str) -> PackagingOrder | None:
    """The order, its row locked until the transaction ends (PostgreSQL): changes to one order (update,
    release, status, assignment, cancel) run one after the other, each seeing the one before."""
    return session.scalar(
        select(PackagingOrder)
        .where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.order_id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def open_orders(session: Session, tenant_id: int, after_pk: int | None, limit: int) -> Sequence[PackagingOrder]:
    query = (
        select(PackagingOrder)
        .where(
            PackagingOrder.tenant_id == tenant_id,
            PackagingOrder.status.in_([s.value for s in OPEN_ORDER_STATUSES]),
        )
        .order_by(PackagingOrder.id)
        .limit(limit)
    )
    if after_pk is not None:
        query = query.where(PackagingOrder.id > after_pk)
    return session.scalars(query).all()


def history(session: Session, tenant_id: int, order_pk: int) -> Sequence[OrderEvent]:
    return session.scalars(
        select(OrderEvent)
        .where(OrderEvent.tenant_id == tenant_id, OrderEvent.order_pk == order_pk)
        .order_by(OrderEvent.id)
    ).all()


def record_event(session: Session, order: PackagingOrder, actor: str, comment: str | None = None) -> None:
    session.add(
        OrderEvent(tenant_id=order.tenant_id, order_pk=order.id, status=order.status, actor=actor, comment=comment)
    )
