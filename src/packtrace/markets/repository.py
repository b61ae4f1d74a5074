"""All SQL for market profiles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.models import MarketProfile, PackagingOrder
from packtrace.models.enums import OPEN_ORDER_STATUSES


def profile(session: Session, tenant_id: int, market: str) -> MarketProfile | None:
    return session.scalar(
        select(MarketProfile).where(MarketProfile.tenant_id == tenant_id, MarketProfile.market == market)
    )


def profiles(session: Session, tenant_id: int) -> Sequence[MarketProfile]:
    return session.scalars(
        select(MarketProfile).where(MarketProfile.tenant_id == tenant_id).order_by(MarketProfile.market)
    ).all()


def open_orders_for_market(session: Session, tenant_id: int, market: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(PackagingOrder)
            .where(
                PackagingOrder.tenant_id == tenant_id,
                PackagingOrder.market == market,
                PackagingOrder.status.in_([s.value for s in OPEN_ORDER_STATUSES]),
            )
        )
        or 0
    )
