from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from packtrace.models.base import Base, TenantScoped


class TabPermission(TenantScoped, Base):
    """What a role may do on one tab of the admin UI, where the tenant's administrator changed it from the
    default (a tab without a row keeps its default). Administrators may always do everything, and the
    Settings and Tenant tabs are theirs alone, so only the Support and User roles have rows."""

    __tablename__ = "tab_permissions"
    __table_args__ = (UniqueConstraint("tenant_id", "role", "tab"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    tab: Mapped[str] = mapped_column(String(32))
    # "none", "view" or "change" (change includes view): one column, so "change but not see" cannot exist.
    access: Mapped[str] = mapped_column(String(16))
