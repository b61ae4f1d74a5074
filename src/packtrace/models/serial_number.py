from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, BigId, Timestamped


class SerialNumber(Timestamped, Base):
    """The registry: every serial number a product ever had. Rows are never deleted (a serial once made
    stays unique for its product code forever) and never change when a serial is drawn from the pool or
    goes back to it: which serials are Available is the ``serial_pool`` table, and which order a drawn
    serial went to is ``order_serials``. A serial not in the pool is Assigned.

    ``order_pk`` is the order a serial was made for (an order that generates its own serials writes each
    one once, here), or, after a migration from the single-table model, the order it was assigned to.

    The hottest table: an order inserts up to 200,000 rows at once. It has no foreign keys, because
    PostgreSQL checks each one row by row and three of them doubled the insert time. What they would
    guard is kept by the services instead: tenants and orders are never deleted, and a product that has
    serials cannot be deleted. Every index leads with ``tenant_id``, so no index of its own is needed."""

    __tablename__ = "serial_numbers"
    __table_args__ = (
        UniqueConstraint("tenant_id", "product_id", "serial"),
        Index("ix_serial_numbers_order", "tenant_id", "order_pk", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int]
    product_id: Mapped[int]
    serial: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(16))
    order_pk: Mapped[int | None]


class PoolSerial(Base):
    """An Available serial of a product's pool: drawing it deletes this row, releasing it inserts it
    again. A narrow table of its own because a draw that UPDATEd the registry's status and order could
    never be a HOT update (both columns were indexed), so each of 110,000 drawn rows entered every
    registry index again, the unique one most of all: 1.28 s against 0.39 s for inserting as many rows.

    The serial is copied here (it never changes) so that a draw carries it along without a join."""

    __tablename__ = "serial_pool"
    __table_args__ = (
        # Draws take a product's serials in id order: a range of this key.
        PrimaryKeyConstraint("tenant_id", "product_id", "serial_id"),
        {"sqlite_with_rowid": False},
    )

    tenant_id: Mapped[int]
    product_id: Mapped[int]
    serial_id: Mapped[int] = mapped_column(BigInteger)
    serial: Mapped[str] = mapped_column(String(20))


class OrderSerial(Base):
    """A serial drawn from the pool for a packaging order. An order's serials are these rows and the
    registry rows made for it (``serial_numbers.order_pk``); cancelling or shrinking the order moves them
    back to the pool. The serial is copied here so that reading an order (the CSV download) needs no join."""

    __tablename__ = "order_serials"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "order_pk", "serial_id"),
        # A serial belongs to one order at most; and this finds a serial's order.
        UniqueConstraint("tenant_id", "serial_id"),
        {"sqlite_with_rowid": False},
    )

    tenant_id: Mapped[int]
    order_pk: Mapped[int]
    serial_id: Mapped[int] = mapped_column(BigInteger)
    serial: Mapped[str] = mapped_column(String(20))


class PastOrderSerial(Base):
    """A serial that left a packaging order (the order was cancelled or shrunk), kept so that the serial's
    history still shows the orders it was drawn for after it went back to the pool or was retired."""

    __tablename__ = "past_order_serials"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "serial_id", "order_pk"),
        {"sqlite_with_rowid": False},
    )

    tenant_id: Mapped[int]
    serial_id: Mapped[int] = mapped_column(BigInteger)
    order_pk: Mapped[int]
    left_at: Mapped[datetime]
