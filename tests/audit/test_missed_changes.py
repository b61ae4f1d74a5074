"""The seven changes that once left no record at all, each made through the management API as people make
them, and each found in the audit trail with who made it, the old and new values and the reason."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.admin.service import admin_settings_service
from packtrace.admin.tabs import Access
from packtrace.demo import DemoCredentials
from packtrace.models.enums import Role
from tests.audit.support import last, trail
from tests.auth.people import Person


def test_a_renamed_product_records_its_old_and_new_name_and_the_reason(
    client: TestClient, session: Session, demo: DemoCredentials, support: Person
) -> None:
    old = client.get(f"/api/products/{demo.product_code}", headers=support.headers).json()["data"]["name"]
    body = {"name": "Renamed tablets", "reason": "CC-1042: new trade name"}
    response = client.patch(f"/api/products/{demo.product_code}", json=body, headers=support.headers)
    assert response.status_code == 200, response.text
    entry = last(session, support.tenant_id, "product")
    assert (entry.entity_id, entry.action, entry.actor) == (demo.product_code, "changed", f"user:{support.email}")
    assert entry.changes == {"name": {"old": old, "new": "Renamed tablets"}}
    assert entry.reason == "CC-1042: new trade name"


def test_a_role_change_records_the_old_and_new_role(
    client: TestClient, session: Session, admin: Person, support: Person
) -> None:
    response = client.patch(f"/api/users/{support.user_id}", json={"role": "User"}, headers=admin.headers)
    assert response.status_code == 200, response.text
    entry = last(session, admin.tenant_id, "user")
    assert (entry.entity_id, entry.action, entry.actor) == (support.email, "changed", f"user:{admin.email}")
    assert entry.changes == {"role": {"old": "Support", "new": "User"}}


def test_a_changed_tab_permission_records_the_role_s_old_and_new_access(
    client: TestClient, session: Session, admin: Person
) -> None:
    admin_settings_service.set_tab_access(
        session, admin.tenant_id, {(Role.USER, "commissioning"): Access.VIEW}, reason="line leads read batches"
    )
    entry = last(session, admin.tenant_id, "tab_permissions")
    assert entry.changes == {"User/commissioning": {"old": "none", "new": "view"}}
    assert entry.reason == "line leads read batches"


def test_a_regenerated_static_token_records_that_it_changed_never_the_token(
    client: TestClient, session: Session, demo: DemoCredentials, admin: Person
) -> None:
    response = client.post("/api/api_keys/demo-erp/static_token?reason=rotated", headers=admin.headers)
    assert response.status_code == 200, response.text
    token = response.json()["data"]["token"]
    entry = last(session, admin.tenant_id, "api_key")
    assert (entry.entity_id, entry.action, entry.reason) == ("demo-erp", "static token generated", "rotated")
    assert entry.changes["static_token_hash"] == {"changed": True}
    assert "static_token_created_at" in entry.changes
    everything = repr(trail(session, admin.tenant_id))
    assert token not in everything and demo.static_token not in everything


def test_an_updated_channel_records_enabled_old_and_new(client: TestClient, session: Session, admin: Person) -> None:
    body = {"enabled": False, "reason": "line 1 down for maintenance"}
    response = client.patch("/api/channels/demo-line-middleware", json=body, headers=admin.headers)
    assert response.status_code == 200, response.text
    entry = last(session, admin.tenant_id, "channel")
    assert (entry.entity_id, entry.action) == ("demo-line-middleware", "disabled")
    assert entry.changes == {"enabled": {"old": True, "new": False}}
    assert entry.reason == "line 1 down for maintenance"


def test_a_tenant_setting_records_its_old_and_new_value(client: TestClient, session: Session, admin: Person) -> None:
    response = client.patch("/api/tenant", json={"automatic_release": True}, headers=admin.headers)
    assert response.status_code == 200, response.text
    entry = last(session, admin.tenant_id, "tenant")
    assert (entry.entity_id, entry.action, entry.actor) == ("demo", "changed", f"user:{admin.email}")
    assert entry.changes == {"automatic_release": {"old": False, "new": True}}


def test_a_pool_generation_records_how_many_serials_were_made(
    client: TestClient, session: Session, demo: DemoCredentials, support: Person
) -> None:
    url = f"/api/products/{demo.product_code}/pool/generate"
    response = client.post(url, json={"count": 25}, headers=support.headers)
    assert response.status_code == 200, response.text
    entry = last(session, support.tenant_id, "serial_pool")
    assert (entry.entity_id, entry.action, entry.actor) == (demo.product_code, "generated", f"user:{support.email}")
    assert entry.changes["count"] == {"old": None, "new": 25}


def test_saving_the_same_values_again_records_nothing(
    client: TestClient, session: Session, demo: DemoCredentials, support: Person
) -> None:
    name = client.get(f"/api/products/{demo.product_code}", headers=support.headers).json()["data"]["name"]
    before = len(trail(session, support.tenant_id))
    response = client.patch(f"/api/products/{demo.product_code}", json={"name": name}, headers=support.headers)
    assert response.status_code == 200, response.text
    assert len(trail(session, support.tenant_id)) == before
