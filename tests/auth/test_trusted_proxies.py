"""``PACKTRACE_TRUSTED_PROXIES``: X-Forwarded-For is believed only from the proxies it names, so a client
cannot choose the address its failed authentications count against. Checked on a real uvicorn server
with the options ``packtrace serve`` passes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from packtrace.config import Settings
from tests.support import fake_uvicorn


async def _echo_client(scope: Scope, receive: Receive, send: Send) -> None:
    """What the application sees as the caller's address, after uvicorn's proxy handling."""
    if scope["type"] != "http":
        return
    body = json.dumps({"client": scope["client"][0], "scheme": scope["scheme"]}).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def _serving(options: dict[str, Any]) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(_echo_client, host="127.0.0.1", port=0, log_level="warning", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _seen(base_url: str) -> dict[str, str]:
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    seen: dict[str, str] = httpx2.get(f"{base_url}/", headers=forged).json()
    return seen


def test_by_default_no_proxy_is_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    # uvicorn alone would believe 127.0.0.1 (and this variable); PackTrace trusts none unless told.
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")
    with _serving(Settings().proxy_options()) as url:
        assert _seen(url) == {"client": "127.0.0.1", "scheme": "http"}


def test_a_named_proxy_is_believed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKTRACE_TRUSTED_PROXIES", "10.0.0.1, 127.0.0.1")
    options = Settings().proxy_options()
    assert options == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.1", "127.0.0.1"]}
    with _serving(options) as url:
        assert _seen(url) == {"client": "203.0.113.9", "scheme": "https"}


def test_a_proxy_not_named_is_not_believed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKTRACE_TRUSTED_PROXIES", "10.0.0.1")
    with _serving(Settings().proxy_options()) as url:
        assert _seen(url)["client"] == "127.0.0.1"


def test_serve_passes_the_proxy_settings_to_uvicorn(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from packtrace.cli import service_cmds

    calls = fake_uvicorn(monkeypatch)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'serve.db'}", secret_key="s" * 40, trusted_proxies="10.0.0.1"
    )
    service_cmds.run_server(settings, service_cmds.listen("127.0.0.1", 0))
    assert (calls[0]["proxy_headers"], calls[0]["forwarded_allow_ips"]) == (True, ["10.0.0.1"])
    untrusting = settings.model_copy(update={"trusted_proxies": ""})
    service_cmds.run_server(untrusting, service_cmds.listen("127.0.0.1", 0), workers=2, migrate_first=False)
    assert calls[1]["proxy_headers"] is False and calls[1]["workers"] == 2
