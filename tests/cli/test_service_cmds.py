"""``migrate``, ``serve``, ``seed-demo``, ``demo``, and how the CLI reports errors."""

from __future__ import annotations

import asyncio
import json
import shlex
import socket
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from packtrace.auth.service import tenant_service
from packtrace.cli import service_cmds
from packtrace.cli.service_cmds import client_url
from packtrace.demo import DemoCredentials
from tests.cli.support import SAMPLE_REQUEST, Cli
from tests.support import ORDERS, fake_uvicorn

DEMO_KEYS = set(DemoCredentials.__dataclass_fields__)


def test_help_lists_the_command_groups(raw_cli: Cli) -> None:
    output = raw_cli.ok("--help").stdout
    for group in ("serve", "demo", "seed-demo", "migrate", "tenant", "user", "apikey", "token", "channel"):
        assert f" {group} " in output, group
    for group in ("market", "product", "line"):
        assert f" {group} " in output, group


def test_unmigrated_database_asks_for_migrate(raw_cli: Cli, database_url: str) -> None:
    line = raw_cli.error("tenant", "list")
    assert "run `packtrace migrate`" in line
    if make_url(database_url).get_backend_name() == "sqlite":
        # Asking did not leave an empty database file behind.
        assert not Path(make_url(database_url).database or "").exists()
    raw_cli.ok("migrate")
    raw_cli.ok("migrate")  # a second time changes nothing
    assert raw_cli.json("tenant", "list") == []


def test_empty_existing_database_asks_for_migrate(raw_cli: Cli, database_url: str) -> None:
    if make_url(database_url).get_backend_name() == "sqlite":
        Path(make_url(database_url).database or "").touch()
    assert "run `packtrace migrate`" in raw_cli.error("product", "list", "--tenant", "demo")


def test_seed_demo_json_is_one_object_with_every_credential(cli: Cli) -> None:
    first = cli.json("seed-demo")
    assert set(first) == DEMO_KEYS
    assert all(isinstance(v, str) and v for v in first.values())
    assert first["tenant"] == "demo"


def test_seed_demo_twice_gives_the_same_credentials_and_no_duplicates(cli: Cli) -> None:
    first = cli.json("seed-demo")
    assert cli.json("seed-demo") == first
    assert [t["name"] for t in cli.json("tenant", "list")] == ["demo"]
    for group in ("user", "apikey", "channel", "product", "line"):
        assert len(cli.json(group, "list", "--tenant", "demo")) == 1, group
    assert len(cli.json("market", "list", "--tenant", "demo")) == 4


def test_seed_demo_migrates_by_itself(raw_cli: Cli) -> None:
    assert set(raw_cli.json("seed-demo")) == DEMO_KEYS


