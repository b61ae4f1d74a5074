from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped


class MarketProfile(TenantScoped, Timestamped, Base):
    """A market the tenant supplies; orders for a market need its profile."""

    __tablename__ = "market_profiles"
    __table_args__ = (UniqueConstraint("tenant_id", "market"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    market: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(255), default="")
