"""Tenant tab: users and roles, API keys and static tokens, channels; secrets are shown once."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.auth.service import api_key_service, channel_service, user_service
from tests.admin.support import AdminUI, field_error
from tests.auth.people import PASSWORD, Person

V2_OPEN = "/v1/manufacturer/v2/api/packaging_order/open"


def revealed(html: str) -> str:
    found = re.search(r'id="revealed-value" class="mono" type="text" value="([^"]+)"', html)
    assert found, "no secret shown"
    return found.group(1)


def test_create_a_user_change_the_role_and_disable(
    admin_ui: AdminUI, session: Session, admin: Person, client: TestClient
) -> None:
    form = {"email": "New@A.example", "name": "New person", "password": PASSWORD, "role": "Support"}
    assert admin_ui.post("/tenant/users", form).status_code == 303
    user = user_service.get_by_email(session, admin.tenant_id, "new@a.example")
    assert (user.role, user.name) == ("Support", "New person")
    assert admin_ui.post(f"/tenant/users/{user.id}/role", {"role": "User"}).status_code == 303
    assert admin_ui.post(f"/tenant/users/{user.id}/active", {}).status_code == 303
    session.expire_all()
    user = user_service.get(session, admin.tenant_id, user.id)
    assert (user.role, user.active) == ("User", False)
    assert "new@a.example is disabled." in admin_ui.get("/tenant/users").text
    assert admin_ui.post(f"/tenant/users/{user.id}/active", {"active": "on"}).status_code == 303


def test_user_errors_are_shown_where_they_belong(admin_ui: AdminUI, admin: Person) -> None:
    response = admin_ui.post("/tenant/users", {"email": "weak@a.example", "password": "weak", "role": "User"})
    assert response.status_code == 400
    assert "upper-case" in (field_error(response.text, "password") or "")
    assert 'value="weak@a.example"' in response.text and 'value="weak"' not in response.text
    response = admin_ui.post("/tenant/users", {"email": "x@a.example", "password": PASSWORD, "role": "Root"})
    assert field_error(response.text, "role")
    # Nobody changes their own role or disables themselves: said on their row.
    response = admin_ui.post(f"/tenant/users/{admin.user_id}/role", {"role": "User"})
    assert response.status_code == 409
    assert "you cannot change your own role" in response.text
    response = admin_ui.post(f"/tenant/users/{admin.user_id}/active", {})
    assert response.status_code == 409 and "you cannot disable yourself" in response.text


def test_an_api_key_is_shown_once(admin_ui: AdminUI, session: Session, admin: Person, client: TestClient) -> None:
    response = admin_ui.post("/tenant/api-keys", {"name": "erp-2", "secret": "Api-Secret-1!"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    key = revealed(response.text)
    assert "it is not shown again" in response.text
    assert key not in admin_ui.get("/tenant/api-keys").text
    auth = client.post("/v1/api_auth", json={"api_key": key, "api_secret": "Api-Secret-1!"})
    assert auth.status_code == 200, auth.text
    refused = admin_ui.post("/tenant/api-keys", {"name": "erp-2", "secret": "weak"})
    assert field_error(refused.text, "secret")


def test_static_tokens_are_shown_once_and_revoked(
    admin_ui: AdminUI, session: Session, admin: Person, client: TestClient, demo: object
) -> None:
    key = api_key_service.get(session, admin.tenant_id, "demo-erp")
    response = admin_ui.post(f"/tenant/api-keys/{key.id}/static-token")
    token = revealed(response.text)
    channel_key = demo.channel_key  # type: ignore[attr-defined]
    headers = {"x-access-token": token, "x-channel-key": channel_key}
    assert client.get(V2_OPEN, headers=headers).status_code == 200
    assert token not in admin_ui.get("/tenant/api-keys").text
    assert admin_ui.post(f"/tenant/api-keys/{key.id}/static-token/revoke").status_code == 303
    assert client.get(V2_OPEN, headers=headers).status_code == 401
    again = admin_ui.post(f"/tenant/api-keys/{key.id}/static-token/revoke")
    assert again.status_code == 404 and "has no static token" in again.text


def test_api_keys_are_deactivated_and_activated(admin_ui: AdminUI, session: Session, admin: Person) -> None:
    key = api_key_service.get(session, admin.tenant_id, "demo-erp")
    assert admin_ui.post(f"/tenant/api-keys/{key.id}/active", {}).status_code == 303
    session.expire_all()
    assert api_key_service.get(session, admin.tenant_id, "demo-erp").active is False
    assert admin_ui.post(f"/tenant/api-keys/{key.id}/active", {"active": "on"}).status_code == 303


def test_a_channel_key_is_shown_once_and_channels_are_disabled(
    admin_ui: AdminUI, session: Session, admin: Person
) -> None:
    response = admin_ui.post("/tenant/channels", {"name": "line-2"})
    key = revealed(response.text)
    assert key.startswith("ch_") and key not in admin_ui.get("/tenant/channels").text
    channel = channel_service.get(session, admin.tenant_id, "line-2")
    assert admin_ui.post(f"/tenant/channels/{channel.id}/enabled", {}).status_code == 303
    session.expire_all()
    assert channel_service.get(session, admin.tenant_id, "line-2").enabled is False
    assert "Channel line-2 is disabled." in admin_ui.get("/tenant/channels").text
    assert admin_ui.post(f"/tenant/channels/{channel.id}/enabled", {"enabled": "on"}).status_code == 303
    refused = admin_ui.post("/tenant/channels", {"name": "line-2"})
    assert refused.status_code == 409 and "exists already" in (field_error(refused.text, "name") or "")


def test_another_tenants_credentials_are_not_found(admin_ui: AdminUI, outsider: Person, ui_for: object) -> None:
    theirs = ui_for(outsider)  # type: ignore[operator]
    assert theirs.post("/tenant/users/1/role", {"role": "User"}).status_code == 404
