"""Management API: sign-in, the tenant, users, API keys, static tokens and channels."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from packtrace.auth.service import api_key_service, channel_service, user_service
from packtrace.demo import DEMO_API_KEY_NAME, DEMO_CHANNEL_NAME, DemoCredentials
from packtrace.kit.db import Database
from tests.auth.people import PASSWORD, V2, Person, expect_error, expect_ok

OPEN_ORDERS = f"{V2}/packaging_order/open"
SECRET = "Api-Secret-1!"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, email: str, password: str) -> str:
    data = expect_ok(client.post("/api/login", json={"email": email, "password": password}))
    assert data["token_type"] == "Bearer"
    token: str = data["token"]
    return token


# -- sign-in and tokens --------------------------------------------------------------------------------


def test_login_gives_a_token_for_the_management_api(client: TestClient, demo: DemoCredentials) -> None:
    token = login(client, demo.admin_email, demo.admin_password)
    me = expect_ok(client.get("/api/me", headers=bearer(token)))
    assert me["email"] == demo.admin_email
    assert me["role"] == "Administrator"
    assert "password_hash" not in me


def test_login_failure_does_not_say_which_part_was_wrong(client: TestClient, demo: DemoCredentials) -> None:
    wrong_password = client.post("/api/login", json={"email": demo.admin_email, "password": "Wrong-Passw0rd!"})
    unknown_email = client.post("/api/login", json={"email": "nobody@demo.example", "password": demo.admin_password})
    first = expect_error(wrong_password, 401, "AuthenticationError")
    second = expect_error(unknown_email, 401, "AuthenticationError")
    assert first == second
    assert "token" not in wrong_password.text


def test_no_token_is_refused(client: TestClient, demo: DemoCredentials) -> None:
    expect_error(client.get("/api/me"), 401, "NoTokenError")


def test_garbage_and_foreign_tokens_are_refused(client: TestClient, demo: DemoCredentials) -> None:
    expect_error(client.get("/api/me", headers=bearer("not-a-token")), 401, "AuthenticationError")
    # A Manufacturer V2 API token is not a user's token.
    expect_error(client.get("/api/me", headers=bearer(demo.static_token)), 401, "AuthenticationError")


def test_a_disabled_users_token_stops_working(client: TestClient, admin: Person, support: Person) -> None:
    expect_ok(client.get("/api/me", headers=support.headers))
    expect_ok(client.patch(f"/api/users/{support.user_id}", json={"active": False}, headers=admin.headers))
    expect_error(client.get("/api/me", headers=support.headers), 401, "AuthenticationError")


def test_tenant_is_the_users_own(client: TestClient, plain_user: Person, outsider: Person) -> None:
    assert expect_ok(client.get("/api/tenant", headers=plain_user.headers))["name"] == "demo"
    assert expect_ok(client.get("/api/tenant", headers=outsider.headers))["name"] == "tenant-b"


# -- users ---------------------------------------------------------------------------------------------


def test_administrator_creates_a_user_who_can_sign_in(client: TestClient, admin: Person) -> None:
    body = {"email": "New.Person@A.example", "password": PASSWORD, "role": "Support", "name": "New Person"}
    created = expect_ok(client.post("/api/users", json=body, headers=admin.headers))
    assert created["email"] == "new.person@a.example"
    assert created["role"] == "Support"
    assert created["active"] is True
    token = login(client, "new.person@a.example", PASSWORD)
    assert expect_ok(client.get("/api/me", headers=bearer(token)))["id"] == created["id"]
    listed = expect_ok(client.get("/api/users", headers=admin.headers))
    assert "new.person@a.example" in {u["email"] for u in listed}


def test_user_creation_refusals_write_nothing(client: TestClient, admin: Person, database: Database) -> None:
    weak = client.post(
        "/api/users", json={"email": "weak@a.example", "password": "password", "role": "User"}, headers=admin.headers
    )
    assert expect_error(weak, 400, "ValidationError")["error"]["details"][0]["field"] == "password"
    duplicate = client.post(
        "/api/users", json={"email": admin.email, "password": PASSWORD, "role": "User"}, headers=admin.headers
    )
    expect_error(duplicate, 409, "ConflictError")
    bad_role = client.post(
        "/api/users", json={"email": "r@a.example", "password": PASSWORD, "role": "Root"}, headers=admin.headers
    )
    assert expect_error(bad_role, 400, "ValidationError")["error"]["details"][0]["field"] == "role"
    with database.unit_of_work() as s:
        emails = {u.email for u in user_service.list_all(s, admin.tenant_id)}
    assert "weak@a.example" not in emails
    assert "r@a.example" not in emails


def test_administrator_changes_another_users_role_name_and_password(
    client: TestClient, admin: Person, plain_user: Person
) -> None:
    changed = expect_ok(
        client.patch(
            f"/api/users/{plain_user.user_id}",
            json={"role": "Support", "name": "Promoted", "password": "N3w-Passw0rd!"},
            headers=admin.headers,
        )
    )
    assert (changed["role"], changed["name"]) == ("Support", "Promoted")
    token = login(client, plain_user.email, "N3w-Passw0rd!")
    # A new token has Support's rights; the one issued before the change is revoked.
    expect_ok(client.get("/api/users", headers={"Authorization": f"Bearer {token}"}))
    expect_error(client.get("/api/me", headers=plain_user.headers), 401, "AuthenticationError")


def test_administrator_cannot_demote_or_disable_themselves(
    client: TestClient, admin: Person, database: Database
) -> None:
    demote = client.patch(f"/api/users/{admin.user_id}", json={"role": "Support"}, headers=admin.headers)
    assert expect_error(demote, 409, "ConflictError")["error"]["details"][0]["field"] == "role"
    disable = client.patch(f"/api/users/{admin.user_id}", json={"active": False}, headers=admin.headers)
    assert expect_error(disable, 409, "ConflictError")["error"]["details"][0]["field"] == "active"
    # Renaming oneself, or "changing" to the role one has, is fine.
    expect_ok(
        client.patch(f"/api/users/{admin.user_id}", json={"name": "Me", "role": "Administrator"}, headers=admin.headers)
    )
    with database.unit_of_work() as s:
        me = user_service.get(s, admin.tenant_id, admin.user_id)
        assert (me.role, me.active, me.name) == ("Administrator", True, "Me")


def test_user_update_refuses_unknown_fields_and_missing_users(client: TestClient, admin: Person) -> None:
    unknown = client.patch(f"/api/users/{admin.user_id}", json={"email": "x@a.example"}, headers=admin.headers)
    assert expect_error(unknown, 400, "ValidationError")["error"]["details"][0]["field"] == "email"
    expect_error(client.patch("/api/users/999999", json={"name": "x"}, headers=admin.headers), 404, "NotFoundError")
    expect_error(client.patch("/api/users/abc", json={"name": "x"}, headers=admin.headers), 400, "ValidationError")


# -- API keys and static tokens ------------------------------------------------------------------------


def test_api_key_created_through_the_api_gets_a_dynamic_token(
    client: TestClient, admin: Person, demo: DemoCredentials
) -> None:
    created = expect_ok(client.post("/api/api_keys", json={"name": "erp", "secret": SECRET}, headers=admin.headers))
    key = created["api_key"]
    assert len(created["key_hint"]) == 4 and key.endswith(created["key_hint"])
    assert created["active"] is True
    assert created["has_static_token"] is False
    # The key is shown once: the list never has it, nor the secret.
    listed = expect_ok(client.get("/api/api_keys", headers=admin.headers))
    assert {k["name"] for k in listed} == {DEMO_API_KEY_NAME, "erp"}
    assert key not in client.get("/api/api_keys", headers=admin.headers).text
    assert SECRET not in client.get("/api/api_keys", headers=admin.headers).text

    auth = expect_ok(client.post("/v1/api_auth", json={"api_key": key, "api_secret": SECRET}))
    assert auth["expires_at"] is not None
    headers = {"x-access-token": auth["token"], "x-channel-key": demo.channel_key}
    expect_ok(client.get(OPEN_ORDERS, headers=headers))

    # A deactivated key's tokens stop working at once.
    deactivated = expect_ok(client.patch("/api/api_keys/erp", json={"active": False}, headers=admin.headers))
    assert deactivated["active"] is False
    expect_error(client.get(OPEN_ORDERS, headers=headers), 401, "AuthenticationError")


def test_static_token_regenerated_or_revoked_stops_working_at_once(
    client: TestClient, admin: Person, demo: DemoCredentials
) -> None:
    path = f"/api/api_keys/{DEMO_API_KEY_NAME}/static_token"
    first = expect_ok(client.post(path, headers=admin.headers))["token"]
    assert first != demo.static_token

    def open_orders(token: str) -> object:
        return client.get(OPEN_ORDERS, headers={"x-access-token": token, "x-channel-key": demo.channel_key})

    expect_ok(open_orders(first))
    expect_error(open_orders(demo.static_token), 401, "AuthenticationError")  # replaced by `first`

    second = expect_ok(client.post(path, headers=admin.headers))["token"]
    expect_ok(open_orders(second))
    expect_error(open_orders(first), 401, "AuthenticationError")

    revoked = expect_ok(client.delete(path, headers=admin.headers))
    assert revoked["has_static_token"] is False
    assert revoked["static_token_created_at"] is None
    body = expect_error(open_orders(second), 401, "AuthenticationError")
    assert body["message"] == "Failed to authenticate the provided token."
    # Nothing left to revoke.
    expect_error(client.delete(path, headers=admin.headers), 404, "NotFoundError")


def test_api_key_refusals_write_nothing(client: TestClient, admin: Person, database: Database) -> None:
    weak = client.post("/api/api_keys", json={"name": "weak", "secret": "short"}, headers=admin.headers)
    assert expect_error(weak, 400, "ValidationError")["error"]["details"][0]["field"] == "secret"
    duplicate = client.post("/api/api_keys", json={"name": DEMO_API_KEY_NAME, "secret": SECRET}, headers=admin.headers)
    expect_error(duplicate, 409, "ConflictError")
    missing = client.patch("/api/api_keys/nope", json={"active": False}, headers=admin.headers)
    expect_error(missing, 404, "NotFoundError")
    not_bool = client.patch(f"/api/api_keys/{DEMO_API_KEY_NAME}", json={"active": "false"}, headers=admin.headers)
    expect_error(not_bool, 400, "ValidationError")
    with database.unit_of_work() as s:
        keys = api_key_service.list_all(s, admin.tenant_id)
    assert [(k.name, k.active) for k in keys] == [(DEMO_API_KEY_NAME, True)]


def test_api_key_names_work_percent_encoded(client: TestClient, admin: Person) -> None:
    name = "ERP/line #1? 100% ü"
    expect_ok(client.post("/api/api_keys", json={"name": name, "secret": SECRET}, headers=admin.headers))
    encoded = quote(name, safe="")
    updated = expect_ok(client.patch(f"/api/api_keys/{encoded}", json={"active": False}, headers=admin.headers))
    assert (updated["name"], updated["active"]) == (name, False)
    expect_ok(client.post(f"/api/api_keys/{encoded}/static_token", headers=admin.headers))
    assert expect_ok(client.delete(f"/api/api_keys/{encoded}/static_token", headers=admin.headers))["name"] == name


# -- channels ------------------------------------------------------------------------------------------


def test_channel_created_through_the_api_works_until_disabled(
    client: TestClient, admin: Person, demo: DemoCredentials
) -> None:
    created = expect_ok(client.post("/api/channels", json={"name": "line 2 / packer"}, headers=admin.headers))
    assert created["source"] == "Manufacturer V2 API"
    assert created["enabled"] is True
    headers = {"x-access-token": demo.static_token, "x-channel-key": created["channel_key"]}
    expect_ok(client.get(OPEN_ORDERS, headers=headers))
    assert created["channel_key"] not in client.get("/api/channels", headers=admin.headers).text

    path = f"/api/channels/{quote('line 2 / packer', safe='')}"
    assert expect_ok(client.patch(path, json={"enabled": False}, headers=admin.headers))["enabled"] is False
    expect_error(client.get(OPEN_ORDERS, headers=headers), 403, "ChannelError")
    expect_ok(client.patch(path, json={"enabled": True}, headers=admin.headers))
    expect_ok(client.get(OPEN_ORDERS, headers=headers))


def test_channel_refusals_write_nothing(client: TestClient, admin: Person, database: Database) -> None:
    duplicate = client.post("/api/channels", json={"name": DEMO_CHANNEL_NAME}, headers=admin.headers)
    expect_error(duplicate, 409, "ConflictError")
    with_source = client.post("/api/channels", json={"name": "x", "source": "Other"}, headers=admin.headers)
    assert expect_error(with_source, 400, "ValidationError")["error"]["details"][0]["field"] == "source"
    blank = client.post("/api/channels", json={"name": "   "}, headers=admin.headers)
    expect_error(blank, 400, "ValidationError")
    with database.unit_of_work() as s:
        assert [c.name for c in channel_service.list_all(s, admin.tenant_id)] == [DEMO_CHANNEL_NAME]


# -- another tenant's credentials ----------------------------------------------------------------------


def test_another_tenants_credentials_are_not_found(
    client: TestClient, admin: Person, outsider: Person, database: Database
) -> None:
    h = outsider.headers
    key_path = f"/api/api_keys/{DEMO_API_KEY_NAME}"
    channel_path = f"/api/channels/{DEMO_CHANNEL_NAME}"
    # The same answer as for a key that does not exist at all.
    missing = expect_error(client.patch("/api/api_keys/nope", json={"active": False}, headers=h), 404, "NotFoundError")
    foreign = expect_error(client.patch(key_path, json={"active": False}, headers=h), 404, "NotFoundError")
    assert foreign["message"] == missing["message"].replace("'nope'", repr(DEMO_API_KEY_NAME))
    expect_error(client.post(f"{key_path}/static_token", headers=h), 404, "NotFoundError")
    expect_error(client.delete(f"{key_path}/static_token", headers=h), 404, "NotFoundError")
    expect_error(client.patch(channel_path, json={"enabled": False}, headers=h), 404, "NotFoundError")
    expect_error(client.patch(f"/api/users/{admin.user_id}", json={"active": False}, headers=h), 404, "NotFoundError")

    assert expect_ok(client.get("/api/api_keys", headers=h)) == []
    assert expect_ok(client.get("/api/channels", headers=h)) == []
    assert [u["email"] for u in expect_ok(client.get("/api/users", headers=h))] == [outsider.email]

    with database.unit_of_work() as s:
        demo_key = api_key_service.get(s, admin.tenant_id, DEMO_API_KEY_NAME)
        assert demo_key.active is True
        assert demo_key.static_token_hash is not None
        assert channel_service.get(s, admin.tenant_id, DEMO_CHANNEL_NAME).enabled is True
        assert user_service.get(s, admin.tenant_id, admin.user_id).active is True


def test_patch_tenant(client: TestClient, admin: Person, support: Person, plain_user: Person, outsider: Person) -> None:
    assert expect_ok(client.get("/api/tenant", headers=plain_user.headers))["automatic_release"] is False
    for person in (support, plain_user):
        expect_error(
            client.patch("/api/tenant", json={"automatic_release": True}, headers=person.headers),
            403,
            "PermissionDeniedError",
        )
    assert (
        expect_ok(client.patch("/api/tenant", json={"automatic_release": True}, headers=admin.headers))[
            "automatic_release"
        ]
        is True
    )
    assert expect_ok(client.get("/api/tenant", headers=plain_user.headers))["automatic_release"] is True
    assert expect_ok(client.get("/api/tenant", headers=outsider.headers))["automatic_release"] is False
    for body in ({}, {"automatic_release": "yes"}, {"automatic_release": 1}, {"automatic_release": True, "name": "x"}):
        expect_error(client.patch("/api/tenant", json=body, headers=admin.headers), 400, "ValidationError")
