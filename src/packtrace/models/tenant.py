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
    # The site's GLN (+ extension): the bizLocation of its EPCIS events; none, and the field is left out.
    gln: Mapped[str | None] = mapped_column(String(13))
    gln_extension: Mapped[str | None] = mapped_column(String(20))
    # The site's offset from UTC, the eventTimeZoneOffset of its EPCIS events (+HH:MM or -HH:MM).
    time_zone_offset: Mapped[str] = mapped_column(String(6), default="+00:00", server_default="+00:00")
