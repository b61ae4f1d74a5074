from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped


class PackagingLine(TenantScoped, Timestamped, Base):
    __tablename__ = "packaging_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    # The line's GLN (+ extension): the readPoint of the EPCIS events of what it produces.
    gln: Mapped[str | None] = mapped_column(String(13))
    gln_extension: Mapped[str | None] = mapped_column(String(20))
