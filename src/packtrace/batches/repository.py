"""All SQL for batch recalls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from packtrace.models import BatchRecall, Pack, Product


@dataclass(frozen=True)
class RecallRow:
    id: int
    product_code: str
    batch: str
    kind: str
    reason: str
    actor: str
    created_at: datetime


def recall(session: Session, tenant_id: int, product_id: int, batch: str) -> BatchRecall | None:
    return session.scalar(
        select(BatchRecall).where(
            BatchRecall.tenant_id == tenant_id, BatchRecall.product_id == product_id, BatchRecall.batch == batch
        )
    )


def recalled(session: Session, tenant_id: int, lots: Sequence[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Of these (product id, batch), the recalled or withdrawn ones, with their kind."""
    if not lots:
        return {}
    query = select(BatchRecall.product_id, BatchRecall.batch, BatchRecall.kind).where(
        BatchRecall.tenant_id == tenant_id,
        tuple_(BatchRecall.product_id, BatchRecall.batch).in_(sorted(set(lots))),
    )
    return {(row.product_id, row.batch): row.kind for row in session.execute(query)}


def batch_has_packs(session: Session, tenant_id: int, product_id: int, batch: str) -> bool:
    query = select(Pack.id).where(Pack.tenant_id == tenant_id, Pack.product_id == product_id, Pack.batch == batch)
    return session.scalar(query.limit(1)) is not None


def page(session: Session, tenant_id: int, after_id: int | None, limit: int) -> list[RecallRow]:
    query = (
        select(
            BatchRecall.id,
            Product.code,
            BatchRecall.batch,
            BatchRecall.kind,
            BatchRecall.reason,
            BatchRecall.actor,
            BatchRecall.created_at,
        )
        .join(Product, Product.id == BatchRecall.product_id)
        .where(BatchRecall.tenant_id == tenant_id)
    )
    if after_id is not None:
        query = query.where(BatchRecall.id > after_id)
    return [RecallRow(*row) for row in session.execute(query.order_by(BatchRecall.id).limit(limit))]
