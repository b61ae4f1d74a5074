from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped, utcnow


class Product(TenantScoped, Timestamped, Base):
    """A product code (GTIN-14) and how its serial numbers are made. The code never changes once
    registered: serials, orders and packs refer to it."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(14))
    code_schema: Mapped[str] = mapped_column(String(16), default="GTIN")
    name: Mapped[str] = mapped_column(String(255))
    alias: Mapped[str | None] = mapped_column(String(255))
    company_prefix_length: Mapped[int]
    serial_length: Mapped[int]
    serial_alphabet: Mapped[str] = mapped_column(String(82))
    # Serials ever made for this code (they are never deleted); checked against the EU guessing rule.
    serial_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # Pool replenishment: when a draw leaves fewer than ``pool_threshold`` Available serials, another
    # ``pool_refill_size`` are made. A threshold of 0 turns it off.
    pool_threshold: Mapped[int] = mapped_column(default=0, server_default="0")
    pool_refill_size: Mapped[int] = mapped_column(default=0, server_default="0")
    # Regulatory master data the markets' reports carry (all optional; see products/regulatory.py).
    common_name: Mapped[str | None] = mapped_column(String(255))  # INN
    pharmaceutical_form: Mapped[str | None] = mapped_column(String(100))
    dosage_form: Mapped[str | None] = mapped_column(String(100))  # US: the DSCSA master data's dosageFormType
    strength: Mapped[str | None] = mapped_column(String(100))
    pack_type: Mapped[str | None] = mapped_column(String(100))
    pack_size: Mapped[int | None]
    mah_name: Mapped[str | None] = mapped_column(String(255))
    mah_id: Mapped[str | None] = mapped_column(String(64))
    target_markets: Mapped[str | None] = mapped_column(String(255))  # ISO 3166 alpha-2 codes, comma-separated
    ndc: Mapped[str | None] = mapped_column(String(13))  # US National Drug Code, hyphenated as registered
    nie: Mapped[str | None] = mapped_column(String(64))  # IDN: BPOM registration number (Nomor Izin Edar)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProductMarket(TenantScoped, Base):
    """A market the product code is registered for."""

    __tablename__ = "product_markets"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    market: Mapped[str] = mapped_column(String(8), primary_key=True)
