"""All SQL for label orders, and the reads of containers they need."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.aggregation import repository as aggregation
from packtrace.models import Container, LabelOrder, Pack, Tenant


def by_public_id(session: Session, tenant_id: int, public_id: str) -> LabelOrder | None:
    return session.scalar(
        select(LabelOrder).where(LabelOrder.tenant_id == tenant_id, LabelOrder.public_id == public_id)
    )


def containers(session: Session, tenant_id: int, ssccs: Sequence[str]) -> dict[str, Container]:
    rows = session.scalars(select(Container).where(Container.tenant_id == tenant_id, Container.sscc.in_(list(ssccs))))
    return {row.sscc: row for row in rows}


def child_counts(session: Session, tenant_id: int, container_ids: Sequence[int]) -> dict[int, int]:
    """Direct children (cases or packs) of each container."""
    counts: dict[int, int] = dict.fromkeys(container_ids, 0)
    ids = list(container_ids)
    for parent, count in session.execute(
        select(Container.parent_id, func.count())
        .where(Container.tenant_id == tenant_id, Container.parent_id.in_(ids))
        .group_by(Container.parent_id)
    ):
        if parent is not None:
            counts[parent] += count
    for parent, count in session.execute(
        select(Pack.container_id, func.count())
        .where(Pack.tenant_id == tenant_id, Pack.container_id.in_(ids))
        .group_by(Pack.container_id)
    ):
        if parent is not None:
            counts[parent] += count
    return counts


def content(session: Session, tenant_id: int, container_id: int) -> list[tuple[str, str, str, int]]:
    """(product code, batch, expiry, count) of the packs in the container and the containers inside it."""
    return aggregation.tree_content(session, tenant_id, container_id)


def digital_link_resolver(session: Session, tenant_id: int) -> str:
    resolver = session.scalar(select(Tenant.digital_link_resolver).where(Tenant.id == tenant_id))
    return resolver or ""
