from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped


class MarketProfile(TenantScoped, Timestamped, Base):
    """A market the tenant supplies; orders for a market need its profile."""

    __tablename__ = "market_profiles"
    __table_args__ = (UniqueConstraint("tenant_id", "market"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    market: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(255), default="")
    # Where the market's reports go: "http" (POST to url) or "folder" (a drop folder under
    # PACKTRACE_REPORT_DIR); none: reports wait, Pending, for one.
    destination_kind: Mapped[str | None] = mapped_column(String(8))
    destination_url: Mapped[str | None] = mapped_column(String(2048))
    destination_path: Mapped[str | None] = mapped_column(String(255))
    # The auth header sent with each POST, encrypted under the server key; never shown back.
    destination_auth_encrypted: Mapped[str | None] = mapped_column(Text)
