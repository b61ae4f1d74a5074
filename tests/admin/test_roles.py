"""Role rules, enforced on the server for every page and action: Settings and Tenant are the
Administrator's alone, even by URL; Support and User get the tabs the tenant's setting gives them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from packtrace.admin.mount import VIEWS
from packtrace.admin.repository import tab_permissions
from packtrace.admin.tabs import CONFIGURABLE_TABS
from packtrace.auth.service import api_key_service, channel_service, tenant_service, user_service
from packtrace.markets.service import market_service
from tests.admin.support import AdminUI
from tests.auth.people import PASSWORD, Person
from tests.support import row_counts

PUBLIC = {"/", "/login", "/logout"}  # need no tab: the start page, sign-in and sign-out


def guard_of(router: APIRouter) -> str | None:
    keys = [getattr(d.dependency, "tab_key", None) for d in router.dependencies]
    return next((k for k in keys if k), None)


def admin_routes() -> list[tuple[str | None, APIRoute]]:
    """Every route of the admin UI with the tab its router guards."""
    return [(guard_of(view.router), r) for view in VIEWS for r in view.router.routes if isinstance(r, APIRoute)]


def test_every_page_and_action_has_its_tabs_guard() -> None:
    routes = admin_routes()
    assert len(routes) > 30
    for key, route in routes:
        if key is None:
            assert route.path in PUBLIC, f"{route.methods} {route.path} has no tab guard"
        else:
            assert route.path.split("/")[1] == key, f"{route.methods} {route.path} is guarded as {key}"


# -- Settings and Tenant: the Administrator's alone -----------------------------------------------------


def _admin_only_routes() -> list[tuple[str, str]]:
    return [(m, route.path) for key, route in admin_routes() if key in {"settings", "tenant"} for m in route.methods]


# What each admin-only POST would send, so that a missing check would change something.
POST_BODIES: dict[str, dict[str, str]] = {
    "/settings/markets": {"market": "EU", "name": "Europe"},
    "/settings/release": {"automatic_release": "on"},
    "/settings/resolver": {"digital_link_resolver": "https://resolver.example"},
    "/settings/permissions": {"Support:products": "none", "User:packaging": "change"},
    "/tenant/users": {"email": "new@a.example", "password": PASSWORD, "role": "Administrator"},
    "/tenant/users/{user_id:int}/role": {"role": "Administrator"},
    "/tenant/users/{user_id:int}/active": {},
    "/tenant/api-keys": {"name": "erp-2", "secret": "Api-Secret-1!"},
    "/tenant/api-keys/{key_id:int}/active": {},
    "/tenant/channels": {"name": "channel-2"},
    "/tenant/channels/{channel_id:int}/enabled": {},
}


def _tenant_state(session: Session, tenant_id: int) -> Any:
    session.expire_all()
    tenant = tenant_service.get(session, tenant_id)
    return (
        row_counts(session),
        tenant.automatic_release,
        tenant.digital_link_resolver,
        sorted((p.role, p.tab, p.access) for p in tab_permissions(session, tenant_id)),
        [p.market for p in market_service.list_all(session, tenant_id)],
        [(u.email, u.role, u.active) for u in user_service.list_all(session, tenant_id)],
        [(k.name, k.active, k.static_token_hash) for k in api_key_service.list_all(session, tenant_id)],
        [(c.name, c.enabled) for c in channel_service.list_all(session, tenant_id)],
    )


@pytest.mark.parametrize("role", ["plain_user", "support"])
def test_settings_and_tenant_are_refused_to_others_even_by_url(
    role: str, request: pytest.FixtureRequest, ui_for: Callable[[Person], AdminUI], session: Session
) -> None:
    person: Person = request.getfixturevalue(role)
    ui = ui_for(person)
    tenant_id = person.tenant_id
    ids = {
        "user_id": person.user_id,
        "key_id": api_key_service.list_all(session, tenant_id)[0].id,
        "channel_id": channel_service.list_all(session, tenant_id)[0].id,
        "market": "EU",
    }
    routes = _admin_only_routes()
    assert {("GET", "/settings"), ("GET", "/tenant/users"), ("POST", "/tenant/api-keys")} <= set(routes)
    before = _tenant_state(session, tenant_id)
    for method, template in routes:
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(ids[m.group(1)]), template)
        if method == "GET":
            response = ui.get(path, follow_redirects=False)
        else:
            response = ui.post(path, POST_BODIES.get(template, {}))
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert "Not allowed" in response.text, f"{method} {path}"
    assert _tenant_state(session, tenant_id) == before
    nav = ui.get("/products").text
    assert ">Settings</a>" not in nav and ">Tenant</a>" not in nav


def test_the_administrator_has_every_tab(admin_ui: AdminUI) -> None:
    html = admin_ui.get("/products").text
    for label in ("Products", "Packaging", "Settings", "Tenant"):
        assert f">{label}</a>" in html
    assert admin_ui.get("/settings").status_code == 200
    assert admin_ui.get("/tenant/users").status_code == 200


# -- Products and Packaging: per the tenant's setting ---------------------------------------------------


def test_by_default_a_user_sees_products_and_packaging_but_changes_nothing(
    user_ui: AdminUI, session: Session, plain_user: Person
) -> None:
    html = user_ui.get("/products").text
    assert ">Products</a>" in html and ">Packaging</a>" in html
    assert "Register product" not in html
    assert user_ui.get("/packaging/orders").status_code == 200
    assert "Create order" not in user_ui.get("/packaging/orders").text
    product_page = user_ui.get("/products/01234512345901").text
    assert "<fieldset disabled>" in product_page and "may see products but not change them" in product_page
    before = _tenant_state(session, plain_user.tenant_id)
    refused = [
        user_ui.get("/products/new"),
        user_ui.get("/packaging/orders/new"),
        user_ui.post("/products", {"product_code": "04006381333931", "name": "X", "company_prefix_length": "7"}),
        user_ui.post("/products/01234512345901", {"name": "Renamed"}),
        user_ui.post("/packaging/lines", {"tag": "line-x"}),
        user_ui.post("/packaging/orders", {"order_id": "U1", "product_code": "01234512345901"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert _tenant_state(session, plain_user.tenant_id) == before


def test_by_default_support_changes_products_and_packaging(support_ui: AdminUI) -> None:
    assert "Register product" in support_ui.get("/products").text
    response = support_ui.post("/packaging/lines", {"tag": "line-support", "name": "By support"})
    assert response.status_code == 303


def every_tab(access: str) -> dict[str, str]:
    """The permission form's fields for Support and User, every tab set to ``access``."""
    return {f"{role}:{t.key}": access for role in ("Support", "User") for t in CONFIGURABLE_TABS}


