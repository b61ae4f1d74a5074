"""The Labels tab previews an order's first pack label (a PNG, not kept) before hundreds are rendered; the
preview decodes (zxing-cpp, parsed by biip) to the order's first serial."""

from __future__ import annotations

import zxingcpp
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.models import LabelOrder
from packtrace.orders.service import order_service
from tests.admin.support import AdminUI
from tests.admin.test_orders import create
from tests.auth.people import Person
from tests.labels.decoding import biip_pairs, read, scanner_string


def test_the_order_summary_shows_its_first_label(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    create(admin_ui)
    summary = admin_ui.get("/labels/order", params={"order_id": "UI-1"}).text
    assert 'src="/admin/labels/preview.png?order_id=UI-1"' in summary
    preview = admin_ui.get("/labels/preview.png", params={"order_id": "UI-1"})
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/png"
    pairs = dict(biip_pairs(scanner_string(read(preview.content, zxingcpp.BarcodeFormat.DataMatrix))))
    first = order_service.serial_page(session, admin.tenant_id, "UI-1", 1, None)[1][0]
    assert (pairs["01"], pairs["21"], pairs["10"], pairs["17"]) == ("01234512345901", first, "B1", "281231")
    assert session.scalar(select(LabelOrder.id)) is None  # a preview is not a label order


def test_no_preview_without_an_order_or_serials(admin_ui: AdminUI) -> None:
    assert admin_ui.get("/labels/preview.png", params={"order_id": "nope"}).status_code == 404
    create(admin_ui, serialized=None, order_id="UI-2")
    assert admin_ui.get("/labels/preview.png", params={"order_id": "UI-2"}).status_code == 409
    assert "preview.png" not in admin_ui.get("/labels/order", params={"order_id": "UI-2"}).text
