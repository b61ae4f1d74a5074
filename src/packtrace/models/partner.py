from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped, utcnow


class TradingPartner(TenantScoped, Timestamped, Base):
    """A party the tenant ships to or sells to, known by its GLN (the owning party of shipping events)."""

    __tablename__ = "trading_partners"
    __table_args__ = (UniqueConstraint("tenant_id", "gln"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    gln: Mapped[str] = mapped_column(String(13))
    # A US partner's state licence (DSCSA transaction information names it); None elsewhere.
    us_state_license: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PartnerLocation(TenantScoped, Base):
    """A location of a partner (a SGLN: GLN + extension, "" for none), where shipments go."""

    __tablename__ = "partner_locations"
    __table_args__ = (UniqueConstraint("tenant_id", "gln", "extension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partners.id", ondelete="CASCADE"), index=True)
    gln: Mapped[str] = mapped_column(String(13))
    # GS1 AI 254; "" for the GLN itself, so the unique key also holds for locations without one.
    extension: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    address: Mapped[str] = mapped_column(Text)
