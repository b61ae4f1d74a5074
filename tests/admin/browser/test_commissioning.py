"""In the browser: upload a CSV with one bad row, see that row's result and download it back; commission
the batch to the market; the pages on a tablet."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from packtrace.demo import DEMO_PRODUCT_CODE
from tests.admin.browser.conftest import (
    ADMIN_EMAIL,
    TABLETS,
    assert_no_sideways_scroll,
    shot,
    sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

HEADER = ["SerialNumber", "GTIN", "Batch", "ExpirationDate", "ManufacturingDate"]
BAD_GTIN = "01234512345900"  # the demo product's code with a wrong check digit
REASON = f"GTIN {BAD_GTIN} has check digit 0, expected 1"


def csv_file(name: str, prefix: str, batch: str) -> dict[str, object]:
    """Three good rows (serials made elsewhere: they join the pool) and, as row 5, one with a bad GTIN."""
    rows = [HEADER]
    rows += [[f"{prefix}-{n:04d}", DEMO_PRODUCT_CODE, batch, "281231", "260115"] for n in range(1, 4)]
    rows += [[f"{prefix}-BAD", BAD_GTIN, batch, "281231", ""]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return {"name": name, "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}


def test_upload_a_csv_download_the_bad_row_and_commission_the_batch(page: Page, live_server: str) -> None:
    from playwright.sync_api import expect

    base = live_server
    sign_in(page, base, ADMIN_EMAIL)
    page.get_by_role("link", name="Commissioning", exact=True).click()
    page.wait_for_url(f"{base}/commissioning")
    expect(page.get_by_role("heading", name="Commission packs from a CSV file")).to_be_visible()
    page.locator("#f-file").set_input_files(csv_file("line-7 week 3.csv", "UIC", "UIC-B1"))  # type: ignore[arg-type]
    page.get_by_role("button", name="Upload and commission").click()

    expect(page.get_by_role("heading", name=re.compile("Import result"))).to_contain_text("line-7 week 3.csv")
    expect(page.get_by_role("status")).to_have_text("3 packs commissioned, 1 row failed.")
    groups = page.locator("table.groups tbody tr")
    expect(groups).to_have_count(1)
    expect(groups).to_contain_text("UIC-B1")
    failed = page.locator("table.failed-rows tbody")  # one per failed row: its values, its reason
    expect(failed).to_have_count(1)
    expect(failed.locator("tr.values td")).to_have_text(["5", "UIC-BAD", BAD_GTIN, "UIC-B1", "281231", ""])
    expect(failed.locator("td.reason")).to_have_text(f"Reason: {REASON}")
    shot(page, "commissioning-result")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download failed rows").click()
    download = info.value
    assert download.suggested_filename == "line-7_week_3-failed.csv"
    content = Path(download.path()).read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(content))) == [
        [*HEADER, "Reason"],
        ["UIC-BAD", BAD_GTIN, "UIC-B1", "281231", "", REASON],
    ]

    # The batch's link on the result page fills in the market form.
    groups.get_by_role("link", name=re.compile("Commission batch UIC-B1")).click()
    expect(page.locator("#f-product_code")).to_have_value(DEMO_PRODUCT_CODE)
    expect(page.locator("#f-batch")).to_have_value("UIC-B1")
    page.locator("#f-market").select_option("EU")
    page.get_by_role("button", name="Commission to market").click()
    expect(page.locator(".flash")).to_have_text(
        f"Batch UIC-B1 of {DEMO_PRODUCT_CODE}: 3 packs commissioned to the market EU."
    )
    page.get_by_label("Search").fill("UIC-B1")
    row = page.locator("#results tbody tr", has_text="UIC-B1")
    expect(row).to_have_count(1)
    expect(row.locator("td.num")).to_have_text(["0", "3", "0", "3"])
    expect(page).to_have_url(re.compile(r"/commissioning\?.*q=UIC-B1"))  # htmx pushed it
    shot(page, "commissioning")


@pytest.mark.parametrize(("name", "viewport"), TABLETS)
def test_commissioning_on_a_tablet(page: Page, live_server: str, name: str, viewport: dict[str, int]) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(viewport)  # type: ignore[arg-type]
    sign_in(page, live_server, ADMIN_EMAIL)
    page.goto(f"{live_server}/commissioning")
    shot(page, f"commissioning-{name}")
    assert_no_sideways_scroll(page)
    prefix = "UIT-L" if name == "tablet-landscape" else "UIT-P"
    page.locator("#f-file").set_input_files(csv_file(f"{name}.csv", prefix, f"{prefix}-B1"))  # type: ignore[arg-type]
    page.get_by_role("button", name="Upload and commission").click()
    expect(page.locator("table.failed-rows tbody")).to_have_count(1)
    shot(page, f"commissioning-result-{name}")
    assert_no_sideways_scroll(page)
