from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Double, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, TenantScoped, Timestamped, utcnow


class PackagingOrder(TenantScoped, Timestamped, Base):
    """A packaging order as the ERP sent it. Product code and line tag are copied onto the order, so that
    later changes to master data cannot change what an order was created for."""

    __tablename__ = "packaging_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id"),
        Index("ix_packaging_orders_tenant_status", "tenant_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(255))
    order_description: Mapped[str | None] = mapped_column(String(255))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    product_code: Mapped[str] = mapped_column(String(14))
    product_code_schema: Mapped[str] = mapped_column(String(16))
    batch: Mapped[str | None] = mapped_column(String(255))
    expiry_date: Mapped[str | None] = mapped_column(String(6))
    # The real date behind ``expiry_date`` (day 00 resolved), for reports and partners that refuse 00.
    expiry_on: Mapped[date | None]
    extra_percentage: Mapped[float | None] = mapped_column(Double())
    quantity: Mapped[int | None]
    serialized: Mapped[bool | None]
    packaging_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("packaging_lines.id", ondelete="RESTRICT"), index=True
    )
    packaging_line_tag: Mapped[str | None] = mapped_column(String(255))
    market: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(32))
    serial_count: Mapped[int] = mapped_column(default=0)
    # Reported by the line; it never decreases.
    produced_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OrderEvent(TenantScoped, Base):
    """One entry of an order's status history. Append-only."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("packaging_orders.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(255))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
