"""All SQL for packaging lines."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.models import PackagingLine, PackagingOrder


def by_tag(session: Session, tenant_id: int, tag: str) -> PackagingLine | None:
    return session.scalar(select(PackagingLine).where(PackagingLine.tenant_id == tenant_id, PackagingLine.tag == tag))


def by_tag_for_update(session: Session, tenant_id: int, tag: str) -> PackagingLine | None:
    """The line, its row locked until the transaction ends (PostgreSQL; SQLite's one writer needs no row
    lock): a concurrent change or delete of it waits, then sees what this one did."""
    return session.scalar(
        select(PackagingLine)
        .where(PackagingLine.tenant_id == tenant_id, PackagingLine.tag == tag)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def all_lines(session: Session, tenant_id: int) -> Sequence[PackagingLine]:
    return session.scalars(
        select(PackagingLine).where(PackagingLine.tenant_id == tenant_id).order_by(PackagingLine.tag)
    ).all()


def orders_using(session: Session, tenant_id: int, line_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(PackagingOrder)
            .where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.packaging_line_id == line_id)
        )
        or 0
    )
