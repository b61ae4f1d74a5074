from __future__ import annotations

from sqlalchemy import BigInteger, LargeBinary, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped


class LabelOrder(TenantScoped, Timestamped, Base):
    """A label order: what was asked for, and the rendered document (kept so the same labels can be
    downloaded again; a reprint is a new order, on the record)."""

    __tablename__ = "label_orders"
    __table_args__ = (UniqueConstraint("public_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32))
    template: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    label_count: Mapped[int]
    source: Mapped[str] = mapped_column(String(255))  # what the labels were made for, for people
    media_type: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(255))
    document: Mapped[bytes] = deferred(mapped_column(LargeBinary))


class PrintedSerial(Base):
    """A serial a pack label order printed. A printed serial is out in the world (on a label, maybe on a
    pack) and must never be handed out again: ``serials/release`` refuses it, and cancelling or shrinking
    its order retires it instead of returning it to the pool. Also the serial's "Printed" history.
    Keyed by serial first: the question asked is "was this serial printed, and by which label orders"."""

    __tablename__ = "printed_serials"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "serial_id", "label_order_id"),
        {"sqlite_with_rowid": False},
    )

    tenant_id: Mapped[int]
    serial_id: Mapped[int] = mapped_column(BigInteger)  # serial_numbers.id
    label_order_id: Mapped[int]  # label_orders.id
