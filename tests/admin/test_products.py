"""Products tab: the list (search, filter, sort, pages), register and edit, errors next to their field."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.kit.db import Database
from packtrace.products.service import ProductSettings, product_service
from tests.admin.support import AdminUI, field_error
from tests.auth.people import Person

DEMO = "01234512345901"


def codes_in(html: str) -> list[str]:
    return re.findall(r'<td class="mono"><a href="/admin/products/(\d{14})">', html)


def add_products(database: Database, tenant_id: int, count: int) -> list[str]:
    """``count`` products named P000..., with made-up valid GTINs."""
    made = []
    with database.unit_of_work() as s:
        for n in range(count):
            body = f"0950600{n:06d}"
            code = body + compute_check_digit(body)
            settings = ProductSettings(name=f"P{n:03d}", alias="even" if n % 2 == 0 else None, company_prefix_length=7)
            settings.markets = ["US"] if n % 3 == 0 else []
            product_service.create(s, tenant_id, code, settings)
            made.append(code)
    return made


def test_the_list_is_searched_filtered_sorted_and_paged(admin_ui: AdminUI, database: Database, admin: Person) -> None:
    made = add_products(database, admin.tenant_id, 30)
    first = admin_ui.get("/products").text
    assert codes_in(first) == sorted([DEMO, *made])[:25]
    assert "1\u201325 of 31 products" in first
    second = admin_ui.get("/products?page=2").text
    assert codes_in(second) == sorted([DEMO, *made])[25:]
    by_name_desc = admin_ui.get("/products?sort=name&dir=desc").text
    assert codes_in(by_name_desc)[0] == made[29]  # P029
    assert codes_in(admin_ui.get("/products?q=p01").text) == made[10:20]
    us = codes_in(admin_ui.get("/products?market=US").text)
    assert set(us) == {DEMO} | {made[n] for n in range(0, 30, 3)}
    # A stale link: unknown sort, a page past the end.
    assert codes_in(admin_ui.get("/products?sort=nonsense&page=99").text) == sorted([DEMO, *made])[25:]


def test_the_list_answers_htmx_with_the_results_only(admin_ui: AdminUI) -> None:
    headers = {"HX-Request": "true", "HX-Target": "results"}
    partial = admin_ui.get("/products?q=demo", headers=headers).text
    assert "<table" in partial and "<html" not in partial and DEMO in partial
    assert "<html" in admin_ui.get("/products?q=demo").text


def test_search_text_is_taken_literally(admin_ui: AdminUI) -> None:
    assert codes_in(admin_ui.get("/products?q=%25").text) == []
    assert codes_in(admin_ui.get("/products?q=_").text) == []


def test_register_a_product(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    form = {
        "product_code": "4006381333931",
        "name": "Acme 20 mg",
        "alias": "ACME",
        "markets": ["EU", "US"],
        "company_prefix_length": "7",
        "serial_length": "14",
        "serial_alphabet": "0123456789",
        "pool_threshold": "100",
        "pool_refill_size": "1000",
    }
    response = admin_ui.post("/products", form)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/products/04006381333931"
    page = admin_ui.get("/products/04006381333931").text
    assert "Product 04006381333931 registered." in page
    view = product_service.view(session, admin.tenant_id, "04006381333931")
    assert (view.product.name, view.product.alias, view.markets) == ("Acme 20 mg", "ACME", ["EU", "US"])
    assert (view.product.serial_length, view.product.pool_threshold, view.product.pool_refill_size) == (14, 100, 1000)


def test_errors_are_shown_next_to_their_field(admin_ui: AdminUI) -> None:
    response = admin_ui.post("/products", {"product_code": "4006381333932", "name": "X", "company_prefix_length": "7"})
    assert response.status_code == 400
    assert "check digit" in (field_error(response.text, "product_code") or "")
    assert 'value="4006381333932"' in response.text  # what was typed stays

    response = admin_ui.post("/products", {"product_code": "4006381333931", "name": "X", "company_prefix_length": "x"})
    assert field_error(response.text, "company_prefix_length") == "must be a whole number"

    response = admin_ui.post(
        "/products",
        {"product_code": "4006381333931", "name": "X", "company_prefix_length": "7", "serial_length": "3"},
    )
    assert "EU rule" in (field_error(response.text, "serial_length") or "")

    response = admin_ui.post("/products", {"product_code": DEMO, "name": "X", "company_prefix_length": "7"})
    assert response.status_code == 409
    assert "registered already" in (field_error(response.text, "product_code") or "")


def test_edit_a_product(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    page = admin_ui.get(f"/products/{DEMO}").text
    assert 'name="name" type="text" value="Demo product 10 tablets"' in page
    form = {
        "name": "Renamed",
        "alias": "",
        "markets": ["EU"],
        "company_prefix_length": "7",
        "serial_length": "12",
        "serial_alphabet": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "pool_threshold": "10",
        "pool_refill_size": "50",
    }
    response = admin_ui.post(f"/products/{DEMO}", form)
    assert response.status_code == 303
    view = product_service.view(session, admin.tenant_id, DEMO)
    assert (view.product.name, view.markets, view.product.pool_threshold) == ("Renamed", ["EU"], 10)

    refused = admin_ui.post(f"/products/{DEMO}", form | {"pool_threshold": "10", "pool_refill_size": "0"})
    assert refused.status_code == 400
    assert field_error(refused.text, "pool_refill_size")


def test_an_unknown_product_is_a_404_page(admin_ui: AdminUI) -> None:
    response = admin_ui.get("/products/04006381333931")
    assert response.status_code == 404
    assert "no product" in response.text


def test_the_form_sets_and_clears_regulatory_master_data(admin_ui: AdminUI, admin: Person, session: Session) -> None:
    form = {"product_code": "4006381333931", "name": "Acme", "company_prefix_length": "7", "pack_size": "30"}
    form |= {"strength": "20 mg", "target_markets": "de, AT", "nie": "DKL1"}
    assert admin_ui.post("/products", form).status_code == 303
    page = admin_ui.get("/products/04006381333931").text
    assert 'value="AT, DE"' in page and 'value="20 mg"' in page
    product = product_service.get(session, admin.tenant_id, "04006381333931")
    assert (product.pack_size, product.target_markets, product.nie) == (30, "AT,DE", "DKL1")
    response = admin_ui.post("/products/04006381333931", form | {"ndc": "12-34"})
    assert response.status_code == 400 and "must be an NDC" in (field_error(response.text, "ndc") or "")
    assert admin_ui.post("/products/04006381333931", form | {"strength": "", "pack_size": ""}).status_code == 303
    session.refresh(product)
    assert (product.strength, product.pack_size, product.nie) == (None, None, "DKL1")
