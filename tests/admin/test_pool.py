"""SN / SSCC pool tab: serial pools drawn per product and generated, the SSCC pool generated, searched
and its SSCCs' histories with their contents, and pack history with the hierarchy a pack sits in. Each
error next to its field with its status, the role rules on the server, and no other tenant's data."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.gs1.check_digit import compute_check_digit
from packtrace.gs1.serials import max_live_serials
from packtrace.gs1.sscc import build_sscc
from packtrace.kit.db import Database
from packtrace.models import Container, SerialNumber
from packtrace.products.service import ProductSettings, product_service
from packtrace.serials.service import serial_service
from tests.admin.support import AdminUI, field_error
from tests.aggregation.support import TRADE_ITEM, add_packs, aggregate, item, request_ssccs
from tests.aggregation.support import ok as api_ok
from tests.auth.people import OTHER_PRODUCT_CODE, Person
from tests.packs.support import COMMISSION, commission_body, start_order
from tests.support import fill_pool, row_counts

PREFIX = "1234512"  # the demo product's GS1 company prefix (after the GTIN-14's indicator digit)
DASH = "\N{EN DASH}"  # between the first and last row of a page
UNKNOWN_SSCC = build_sscc(9, "1234512", 42)
# A product whose serials are 10 characters of 9: the EU rule allows 348,678 of them.
NARROW = "04006381333931"


def pool_of(session: Session, tenant_id: int, code: str = DEMO_PRODUCT_CODE) -> tuple[int, int]:
    session.expire_all()
    status = serial_service.pool_status(session, product_service.get(session, tenant_id, code))
    return status.available, status.assigned


def chart_labels(html: str) -> list[str]:
    return [unescape(label) for label in re.findall(r'<svg class="pool-[a-z]+" role="img" aria-label="([^"]+)"', html)]


def sscc_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Container)) or 0


# -- serial pools ----------------------------------------------------------------------------------------


def test_the_list_draws_each_products_pool_with_its_counts(
    admin_ui: AdminUI, database: Database, session: Session, admin: Person
) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 30)
    assert (
        len(serial_service.request(session, product_service.get(session, admin.tenant_id, DEMO_PRODUCT_CODE), 4)) == 4
    )
    session.commit()
    html = admin_ui.get("/pool").text  # the tab opens on the serial pools
    assert "<h1>Serial pools</h1>" in html
    labels = chart_labels(html)
    assert f"Serial pool of {DEMO_PRODUCT_CODE}: 26 Available, 4 Assigned, 30 in all" in labels
    row = re.search(
        rf"<tr>\s*<td><a class=\"mono\" href=\"/admin/pool/serials/{DEMO_PRODUCT_CODE}\">.*?</tr>", html, re.S
    )
    assert row and re.search(r'class="num">26</td>\s*<td class="num">4</td>', row.group(0))
    # The bar is drawn to scale: 26 of 30 is Available.
    assert re.search(r'class="seg-available" x="0.0%" y="0" width="86.667%"', row.group(0))


def test_the_list_searches_and_pages_with_htmx(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    for n in range(26):
        code = f"0400638133{n:03d}"
        settings = ProductSettings(name=f"Bulk {n}", company_prefix_length=7)
        product_service.create(session, admin.tenant_id, code + compute_check_digit(code), settings)
    session.commit()
    first = admin_ui.get("/pool/serials").text
    assert f"1{DASH}25 of 27 products" in first
    partial = admin_ui.get("/pool/serials?q=Bulk%2025", headers={"HX-Request": "true", "HX-Target": "results"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and "Bulk 25" in partial.text and "Bulk 24" not in partial.text
    assert f"1{DASH}1 of 1 products" in partial.text
    by_name = admin_ui.get("/pool/serials?sort=name&dir=desc").text
    assert by_name.index("Demo") < by_name.index("Bulk 9")


def test_generate_serials_into_a_products_pool(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    before = pool_of(session, admin.tenant_id)
    page = admin_ui.get(f"/pool/serials/{DEMO_PRODUCT_CODE}").text
    assert f'action="/admin/pool/serials/{DEMO_PRODUCT_CODE}/generate"' in page
    assert "1 to 1,000,000 at a time" in page  # the form says its limit
    response = admin_ui.post(f"/pool/serials/{DEMO_PRODUCT_CODE}/generate", {"count": "1,500"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/pool/serials/{DEMO_PRODUCT_CODE}"
    assert pool_of(session, admin.tenant_id) == (before[0] + 1500, before[1])
    page = admin_ui.get(f"/pool/serials/{DEMO_PRODUCT_CODE}").text
    assert f"1,500 serial numbers generated for {DEMO_PRODUCT_CODE}." in page
    assert any(f"{before[0] + 1500:,} Available" in label for label in chart_labels(page))
    assert '<span class="figure" id="pool-available">' + f"{before[0] + 1500:,}" in page


def test_the_pool_page_marks_the_refill_threshold(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    product = product_service.get(session, admin.tenant_id, DEMO_PRODUCT_CODE)
    product_service.update(
        session, admin.tenant_id, product.code, ProductSettings(pool_threshold=1000, pool_refill_size=5000)
    )
    session.commit()
    page = admin_ui.get(f"/pool/serials/{DEMO_PRODUCT_CODE}").text
    assert "refill below 1,000" in page
    assert any("refilled with 5,000 below 1,000" in label for label in chart_labels(page))
    # The scale is round (0 to 1,000 for a threshold of 1,000 and an empty pool), with its ticks.
    assert re.search(r'<line class="threshold" x1="100.0%"', page)
    assert ">250</text>" in page and ">1,000</text>" in page


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ("", "required"),
        ("many", "whole number"),
        ("0", "must be 1 to 1,000,000"),
        ("1000001", "pool generate"),
        ("-5", "must be 1 to 1,000,000"),
    ],
)
def test_a_bad_count_is_refused_next_to_the_field(
    admin_ui: AdminUI, session: Session, count: str, expected: str
) -> None:
    before = row_counts(session)
    response = admin_ui.post(f"/pool/serials/{DEMO_PRODUCT_CODE}/generate", {"count": count})
    assert response.status_code == 400
    assert expected in (field_error(response.text, "count") or "")
    assert f'value="{count}"' in response.text
    assert row_counts(session) == before


def test_a_count_the_eu_rule_forbids_shows_the_services_error_at_the_count(
    admin_ui: AdminUI, session: Session, admin: Person
) -> None:
    assert max_live_serials(10, "123456789") == 348_678
    settings = ProductSettings(name="Narrow", company_prefix_length=7, serial_length=10, serial_alphabet="123456789")
    product_service.create(session, admin.tenant_id, NARROW, settings)
    session.commit()
    assert admin_ui.post(f"/pool/serials/{NARROW}/generate", {"count": "300000"}).status_code == 303
    before = row_counts(session)
    response = admin_ui.post(f"/pool/serials/{NARROW}/generate", {"count": "48679"})
    assert response.status_code == 409
    error = unescape(field_error(response.text, "count") or "")
    assert "would have 348,679 serial numbers" in error and "EU rule" in error
    assert row_counts(session) == before
    session.expire_all()
    assert product_service.get(session, admin.tenant_id, NARROW).serial_count == 300_000
    # What is left can still be made.
    assert admin_ui.post(f"/pool/serials/{NARROW}/generate", {"count": "48678"}).status_code == 303


def test_an_unknown_product_is_a_404_page(admin_ui: AdminUI) -> None:
    for code in ("04006381333931", "nonsense", "0" * 300):
        response = admin_ui.get(f"/pool/serials/{code}")
        assert response.status_code == 404
        assert "Not found" in response.text
    assert admin_ui.post("/pool/serials/04006381333931/generate", {"count": "5"}).status_code == 404


# -- roles and tenants -----------------------------------------------------------------------------------


def test_a_user_sees_the_pools_but_generates_nothing_even_by_url(user_ui: AdminUI, session: Session) -> None:
    page = user_ui.get(f"/pool/serials/{DEMO_PRODUCT_CODE}")
    assert page.status_code == 200
    assert "/generate" not in page.text and "may see the pools but not generate" in page.text
    assert "Generate SSCCs" not in user_ui.get("/pool/ssccs").text
    before = (row_counts(session), sscc_count(session))
    refused = [
        user_ui.post(f"/pool/serials/{DEMO_PRODUCT_CODE}/generate", {"count": "10"}),
        user_ui.post("/pool/ssccs/generate", {"gs1_company_prefix": PREFIX, "extension_digit": "3", "count": "5"}),
    ]
    assert [r.status_code for r in refused] == [403, 403]
    assert all("Not allowed" in r.text for r in refused)
    assert (row_counts(session), sscc_count(session)) == before
    assert user_ui.get("/pool/history").status_code == 200


def test_support_generates(support_ui: AdminUI, session: Session, support: Person) -> None:
    before = pool_of(session, support.tenant_id)
    assert support_ui.post(f"/pool/serials/{DEMO_PRODUCT_CODE}/generate", {"count": "7"}).status_code == 303
    assert pool_of(session, support.tenant_id)[0] == before[0] + 7
    body = {"gs1_company_prefix": PREFIX, "extension_digit": "3", "count": "2"}
    assert support_ui.post("/pool/ssccs/generate", body).status_code == 303


def test_without_the_tab_the_pages_are_refused(admin_ui: AdminUI, user_ui: AdminUI, session: Session) -> None:
    from packtrace.admin.tabs import CONFIGURABLE_TABS

    choice = {f"{role}:{t.key}": "view" for role in ("Support", "User") for t in CONFIGURABLE_TABS}
    assert admin_ui.post("/settings/permissions", choice | {"User:pool": "none"}).status_code == 303
    for path in ("/pool/serials", f"/pool/serials/{DEMO_PRODUCT_CODE}", "/pool/ssccs", "/pool/history"):
        assert user_ui.get(path).status_code == 403, path


def test_another_tenants_pools_ssccs_and_packs_are_never_shown(
    ui_for: Any, outsider: Person, admin_ui: AdminUI, database: Database, session: Session
) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 3)
    add_packs(database, ["OURS-1"])
    body = {"gs1_company_prefix": PREFIX, "extension_digit": "7", "count": "3"}
    assert admin_ui.post("/pool/ssccs/generate", body).status_code == 303
    ours = session.scalars(select(Container.sscc)).all()
    theirs = ui_for(outsider)
    listing = theirs.get("/pool/serials").text
    assert OTHER_PRODUCT_CODE in listing and DEMO_PRODUCT_CODE not in listing
    assert theirs.get(f"/pool/serials/{DEMO_PRODUCT_CODE}").status_code == 404
    assert theirs.post(f"/pool/serials/{DEMO_PRODUCT_CODE}/generate", {"count": "5"}).status_code == 404
    sscc_page = theirs.get("/pool/ssccs").text
    assert not any(s in sscc_page for s in ours) and "No SSCC matches." in sscc_page
    assert theirs.get(f"/pool/ssccs?q={ours[0]}").status_code == 404
    response = theirs.get(f"/pool/ssccs/{ours[0]}")
    assert response.status_code == 404 and "not found" in (field_error(response.text, "q") or "")
    response = theirs.get("/pool/history", params={"product_code": DEMO_PRODUCT_CODE, "serial": "OURS-1"})
    assert response.status_code == 400
    assert "not a product code registered by you" in (field_error(response.text, "product_code") or "")
    assert "OURS-1" not in response.text.replace('value="OURS-1"', "")
    assert pool_of(session, outsider.tenant_id, OTHER_PRODUCT_CODE) == (0, 0)


# -- the SSCC pool ---------------------------------------------------------------------------------------


def generate_ssccs(ui: AdminUI, count: int) -> str:
    body = {"gs1_company_prefix": PREFIX, "extension_digit": "3", "count": str(count)}
    response = ui.post("/pool/ssccs/generate", body)
    assert response.status_code == 303, field_error(response.text, "count") or response.text[-2000:]
    assert response.headers["location"] == "/admin/pool/ssccs"
    return ui.get("/pool/ssccs").text


def listed(html: str) -> list[str]:
    return re.findall(r'<td><a class="mono" href="/admin/pool/ssccs/(\d{18})">', html)


def test_generate_ssccs_and_find_them(admin_ui: AdminUI, session: Session) -> None:
    form = admin_ui.get("/pool/ssccs").text
    assert f'value="{PREFIX}"' in form  # the demo product's prefix is offered
    page = generate_ssccs(admin_ui, 30)
    made = sorted(session.scalars(select(Container.sscc)).all())
    assert len(made) == 30 and made[0] == build_sscc(3, PREFIX, 0)
    assert f"30 SSCCs generated: {made[0]} to {made[-1]}." in page
    assert f"1{DASH}25 of 30 SSCCs" in page
    assert listed(page)[0] == made[-1]  # newest first
    assert listed(admin_ui.get("/pool/ssccs?sort=sscc&dir=asc").text)[0] == made[0]
    found = admin_ui.get(f"/pool/ssccs?q={made[7]}")
    assert found.status_code == 200 and listed(found.text) == [made[7]]
    assert len(listed(admin_ui.get(f"/pool/ssccs?q={made[0][:16]}").text)) == 10
    # A GS1 company prefix without the extension digit before it finds them too.
    assert f"1{DASH}25 of 30 SSCCs" in admin_ui.get(f"/pool/ssccs?q={PREFIX}").text
    assert "No SSCC matches." in admin_ui.get("/pool/ssccs?status=Assigned").text
    assert f"1{DASH}25 of 30 SSCCs" in admin_ui.get("/pool/ssccs?status=Available").text
    assert f"1{DASH}25 of 30 SSCCs" in admin_ui.get("/pool/ssccs?status=Everything").text
    partial = admin_ui.get("/pool/ssccs?page=2", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in partial.text and f"26{DASH}30 of 30 SSCCs" in partial.text


@pytest.mark.parametrize(
    ("change", "field", "status", "expected"),
    [
        ({"gs1_company_prefix": ""}, "gs1_company_prefix", 400, "required"),
        ({"gs1_company_prefix": "12ab56"}, "gs1_company_prefix", 400, "6 to 12 digits"),
        ({"gs1_company_prefix": "0123\x0045"}, "gs1_company_prefix", 400, "6 to 12 digits"),
        ({"extension_digit": ""}, "extension_digit", 400, "required"),
        ({"extension_digit": "12"}, "extension_digit", 400, "0 to 9"),
        ({"count": ""}, "count", 400, "required"),
        ({"count": "0"}, "count", 400, "1 to 1,000,000"),
        ({"count": "1000001"}, "count", 400, "1 to 1,000,000"),
        ({"start_reference": "x"}, "start_reference", 400, "whole number"),
        ({"start_reference": "1000000000"}, "start_reference", 400, "0 to 999,999,999"),
        ({"start_reference": "999999999", "count": "2"}, "count", 409, "room for 1 more"),
    ],
)
def test_sscc_form_errors_are_shown_next_to_their_field(
    admin_ui: AdminUI, session: Session, change: dict[str, str], field: str, status: int, expected: str
) -> None:
    body = {"gs1_company_prefix": PREFIX, "extension_digit": "3", "count": "5"} | change
    response = admin_ui.post("/pool/ssccs/generate", body)
    assert response.status_code == status
    assert expected in unescape(field_error(response.text, field) or ""), response.text[-3000:]
    assert sscc_count(session) == 0


@pytest.mark.parametrize(
    ("query", "status", "expected"),
    [
        ("abc", 400, "digits only"),
        ("1" * 19, 400, "digits only"),
        ("12\x0034", 400, "digits only"),
        (UNKNOWN_SSCC, 404, f"not found: no SSCC {UNKNOWN_SSCC}"),
    ],
)
def test_a_bad_or_unknown_sscc_search_is_shown_at_the_search_field(
    admin_ui: AdminUI, query: str, status: int, expected: str
) -> None:
    response = admin_ui.get("/pool/ssccs", params={"q": query})
    assert response.status_code == status
    assert expected in (field_error(response.text, "q") or "")
    assert 'aria-describedby="e-q"' in response.text


def test_an_unknown_or_malformed_sscc_page_is_shown_at_the_search_field(admin_ui: AdminUI) -> None:
    response = admin_ui.get(f"/pool/ssccs/{UNKNOWN_SSCC}")
    assert response.status_code == 404
    assert "not found" in (field_error(response.text, "q") or "")
    assert f'value="{UNKNOWN_SSCC}"' in response.text
    response = admin_ui.get(f"/pool/ssccs/{UNKNOWN_SSCC[:17]}{(int(UNKNOWN_SSCC[17]) + 1) % 10}")
    assert response.status_code == 400
    assert "check digit" in (field_error(response.text, "q") or "")


def test_an_sscc_page_shows_its_history_and_contents_as_a_tree(
    admin_ui: AdminUI, client: TestClient, api_headers: dict[str, str], database: Database, demo: DemoCredentials
) -> None:
    add_packs(database, [f"P{n}" for n in range(5)])
    case, pallet = request_ssccs(client, api_headers, 2)
    nest = {"product_code": DEMO_PRODUCT_CODE, "serial": "P0", "trade_items": [item("P1")]}
    api_ok(client.post(TRADE_ITEM, json=nest, headers=api_headers))
    api_ok(aggregate(client, api_headers, sscc=case, trade_items=[item("P0"), item("P2")]))
    api_ok(aggregate(client, api_headers, sscc=pallet, containers=[case], trade_items=[item("P3")]))

    listing = admin_ui.get("/pool/ssccs").text
    row = re.search(rf'href="/admin/pool/ssccs/{case}">.*?</tr>', listing, re.S)
    assert row and f'href="/admin/pool/ssccs/{pallet}"' in row.group(0) and '<td class="num">2</td>' in row.group(0)

    page = admin_ui.get(f"/pool/ssccs/{pallet}").text
    assert re.search(rf'<details class="node container on-path target" open>\s*<summary>.*?{pallet}', page, re.S)
    assert re.search(rf'<details class="node container">\s*<summary>.*?{case}.*?2 inside · 3 packs in all', page, re.S)
    assert f"(01){DEMO_PRODUCT_CODE}(21)P0" in page and "holds 1 pack" in page
    assert f"(01){DEMO_PRODUCT_CODE}(21)P3" in page
    events = page[page.index('id="history-title"') :]
    assert "<td>Children added</td>" in events and "<td>Assigned</td>" in events
    case_page = admin_ui.get(f"/pool/ssccs/{case}").text
    assert re.search(rf'Packed in</span>\s*<a class="mono" href="/admin/pool/ssccs/{pallet}">', case_page)


# -- pack history ----------------------------------------------------------------------------------------


def test_pack_history_of_a_pack_in_a_case_on_a_pallet(
    admin_ui: AdminUI, client: TestClient, api_headers: dict[str, str]
) -> None:
    order = start_order(client, api_headers, "UI-HIST-1")
    serials = order.serials[:4]
    api_ok(client.post(COMMISSION, json=commission_body(serials, order_id="UI-HIST-1"), headers=api_headers))
    case, pallet = request_ssccs(client, api_headers, 2)
    inner = {"product_code": DEMO_PRODUCT_CODE, "serial": serials[0], "trade_items": [item(serials[1])]}
    api_ok(client.post(TRADE_ITEM, json=inner, headers=api_headers))
    api_ok(aggregate(client, api_headers, sscc=case, trade_items=[item(serials[0]), item(serials[2])]))
    api_ok(aggregate(client, api_headers, sscc=pallet, containers=[case]))

    response = admin_ui.get("/pool/history", params={"product_code": DEMO_PRODUCT_CODE, "serial": serials[1]})
    assert response.status_code == 200
    page = response.text
    summary = page[page.index('id="summary-title"') :]
    assert f"(01){DEMO_PRODUCT_CODE}(21){serials[1]}" in summary
    assert re.search(r"Order</dt><dd><a href=\"/admin/packaging/orders/\d+\">UI-HIST-1</a>", summary)
    assert "<dt>Market</dt><dd>EU</dd>" in summary and "<dt>Batch</dt><dd>BATCH111</dd>" in summary
    assert "351115" in summary and "2035-11-15" in summary
    assert f"(01){DEMO_PRODUCT_CODE}(21){serials[0]}" in summary  # packed in that pack
    # The way down from the pallet is open, to the pack, which is marked.
    tree = page[page.index('id="tree-title"') : page.index('id="pack-history-title"')]
    path = [pallet, case, serials[0], serials[1]]
    positions = [tree.index(step) for step in path]
    assert positions == sorted(positions)
    assert tree.count('class="node container on-path" open') == 2
    assert re.search(r'<div class="leaf pack target">.*?this pack', tree, re.S)
    assert serials[2] in tree  # the case's other pack, beside the path
    history = page[page.index('id="pack-history-title"') :]
    assert "Commissioned" in history and "Aggregated" in history and "Order In progress" in history


def test_pack_history_of_a_pack_in_nothing(admin_ui: AdminUI, database: Database, demo: DemoCredentials) -> None:
    add_packs(database, ["LONE-1"])
    page = admin_ui.get("/pool/history", params={"product_code": DEMO_PRODUCT_CODE[1:], "serial": "LONE-1"}).text
    assert "Not packed in a container or another pack, and holds no pack." in page
    assert 'Pack status</dt><dd><span class="badge status-active">Active</span>' in page
    assert "Not in the pool." in page  # made directly, never in the pool


def test_pack_history_of_a_serial_not_produced(admin_ui: AdminUI, database: Database, session: Session) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 1)
    serial = session.scalars(select(SerialNumber.serial)).one()
    page = admin_ui.get("/pool/history", params={"product_code": DEMO_PRODUCT_CODE, "serial": serial}).text
    assert "Not produced: no pack has this serial" in page
    assert 'Pool status</dt><dd><span class="badge status-available">Available</span>' in page
    assert "Never produced: no pack has this serial." in page  # the pack history is empty


def test_the_empty_search_form(admin_ui: AdminUI) -> None:
    page = admin_ui.get("/pool/history")
    assert page.status_code == 200
    assert 'class="field-error"' not in page.text and 'id="f-serial"' in page.text


@pytest.mark.parametrize(
    ("product_code", "serial", "field", "status", "expected"),
    [
        (DEMO_PRODUCT_CODE, "NOPE-1", "serial", 404, "not found: no serial 'NOPE-1'"),
        (DEMO_PRODUCT_CODE, "X" * 200, "serial", 400, "1 to 20 characters"),
        (DEMO_PRODUCT_CODE, "AB\x00CD", "serial", 400, "1 to 20 characters"),
        (DEMO_PRODUCT_CODE, "has space", "serial", 400, "character set 82"),
        (DEMO_PRODUCT_CODE, "", "serial", 400, "required"),
        ("", "ABC", "product_code", 400, "required"),
        ("0123451234590\x00", "ABC", "product_code", 400, "digits"),
        ("1" * 200, "ABC", "product_code", 400, "8, 12, 13 or 14 digits"),
        ("01234512345902", "ABC", "product_code", 400, "check digit"),
        (OTHER_PRODUCT_CODE, "ABC", "product_code", 400, "not a product code registered by you"),
    ],
)
def test_a_bad_or_unknown_search_is_refused_next_to_its_field(
    admin_ui: AdminUI, product_code: str, serial: str, field: str, status: int, expected: str
) -> None:
    response = admin_ui.get("/pool/history", params={"product_code": product_code, "serial": serial})
    assert response.status_code == status
    assert expected in unescape(field_error(response.text, field) or ""), response.text[-3000:]
    assert "Where it is packed" not in response.text
