"""Labels tab: render the labels of a packaging order through the form and download them, the list of
label orders, every refusal beside its field with nothing written, the role rules and tenant isolation."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pypdf
import pytest
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.admin.service import admin_settings_service
from packtrace.admin.tabs import Access
from packtrace.admin.views.labels_form import FORMAT_CHOICES
from packtrace.gs1.sscc import build_sscc
from packtrace.labels.service import FORMATS
from packtrace.models import Container, LabelOrder
from packtrace.models.enums import Role
from packtrace.orders.schemas import OrderCreate
from packtrace.orders.service import order_service
from tests.admin.support import AdminUI, field_error
from tests.auth.people import Person
from tests.support import sample_order

ORDER = "LBL-1"
CASE_SSCC = build_sscc(1, "0614141", 7654321)
_LOCATION = re.compile(r"/admin/labels/([0-9a-f]{32})")


def make_order(session: Session, tenant_id: int, order_id: str = ORDER, **changes: Any) -> None:
    body = sample_order(
        **({"order_id": order_id, "quantity": 10, "extra_percentage": 0, "expiry_date": "281200"} | changes)
    )
    order_service.create(session, tenant_id, OrderCreate.model_validate(body), "erp")
    session.commit()


def label_form(**changes: Any) -> dict[str, Any]:
    form = {"template": "pack", "order_id": ORDER, "count": "", "format": "pdf", "ssccs": ""}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def render(ui: AdminUI, **changes: Any) -> str:
    """Render labels through the form; the public id of the label order made."""
    response = ui.post("/labels", label_form(**changes))
    assert response.status_code == 303, response.text[-3000:]
    found = _LOCATION.fullmatch(response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def label_orders(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(LabelOrder)) or 0


def file_name(response: Response) -> str:
    disposition = response.headers["content-disposition"]
    found = re.fullmatch(r'attachment; filename="([^"]+)"', disposition)
    assert found, disposition
    return found.group(1)


def first_serials(session: Session, tenant_id: int, count: int) -> list[str]:
    return order_service.serial_page(session, tenant_id, ORDER, count, None)[1]


# -- render and download -------------------------------------------------------------------------------


def test_render_pdf_labels_for_an_order_and_download_them(
    user_ui: AdminUI, session: Session, plain_user: Person
) -> None:
    make_order(session, plain_user.tenant_id)
    form = user_ui.get("/labels").text
    assert f'<option value="{ORDER}">' in form  # offered in the list of orders
    public_id = render(user_ui)

    page = user_ui.get(f"/labels/{public_id}").text
    assert f"Rendered 10 pack labels as PDF for order {ORDER}." in page
    assert public_id in page
    assert f'href="/admin/labels/{public_id}/download" download>Download</a>' in page

    document = user_ui.get(f"/labels/{public_id}/download")
    assert document.status_code == 200
    assert document.headers["content-type"] == "application/pdf"
    assert file_name(document) == f"labels-order-{ORDER}-{public_id[:8]}.pdf"
    assert document.content.startswith(b"%PDF")
    assert len(pypdf.PdfReader(io.BytesIO(document.content)).pages) == 10

    session.expire_all()
    stored = session.scalar(select(LabelOrder).where(LabelOrder.public_id == public_id))
    assert stored is not None
    assert (stored.label_count, stored.format, stored.template) == (10, "pdf", "pack")
    assert (stored.source, stored.created_by) == (f"order {ORDER}", "user:user@a.example")


def test_the_first_n_labels_of_an_order_as_zpl(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    make_order(session, admin.tenant_id)
    public_id = render(admin_ui, count="3", format="zpl")
    assert "Rendered 3 pack labels as ZPL" in admin_ui.get(f"/labels/{public_id}").text

    document = admin_ui.get(f"/labels/{public_id}/download")
    assert document.headers["content-type"] == "text/plain; charset=utf-8"
    assert file_name(document) == f"labels-order-{ORDER}-first-3-of-10-serials-{public_id[:8]}.zpl"
    zpl = document.text
    assert zpl.startswith("^XA") and zpl.count("^XA") == 3
    for serial in first_serials(session, admin.tenant_id, 3):
        assert f"SN: {serial}" in zpl
    assert "Batch: BATCH111" in zpl
    session.expire_all()
    stored = session.scalar(select(LabelOrder).where(LabelOrder.public_id == public_id))
    assert stored is not None and stored.source == f"order {ORDER}: first 3 of 10 serials"


def test_as_many_labels_as_the_order_has_serials_is_the_whole_order(
    admin_ui: AdminUI, session: Session, admin: Person
) -> None:
    make_order(session, admin.tenant_id)
    public_id = render(admin_ui, count="10", format="png")
    document = admin_ui.get(f"/labels/{public_id}/download")
    assert document.headers["content-type"] == "application/zip"
    assert file_name(document) == f"labels-order-{ORDER}-{public_id[:8]}.zip"
    with zipfile.ZipFile(io.BytesIO(document.content)) as archive:
        assert len(archive.namelist()) == 10


def test_labels_of_a_chosen_size(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    make_order(session, admin.tenant_id)
    public_id = render(admin_ui, count="1", label_width_mm="60", label_height_mm="30.5")
    document = admin_ui.get(f"/labels/{public_id}/download")
    box = pypdf.PdfReader(io.BytesIO(document.content)).pages[0].mediabox
    points_per_mm = 72 / 25.4
    assert (round(float(box.width) / points_per_mm, 1), round(float(box.height) / points_per_mm, 1)) == (60, 30.5)


def test_case_labels_for_an_sscc(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    sscc = CASE_SSCC
    session.add(Container(tenant_id=admin.tenant_id, sscc=sscc, status="Assigned", source="internal"))
    session.commit()
    public_id = render(admin_ui, template="case", order_id="", ssccs=f"{sscc}\n", format="zpl")
    assert "Rendered 1 case label as ZPL for SSCCs." in admin_ui.get(f"/labels/{public_id}").text
    zpl = admin_ui.get(f"/labels/{public_id}/download").text
    assert zpl.startswith("^XA") and sscc in zpl


def test_the_digital_link_and_logistic_templates_are_offered_and_rendered(
    admin_ui: AdminUI, session: Session, admin: Person
) -> None:
    offered = re.findall(r'name="template" value="([a-z0-9_]+)"', admin_ui.get("/labels").text)
    assert offered == ["pack", "pack_qr", "case", "logistic_a6", "logistic_a5"]
    make_order(session, admin.tenant_id)
    session.add(Container(tenant_id=admin.tenant_id, sscc=CASE_SSCC, status="Assigned", source="internal"))
    session.commit()
    public_id = render(admin_ui, template="pack_qr", count="1", format="zpl")
    assert "Rendered 1 pack label as ZPL" in admin_ui.get(f"/labels/{public_id}").text
    assert "^GFA," in admin_ui.get(f"/labels/{public_id}/download").text  # the QR code beside the DataMatrix
    public_id = render(admin_ui, template="logistic_a5", order_id="", ssccs=CASE_SSCC, format="pdf")
    assert "Rendered 1 logistic label as PDF for SSCCs." in admin_ui.get(f"/labels/{public_id}").text
    box = pypdf.PdfReader(io.BytesIO(admin_ui.get(f"/labels/{public_id}/download").content)).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (148, 210)


def test_the_order_chosen_is_shown_with_what_its_labels_carry(
    admin_ui: AdminUI, session: Session, admin: Person
) -> None:
    make_order(session, admin.tenant_id)
    summary = admin_ui.get("/labels/order", params={"order_id": ORDER}, headers={"HX-Request": "true"}).text
    assert "01234512345901" in summary and "BATCH111" in summary and "281200" in summary
    assert "<html" not in summary
    assert "No packaging order NOPE." in admin_ui.get("/labels/order", params={"order_id": "NOPE"}).text
    assert "No packaging order" in admin_ui.get("/labels/order", params={"order_id": "A\x00"}).text
    opened = admin_ui.get("/labels", params={"order_id": ORDER}).text
    assert f'value="{ORDER}"' in opened and "BATCH111" in opened


def test_only_orders_with_serials_are_offered(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    make_order(session, admin.tenant_id)
    make_order(session, admin.tenant_id, "LBL-NONE", serialized=False)
    make_order(session, admin.tenant_id, "LBL-GONE")
    order_service.cancel(session, admin.tenant_id, "LBL-GONE", "erp")
    session.commit()
    offered = re.findall(r'<option value="(LBL-[^"]*)">', admin_ui.get("/labels").text)
    assert offered == [ORDER]


def test_the_form_offers_every_format_the_service_renders() -> None:
    assert {value for value, _ in FORMAT_CHOICES} == set(FORMATS)


# -- refusals: beside the field, nothing written ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "field", "says"),
    [
        ({"order_id": "NOPE"}, 404, "order_id", "no packaging order 'NOPE'"),
        ({"order_id": "NOPE", "count": "2"}, 404, "order_id", "no packaging order 'NOPE'"),
        ({"order_id": ""}, 400, "order_id", "choose a packaging order"),
        ({"order_id": "LBL\x001"}, 400, "order_id", "NUL"),
        ({"order_id": "X" * 256}, 400, "order_id", "at most 255"),
        ({"order_id": "LBL-NONE"}, 409, "order_id", "without serial numbers"),
        ({"order_id": "LBL-NONE", "count": "1"}, 409, "order_id", "without serial numbers"),
        ({"order_id": "LBL-GONE"}, 409, "order_id", "Cancelled"),
        ({"order_id": "LBL-NOBATCH"}, 400, "order_id", "the order has no batch: EU labels need batch"),
        ({"count": "11"}, 400, "count", "the order has 10 serials"),
        ({"count": "0"}, 400, "count", "from 1 to"),
        ({"count": "ten"}, 400, "count", "whole number"),
        ({"format": "bmp"}, 400, "format", "choose one of PDF, ZPL"),
        ({"format": "pdf\x00"}, 400, "format", "choose one of"),
        ({"label_width_mm": "60"}, 400, "label_height_mm", "both"),
        ({"label_width_mm": "5", "label_height_mm": "30"}, 400, "label_width_mm", "greater than or equal to 10"),
        (
            {"template": "case", "ssccs": CASE_SSCC, "label_width_mm": "10", "label_height_mm": "10"},
            400,
            "label_width_mm",
            "below the minimum X-dimension of 0.495 mm",
        ),
        ({"label_width_mm": "wide", "label_height_mm": "30"}, 400, "label_width_mm", "number"),
        ({"template": "sheet"}, 400, "template", "choose one of: pack labels, pack labels with a digital link"),
        ({"template": "logistic_a6", "ssccs": ""}, 400, "ssccs", "enter the SSCCs"),
        ({"template": "case", "ssccs": ""}, 400, "ssccs", "enter the SSCCs"),
        ({"template": "case", "ssccs": "12345"}, 400, "ssccs", "18 digits"),
        ({"template": "case", "ssccs": build_sscc(1, "0614141", 1)}, 400, "ssccs", "not Assigned SSCCs of yours"),
        ({"template": "case", "ssccs": "1" * 19}, 400, "ssccs", "at most 18"),
    ],
)
def test_refusals_are_shown_beside_their_field_and_write_nothing(
    admin_ui: AdminUI,
    session: Session,
    admin: Person,
    changes: dict[str, str],
    status: int,
    field: str,
    says: str,
) -> None:
    make_order(session, admin.tenant_id)
    make_order(session, admin.tenant_id, "LBL-NONE", serialized=False)
    make_order(session, admin.tenant_id, "LBL-GONE")
    make_order(session, admin.tenant_id, "LBL-NOBATCH", batch=None)
    order_service.cancel(session, admin.tenant_id, "LBL-GONE", "erp")
    session.add(Container(tenant_id=admin.tenant_id, sscc=CASE_SSCC, status="Assigned", source="internal"))
    session.commit()
    before = label_orders(session)
    response = admin_ui.post("/labels", label_form(**changes))
    assert response.status_code == status, response.text[-3000:]
    shown = html.unescape(field_error(response.text, field) or "")
    assert says in shown, (shown, response.text[-3000:])
    assert label_orders(session) == before
    # The form comes back with what was typed, so that it can be corrected.
    if changes.get("order_id") == "NOPE":
        assert 'value="NOPE"' in response.text


def test_an_unknown_label_order_is_not_found(admin_ui: AdminUI) -> None:
    for path in ("/labels/" + "0" * 32, "/labels/" + "0" * 32 + "/download", "/labels/nope", "/labels/x%00/download"):
        response = admin_ui.get(path)
        assert response.status_code == 404, path
        assert "There is no such label order." in response.text


# -- the list --------------------------------------------------------------------------------------------


def test_label_orders_are_listed_newest_first_paged_and_filtered(
    admin_ui: AdminUI, session: Session, admin: Person
) -> None:
    make_order(session, admin.tenant_id, quantity=1)
    made = [render(admin_ui, format="zpl") for _ in range(25)] + [render(admin_ui, format="pdf")]
    page_one = admin_ui.get("/labels").text
    ids = re.findall(r'<a href="/admin/labels/([0-9a-f]{32})">', page_one)
    assert len(ids) == 25 and ids[0] == made[-1]
    assert "1–25 of 26 label orders" in page_one  # noqa: RUF001
    page_two = admin_ui.get("/labels", params={"page": "2"}).text
    assert re.findall(r'<a href="/admin/labels/([0-9a-f]{32})">', page_two) == [made[0]]

    partial = admin_ui.get(
        "/labels", params={"format": "pdf"}, headers={"HX-Request": "true", "HX-Target": "results"}
    ).text
    assert "<form" not in partial
    assert re.findall(r'<a href="/admin/labels/([0-9a-f]{32})">', partial) == [made[-1]]
    oldest_first = admin_ui.get("/labels", params={"sort": "created", "dir": "asc"}).text
    assert re.findall(r'<a href="/admin/labels/([0-9a-f]{32})">', oldest_first)[0] == made[0]
    assert "No label order matches." in admin_ui.get("/labels", params={"q": "no-such-order"}).text
    # A NUL is dropped from searches and filters (listing.parse_list_params): a list, never a 500.
    assert "No label order matches." in admin_ui.get("/labels", params={"q": "no-such-order\x00"}).text
    nul_filter = admin_ui.get("/labels", params={"format": "pdf\x00"}).text
    assert re.findall(r'<a href="/admin/labels/([0-9a-f]{32})">', nul_filter) == [made[-1]]


# -- roles and tenants -----------------------------------------------------------------------------------


def set_labels_access(session: Session, tenant_id: int, access: Access) -> None:
    admin_settings_service.set_tab_access(
        session, tenant_id, {(Role.SUPPORT, "labels"): access, (Role.USER, "labels"): access}
    )
    session.commit()


@pytest.mark.parametrize("role", ["support", "user"])
def test_a_role_that_may_only_see_labels_may_download_but_not_render(
    ui_for: Callable[[Person], AdminUI],
    admin_ui: AdminUI,
    session: Session,
    admin: Person,
    support: Person,
    plain_user: Person,
    role: str,
) -> None:
    make_order(session, admin.tenant_id)
    public_id = render(admin_ui)
    set_labels_access(session, admin.tenant_id, Access.VIEW)
    ui = ui_for(support if role == "support" else plain_user)
    page = ui.get("/labels").text
    assert 'action="/admin/labels" class="card labels-form"' not in page
    assert "not render new ones" in page and public_id in page
    assert ui.get(f"/labels/{public_id}/download").content.startswith(b"%PDF")
    before = label_orders(session)
    refused = ui.post("/labels", label_form())
    assert refused.status_code == 403
    assert label_orders(session) == before

    set_labels_access(session, admin.tenant_id, Access.NONE)
    assert ui.get("/labels").status_code == 403
    assert ui.get(f"/labels/{public_id}/download").status_code == 403


def test_support_and_user_render_labels_by_default(
    support_ui: AdminUI, user_ui: AdminUI, session: Session, admin: Person
) -> None:
    make_order(session, admin.tenant_id)
    for ui in (support_ui, user_ui):
        assert 'class="card labels-form"' in ui.get("/labels").text
        render(ui, count="1", format="zpl")
    assert label_orders(session) == 2


def test_another_tenants_orders_and_labels_are_never_shown(
    admin_ui: AdminUI, ui_for: Callable[[Person], AdminUI], session: Session, admin: Person, outsider: Person
) -> None:
    make_order(session, admin.tenant_id)
    public_id = render(admin_ui)
    other = ui_for(outsider)
    page = other.get("/labels").text
    assert public_id not in page and ORDER not in page
    assert "No label order matches." in page
    assert other.get(f"/labels/{public_id}").status_code == 404
    assert other.get(f"/labels/{public_id}/download").status_code == 404
    assert "No packaging order" in other.get("/labels/order", params={"order_id": ORDER}).text
    before = label_orders(session)
    refused = other.post("/labels", label_form())
    assert refused.status_code == 404
    assert "no packaging order" in (field_error(refused.text, "order_id") or "")
    refused = other.post("/labels", label_form(count="1"))
    assert refused.status_code == 404
    assert label_orders(session) == before
