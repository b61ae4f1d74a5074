"""What credentials reveal: keys keep only a 4-character hint (also after the upgrade of older rows), and
the e-mail conflict on user creation tells nothing of another tenant's users."""

from __future__ import annotations

import jwt
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from packtrace.auth.service import EMAIL_TAKEN
from packtrace.kit.migrations import alembic_config
from tests.auth.people import PASSWORD, Person, expect_error, expect_ok
from tests.kit.test_migrations import engine, fresh_url

__all__ = ["engine", "fresh_url"]


def test_keys_keep_a_4_character_hint(client: TestClient, admin: Person) -> None:
    created = expect_ok(client.post("/api/api_keys", json={"name": "erp", "secret": PASSWORD}, headers=admin.headers))
    key = created["api_key"]
    assert created["key_hint"] == key[-4:]
    token = expect_ok(client.post("/v1/api_auth", json={"api_key": key, "api_secret": PASSWORD}))["token"]
    assert jwt.decode(token, options={"verify_signature": False})["key"] == key[-4:]
    channel = expect_ok(client.post("/api/channels", json={"name": "line 9"}, headers=admin.headers))
    assert channel["key_hint"] == channel["channel_key"][-4:]


def test_the_upgrade_shortens_stored_hints(fresh_url: str, engine: Engine) -> None:
    config = alembic_config(fresh_url)
    command.upgrade(config, "0006")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO tenants (name, created_at) VALUES ('t', CURRENT_TIMESTAMP)"))
        conn.execute(
            text(
                "INSERT INTO channels (tenant_id, name, source, key_hash, key_hint, enabled, created_at) "
                "VALUES (1, 'c', 'Manufacturer V2 API', 'h', 'ch_abcdefg', true, CURRENT_TIMESTAMP)"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT key_hint FROM channels")) == "defg"


def test_the_e_mail_conflict_reveals_no_other_tenant(client: TestClient, admin: Person, outsider: Person) -> None:
    new_user = {"password": PASSWORD, "role": "User", "name": "x"}
    elsewhere = expect_error(
        client.post("/api/users", json=new_user | {"email": outsider.email}, headers=admin.headers),
        409,
        "ConflictError",
    )
    here = expect_error(
        client.post("/api/users", json=new_user | {"email": admin.email}, headers=admin.headers),
        409,
        "ConflictError",
    )
    # The same neutral answer whether the address is this tenant's or another's: nothing to tell them apart.
    assert elsewhere["message"] == here["message"] == EMAIL_TAKEN
    assert elsewhere["error"]["details"] == [{"field": "email", "message": EMAIL_TAKEN}]
