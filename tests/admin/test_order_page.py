"""An order's page: its serial numbers (paged, and as the line's CSV), what its packs became, and links to
the containers they are packed in and to its label orders."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy.orm import Session

from packtrace.admin.views import order_serials
from packtrace.gs1.sscc import build_sscc
from packtrace.models import Container, Pack
from packtrace.orders.service import order_service
from tests.admin.support import AdminUI
from tests.admin.test_orders import create
from tests.auth.people import Person


def _serials(session: Session, person: Person, order_id: str) -> list[str]:
    return order_service.serial_page(session, person.tenant_id, order_id, 1000, None)[1]


def test_the_order_page_links_its_serials_and_the_csv(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui)
    page = admin_ui.get(f"/packaging/orders/{pk}").text
    assert f'href="/admin/packaging/orders/{pk}/serials"' in page
    assert f'href="/admin/packaging/orders/{pk}/serials.csv"' in page
    listed = admin_ui.get(f"/packaging/orders/{pk}/serials").text
    expected = _serials(session, admin, "UI-1")
    assert len(expected) == 11
    assert [s for s in expected if s in listed] == expected
    download = admin_ui.get(f"/packaging/orders/{pk}/serials.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["SerialNumber", "GTIN", "Batch", "ExpirationDate"]
    assert [r[0] for r in rows[1:]] == expected and {tuple(r[1:]) for r in rows[1:]} == {
        ("01234512345901", "B1", "281231")
    }


def test_serials_are_paged(admin_ui: AdminUI, session: Session, admin: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(order_serials, "SERIALS_PER_PAGE", 4)
    pk = create(admin_ui)
    expected = _serials(session, admin, "UI-1")
    seen: list[str] = []
    path: str | None = f"/packaging/orders/{pk}/serials"
    while path:
        html = admin_ui.get(path).text
        page = [s for s in expected if s in html]
        assert 1 <= len(page) <= 4
        seen += page
        found = re.search(r'rel="next" href="/admin([^"]+)"', html)
        path = found.group(1).replace("&amp;", "&") if found else None
    assert seen == expected


def test_pack_counts_and_containers(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui)
    serials = _serials(session, admin, "UI-1")
    sscc = build_sscc(1, "1234512", 42)
    case = Container(tenant_id=admin.tenant_id, sscc=sscc, status="Assigned", source="internal")
    session.add(case)
    session.flush()
    order = order_service.get(session, admin.tenant_id, "UI-1")
    for serial, status in zip(serials, ["Active", "Active", "Commissioned", "Decommissioned"], strict=False):
        session.add(
            Pack(
                tenant_id=admin.tenant_id,
                product_id=order.product_id,
                serial=serial,
                status=status,
                batch="B1",
                expiry_date="281231",
                order_pk=order.id,
                container_id=case.id if status != "Decommissioned" else None,
            )
        )
    session.commit()
    page = admin_ui.get(f"/packaging/orders/{pk}").text
    props = dict(re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", page))
    assert (props["Active"], props["Commissioned"], props["Decommissioned"]) == ("2", "1", "1")
    assert f'href="/admin/pool/ssccs/{sscc}"' in props["SSCCs"]
    assert "/admin/labels?q=order+UI-1" in props["Label orders"]


def test_another_tenants_order_serials_are_not_found(admin_ui: AdminUI, ui_for: object, outsider: Person) -> None:
    pk = create(admin_ui)
    other = ui_for(outsider)  # type: ignore[operator]
    assert other.get(f"/packaging/orders/{pk}/serials").status_code == 404
    assert other.get(f"/packaging/orders/{pk}/serials.csv").status_code == 404