def test_seed_demo_credentials_work_against_the_api(cli: Cli, api: TestClient) -> None:
    demo = cli.json("seed-demo")
    headers = {"x-access-token": demo["static_token"], "x-channel-key": demo["channel_key"]}
    response = api.post(ORDERS, json=SAMPLE_REQUEST, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "Open"

    auth = api.post("/v1/api_auth", json={"api_key": demo["api_key"], "api_secret": demo["api_secret"]})
    assert auth.status_code == 200, auth.text
    login = api.post("/api/login", json={"email": demo["admin_email"], "password": demo["admin_password"]})
    assert login.status_code == 200, login.text


def test_seed_demo_table_shows_whole_credentials(cli: Cli) -> None:
    demo = cli.json("seed-demo")
    output = cli.ok("seed-demo").stdout
    for value in demo.values():
        assert value in output, value


def test_serve_migrates_and_runs_the_app_on_host_and_port(raw_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_uvicorn(monkeypatch)
    raw_cli.ok("serve", "--host", "0.0.0.0", "--port", "0")
    assert len(calls) == 1
    assert isinstance(calls[0]["app"], FastAPI)
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["port"] > 0
    assert raw_cli.json("tenant", "list") == []  # migrated


def test_serve_defaults_to_localhost_8000(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_uvicorn(monkeypatch)
    asked: list[tuple[str, int]] = []
    real_listen = service_cmds.listen

    def listen(host: str, port: int) -> socket.socket:
        asked.append((host, port))
        return real_listen(host, 0)  # port 8000 may be taken on a test machine

    monkeypatch.setattr(service_cmds, "listen", listen)
    cli.ok("serve")
    assert asked == [("127.0.0.1", 8000)] and calls[0]["host"] == "127.0.0.1"


def test_serve_with_workers_hands_the_socket_to_each(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_uvicorn(monkeypatch)
    cli.ok("serve", "--port", "0", "--workers", "3")
    assert calls[0]["workers"] == 3 and calls[0]["app"] == "packtrace.cli.service_cmds:app_from_environment"


def test_served_connections_send_without_waiting_for_acks() -> None:
    """Every connection accepted on ``serve``'s socket has Nagle's algorithm off: asyncio sets TCP_NODELAY
    only when the socket names IPPROTO_TCP, and without it each answer waited 40 ms for a delayed ACK."""
    sock = service_cmds.listen("127.0.0.1", 0)
    accepted: list[int] = []

    async def scenario() -> None:
        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            while not accepted:
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(asyncio.wait_for(scenario(), 10))
    assert accepted == [1]


def test_serve_refuses_a_bad_port_in_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_uvicorn(monkeypatch)
    assert "--port" in cli.error("serve", "--port", "99999")
    assert calls == []


def _curl_commands(output: str) -> list[list[str]]:
    """Each ``curl`` command printed, split as a POSIX shell would split it."""
    joined = output.replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines() if line.startswith("curl ")]


def _parse_curl(words: list[str]) -> tuple[str, dict[str, str], Any]:
    url, headers, body = "", {}, None
    it = iter(words[1:])
    for word in it:
        if word == "-X":
            assert next(it) == "POST"
        elif word == "-H":
            name, value = next(it).split(": ", 1)
            headers[name] = value
        elif word == "-d":
            body = json.loads(next(it))
        else:
            url = word
    return url, headers, body


def test_demo_prints_working_curl_then_serves(raw_cli: Cli, api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_uvicorn(monkeypatch)
    output = raw_cli.ok("demo", "--port", "0").stdout
    port = calls[0]["port"]
    assert calls[0]["host"] == "127.0.0.1"
    demo = raw_cli.json("seed-demo")  # the same credentials, as seeding is idempotent
    assert f"http://127.0.0.1:{port}/docs" in output
    assert demo["admin_email"] in output and demo["admin_password"] in output

    order_curl, token_curl = _curl_commands(output)
    url, headers, body = _parse_curl(order_curl)
    assert url == f"http://127.0.0.1:{port}" + ORDERS
    assert headers["Content-Type"] == "application/json"
    assert body == SAMPLE_REQUEST
    response = api.post(url.removeprefix(f"http://127.0.0.1:{port}"), json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "Open"

    url, headers, body = _parse_curl(token_curl)
    assert url == f"http://127.0.0.1:{port}/v1/api_auth"
    assert body == {"api_key": demo["api_key"], "api_secret": demo["api_secret"]}
    assert api.post("/v1/api_auth", json=body, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("host", "url"),
    [("0.0.0.0", "http://127.0.0.1:80"), ("::", "http://[::1]:80"), ("example.org", "http://example.org:80")],
)
def test_client_url_is_one_to_connect_to(host: str, url: str) -> None:
    assert client_url(host, 80) == url


def test_unexpected_error_is_one_line_with_exit_2(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any) -> Any:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(tenant_service, "list_all", broken)
    assert cli.error("tenant", "list", exit_code=2) == "error: RuntimeError: disk on fire second line"


def test_bad_option_value_is_one_line(cli: Cli) -> None:
    cli.ok("tenant", "create", "acme")
    line = cli.error("user", "create", "--tenant", "acme", "--email", "a@acme.example", "--role", "Boss")
    assert "--role" in line
    assert cli.json("user", "list", "--tenant", "acme") == []


def test_missing_option_is_one_line(cli: Cli) -> None:
    assert "--tenant" in cli.error("line", "list")


def test_invalid_setting_is_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKTRACE_MAX_BODY_BYTES", "lots")
    assert "PACKTRACE_MAX_BODY_BYTES" in cli.error("tenant", "list")
