"""Every POST of the admin UI needs the session's CSRF token, in the form or in the htmx header; a POST
without it, or with another session's, is refused with a 403 page and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.markets.service import market_service
from tests.admin.support import AdminUI, csrf_of
from tests.auth.people import PASSWORD, Person
from tests.support import row_counts

NEW_LINE = {"tag": "line-csrf", "name": "CSRF line"}


def _state(session: Session, tenant_id: int) -> object:
    session.expire_all()
    tenant = tenant_service.get(session, tenant_id)
    markets = [p.market for p in market_service.list_all(session, tenant_id)]
    return row_counts(session), tenant.automatic_release, markets


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/packaging/lines", NEW_LINE),
        ("/settings/release", {"automatic_release": "on"}),
        ("/settings/markets/EU/remove", {}),
        ("/tenant/users", {"email": "x@a.example", "password": PASSWORD, "role": "User"}),
        ("/logout", {}),
    ],
)
def test_a_post_without_the_token_is_refused(
    admin_ui: AdminUI, session: Session, admin: Person, path: str, data: dict[str, str]
) -> None:
    before = _state(session, admin.tenant_id)
    response = admin_ui.post(path, data, csrf=False)
    assert response.status_code == 403
    assert "Form expired" in response.text and "security token" in response.text
    assert _state(session, admin.tenant_id) == before
    # Still signed in: a refused forgery does not end the session.
    assert admin_ui.get("/settings").status_code == 200


def test_a_wrong_token_or_another_sessions_token_is_refused(
    ui_for: Callable[[Person], AdminUI], admin: Person, support: Person, session: Session
) -> None:
    mine, theirs = ui_for(admin), ui_for(support)
    before = _state(session, admin.tenant_id)
    for token in ("", "not-the-token", theirs.csrf_token, mine.csrf_token + "x"):
        response = mine.post("/packaging/lines", NEW_LINE | {"csrf_token": token}, csrf=False)
        assert response.status_code == 403, token
    assert _state(session, admin.tenant_id) == before
    assert mine.post("/packaging/lines", NEW_LINE).status_code == 303


def test_the_htmx_header_carries_the_token(admin_ui: AdminUI) -> None:
    refused = admin_ui.post("/packaging/lines", NEW_LINE, csrf=False, headers={"X-CSRF-Token": "wrong"})
    assert refused.status_code == 403
    response = admin_ui.post("/packaging/lines", NEW_LINE, csrf=False, headers={"X-CSRF-Token": admin_ui.csrf_token})
    assert response.status_code == 303


def test_every_page_puts_the_token_in_its_forms_and_in_the_htmx_header(admin_ui: AdminUI) -> None:
    html = admin_ui.get("/packaging/lines").text
    assert f'value="{admin_ui.csrf_token}"' in html
    assert f'hx-headers=\'{{"X-CSRF-Token": "{admin_ui.csrf_token}"}}\'' in html


def test_the_sign_in_form_needs_its_token_too(client: TestClient, admin: Person) -> None:
    client.get("/admin/login")
    response = client.post("/admin/login", data={"email": admin.email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403
    # Without the cookie of the sign-in page, the page's token alone is not enough either.
    token = csrf_of(client.get("/admin/login").text)
    client.cookies.clear()
    response = client.post(
        "/admin/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 403
