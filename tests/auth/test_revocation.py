"""A change of a user's password, role or active flag revokes the user's tokens and admin sessions at
once; other changes (the name) do not."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.kit.db import Database
from tests.admin.support import AdminUI
from tests.auth.people import PASSWORD, Person, expect_error, expect_ok


def _signed_in_ui(settings: Settings, database: Database, person: Person) -> AdminUI:
    ui = AdminUI(TestClient(create_app(settings, database=database), raise_server_exceptions=False))
    assert ui.sign_in(person.email, PASSWORD).status_code == 303
    return ui


@pytest.mark.parametrize(
    "change",
    [{"password": "An0ther-Passw0rd!"}, {"role": "Support"}, {"active": False}],
    ids=["password", "role", "disabled"],
)
def test_a_change_of_credentials_revokes_tokens_and_sessions(
    client: TestClient, settings: Settings, database: Database, admin: Person, plain_user: Person, change: Any
) -> None:
    ui = _signed_in_ui(settings, database, plain_user)
    assert ui.get("/", follow_redirects=False).status_code in {200, 303}
    assert ui.get("/packaging/orders", follow_redirects=False).status_code == 200
    expect_ok(client.get("/api/me", headers=plain_user.headers))
    expect_ok(client.patch(f"/api/users/{plain_user.user_id}", json=change, headers=admin.headers))
    expect_error(client.get("/api/me", headers=plain_user.headers), 401, "AuthenticationError")
    signed_out = ui.get("/packaging/orders", follow_redirects=False)
    assert signed_out.status_code == 303 and "/login" in signed_out.headers["location"]
    ui.client.close()


def test_a_new_name_revokes_nothing(client: TestClient, admin: Person, plain_user: Person) -> None:
    expect_ok(client.patch(f"/api/users/{plain_user.user_id}", json={"name": "Renamed"}, headers=admin.headers))
    expect_ok(client.get("/api/me", headers=plain_user.headers))


def test_a_new_password_revokes_the_changers_own_token_too(client: TestClient, admin: Person) -> None:
    expect_ok(client.patch(f"/api/users/{admin.user_id}", json={"password": "Fresh-Passw0rd!"}, headers=admin.headers))
    expect_error(client.get("/api/me", headers=admin.headers), 401, "AuthenticationError")
    token = expect_ok(client.post("/api/login", json={"email": admin.email, "password": "Fresh-Passw0rd!"}))["token"]
    expect_ok(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}))
