"""Settings tab: market profiles, automatic release, the Digital Link resolver."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.markets.service import market_service
from tests.admin.support import AdminUI, field_error
from tests.auth.people import Person, create_order


def markets(session: Session, tenant_id: int) -> list[str]:
    session.expire_all()
    return [p.market for p in market_service.list_all(session, tenant_id)]


def test_remove_and_add_market_profiles(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    assert admin_ui.post("/settings/markets/IDN/remove").status_code == 303
    assert "IDN" not in markets(session, admin.tenant_id)
    page = admin_ui.get("/settings").text
    assert "Market profile IDN removed." in page and '<option value="IDN">IDN</option>' in page
    assert admin_ui.post("/settings/markets", {"market": "IDN", "name": "Indonesia"}).status_code == 303
    assert "IDN" in markets(session, admin.tenant_id)


def test_a_market_with_unfinished_orders_stays(
    admin_ui: AdminUI, session: Session, admin: Person, client: TestClient, api_headers: dict[str, str]
) -> None:
    create_order(client, api_headers, "O-1", market="US")
    response = admin_ui.post("/settings/markets/US/remove")
    assert response.status_code == 409
    assert "unfinished packaging order(s) are for US" in response.text
    assert "US" in markets(session, admin.tenant_id)


def test_adding_an_existing_market_is_refused(admin_ui: AdminUI) -> None:
    response = admin_ui.post("/settings/markets", {"market": "EU"})  # every market has a profile: no form
    assert response.status_code == 409
    assert "the market profile EU exists already" in response.text
    admin_ui.post("/settings/markets/IDN/remove")
    response = admin_ui.post("/settings/markets", {"market": "EU"})
    assert "exists already" in (field_error(response.text, "market") or "")
    response = admin_ui.post("/settings/markets", {"market": "XX"})
    assert response.status_code == 400 and "is not a market" in (field_error(response.text, "market") or "")


def test_automatic_release(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    assert admin_ui.post("/settings/release", {"automatic_release": "on"}).status_code == 303
    session.expire_all()
    assert tenant_service.get(session, admin.tenant_id).automatic_release is True
    assert 'name="automatic_release" checked' in admin_ui.get("/settings").text
    assert admin_ui.post("/settings/release", {}).status_code == 303
    session.expire_all()
    assert tenant_service.get(session, admin.tenant_id).automatic_release is False


def test_the_digital_link_resolver(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    response = admin_ui.post("/settings/resolver", {"digital_link_resolver": "https://id.acme.example/dl/"})
    assert response.status_code == 303
    session.expire_all()
    assert tenant_service.get(session, admin.tenant_id).digital_link_resolver == "https://id.acme.example/dl"
    for bad in ("ftp://id.acme.example", "https://id.acme.example/?x=1", "id.acme.example", "https://", "https://a b"):
        response = admin_ui.post("/settings/resolver", {"digital_link_resolver": bad})
        assert response.status_code == 400, bad
        assert field_error(response.text, "digital_link_resolver"), bad
        assert f'value="{bad}"' in response.text
    session.expire_all()
    assert tenant_service.get(session, admin.tenant_id).digital_link_resolver == "https://id.acme.example/dl"
