"""Products tab: the trading partners sub-tab, and recalling a batch from a product's page."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.kit.db import Database
from packtrace.partners import repository
from tests.admin.support import AdminUI, field_error
from tests.aggregation.support import add_packs
from tests.audit.support import trail
from tests.auth.people import Person
from tests.shipments.support import DOCK, PARTNER_GLN


def test_register_list_and_delete_a_partner(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    form = {"name": "Wholesale", "gln": PARTNER_GLN, "locations": f"{DOCK};Dock 1;Hamburg\n", "reason": "new customer"}
    assert admin_ui.post("/products/partners", form).status_code == 303
    page = admin_ui.get("/products/partners").text
    assert "Trading partner 4012345000009 registered." in page and DOCK in page and "Hamburg" in page
    assert trail(session, admin.tenant_id, "partner")[-1].reason == "new customer"
    assert admin_ui.post(f"/products/partners/{PARTNER_GLN}/delete").status_code == 303
    assert repository.by_gln(session, admin.tenant_id, PARTNER_GLN) is None


def test_errors_are_shown_next_to_the_field(admin_ui: AdminUI) -> None:
    response = admin_ui.post("/products/partners", {"name": "X", "gln": "4012345000008", "locations": ""})
    assert response.status_code == 400 and "check digit" in (field_error(response.text, "gln") or "")
    response = admin_ui.post("/products/partners", {"name": "X", "gln": PARTNER_GLN, "locations": "4012345000009;Dock"})
    assert response.status_code == 400 and field_error(response.text, "locations")


def test_a_batch_is_recalled_from_the_product_page(
    ui_for: Callable[[Person], AdminUI], admin: Person, plain_user: Person, database: Database
) -> None:
    add_packs(database, ["U1"])
    ui = ui_for(admin)
    assert "Recall batch" in ui.get(f"/products/{DEMO_PRODUCT_CODE}").text
    form = {"batch": "BATCH111", "kind": "withdrawal", "recall_reason": "label error"}
    assert ui.post(f"/products/{DEMO_PRODUCT_CODE}/recall", form).status_code == 303
    listing = ui.get("/products/recalls").text
    assert "withdrawn" in listing and "label error" in listing
    again = ui.post(f"/products/{DEMO_PRODUCT_CODE}/recall", form)
    assert again.status_code == 409 and "irreversible" in again.text
    user_page = ui_for(plain_user).get(f"/products/{DEMO_PRODUCT_CODE}").text
    assert "Recall batch" not in user_page
    assert ui_for(plain_user).post(f"/products/{DEMO_PRODUCT_CODE}/recall", form).status_code == 403
