"""The tabs of the admin UI and who may use them by default. Adding a tab is one entry in ``TABS`` (and
the router of its views in ``mount.VIEWS``): the navigation, the role checks and the Settings page's
permission table all follow from it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Access(StrEnum):
    NONE = "none"
    VIEW = "view"
    CHANGE = "change"  # includes view

    @property
    def may_view(self) -> bool:
        return self is not Access.NONE

    @property
    def may_change(self) -> bool:
        return self is Access.CHANGE


@dataclass(frozen=True)
class Tab:
    key: str  # stored in tab_permissions.tab: never rename
    label: str
    path: str  # under /admin
    # The defaults of the Support and User roles, until the tenant's administrator changes them. An
    # ``admin_only`` tab is the Administrator's alone and cannot be given to another role.
    support: Access = Access.NONE
    user: Access = Access.NONE
    admin_only: bool = False


# In the order of the navigation.
TABS: tuple[Tab, ...] = (
    Tab("products", "Products", "/products", support=Access.CHANGE, user=Access.VIEW),
    Tab("pool", "SN / SSCC pool", "/pool", support=Access.CHANGE, user=Access.VIEW),
    Tab("packaging", "Packaging", "/packaging", support=Access.CHANGE, user=Access.VIEW),
    Tab("commissioning", "Commissioning", "/commissioning", support=Access.CHANGE),
    Tab("labels", "Labels", "/labels", support=Access.CHANGE, user=Access.CHANGE),
    # Everyone follows the reports to markets; Support retries and cancels them.
    Tab("reports", "Reports", "/reports", support=Access.CHANGE, user=Access.VIEW),
    # Read-only for everyone: records are written by the changes themselves.
    Tab("audit", "Audit", "/audit", support=Access.VIEW),
    Tab("settings", "Settings", "/settings", admin_only=True),
    Tab("tenant", "Tenant", "/tenant", admin_only=True),
)
TABS_BY_KEY = {tab.key: tab for tab in TABS}
# The tabs whose access the Settings page lets the administrator choose for Support and User.
CONFIGURABLE_TABS = tuple(tab for tab in TABS if not tab.admin_only)


def tab(key: str) -> Tab:
    return TABS_BY_KEY[key]
