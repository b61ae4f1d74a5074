from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped


class CompanyPrefix(TenantScoped, Timestamped, Base):
    """A GS1 company prefix the tenant may use. GS1 keys are global: a GTIN or an SSCC is unique in the
    world only if it is made under a prefix GS1 licensed to its maker. ``partner`` is None for the
    tenant's own prefixes (products and SSCCs); a partner's prefix (a contract packer packing for the
    marketing authorisation holder) names the partner and admits products only, never SSCCs."""

    __tablename__ = "company_prefixes"
    __table_args__ = (UniqueConstraint("tenant_id", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(12))
    partner: Mapped[str | None] = mapped_column(String(255))
