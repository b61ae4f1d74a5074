"""Authentication of the Manufacturer V2 API: tokens, channel keys, and the errors of spec §1."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from packtrace.auth.service import api_key_service, channel_service, tenant_service
from packtrace.config import Settings
from packtrace.demo import DEMO_API_KEY_NAME, DEMO_CHANNEL_NAME, DEMO_TENANT, DemoCredentials
from packtrace.kit import security
from packtrace.kit.db import Database
from tests.support import ORDERS, V2, assert_error, row_counts, sample_order

TOKEN_FAILED = "Failed to authenticate the provided token."


def _create(client: TestClient, headers: dict[str, str]) -> Response:
    return client.post(ORDERS, json=sample_order(), headers=headers)


def test_dynamic_token_from_api_auth(client: TestClient, demo: DemoCredentials) -> None:
    response = client.post("/v1/api_auth", json={"api_key": demo.api_key, "api_secret": demo.api_secret})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and body["message"] == "Authentication successful"
    assert body["data"]["token_type"] == "Bearer"
    claims = jwt.decode(body["data"]["token"], options={"verify_signature": False})
    assert {"key", "_id", "iat", "exp"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 24 * 3600
    token = body["data"]["token"]
    created = client.post(
        ORDERS, json=sample_order(), headers={"x-access-token": token, "x-channel-key": demo.channel_key}
    )
    assert created.status_code == 200, created.text


def test_bearer_header_works_like_x_access_token(client: TestClient, demo: DemoCredentials) -> None:
    headers = {"Authorization": f"Bearer {demo.static_token}", "x-channel-key": demo.channel_key}
    assert client.get(f"{ORDERS}/open", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        {"api_key": "wrong", "api_secret": "whatever"},
        {"api_key": "<demo key>", "api_secret": "Wrong-secret-1!"},
    ],
)
def test_api_auth_refuses_without_saying_which_part_was_wrong(
    client: TestClient, demo: DemoCredentials, credentials: dict[str, str]
) -> None:
    credentials = {k: demo.api_key if v == "<demo key>" else v for k, v in credentials.items()}
    body = assert_error(client.post("/v1/api_auth", json=credentials), 401, "AuthenticationError")
    assert "unknown API key or wrong secret" in body["message"]


def test_api_auth_validates_its_body(client: TestClient) -> None:
    assert_error(client.post("/v1/api_auth", json={"api_key": "x"}), 400, "ValidationError", field="api_secret")


def test_no_token(client: TestClient, demo: DemoCredentials, session: Session) -> None:
    before = row_counts(session)
    body = assert_error(_create(client, {"x-channel-key": demo.channel_key}), 401, "NoTokenError")
    assert row_counts(session) == before
    assert body["error"]["details"] == []


def _signed_with(key: bytes, claims: dict[str, object]) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize("kind", ["garbage", "bad signature", "expired", "unknown key id", "none algorithm"])
def test_bad_tokens_fail_authentication(
    client: TestClient, demo: DemoCredentials, settings: Settings, session: Session, kind: str
) -> None:
    server_key = settings.signing_key()
    api_key_id = jwt.decode(demo.static_token, options={"verify_signature": False})["_id"]
    token = {
        "garbage": "not.a.token",
        "bad signature": _signed_with(b"another-key-another-key-another-key", {"_id": api_key_id, "typ": "dynamic"}),
        "expired": security.encode_jwt(
            server_key,
            {"_id": api_key_id, "typ": "dynamic"},
            timedelta(hours=24),
            issued_at=security.utcnow() - timedelta(hours=25),
        )[0],
        "unknown key id": security.encode_jwt(server_key, {"_id": "999999", "typ": "dynamic"}, timedelta(hours=1))[0],
        "none algorithm": jwt.encode({"_id": api_key_id, "typ": "dynamic"}, None, algorithm="none"),
    }[kind]
    before = row_counts(session)
    response = _create(client, {"x-access-token": token, "x-channel-key": demo.channel_key})
    body = assert_error(response, 401, "AuthenticationError")
    assert body["message"] == TOKEN_FAILED
    assert row_counts(session) == before


def test_revoked_static_token_stops_at_once_and_a_new_one_works(
    client: TestClient, demo: DemoCredentials, database: Database, settings: Settings
) -> None:
    headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
    assert client.get(f"{ORDERS}/open", headers=headers).status_code == 200
    with database.unit_of_work() as s:
        tenant = tenant_service.get_by_name(s, DEMO_TENANT)
        api_key_service.revoke_static_token(s, api_key_service.get(s, tenant.id, DEMO_API_KEY_NAME))
    assert_error(client.get(f"{ORDERS}/open", headers=headers), 401, "AuthenticationError")
    with database.unit_of_work() as s:
        api_key = api_key_service.get(s, tenant.id, DEMO_API_KEY_NAME)
        new = api_key_service.generate_static_token(s, settings.signing_key(), api_key)
    assert client.get(f"{ORDERS}/open", headers={**headers, "x-access-token": new.token}).status_code == 200
    assert_error(client.get(f"{ORDERS}/open", headers=headers), 401, "AuthenticationError")


def test_deactivated_api_key_stops_its_dynamic_tokens(
    client: TestClient, demo: DemoCredentials, database: Database
) -> None:
    token = client.post("/v1/api_auth", json={"api_key": demo.api_key, "api_secret": demo.api_secret}).json()
    headers = {"x-access-token": token["data"]["token"], "x-channel-key": demo.channel_key}
    with database.unit_of_work() as s:
        tenant = tenant_service.get_by_name(s, DEMO_TENANT)
        api_key_service.set_active(s, api_key_service.get(s, tenant.id, DEMO_API_KEY_NAME), False)
    assert_error(client.get(f"{ORDERS}/open", headers=headers), 401, "AuthenticationError")


def test_no_channel_key(client: TestClient, demo: DemoCredentials, session: Session) -> None:
    before = row_counts(session)
    assert_error(_create(client, {"x-access-token": demo.static_token}), 401, "NoChannelKeyError")
    assert row_counts(session) == before


def test_unknown_channel_key(client: TestClient, demo: DemoCredentials, session: Session) -> None:
    before = row_counts(session)
    response = _create(client, {"x-access-token": demo.static_token, "x-channel-key": "ch_unknown"})
    assert_error(response, 403, "ChannelError")
    assert row_counts(session) == before


def test_disabled_channel(client: TestClient, demo: DemoCredentials, database: Database, session: Session) -> None:
    with database.unit_of_work() as s:
        tenant = tenant_service.get_by_name(s, DEMO_TENANT)
        channel_service.set_enabled(s, channel_service.get(s, tenant.id, DEMO_CHANNEL_NAME), False)
    before = row_counts(session)
    response = _create(client, {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key})
    body = assert_error(response, 403, "ChannelError")
    assert "disabled" in body["message"]
    assert row_counts(session) == before


def test_channel_of_another_tenant(
    client: TestClient, demo: DemoCredentials, database: Database, settings: Settings, session: Session
) -> None:
    with database.unit_of_work() as s:
        other = tenant_service.create(s, "other")
        foreign = channel_service.create(s, settings.signing_key(), other.id, "their line").key
    before = row_counts(session)
    response = _create(client, {"x-access-token": demo.static_token, "x-channel-key": foreign})
    assert_error(response, 403, "ChannelError")
    assert row_counts(session) == before


def test_channel_of_another_source_is_refused(
    client: TestClient, demo: DemoCredentials, database: Database, settings: Settings
) -> None:
    with database.unit_of_work() as s:
        tenant = tenant_service.get_by_name(s, DEMO_TENANT)
        issued = channel_service.create(s, settings.signing_key(), tenant.id, "other source")
        issued.channel.source = "File upload"
    response = client.get(
        f"{V2}/packaging_order/open", headers={"x-access-token": demo.static_token, "x-channel-key": issued.key}
    )
    body = assert_error(response, 403, "ChannelError")
    assert "Manufacturer V2 API" in body["message"]


def test_failed_authentications_are_rate_limited(database: Database, demo: DemoCredentials) -> None:
    from packtrace.app import create_app

    settings = Settings(database_url=database.url, secret_key="x" * 40, auth_failure_limit=3)
    with TestClient(create_app(settings, database=database), raise_server_exceptions=False) as limited:
        for _ in range(3):
            assert_error(
                limited.post("/v1/api_auth", json={"api_key": "a", "api_secret": "b"}), 401, "AuthenticationError"
            )
        body = assert_error(
            limited.post("/v1/api_auth", json={"api_key": demo.api_key, "api_secret": demo.api_secret}),
            429,
            "RateLimitError",
        )
        assert "Too many failed authentications" in body["message"]
        bad_token = {"x-access-token": "garbage", "x-channel-key": demo.channel_key}
        assert_error(limited.get(f"{ORDERS}/open", headers=bad_token), 429, "RateLimitError")
