"""Packaging tab, lines: create, rename, delete (refused while orders use the line)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from packtrace.lines.service import line_service
from tests.admin.support import AdminUI, field_error
from tests.auth.people import Person


def line_id(session: Session, tenant_id: int, tag: str) -> int:
    return line_service.get(session, tenant_id, tag).id


def test_create_rename_and_delete_a_line(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    assert admin_ui.post("/packaging/lines", {"tag": "blister-9", "name": "Blister 9"}).status_code == 303
    assert "Packaging line blister-9 created." in admin_ui.get("/packaging/lines").text
    pk = line_id(session, admin.tenant_id, "blister-9")
    assert admin_ui.post(f"/packaging/lines/{pk}/rename", {"name": "Blister nine"}).status_code == 303
    session.expire_all()
    assert line_service.get(session, admin.tenant_id, "blister-9").name == "Blister nine"
    assert admin_ui.post(f"/packaging/lines/{pk}/delete").status_code == 303
    assert line_service.find(session, admin.tenant_id, "blister-9") is None


def test_errors_of_a_new_line_are_shown_next_to_the_field(admin_ui: AdminUI) -> None:
    response = admin_ui.post("/packaging/lines", {"tag": "test-packaging-line-1"})
    assert response.status_code == 409
    assert "exists already" in (field_error(response.text, "tag") or "")
    response = admin_ui.post("/packaging/lines", {"tag": " spaced "})
    assert response.status_code == 400
    assert field_error(response.text, "tag")
    assert 'value="spaced"' in response.text or 'value=" spaced "' in response.text


def test_a_line_that_orders_use_is_not_deleted(
    admin_ui: AdminUI, session: Session, admin: Person, client: object, api_headers: dict[str, str]
) -> None:
    from tests.auth.people import create_order

    create_order(client, api_headers, "O-1")  # type: ignore[arg-type]
    pk = line_id(session, admin.tenant_id, "test-packaging-line-1")
    listing = admin_ui.get("/packaging/lines").text
    assert re.search(rf'/packaging/lines/{pk}/delete".*?disabled title="Orders use this line"', listing, re.S)
    response = admin_ui.post(f"/packaging/lines/{pk}/delete")
    assert response.status_code == 409
    assert "use line" in response.text
    assert line_service.find(session, admin.tenant_id, "test-packaging-line-1") is not None
