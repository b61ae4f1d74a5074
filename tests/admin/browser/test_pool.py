"""In the browser, the SN / SSCC pool tab: the demo product's pool as a chart, 500 serials generated;
SSCCs generated and found; the history of a pack in a pack in a case on a pallet, its tree expanded;
the pages on a tablet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from packtrace.aggregation.service import aggregation_service, sscc_pool
from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_LINE_TAG, DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.orders.schemas import OrderCreate
from packtrace.orders.service import order_service
from packtrace.packs.service import pack_service
from tests.admin.browser.conftest import (
    ADMIN_EMAIL,
    TABLETS,
    assert_no_sideways_scroll,
    shot,
    sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

PREFIX = "1234512"  # the demo product's GS1 company prefix
ORDER_ID = "POOL-UI-0001"
ACTOR = "pool-ui-line"


@dataclass(frozen=True)
class Packed:
    serial: str  # in the pack ``holder``, which is in ``case`` on ``pallet``
    holder: str
    case: str
    other_case: str  # on the same pallet
    other_case_serials: list[str]
    pallet: str


@pytest.fixture(scope="module")
def packed(live_server: str, committed_url: str) -> Iterator[Packed]:
    """An order's packs, produced and aggregated through the services: a pack in a pack in a case, and
    a second case, both on a pallet."""
    db = Database(committed_url)
    try:
        with db.unit_of_work() as s:
            tenant_id = tenant_service.get_by_name(s, DEMO_TENANT).id
            body = {
                "order_id": ORDER_ID,
                "product_code_schema": "GTIN",
                "product_code": DEMO_PRODUCT_CODE,
                "packaging_line_tag": DEMO_LINE_TAG,
                "market": "EU",
                "batch": "POOLB1",
                "expiry_date": "281231",
                "quantity": 6,
                "serialized": True,
            }
            order_service.create(s, tenant_id, OrderCreate.model_validate(body), "erp")
            order_service.release(s, tenant_id, ORDER_ID, None, "erp")
            serials = order_service.serial_page(s, tenant_id, ORDER_ID, 100, None)[1][:6]
            pack_service.commission(
                s,
                tenant_id,
                product_code=DEMO_PRODUCT_CODE,
                batch="POOLB1",
                expiry_date="281231",
                manufacturing_date=None,
                order_id=ORDER_ID,
                serials=serials,
                actor=ACTOR,
            )
            case, other_case, pallet = sscc_pool.request(s, tenant_id, PREFIX, 8, 3, ACTOR)[0]
            items = [(DEMO_PRODUCT_CODE, serial) for serial in serials]
            aggregation_service.aggregate_on_pack(s, tenant_id, items[0], [items[1]], ACTOR)
            aggregation_service.aggregate_on_container(s, tenant_id, case, [items[0], items[2]], [], ACTOR)
            aggregation_service.aggregate_on_container(s, tenant_id, other_case, items[3:5], [], ACTOR)
            aggregation_service.aggregate_on_container(s, tenant_id, pallet, [], [case, other_case], ACTOR)
        yield Packed(serials[1], serials[0], case, other_case, serials[3:5], pallet)
    finally:
        db.dispose()


def available(label: str) -> int:
    found = re.search(r"([\d,]+) Available", label)
    assert found, label
    return int(found.group(1).replace(",", ""))


def test_pool_chart_generate_serials_and_ssccs_and_a_packs_history(
    page: Page, live_server: str, packed: Packed
) -> None:
    from playwright.sync_api import expect

    base = live_server
    sign_in(page, base, ADMIN_EMAIL)
    page.get_by_role("link", name="SN / SSCC pool", exact=True).click()
    page.wait_for_url(f"{base}/pool/serials")
    chart = page.locator(f'svg[role=img][aria-label^="Serial pool of {DEMO_PRODUCT_CODE}:"]')
    expect(chart).to_have_count(1)
    before = available(chart.get_attribute("aria-label") or "")
    expect(chart.locator("rect.seg-assigned")).to_have_count(1)  # the seeded orders drew serials

    page.get_by_role("link", name=DEMO_PRODUCT_CODE).click()
    page.get_by_label("How many").fill("500")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".flash")).to_have_text(f"500 serial numbers generated for {DEMO_PRODUCT_CODE}.")
    expect(page.locator("#pool-available")).to_have_text(f"{before + 500:,}")
    big = page.locator("svg.pool-chart[role=img]")
    expect(big).to_have_attribute("aria-label", re.compile(f"{before + 500:,} Available"))
    shot(page, "serial-pool")
    page.get_by_role("link", name="Serial pools").first.click()
    expect(chart).to_have_attribute("aria-label", re.compile(f": {before + 500:,} Available"))
    shot(page, "pool")

    page.get_by_role("link", name="SSCC pool", exact=True).click()
    page.get_by_label("GS1 company prefix").fill(PREFIX)
    page.get_by_label("Extension digit").fill("5")
    page.get_by_label("How many").fill("40")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator(".flash")).to_contain_text("40 SSCCs generated: 5")
    made = re.findall(r"\d{18}", page.locator(".flash").inner_text())
    assert len(made) == 2
    page.get_by_label("Search").fill(made[1])
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(made[1])
    expect(rows.first.locator(".badge")).to_have_text("Available")
    page.get_by_label("Search").fill(packed.case)
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(packed.pallet)  # its place: on the pallet
    shot(page, "sscc-pool")
    rows.first.get_by_role("link", name=packed.case).click()
    expect(page.get_by_role("heading", name=f"SSCC {packed.case}")).to_be_visible()
    expect(page.locator("details.node.target")).to_have_attribute("open", "")
    shot(page, "sscc")

    page.get_by_role("link", name="Pack history", exact=True).click()
    page.get_by_label("Product code").fill(DEMO_PRODUCT_CODE)
    page.get_by_label("Serial number").fill(packed.serial)
    page.get_by_role("button", name="Look up").click()
    summary = page.locator("section", has=page.get_by_role("heading", name="Summary"))
    expect(summary).to_contain_text(ORDER_ID)
    expect(summary).to_contain_text("POOLB1")
    tree = page.locator("section", has=page.get_by_role("heading", name="Where it is packed"))
    expect(tree.locator(".target")).to_contain_text(packed.serial)
    expect(tree.locator(".target")).to_be_visible()  # the way down to it is open
    other = tree.get_by_role("link", name=packed.other_case).locator("xpath=ancestor::details[1]")
    expect(other).not_to_have_attribute("open", "")
    expect(other.get_by_text(packed.other_case_serials[0])).to_be_hidden()
    other.locator("> summary").click()
    expect(other).to_have_attribute("open", "")
    expect(other.get_by_text(packed.other_case_serials[0])).to_be_visible()
    shot(page, "pack-history")

    page.get_by_label("Serial number").fill("NO-SUCH-SERIAL")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#e-serial")).to_contain_text("not found")
    expect(page.get_by_label("Serial number")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize(("name", "viewport"), TABLETS)
def test_pool_pages_on_a_tablet(
    page: Page, live_server: str, packed: Packed, name: str, viewport: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    page.set_viewport_size(viewport)  # type: ignore[arg-type]
    sign_in(page, live_server, ADMIN_EMAIL)
    query = f"product_code={DEMO_PRODUCT_CODE}&serial={packed.serial}"
    for path, shown in (
        ("/pool/serials", "svg.pool-bar"),
        (f"/pool/serials/{DEMO_PRODUCT_CODE}", "svg.pool-chart"),
        ("/pool/ssccs", "#results table"),
        (f"/pool/ssccs/{packed.pallet}", "details.node"),
        (f"/pool/history?{query}", "details.node"),
    ):
        page.goto(f"{live_server}{path}")
        expect(page.locator(shown).first).to_be_visible()
        assert_no_sideways_scroll(page, path)
    shot(page, f"pack-history-{name}")
