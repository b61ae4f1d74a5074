"""In the browser, as the seeded User: render PDF labels for a seeded order and download them, then the
first few as ZPL; both label orders in the list, each with its download; the page on a tablet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from tests.admin.browser.conftest import TABLET_PORTRAIT, USER_EMAIL, assert_no_sideways_scroll, shot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

ORDER = "PO-2026-0001"
OTHER_ORDER = "PO-2026-0002"


def _download(page: Page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name, exact=True).first.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _open_labels(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Labels", exact=True).click()


def test_render_labels_for_an_order_and_download_them(page: Page, live_server: str) -> None:
    from playwright.sync_api import expect

    base = live_server
    sign_in(page, base, USER_EMAIL)
    _open_labels(page)
    page.wait_for_url(f"{base}/labels")
    expect(page.get_by_role("heading", name="Render labels")).to_be_visible()
    expect(page.get_by_label("SSCCs")).to_be_hidden()  # pack labels are chosen: no SSCC field

    page.get_by_label("Order id").fill(ORDER)
    facts = page.locator("#order-info")
    expect(facts).to_contain_text("B00001")  # the order's batch, fetched as it is typed
    expect(facts).to_contain_text("01234512345901")
    page.locator("#f-format").select_option("pdf")
    page.get_by_role("button", name="Render labels").click()

    expect(page.locator(".flash")).to_have_text(
        re.compile(rf"^Rendered [\d,]+ pack labels as PDF for order {ORDER}\.$")
    )
    expect(page.get_by_role("heading", name=f"Labels for order {ORDER}")).to_be_visible()
    name, content = _download(page, "Download")
    assert name.startswith(f"labels-order-{ORDER}-") and name.endswith(".pdf")
    assert content.startswith(b"%PDF")
    shot(page, "labels-order")

    _open_labels(page)
    page.get_by_label("Order id").fill(OTHER_ORDER)
    expect(page.locator("#order-info")).to_contain_text("B00002")
    page.get_by_label("How many labels").fill("5")
    page.locator("#f-format").select_option("zpl")
    page.get_by_role("button", name="Render labels").click()
    done = rf"^Rendered 5 pack labels as ZPL for order {OTHER_ORDER}: first 5 of [\d,]+ serials\.$"
    expect(page.locator(".flash")).to_have_text(re.compile(done))
    name, content = _download(page, "Download")
    assert name.startswith(f"labels-order-{OTHER_ORDER}-first-5-") and name.endswith(".zpl")
    assert content.startswith(b"^XA") and content.count(b"^XA") == 5

    _open_labels(page)
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_contain_text(f"order {OTHER_ORDER}: first 5 of")
    expect(page.locator("#results tbody tr", has_text=f"order {ORDER}").first).to_contain_text("PDF")
    page.locator(".filters select[name=format]").select_option("pdf")
    expect(page).to_have_url(re.compile(r"/labels\?.*format=pdf"))
    expect(page.locator("#results tbody tr", has_text=OTHER_ORDER)).to_have_count(0)
    name, content = _download(page, "Download")
    assert name.endswith(".pdf") and content.startswith(b"%PDF")
    page.locator(".filters select[name=format]").select_option("")
    expect(page.locator("#results tbody tr", has_text=OTHER_ORDER)).to_have_count(1)
    page.get_by_label("Order id").fill(ORDER)
    expect(page.locator("#order-info")).to_contain_text("B00001")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar would sit mid-page in a full-page shot
    shot(page, "labels")

    page.get_by_role("radio", name=re.compile("^Case labels")).check()
    expect(page.get_by_label("SSCCs")).to_be_visible()
    expect(page.get_by_label("Order id")).to_be_hidden()
    page.get_by_label("SSCCs").fill("12345")
    page.get_by_role("button", name="Render labels").click()
    expect(page.locator("#e-ssccs")).to_contain_text("18 digits")
    expect(page.get_by_label("SSCCs")).to_have_value("12345")

    for viewport in (TABLET_PORTRAIT, {"width": 1366, "height": 768}):
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.goto(f"{base}/labels")
        assert_no_sideways_scroll(page, str(viewport))
    page.set_viewport_size(TABLET_PORTRAIT)  # type: ignore[arg-type]
    shot(page, "labels-tablet")
