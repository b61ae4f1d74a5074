from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base


class AuthFailure(Base):
    """Failed authentications of one subject (an address, an API key, a sign-in e-mail) in the current
    window. In the database, not in memory, so that every server process counts the same failures.
    Not tenant data: an unknown key or address belongs to no tenant, so the row has no ``tenant_id``."""

    __tablename__ = "auth_failures"

    # "address:<ip>", "api_key:<key hash>" or "email:<keyed hash>"; only hashes of what was guessed.
    subject: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int]
    # Start of the window; the row is stale (and pruned) once the window has passed.
    window_started_at: Mapped[datetime] = mapped_column(index=True)
