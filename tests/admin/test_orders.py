"""Packaging tab, orders: create and update through forms, the list, the order page and its status
actions: each button only where the status allows it, and refused on the server otherwise."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from packtrace.admin.tabs import CONFIGURABLE_TABS
from packtrace.orders.service import order_service
from tests.admin.support import AdminUI, field_error
from tests.auth.people import Person
from tests.support import row_counts

DEMO = "01234512345901"
LINE = "test-packaging-line-1"


def order_form(**changes: Any) -> dict[str, Any]:
    form = {
        "order_id": "UI-1",
        "order_description": "From the UI",
        "product_code": DEMO,
        "market": "EU",
        "packaging_line_tag": LINE,
        "batch": "B1",
        "expiry_date": "281231",
        "quantity": "10",
        "extra_percentage": "10",
        "serialized": "on",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def create(ui: AdminUI, **changes: Any) -> int:
    response = ui.post("/packaging/orders", order_form(**changes))
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/admin/packaging/orders/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" name="action" value="(\w+)"', html)


def test_create_an_order(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui)
    page = admin_ui.get(f"/packaging/orders/{pk}").text
    assert "Order UI-1 created." in page
    order = order_service.get(session, admin.tenant_id, "UI-1")
    assert (order.status, order.serial_count, order.quantity, order.batch) == ("Open", 11, 10, "B1")
    assert order.created_by == "user:admin@a.example"
    assert order_service.detail(session, admin.tenant_id, "UI-1").history[0].actor == "user:admin@a.example"


def test_form_errors_are_shown_next_to_their_field(admin_ui: AdminUI, session: Session) -> None:
    before = row_counts(session)
    cases = {
        "order_id": {"order_id": ""},
        "expiry_date": {"expiry_date": "2812"},
        "quantity": {"quantity": "ten"},
        "packaging_line_tag": {"packaging_line_tag": "no-such-line"},
        "product_code": {"product_code": "04006381333931"},
    }
    for field, change in cases.items():
        response = admin_ui.post("/packaging/orders", order_form(**change))
        assert response.status_code == 400, (field, response.status_code)
        assert field_error(response.text, field), (field, response.text[-3000:])
    response = admin_ui.post("/packaging/orders", order_form(quantity="200000"))
    assert field_error(response.text, "quantity")
    assert row_counts(session) == before


def test_the_same_order_id_with_other_content_is_refused(admin_ui: AdminUI) -> None:
    create(admin_ui)
    response = admin_ui.post("/packaging/orders", order_form(batch="B2"))
    assert response.status_code == 409
    assert "differs from the existing order" in (field_error(response.text, "batch") or "")


def test_release_suspend_resume_complete(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui)
    assert buttons(admin_ui.get(f"/packaging/orders/{pk}").text) == ["assign", "release", "cancel"]
    steps = [
        ("release", {}, "In progress", ["progress", "suspend", "complete"]),
        ("progress", {"produced_quantity": "4"}, "In progress", ["progress", "suspend", "complete"]),
        ("suspend", {"comment": "jam"}, "Suspended", ["resume"]),
        ("resume", {}, "In progress", ["progress", "suspend", "complete"]),
        ("complete", {"produced_quantity": "10"}, "Completed", []),
    ]
    for action, data, status, shown in steps:
        response = admin_ui.post(f"/packaging/orders/{pk}/{action}", data)
        assert response.status_code == 303, (action, response.text)
        page = admin_ui.get(f"/packaging/orders/{pk}").text
        assert buttons(page) == shown, action
        session.expire_all()
        assert order_service.get(session, admin.tenant_id, "UI-1").status == status
    detail = order_service.detail(session, admin.tenant_id, "UI-1")
    assert detail.order.produced_quantity == 10
    assert [e.comment for e in detail.history][-3:] == ["jam", "produced 4", "produced 10"]
    assert "No action: the order is Completed." in page
    assert '<progress value="10" max="10"' in page


@pytest.mark.parametrize("action", ["suspend", "resume", "complete", "progress"])
def test_an_action_the_status_does_not_allow_is_refused_and_changes_nothing(
    admin_ui: AdminUI, session: Session, admin: Person, action: str
) -> None:
    pk = create(admin_ui)
    before = row_counts(session)
    response = admin_ui.post(f"/packaging/orders/{pk}/{action}", {"produced_quantity": "3"})
    assert response.status_code == 409
    assert "is Open: it cannot" in response.text
    assert row_counts(session) == before
    session.expire_all()
    assert order_service.get(session, admin.tenant_id, "UI-1").status == "Open"


def test_cancel_returns_the_serials_and_ends_the_order(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui)
    assert admin_ui.post(f"/packaging/orders/{pk}/cancel").status_code == 303
    session.expire_all()
    order = order_service.get(session, admin.tenant_id, "UI-1")
    assert (order.status, order.serial_count) == ("Cancelled", 0)
    assert admin_ui.post(f"/packaging/orders/{pk}/release").status_code == 409
    assert admin_ui.get(f"/packaging/orders/{pk}/edit").status_code == 409


def test_release_of_an_order_without_a_line_asks_for_one(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui, packaging_line_tag=None)
    page = admin_ui.get(f"/packaging/orders/{pk}").text
    assert 'name="packaging_line_tag"' in page
    refused = admin_ui.post(f"/packaging/orders/{pk}/release", {"packaging_line_tag": ""})
    assert refused.status_code == 400
    assert "has no packaging line" in refused.text
    assert admin_ui.post(f"/packaging/orders/{pk}/release", {"packaging_line_tag": LINE}).status_code == 303
    session.expire_all()
    assert order_service.get(session, admin.tenant_id, "UI-1").packaging_line_tag == LINE


def test_a_produced_quantity_that_decreases_is_refused_next_to_the_field(admin_ui: AdminUI) -> None:
    pk = create(admin_ui)
    admin_ui.post(f"/packaging/orders/{pk}/release")
    admin_ui.post(f"/packaging/orders/{pk}/progress", {"produced_quantity": "5"})
    response = admin_ui.post(f"/packaging/orders/{pk}/progress", {"produced_quantity": "2"})
    assert response.status_code == 400
    assert "must not decrease" in (field_error(response.text, "produced_quantity") or "")
    response = admin_ui.post(f"/packaging/orders/{pk}/progress", {"produced_quantity": "many"})
    assert field_error(response.text, "produced_quantity") == "must be a whole number"


def test_update_an_order(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui)
    form = admin_ui.get(f"/packaging/orders/{pk}/edit").text
    assert 'value="B1"' in form
    response = admin_ui.post(f"/packaging/orders/{pk}/edit", order_form(order_id=None, quantity="20", batch="B9"))
    assert response.status_code == 303
    detail = order_service.detail(session, admin.tenant_id, "UI-1")
    assert (detail.order.quantity, detail.order.batch, detail.order.serial_count) == (20, "B9", 22)
    assert {"batch", "quantity"} <= set((detail.history[-1].comment or "").removeprefix("updated: ").split(", "))
    unchanged = admin_ui.post(f"/packaging/orders/{pk}/edit", order_form(order_id=None, quantity="20", batch="B9"))
    assert "Nothing was changed." in admin_ui.get(unchanged.headers["location"].removeprefix("/admin")).text


def test_an_order_that_left_editing_cannot_be_updated(admin_ui: AdminUI) -> None:
    pk = create(admin_ui)
    admin_ui.post(f"/packaging/orders/{pk}/release")
    assert admin_ui.get(f"/packaging/orders/{pk}/edit").status_code == 409
    response = admin_ui.post(f"/packaging/orders/{pk}/edit", order_form(order_id=None, quantity="20"))
    assert response.status_code == 409
    assert "cannot be changed" in response.text


def test_the_list_filters_by_status_product_and_line(admin_ui: AdminUI) -> None:
    first = create(admin_ui, order_id="A-1")
    create(admin_ui, order_id="A-2", packaging_line_tag=None, batch="SPECIAL")
    admin_ui.post(f"/packaging/orders/{first}/release")

    def listed(query: str) -> list[str]:
        html = admin_ui.get(f"/packaging/orders{query}").text
        return re.findall(r'<a class="clip" href="/admin/packaging/orders/\d+" title="[^"]*">([^<]+)</a>', html)

    assert listed("") == ["A-2", "A-1"]  # newest first
    assert listed("?sort=order_id&dir=asc") == ["A-1", "A-2"]
    assert listed("?status=In+progress") == ["A-1"]
    assert listed("?status=Open") == ["A-2"]
    assert listed(f"?line={LINE}") == ["A-1"]
    assert listed(f"?product={DEMO}") == ["A-2", "A-1"]
    assert listed("?product=04006381333931") == []
    assert listed("?q=special") == ["A-2"]
    # A NUL in a search or filter is dropped: PostgreSQL would refuse it even as a parameter.
    assert listed("?q=spec%00ial") == ["A-2"]
    assert listed(f"?line={LINE}%00") == ["A-1"]


def test_the_live_part_of_the_order_page(admin_ui: AdminUI) -> None:
    pk = create(admin_ui)
    html = admin_ui.get(f"/packaging/orders/{pk}/live").text
    assert '<div id="order-live"' in html and "<html" not in html
    admin_ui.post(f"/packaging/orders/{pk}/cancel")
    assert "hx-trigger" not in admin_ui.get(f"/packaging/orders/{pk}/live").text  # stops polling


def test_unknown_orders_and_actions(admin_ui: AdminUI) -> None:
    assert admin_ui.get("/packaging/orders/999999").status_code == 404
    pk = create(admin_ui)
    assert admin_ui.post(f"/packaging/orders/{pk}/explode").status_code == 404


def test_another_tenants_order_is_not_found(ui_for: Any, outsider: Person, admin_ui: AdminUI) -> None:
    pk = create(admin_ui)
    theirs = ui_for(outsider)
    assert theirs.get(f"/packaging/orders/{pk}").status_code == 404
    assert theirs.post(f"/packaging/orders/{pk}/cancel").status_code == 404


def test_the_list_answers_htmx_with_the_results_only(admin_ui: AdminUI) -> None:
    create(admin_ui)
    partial = admin_ui.get("/packaging/orders?status=Open", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<html" not in partial.text and "UI-1" in partial.text and "1–1 of 1 orders" in partial.text  # noqa: RUF001


def test_the_order_page_links_to_its_labels_for_those_who_may_print(
    admin_ui: AdminUI, ui_for: Callable[[Person], AdminUI], plain_user: Person
) -> None:
    pk = create(admin_ui)
    link = '<a class="button" href="/admin/labels?order_id=UI-1">Print labels</a>'
    assert link in admin_ui.get(f"/packaging/orders/{pk}").text
    every_tab_but_labels = {f"{role}:{t.key}": "view" for role in ("Support", "User") for t in CONFIGURABLE_TABS}
    assert admin_ui.post("/settings/permissions", every_tab_but_labels).status_code == 303
    assert link not in ui_for(plain_user).get(f"/packaging/orders/{pk}").text
    admin_ui.post(f"/packaging/orders/{pk}/cancel")
    assert "Print labels" not in admin_ui.get(f"/packaging/orders/{pk}").text
