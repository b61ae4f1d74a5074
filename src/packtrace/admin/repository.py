"""All SQL of the admin UI: its tables (searched, filtered, sorted and paged), rows found by the id in
a URL, and the tenant's tab permissions. Every query filters on the tenant."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from packtrace.admin.listing import PAGE_SIZE, ListParams, Page, offset
from packtrace.models import (
    ApiKey,
    Channel,
    PackagingLine,
    PackagingOrder,
    Product,
    ProductMarket,
    TabPermission,
)

PRODUCT_SORTS: dict[str, Any] = {
    "code": Product.code,
    "name": Product.name,
    "alias": Product.alias,
    "serials": Product.serial_count,
    "created": Product.created_at,
}
ORDER_SORTS: dict[str, Any] = {
    "order_id": PackagingOrder.order_id,
    "product": PackagingOrder.product_code,
    "batch": PackagingOrder.batch,
    "line": PackagingOrder.packaging_line_tag,
    "market": PackagingOrder.market,
    "quantity": PackagingOrder.quantity,
    "produced": PackagingOrder.produced_quantity,
    "status": PackagingOrder.status,
    "created": PackagingOrder.created_at,
    "updated": PackagingOrder.updated_at,
}
LINE_SORTS: dict[str, Any] = {"tag": PackagingLine.tag, "name": PackagingLine.name, "created": PackagingLine.created_at}


def matching(columns: Sequence[Any], text: str) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text``, case-insensitive, its % and _ taken as they are."""
    return or_(*(column.icontains(text, autoescape=True) for column in columns))


def paged(
    session: Session, query: Select[*tuple[Any, ...]], params: ListParams, sorts: Mapping[str, Any], *tiebreak: Any
) -> tuple[list[Any], int, ListParams]:
    """The rows of the page ``params`` asks for, sorted by ``sorts[params.sort]`` and then ``tiebreak``,
    the number of rows of all pages, and the params of the page shown: a page past the end shows the
    last one. Every list of the UI pages through this."""
    total = _count(session, query)
    last_page = max(1, -(-total // PAGE_SIZE))
    if params.page > last_page:
        params = params.with_page(last_page)
    column = sorts[params.sort]
    order = column.desc() if params.descending else column.asc()
    # NULLs sort as the smallest value on both databases, so the two agree on the order of a page.
    nulls_first = not params.descending
    ordered = query.order_by(order.nulls_first() if nulls_first else order.nulls_last(), *tiebreak)
    rows = list(session.execute(ordered.limit(PAGE_SIZE).offset(offset(params))).all())
    return rows, total, params


def product_page(session: Session, tenant_id: int, params: ListParams) -> Page[Product]:
    query = select(Product).where(Product.tenant_id == tenant_id)
    if params.search:
        query = query.where(matching([Product.code, Product.name, Product.alias], params.search))
    if market := params.filters.get("market"):
        query = query.where(
            exists().where(
                ProductMarket.tenant_id == tenant_id,
                ProductMarket.product_id == Product.id,
                ProductMarket.market == market,
            )
        )
    rows, total, params = paged(session, query, params, PRODUCT_SORTS, Product.id)
    return Page([row[0] for row in rows], total, params)


def order_page(session: Session, tenant_id: int, params: ListParams) -> Page[tuple[PackagingOrder, str]]:
    """Orders with their product's name."""
    query = (
        select(PackagingOrder, Product.name)
        .join(Product, Product.id == PackagingOrder.product_id)
        .where(PackagingOrder.tenant_id == tenant_id)
    )
    if params.search:
        query = query.where(
            matching([PackagingOrder.order_id, PackagingOrder.order_description, PackagingOrder.batch], params.search)
        )
    if status := params.filters.get("status"):
        query = query.where(PackagingOrder.status == status)
    if product := params.filters.get("product"):
        query = query.where(PackagingOrder.product_code == product)
    if line := params.filters.get("line"):
        query = query.where(PackagingOrder.packaging_line_tag == line)
    rows, total, params = paged(session, query, params, ORDER_SORTS, PackagingOrder.id)
    return Page([(row[0], row[1]) for row in rows], total, params)


def line_page(session: Session, tenant_id: int, params: ListParams) -> Page[tuple[PackagingLine, int]]:
    """Lines with the number of orders for each (a line with orders cannot be deleted)."""
    orders = (
        select(func.count())
        .select_from(PackagingOrder)
        .where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.packaging_line_id == PackagingLine.id)
        .scalar_subquery()
    )
    query = select(PackagingLine, orders).where(PackagingLine.tenant_id == tenant_id)
    if params.search:
        query = query.where(matching([PackagingLine.tag, PackagingLine.name], params.search))
    rows, total, params = paged(session, query, params, LINE_SORTS, PackagingLine.id)
    return Page([(row[0], int(row[1])) for row in rows], total, params)


def _count(session: Session, query: Select[*tuple[Any, ...]]) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def markets_by_product(session: Session, tenant_id: int, product_ids: Sequence[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(ProductMarket.product_id, ProductMarket.market)
        .where(ProductMarket.tenant_id == tenant_id, ProductMarket.product_id.in_(product_ids))
        .order_by(ProductMarket.market)
    )
    result: dict[int, list[str]] = {}
    for product_id, market in rows:
        result.setdefault(product_id, []).append(market)
    return result


# -- rows named by the id in a URL ---------------------------------------------------------------------


def order_by_pk(session: Session, tenant_id: int, pk: int) -> PackagingOrder | None:
    return session.scalar(select(PackagingOrder).where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.id == pk))


def line_by_id(session: Session, tenant_id: int, line_id: int) -> PackagingLine | None:
    return session.scalar(
        select(PackagingLine).where(PackagingLine.tenant_id == tenant_id, PackagingLine.id == line_id)
    )


def api_key_by_id(session: Session, tenant_id: int, key_id: int) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.id == key_id))


def channel_by_id(session: Session, tenant_id: int, channel_id: int) -> Channel | None:
    return session.scalar(select(Channel).where(Channel.tenant_id == tenant_id, Channel.id == channel_id))


# -- tab permissions -----------------------------------------------------------------------------------


def tab_permissions(session: Session, tenant_id: int) -> Sequence[TabPermission]:
    return session.scalars(select(TabPermission).where(TabPermission.tenant_id == tenant_id)).all()


def set_tab_permission(session: Session, tenant_id: int, role: str, tab: str, access: str) -> None:
    row = session.scalar(
        select(TabPermission).where(
            TabPermission.tenant_id == tenant_id, TabPermission.role == role, TabPermission.tab == tab
        )
    )
    if row is None:
        session.add(TabPermission(tenant_id=tenant_id, role=role, tab=tab, access=access))
    else:
        row.access = access
