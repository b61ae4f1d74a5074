from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped


class ApiKey(TenantScoped, Timestamped, Base):
    """An API key and its secret; the key is stored as an HMAC (looked up by it), the secret as argon2.
    At most one static token per key, stored as an HMAC; regenerating replaces it, revoking clears it."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_hint: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    static_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    static_token_created_at: Mapped[datetime | None]
