"""In the browser: sign in, create an order through the UI, release it, find it in the list with its
status; a User refused Settings even by URL; the pages on a tablet."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from packtrace.demo import DEMO_LINE_TAG, DEMO_PRODUCT_CODE
from tests.admin.browser.conftest import (
    ADMIN_EMAIL,
    SECOND_PRODUCT,
    TABLETS,
    USER_EMAIL,
    assert_no_sideways_scroll,
    shot,
    sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_create_an_order_release_it_and_find_it_in_the_list(page: Page, live_server: str) -> None:
    from playwright.sync_api import expect

    base = live_server
    sign_in(page, base, ADMIN_EMAIL, screenshot="login")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Products", exact=True)
    ).to_have_attribute("aria-current", "page")
    shot(page, "products")
    page.get_by_role("link", name=SECOND_PRODUCT).click()
    expect(page.locator("#f-name")).to_have_value("Acme 20 mg 28 tablets")
    shot(page, "product")

    page.get_by_role("link", name="Packaging", exact=True).click()
    page.wait_for_url(f"{base}/packaging/orders")
    page.get_by_role("link", name="Create order").click()
    page.get_by_label("Order id").fill("UI-0001")
    page.get_by_label("Description").fill("Created in the browser")
    page.get_by_label("Product").select_option(DEMO_PRODUCT_CODE)
    page.get_by_label("Market").select_option("EU")
    page.get_by_label("Packaging line").select_option(DEMO_LINE_TAG)
    page.get_by_label("Batch").fill("BROWSER1")
    page.get_by_label("Expiry date").fill("281231")
    page.get_by_label("Quantity").fill("40")
    page.get_by_label("Extra serials (%)").fill("10")
    shot(page, "order-form")
    page.get_by_role("button", name="Create order").click()

    expect(page.locator(".flash")).to_have_text("Order UI-0001 created.")
    expect(page.locator("h1 .badge")).to_have_text("Open")
    expect(page.locator(".figures")).to_contain_text("44")  # serials: 40 + 10 %
    page.get_by_role("button", name="Release to line").click()
    expect(page.locator(".flash")).to_have_text("Order UI-0001: released.")
    expect(page.locator("h1 .badge")).to_have_text("In progress")
    expect(page.get_by_role("button", name="Release to line")).to_have_count(0)
    expect(page.get_by_role("button", name="Suspend")).to_be_visible()
    page.locator("#a-progress-produced").fill("25")
    page.get_by_role("button", name="Report progress").click()
    expect(page.locator(".percent")).to_have_text("62 %")
    shot(page, "order")

    page.get_by_role("link", name="Packaging orders").first.click()
    page.get_by_label("Status").select_option("In progress")
    expect(page).to_have_url(re.compile(r"/packaging/orders\?.*status=In(%20|\+)progress"))  # htmx pushed it
    row = page.locator("#results tbody tr", has_text="UI-0001")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("In progress")
    expect(page.locator("#results tbody tr .badge")).not_to_contain_text(["Open"])
    shot(page, "orders")

    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    shot(page, "settings")
    page.get_by_role("link", name="Tenant", exact=True).click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    shot(page, "tenant")


def test_a_user_cannot_open_settings_even_by_url(page: Page, live_server: str) -> None:
    from playwright.sync_api import expect

    sign_in(page, live_server, USER_EMAIL)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(["Products", "SN / SSCC pool", "Packaging", "Labels", "Reports"])
    for path in ("/settings", "/tenant/users", "/tenant/api-keys"):
        response = page.goto(f"{live_server}{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    shot(page, "user-refused-settings")
    page.goto(f"{live_server}/packaging/orders")
    expect(page.get_by_role("link", name="Create order")).to_have_count(0)


@pytest.mark.parametrize(("name", "viewport"), TABLETS)
def test_pages_on_a_tablet(page: Page, live_server: str, name: str, viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(viewport)  # type: ignore[arg-type]
    sign_in(page, live_server, ADMIN_EMAIL)
    page.goto(f"{live_server}/packaging/orders")
    shot(page, f"orders-{name}")
    page.locator("#results tbody tr a").first.click()
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()
    shot(page, f"order-{name}")
    assert_no_sideways_scroll(page)
