"""The SQL of the Commissioning tab: the tenant's batches of packs and how many of their packs are in each
status, searched, filtered, sorted and paged. Every query filters on the tenant.

The counts are grouped from ``packs`` on each page view (the columns grouped on are those of the index
``ix_packs_batch``); a summary table kept up to date would pay off only for tenants with many millions of
packs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from packtrace.admin.listing import ListParams, Page
from packtrace.admin.repository import paged
from packtrace.models import Pack, Product
from packtrace.models.enums import PackStatus


@dataclass(frozen=True)
class BatchRow:
    product_code: str
    product_name: str
    batch: str
    first_expiry: str
    last_expiry: str
    active: int
    commissioned: int
    decommissioned: int
    total: int


def _count_of(status: PackStatus) -> Any:
    return func.sum(case((Pack.status == status.value, 1), else_=0))


_ACTIVE = _count_of(PackStatus.ACTIVE).label("active")
_COMMISSIONED = _count_of(PackStatus.COMMISSIONED).label("commissioned")
_DECOMMISSIONED = _count_of(PackStatus.DECOMMISSIONED).label("decommissioned")
_TOTAL = func.count().label("total")

BATCH_SORTS: dict[str, Any] = {
    "product": Product.code,
    "batch": Pack.batch,
    "expiry": func.min(Pack.expiry_date),
    "active": _ACTIVE,
    "commissioned": _COMMISSIONED,
    "decommissioned": _DECOMMISSIONED,
    "total": _TOTAL,
}
# The "state" filter: batches with packs still to commission, or with none left.
STATES = {"active": "With Active packs", "done": "No Active pack left"}


def batch_page(session: Session, tenant_id: int, params: ListParams) -> Page[BatchRow]:
    query = (
        select(
            Product.code,
            Product.name,
            Pack.batch,
            func.min(Pack.expiry_date),
            func.max(Pack.expiry_date),
            _ACTIVE,
            _COMMISSIONED,
            _DECOMMISSIONED,
            _TOTAL,
        )
        .select_from(Pack)
        .join(Product, (Product.id == Pack.product_id) & (Product.tenant_id == tenant_id))
        .where(Pack.tenant_id == tenant_id)
        .group_by(Product.code, Product.name, Pack.batch)
    )
    if params.search:
        query = query.where(Pack.batch.icontains(params.search, autoescape=True))
    if product := params.filters.get("product"):
        query = query.where(Product.code == product)
    state = params.filters.get("state")
    if state == "active":
        query = query.having(_count_of(PackStatus.ACTIVE) > 0)
    elif state == "done":
        query = query.having(_count_of(PackStatus.ACTIVE) == 0)
    rows, total, params = paged(session, query, params, BATCH_SORTS, Product.code, Pack.batch)
    return Page([BatchRow(*(row[:5]), *(int(n or 0) for n in row[5:])) for row in rows], total, params)
