"""The order page's progress: a finished order has nothing "to go", however few packs it made."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from packtrace.models.enums import OrderStatus
from packtrace.orders.service import order_service
from tests.admin.support import AdminUI
from tests.admin.test_orders import create
from tests.auth.people import Person


def _to_go(html: str) -> str:
    found = re.search(r'<span class="figure">([^<]*)</span><span class="label">to go</span>', html)
    assert found, html
    return found.group(1)


def test_a_completed_order_shows_nothing_to_go(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    pk = create(admin_ui)
    order_service.release(session, admin.tenant_id, "UI-1", None, "test")
    order_service.report_status(session, admin.tenant_id, "UI-1", "In progress", 3, None, "test")
    session.commit()
    assert _to_go(admin_ui.get(f"/packaging/orders/{pk}").text) == "7"
    order_service.report_status(session, admin.tenant_id, "UI-1", OrderStatus.COMPLETED.value, None, None, "test")
    session.commit()
    assert _to_go(admin_ui.get(f"/packaging/orders/{pk}").text) == "0"