def test_the_administrator_chooses_the_tabs_of_support_and_user(
    admin_ui: AdminUI, ui_for: Callable[[Person], AdminUI], plain_user: Person, support: Person
) -> None:
    choice = every_tab("none") | {"Support:products": "view", "User:packaging": "change"}
    assert admin_ui.post("/settings/permissions", choice).status_code == 303
    settings_page = admin_ui.get("/settings").text
    assert re.search(r'name="User:packaging"[^>]*>.*?<option value="change" selected>', settings_page, re.S)

    user = ui_for(plain_user)
    nav = user.get("/", follow_redirects=True).text
    assert ">Products</a>" not in nav and ">Packaging</a>" in nav
    assert user.get("/products").status_code == 403
    assert user.post("/packaging/lines", {"tag": "line-by-user"}).status_code == 303

    helper = ui_for(support)
    assert helper.get("/packaging/orders").status_code == 403
    assert helper.get("/products").status_code == 200
    assert helper.post("/products/01234512345901", {"name": "Renamed"}).status_code == 403


def test_a_role_with_no_tab_gets_a_page_that_says_so(
    admin_ui: AdminUI, ui_for: Callable[[Person], AdminUI], plain_user: Person
) -> None:
    choice = every_tab("change") | {f"User:{t.key}": "none" for t in CONFIGURABLE_TABS}
    assert admin_ui.post("/settings/permissions", choice).status_code == 303
    html = ui_for(plain_user).get("/", follow_redirects=True).text
    assert "may not open any tab" in html


def test_bad_permission_values_are_refused_next_to_the_field(admin_ui: AdminUI) -> None:
    response = admin_ui.post("/settings/permissions", {"Support:products": "everything", "User:products": "view"})
    assert response.status_code == 400
    assert 'id="e-Support:products"' in response.text
