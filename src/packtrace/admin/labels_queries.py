"""The SQL of the Labels tab: the tenant's label orders as a searched, sorted and paged table, and the
packaging orders a user may print labels for. Every query filters on the tenant."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.admin.listing import ListParams, Page
from packtrace.admin.repository import matching, paged
from packtrace.models import LabelOrder, PackagingOrder
from packtrace.models.enums import OrderStatus

LABEL_ORDER_SORTS: dict[str, Any] = {
    "created": LabelOrder.created_at,
    "source": LabelOrder.source,
    "template": LabelOrder.template,
    "format": LabelOrder.format,
    "count": LabelOrder.label_count,
    "by": LabelOrder.created_by,
}
# The orders offered in the form's list: the newest ones; any other is typed by its id.
ORDER_CHOICES = 200


def label_order_page(session: Session, tenant_id: int, params: ListParams) -> Page[LabelOrder]:
    """The label orders of the page ``params`` asks for; a page past the end shows the last one. The
    documents stay unread (a deferred column): a page of PDFs would be megabytes."""
    query = select(LabelOrder).where(LabelOrder.tenant_id == tenant_id)
    if params.search:
        query = query.where(matching([LabelOrder.source, LabelOrder.created_by, LabelOrder.public_id], params.search))
    if template := params.filters.get("template"):
        query = query.where(LabelOrder.template == template)
    if format_ := params.filters.get("format"):
        query = query.where(LabelOrder.format == format_)
    # Ties (same second, same format...) in the order they were made, newest first as the list opens.
    tiebreak = LabelOrder.id.desc() if params.descending else LabelOrder.id.asc()
    rows, total, params = paged(session, query, params, LABEL_ORDER_SORTS, tiebreak)
    return Page([row[0] for row in rows], total, params)


def orders_with_serials(session: Session, tenant_id: int) -> list[PackagingOrder]:
    """The newest packaging orders that have serial numbers to print (a cancelled order has none)."""
    query = (
        select(PackagingOrder)
        .where(
            PackagingOrder.tenant_id == tenant_id,
            PackagingOrder.serial_count > 0,
            PackagingOrder.status != OrderStatus.CANCELLED.value,
        )
        .order_by(PackagingOrder.created_at.desc(), PackagingOrder.id.desc())
        .limit(ORDER_CHOICES)
    )
    return list(session.scalars(query).all())
