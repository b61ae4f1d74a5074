"""Layout on a tablet: a 200-character order id does not widen the orders list, and every tab of the
top bar stays visible at 768 px (the bar wraps instead of hiding tabs in a scroll with no sign)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.orders.schemas import OrderCreate
from packtrace.orders.service import order_service
from tests.admin.browser.conftest import ADMIN_EMAIL, TABLET_PORTRAIT, assert_no_sideways_scroll, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

LONG_ID = "L" + "0123456789" * 19 + "-long-end"


def test_a_long_order_id_is_cut_with_its_title(page: Page, live_server: str, committed_url: str) -> None:
    from playwright.sync_api import expect

    db = Database(committed_url)
    try:
        with db.unit_of_work() as s:
            tenant_id = tenant_service.get_by_name(s, DEMO_TENANT).id
            body = {"order_id": LONG_ID, "product_code_schema": "GTIN", "product_code": DEMO_PRODUCT_CODE}
            order_service.create(s, tenant_id, OrderCreate.model_validate(body), "erp")
    finally:
        db.dispose()
    page.set_viewport_size(TABLET_PORTRAIT)
    sign_in(page, live_server, ADMIN_EMAIL)
    page.goto(f"{live_server}/packaging/orders")
    link = page.locator(f"a[title='{LONG_ID}']")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box is not None and box["width"] < 300, box
    assert_no_sideways_scroll(page, "orders list with a 200-character order id")
    shot(page, "orders-long-id-tablet-portrait")
    link.click()
    expect(page.locator("h1")).to_contain_text(LONG_ID[:40])
    assert_no_sideways_scroll(page, "order page with a 200-character order id")


def test_every_tab_is_visible_at_768_px(page: Page, live_server: str) -> None:
    page.set_viewport_size(TABLET_PORTRAIT)
    sign_in(page, live_server, ADMIN_EMAIL)
    tabs = page.locator("nav.tabs a")
    labels = tabs.all_inner_texts()
    assert "Settings" in labels and "Tenant" in labels, labels
    for index in range(tabs.count()):
        box = tabs.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= TABLET_PORTRAIT["width"], (
            labels[index],
            box,
        )
    page.get_by_role("link", name="Tenant", exact=True).click()
    page.wait_for_url(f"{live_server}/tenant**")
    shot(page, "topbar-tablet-portrait")
