from __future__ import annotations

from sqlalchemy import String, text
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped, Timestamped


class User(TenantScoped, Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Sign-in is by e-mail alone, so an address belongs to one tenant.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    # Raised when the password, role or active flag changes or the user signs out of the admin UI; tokens
    # and admin cookies carry the value they were issued under and are refused once it differs. It lives
    # on the row every authenticated request reads already, so revocation costs no extra lookup.
    credentials_epoch: Mapped[int] = mapped_column(default=0, server_default=text("0"))
