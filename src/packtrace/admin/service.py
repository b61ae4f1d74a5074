"""Rules of the settings only the admin UI has: which tabs the Support and User roles may see or change,
and the tenant's Digital Link resolver. Nothing here commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from packtrace.admin import repository
from packtrace.admin.tabs import CONFIGURABLE_TABS, TABS_BY_KEY, Access, Tab
from packtrace.audit.facts import Json, publish_change, snapshot
from packtrace.gs1.digital_link import sscc_uri
from packtrace.gs1.errors import GS1Error
from packtrace.kit.errors import ValidationError
from packtrace.models import Tenant
from packtrace.models.enums import Role

CONFIGURABLE_ROLES = (Role.SUPPORT, Role.USER)
# A valid SSCC, only to ask the Digital Link code whether it accepts a resolver.
_PROBE_SSCC = "106141411234567897"


@dataclass(frozen=True)
class TabAccess:
    """What each role of one tenant may do on each tab."""

    chosen: Mapping[tuple[Role, str], Access]

    def of(self, role: Role, tab: Tab) -> Access:
        if role is Role.ADMINISTRATOR:
            return Access.CHANGE
        if tab.admin_only:
            return Access.NONE
        default = tab.support if role is Role.SUPPORT else tab.user
        return self.chosen.get((role, tab.key), default)


def _check_resolver(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError.on_field("digital_link_resolver", "must be an http:// or https:// URL with a host")
    if "?" in value or "#" in value:
        raise ValidationError.on_field("digital_link_resolver", "must not have a query (?...) or a fragment (#...)")
    if len(value) > 255:
        raise ValidationError.on_field("digital_link_resolver", "must be at most 255 characters")
    try:
        # The labels build their URIs with this code: whatever it refuses must not be saved.
        sscc_uri(_PROBE_SSCC, value)
    except GS1Error as exc:
        raise ValidationError.on_field("digital_link_resolver", str(exc)) from None
    return value.rstrip("/")


RESOLVER = ("digital_link_resolver",)


class AdminSettingsService:
    def tab_access(self, session: Session, tenant_id: int) -> TabAccess:
        chosen: dict[tuple[Role, str], Access] = {}
        for row in repository.tab_permissions(session, tenant_id):
            # Rows of a role or tab this version does not know (removed since) are ignored.
            if row.role in {r.value for r in CONFIGURABLE_ROLES} and row.tab in TABS_BY_KEY:
                chosen[(Role(row.role), row.tab)] = Access(row.access)
        return TabAccess(chosen)

    def set_tab_access(
        self,
        session: Session,
        tenant_id: int,
        wanted: Mapping[tuple[Role, str], Access],
        reason: str | None = None,
    ) -> TabAccess:
        """Store the access of each (role, tab) given; the others keep theirs."""
        before = self._permissions(session, tenant_id)
        configurable = {tab.key for tab in CONFIGURABLE_TABS}
        for (role, key), access in wanted.items():
            if role not in CONFIGURABLE_ROLES:
                raise ValidationError.on_field("permissions", f"the tabs of the {role.value} role cannot be chosen")
            if key not in configurable:
                raise ValidationError.on_field("permissions", f"{key!r} is not a tab whose access can be chosen")
            repository.set_tab_permission(session, tenant_id, role.value, key, Access(access).value)
        session.flush()
        after = self._permissions(session, tenant_id)
        publish_change(session, tenant_id, "tab_permissions", "tenant", "changed", before, after, reason=reason)
        return self.tab_access(session, tenant_id)

    def _permissions(self, session: Session, tenant_id: int) -> dict[str, Json]:
        """Every configurable role's access to every configurable tab, as ``"Support/products": "change"``."""
        access = self.tab_access(session, tenant_id)
        return {f"{r.value}/{t.key}": access.of(r, t).value for r in CONFIGURABLE_ROLES for t in CONFIGURABLE_TABS}

    def set_digital_link_resolver(
        self, session: Session, tenant: Tenant, value: str, reason: str | None = None
    ) -> Tenant:
        """Where the tenant's GS1 Digital Link URIs (the QR codes on labels) point from now on."""
        before = snapshot(tenant, RESOLVER)
        tenant.digital_link_resolver = _check_resolver(value.strip())
        session.flush()
        after = snapshot(tenant, RESOLVER)
        publish_change(session, tenant.id, "tenant", tenant.name, "changed", before, after, reason=reason)
        return tenant


admin_settings_service = AdminSettingsService()
