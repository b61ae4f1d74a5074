"""All SQL for products."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from packtrace.models import PackagingOrder, Product, ProductMarket, SerialNumber
from packtrace.models.enums import OPEN_ORDER_STATUSES


def by_code(session: Session, tenant_id: int, code: str) -> Product | None:
    return session.scalar(select(Product).where(Product.tenant_id == tenant_id, Product.code == code))


def by_code_for_update(session: Session, tenant_id: int, code: str) -> Product | None:
    """The product, its row locked until the transaction ends (PostgreSQL): a concurrent change or delete
    of it waits, then sees what this one did."""
    return session.scalar(
        select(Product)
        .where(Product.tenant_id == tenant_id, Product.code == code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def all_products(session: Session, tenant_id: int) -> Sequence[Product]:
    return session.scalars(select(Product).where(Product.tenant_id == tenant_id).order_by(Product.code)).all()


def markets_of(session: Session, tenant_id: int, product_id: int) -> list[str]:
    return list(
        session.scalars(
            select(ProductMarket.market)
            .where(ProductMarket.tenant_id == tenant_id, ProductMarket.product_id == product_id)
            .order_by(ProductMarket.market)
        )
    )


def markets_by_product(session: Session, tenant_id: int) -> dict[int, list[str]]:
    rows = session.execute(
        select(ProductMarket.product_id, ProductMarket.market)
        .where(ProductMarket.tenant_id == tenant_id)
        .order_by(ProductMarket.market)
    )
    result: dict[int, list[str]] = {}
    for product_id, market in rows:
        result.setdefault(product_id, []).append(market)
    return result


def set_markets(session: Session, tenant_id: int, product_id: int, markets: Sequence[str]) -> None:
    session.execute(
        delete(ProductMarket).where(ProductMarket.tenant_id == tenant_id, ProductMarket.product_id == product_id)
    )
    session.add_all(ProductMarket(tenant_id=tenant_id, product_id=product_id, market=m) for m in markets)
    session.flush()


def open_orders_by_market(session: Session, tenant_id: int, product_id: int) -> dict[str, int]:
    rows = session.execute(
        select(PackagingOrder.market, func.count())
        .where(
            PackagingOrder.tenant_id == tenant_id,
            PackagingOrder.product_id == product_id,
            PackagingOrder.status.in_([s.value for s in OPEN_ORDER_STATUSES]),
        )
        .group_by(PackagingOrder.market)
    )
    return {market: count for market, count in rows if market is not None}


def order_count(session: Session, tenant_id: int, product_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(PackagingOrder)
            .where(PackagingOrder.tenant_id == tenant_id, PackagingOrder.product_id == product_id)
        )
        or 0
    )


def has_serials(session: Session, tenant_id: int, product_id: int) -> bool:
    first = session.scalar(
        select(SerialNumber.id)
        .where(SerialNumber.tenant_id == tenant_id, SerialNumber.product_id == product_id)
        .limit(1)
    )
    return first is not None


def add_to_serial_count(session: Session, tenant_id: int, product_id: int, added: int) -> int:
    """Add to the product's count of serials ever made and return the new count. Done last in the
    transaction: on PostgreSQL the row stays locked only from here to the commit."""
    new_total = session.execute(
        update(Product)
        .where(Product.tenant_id == tenant_id, Product.id == product_id)
        .values(serial_count=Product.serial_count + added)
        .returning(Product.serial_count)
    ).scalar_one()
    return int(new_total)
