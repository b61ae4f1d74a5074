from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, TenantScoped, Timestamped


class SerialNumber(TenantScoped, Timestamped, Base):
    """A serial number in the pool of its product. Rows are never deleted: a serial once made stays
    unique for its product code forever."""

    __tablename__ = "serial_numbers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "serial"),
        Index("ix_serial_numbers_pool", "tenant_id", "product_id", "status"),
        Index("ix_serial_numbers_order", "tenant_id", "order_pk", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    serial: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    order_pk: Mapped[int | None] = mapped_column(ForeignKey("packaging_orders.id", ondelete="RESTRICT"))
