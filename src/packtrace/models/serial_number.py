from __future__ import annotations

from sqlalchemy import Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, Timestamped

_AVAILABLE = text("status = 'Available'")


class SerialNumber(Timestamped, Base):
    """A serial number in the pool of its product. Rows are never deleted: a serial once made stays
    unique for its product code forever.

    The hottest table: an order inserts up to 200,000 rows at once. It has no foreign keys, because
    PostgreSQL checks each one row by row and three of them doubled the insert time. What they would
    guard is kept by the services instead: tenants and orders are never deleted, and a product that has
    serials cannot be deleted. Every index leads with ``tenant_id``, so no index of its own is needed."""

    __tablename__ = "serial_numbers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "serial"),
        # Draws from the pool look only at Available serials; serials made for an order never enter it.
        Index(
            "ix_serial_numbers_available",
            "tenant_id",
            "product_id",
            "id",
            postgresql_where=_AVAILABLE,
            sqlite_where=_AVAILABLE,
        ),
        Index("ix_serial_numbers_order", "tenant_id", "order_pk", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int]
    product_id: Mapped[int]
    serial: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    order_pk: Mapped[int | None]
