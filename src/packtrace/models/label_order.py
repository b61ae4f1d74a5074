from __future__ import annotations

from sqlalchemy import LargeBinary, String, UniqueConstraint
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
