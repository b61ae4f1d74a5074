"""All SQL for GS1 company prefixes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.models import CompanyPrefix, Product


def by_prefix(session: Session, tenant_id: int, prefix: str) -> CompanyPrefix | None:
    return session.scalar(
        select(CompanyPrefix).where(CompanyPrefix.tenant_id == tenant_id, CompanyPrefix.prefix == prefix)
    )


def all_prefixes(session: Session, tenant_id: int) -> Sequence[CompanyPrefix]:
    return session.scalars(
        select(CompanyPrefix).where(CompanyPrefix.tenant_id == tenant_id).order_by(CompanyPrefix.prefix)
    ).all()


def products_under(session: Session, tenant_id: int, prefix: str) -> int:
    """The tenant's products whose GTIN-14 carries ``prefix`` as its company prefix (after the indicator
    digit, with the product's own prefix length)."""
    query = select(func.count()).where(
        Product.tenant_id == tenant_id,
        Product.company_prefix_length == len(prefix),
        func.substr(Product.code, 2, len(prefix)) == prefix,
    )
    return session.scalar(query) or 0
