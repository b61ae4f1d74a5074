"""``apikey``, ``token`` and ``channel``: what they print works against the API, and stops working when
disabled or revoked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from packtrace.auth.service import SECRET_RULE
from tests.cli.support import STRONG_SECRET, Cli, sample_order
from tests.support import ORDERS


@pytest.fixture
def demo(cli: Cli) -> dict[str, Any]:
    """The demo tenant: product, line, markets, an API key with a static token, a channel."""
    return dict(cli.json("seed-demo"))


def _api_auth(api: TestClient, key: str, secret: str) -> int:
    return api.post("/v1/api_auth", json={"api_key": key, "api_secret": secret}).status_code


def _order(api: TestClient, order_id: str, token: str, channel_key: str) -> Any:
    return api.post(
        ORDERS, json=sample_order(order_id), headers={"x-access-token": token, "x-channel-key": channel_key}
    )


def test_apikey_create_prints_a_key_that_gets_a_dynamic_token(cli: Cli, api: TestClient) -> None:
    cli.ok("tenant", "create", "acme")
    created = cli.json("apikey", "create", "--tenant", "acme", "--name", "erp", "--secret", STRONG_SECRET)
    assert created["name"] == "erp" and created["active"] is True and created["static_token"] is False
    response = api.post("/v1/api_auth", json={"api_key": created["key"], "api_secret": STRONG_SECRET})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["token"]
    assert _api_auth(api, created["key"], "Wrong-Secret-1") == 401


def test_apikey_key_is_shown_once_with_a_warning(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    result = cli.ok("apikey", "create", "--tenant", "acme", "--name", "erp", "--secret", STRONG_SECRET)
    key = next(line.strip() for line in result.stdout.splitlines() if line.strip().startswith("ak_"))
    assert result.stdout.count(key) == 1
    assert "not shown again" in result.stdout
    listed = cli.json("apikey", "list", "--tenant", "acme")
    assert [k["name"] for k in listed] == ["erp"]
    assert key not in str(listed)
    assert key not in cli.ok("apikey", "list", "--tenant", "acme").stdout
    assert listed[0]["key_hint"] == key[-4:]


def test_apikey_secret_is_asked_for_when_not_given(cli: Cli, api: TestClient) -> None:
    cli.ok("tenant", "create", "acme")
    result = cli.ok(
        "apikey", "create", "--tenant", "acme", "--name", "erp", "--json", input=f"{STRONG_SECRET}\n{STRONG_SECRET}\n"
    )
    assert STRONG_SECRET not in result.stdout + result.stderr  # the prompt is hidden
    created = json.loads(result.stdout)
    assert _api_auth(api, created["key"], STRONG_SECRET) == 200


def test_weak_secret_is_refused_naming_the_rule_and_nothing_is_written(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    line = cli.error("apikey", "create", "--tenant", "acme", "--name", "erp", "--secret", "password")
    assert line == f"error: secret: must be {SECRET_RULE}"
    assert cli.json("apikey", "list", "--tenant", "acme") == []


def test_apikey_disable_and_enable(cli: Cli, api: TestClient) -> None:
    cli.ok("tenant", "create", "acme")
    key = cli.json("apikey", "create", "--tenant", "acme", "--name", "erp", "--secret", STRONG_SECRET)["key"]
    assert cli.json("apikey", "disable", "--tenant", "acme", "--name", "erp")["active"] is False
    assert _api_auth(api, key, STRONG_SECRET) == 401
    assert cli.json("apikey", "enable", "--tenant", "acme", "--name", "erp")["active"] is True
    assert _api_auth(api, key, STRONG_SECRET) == 200


def test_apikey_of_unknown_tenant_or_name(cli: Cli) -> None:
    assert cli.error("apikey", "list", "--tenant", "nobody") == "error: tenant: no tenant named 'nobody'"
    cli.ok("tenant", "create", "acme")
    assert "no API key named 'erp'" in cli.error("apikey", "disable", "--tenant", "acme", "--name", "erp")


def test_token_revoke_stops_the_static_token(cli: Cli, api: TestClient, demo: dict[str, Any]) -> None:
    token = cli.json("token", "generate", "--tenant", "demo", "--api-key", "demo-erp")["token"]
    assert _order(api, "Order201", token, demo["channel_key"]).status_code == 200
    cli.ok("token", "revoke", "--tenant", "demo", "--api-key", "demo-erp")
    assert _order(api, "Order202", token, demo["channel_key"]).status_code == 401
    assert cli.json("apikey", "list", "--tenant", "demo")[0]["static_token"] is False
    assert "has no static token" in cli.error("token", "revoke", "--tenant", "demo", "--api-key", "demo-erp")


def test_token_generate_replaces_the_previous_one(cli: Cli, api: TestClient, demo: dict[str, Any]) -> None:
    first = cli.json("token", "generate", "--tenant", "demo", "--api-key", "demo-erp")["token"]
    result = cli.ok("token", "generate", "--tenant", "demo", "--api-key", "demo-erp")
    second = next(line.strip() for line in result.stdout.splitlines() if line.strip().startswith("eyJ"))
    assert "not shown again" in result.stdout
    assert second != first
    assert _order(api, "Order301", demo["static_token"], demo["channel_key"]).status_code == 401
    assert _order(api, "Order302", first, demo["channel_key"]).status_code == 401
    response = _order(api, "Order303", second, demo["channel_key"])
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "Open"


def test_channel_create_prints_a_working_key(cli: Cli, api: TestClient, demo: dict[str, Any]) -> None:
    created = cli.json("channel", "create", "--tenant", "demo", "--name", "line-2")
    assert created["source"] == "Manufacturer V2 API" and created["enabled"] is True
    assert _order(api, "Order401", demo["static_token"], created["key"]).status_code == 200
    listed = cli.json("channel", "list", "--tenant", "demo")
    assert sorted(c["name"] for c in listed) == ["demo-line-middleware", "line-2"]
    assert created["key"] not in str(listed)


def test_channel_disable_gives_channel_error(cli: Cli, api: TestClient, demo: dict[str, Any]) -> None:
    disabled = cli.json("channel", "disable", "--tenant", "demo", "--name", "demo-line-middleware")
    assert disabled["enabled"] is False
    response = _order(api, "Order501", demo["static_token"], demo["channel_key"])
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "ChannelError"
    cli.ok("channel", "enable", "--tenant", "demo", "--name", "demo-line-middleware")
    assert _order(api, "Order502", demo["static_token"], demo["channel_key"]).status_code == 200


def test_channel_name_is_unique_per_tenant(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    cli.ok("channel", "create", "--tenant", "acme", "--name", "line-1")
    assert "exists already" in cli.error("channel", "create", "--tenant", "acme", "--name", "line-1")
    assert len(cli.json("channel", "list", "--tenant", "acme")) == 1
