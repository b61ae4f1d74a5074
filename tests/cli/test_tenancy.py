"""``tenant`` and ``user``: what the commands change is what the API then sees."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.cli.support import STRONG_SECRET, Cli

EMAIL = "ops@acme.example"


def _login(api: TestClient, password: str, email: str = EMAIL) -> int:
    return api.post("/api/login", json={"email": email, "password": password}).status_code


def test_tenant_create_and_list(cli: Cli) -> None:
    created = cli.json("tenant", "create", "acme")
    assert created["name"] == "acme"
    assert created["created_at"].endswith("+00:00")  # ISO 8601, with its zone
    cli.ok("tenant", "create", "globex")
    assert [t["name"] for t in cli.json("tenant", "list")] == ["acme", "globex"]
    assert "globex" in cli.ok("tenant", "list").stdout


def test_tenant_name_is_unique(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    assert cli.error("tenant", "create", "acme") == "error: name: a tenant named 'acme' exists already"
    assert len(cli.json("tenant", "list")) == 1


def test_user_lifecycle_is_seen_by_sign_in(cli: Cli, api: TestClient) -> None:
    cli.ok("tenant", "create", "acme")
    user = cli.json(
        "user",
        "create",
        "--tenant",
        "acme",
        "--email",
        EMAIL,
        "--role",
        "User",
        "--name",
        "Ops",
        "--password",
        STRONG_SECRET,
    )
    assert (user["email"], user["role"], user["name"], user["active"]) == (EMAIL, "User", "Ops", True)
    assert _login(api, STRONG_SECRET) == 200

    assert cli.json("user", "set-role", "--tenant", "acme", "--email", EMAIL, "--role", "Support")["role"] == "Support"
    assert cli.json("user", "disable", "--tenant", "acme", "--email", EMAIL)["active"] is False
    assert _login(api, STRONG_SECRET) == 401
    cli.ok("user", "enable", "--tenant", "acme", "--email", EMAIL)
    assert _login(api, STRONG_SECRET) == 200

    cli.ok("user", "set-password", "--tenant", "acme", "--email", EMAIL, "--password", "N3w-Password!")
    assert _login(api, STRONG_SECRET) == 401
    assert _login(api, "N3w-Password!") == 200
    listed = cli.json("user", "list", "--tenant", "acme")
    assert [(u["email"], u["role"], u["active"]) for u in listed] == [(EMAIL, "Support", True)]
    assert "password" not in json.dumps(listed).lower()


def test_user_password_is_asked_for_twice_when_not_given(cli: Cli, api: TestClient) -> None:
    cli.ok("tenant", "create", "acme")
    result = cli.ok(
        "user", "create", "--tenant", "acme", "--email", EMAIL, "--role", "administrator",
        input=f"{STRONG_SECRET}\n{STRONG_SECRET}\n",
    )  # fmt: skip
    assert STRONG_SECRET not in result.stdout + result.stderr
    assert _login(api, STRONG_SECRET) == 200
    result = cli.ok(
        "user", "set-password", "--tenant", "acme", "--email", EMAIL, "--json", input="Other-Pass-1\nOther-Pass-1\n"
    )
    assert json.loads(result.stdout)["email"] == EMAIL
    assert _login(api, "Other-Pass-1") == 200


def test_weak_password_writes_nothing(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    line = cli.error("user", "create", "--tenant", "acme", "--email", EMAIL, "--role", "User", "--password", "short")
    assert line.startswith("error: password: must be at least 8 characters")
    assert cli.json("user", "list", "--tenant", "acme") == []


def test_user_belongs_to_its_tenant(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    cli.ok("tenant", "create", "globex")
    cli.ok("user", "create", "--tenant", "acme", "--email", EMAIL, "--role", "User", "--password", STRONG_SECRET)
    assert cli.json("user", "list", "--tenant", "globex") == []
    line = cli.error("user", "disable", "--tenant", "globex", "--email", EMAIL)
    assert line == f"error: email: no user with e-mail {EMAIL}"
    assert cli.json("user", "list", "--tenant", "acme")[0]["active"] is True


def test_user_create_in_unknown_tenant(cli: Cli) -> None:
    line = cli.error(
        "user", "create", "--tenant", "nobody", "--email", EMAIL, "--role", "User", "--password", STRONG_SECRET
    )
    assert line == "error: tenant: no tenant named 'nobody'"


def test_cli_tenant_set(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    assert cli.json("tenant", "set", "acme", "--automatic-release")["automatic_release"] is True
    assert [t["automatic_release"] for t in cli.json("tenant", "list")] == [True]
    assert cli.json("tenant", "set", "acme", "--no-automatic-release")["automatic_release"] is False
    assert (
        cli.error("tenant", "set", "acme")
        == "error: nothing to change: give --automatic-release or --no-automatic-release"
    )
    assert cli.error("tenant", "set", "globex", "--automatic-release") == "error: tenant: no tenant named 'globex'"
    assert "Automatic release" in cli.ok("tenant", "set", "acme", "--automatic-release").stdout
