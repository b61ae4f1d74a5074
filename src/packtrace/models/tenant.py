from __future__ import annotations

from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, Timestamped


class Tenant(Timestamped, Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    # Release an order to its line as soon as it has its serials (tenant setting).
    automatic_release: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Where the tenant's GS1 Digital Link URIs point (QR codes on labels).
    digital_link_resolver: Mapped[str] = mapped_column(
        String(255), default="https://id.gs1.org", server_default="https://id.gs1.org"
    )
