"""Helpers shared by the tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from httpx2 import Response
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from packtrace.kit.db import make_engine, normalize_url
from packtrace.models import (
    ApiKey,
    Channel,
    OrderEvent,
    OrderSerial,
    PackagingOrder,
    PoolSerial,
    Product,
    SerialNumber,
    User,
)

V2 = "/v1/manufacturer/v2/api"
ORDERS = f"{V2}/packaging_order"

_COUNTED = (PackagingOrder, OrderEvent, SerialNumber, PoolSerial, OrderSerial, Product, ApiKey, Channel, User)


def _url_with_schema(url: str, schema: str) -> str:
    """The URL with every connection's search_path set to ``schema``."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schema(url: str, prefix: str) -> Iterator[str]:
    """A PostgreSQL schema of its own in the database of ``url`` (its query ignored), named ``prefix``
    and a random suffix, dropped with all it holds afterwards: the URL of connections that use it."""
    base = normalize_url(url.split("?")[0])
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    owner = make_engine(base)
    with owner.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _url_with_schema(base, schema)
    finally:
        with owner.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        owner.dispose()


def row_counts(session: Session) -> dict[str, int]:
    """Rows per table, to show that a refused request wrote nothing."""
    session.expire_all()
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in _COUNTED}


def assert_error(response: Response, status: int, error_type: str, field: str | None = None) -> dict[str, Any]:
    """The response is the spec's error envelope with this status and type (and a detail on ``field``)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    assert body["error"]["type"] == error_type, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["error"]["details"], list)
    if field is not None:
        assert field in [d["field"] for d in body["error"]["details"]], body
    assert response.headers.get("x-request-id")
    return body


def sample_order(**changes: Any) -> dict[str, Any]:
    """The spec's sample request (check digit corrected), with ``changes`` applied."""
    body: dict[str, Any] = {
        "batch": "BATCH111",
        "expiry_date": "221115",
        "extra_percentage": 10,
        "market": "EU",
        "order_description": "Packaging Order 130",
        "order_id": "Order130",
        "packaging_line_tag": "test-packaging-line-1",
        "product_code_schema": "GTIN",
        "product_code": "01234512345901",
        "quantity": 10,
        "serialized": True,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


# The GS1 company prefixes under which the tests register products and make SSCCs: every test tenant owns
# them, as a real tenant owns its prefixes before it registers products (the rule is not weakened).
TEST_PREFIXES = ("1234512", "4006381", "9506000", "0123451", "012345100000")


def register_prefixes(session: Session, tenant_id: int, prefixes: tuple[str, ...] = TEST_PREFIXES) -> None:
    """Register ``prefixes`` as the tenant's own GS1 company prefixes (those it has already are kept)."""
    from packtrace.prefixes.service import company_prefix_service

    known = {row.prefix for row in company_prefix_service.list_all(session, tenant_id)}
    for prefix in prefixes:
        if prefix not in known:
            company_prefix_service.register(session, tenant_id, prefix)


def make_tenant(db: Any, server_key: bytes, name: str) -> dict[str, str]:
    """A second tenant with an API key, a static token, a channel, the EU market, the demo's product code
    and line tag; returns the headers of a Manufacturer V2 API call as that tenant."""
    from packtrace.auth.service import api_key_service, channel_service, tenant_service
    from packtrace.lines.service import line_service
    from packtrace.markets.service import market_service
    from packtrace.products.service import ProductSettings, product_service

    with db.unit_of_work() as s:
        tenant = tenant_service.create(s, name)
        api_key = api_key_service.create(s, server_key, tenant.id, "erp", "Other-secret-1!").api_key
        token = api_key_service.generate_static_token(s, server_key, api_key).token
        channel_key = channel_service.create(s, server_key, tenant.id, "line").key
        market_service.add(s, tenant.id, "EU")
        register_prefixes(s, tenant.id)
        product_service.create(
            s, tenant.id, "01234512345901", ProductSettings(name="Theirs", markets=["EU"], company_prefix_length=7)
        )
        line_service.create(s, tenant.id, "test-packaging-line-1")
    return {"x-access-token": token, "x-channel-key": channel_key}


def fill_pool(db: Any, tenant_name: str, product_code: str, count: int) -> None:
    """Make ``count`` Available serials in the product's pool, committed."""
    from packtrace.auth.service import tenant_service
    from packtrace.products.service import product_service
    from packtrace.serials.service import serial_service

    with db.unit_of_work() as s:
        tenant = tenant_service.get_by_name(s, tenant_name)
        serial_service.generate_into_pool(s, product_service.get(s, tenant.id, product_code), count)


REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def standards(*parts: str) -> Path:
    """A path under ``<repository root>/../shared/standards`` (the standards' own artefacts). Where the
    folder is absent the test skips, unless PACKTRACE_REQUIRE_STANDARDS=1 (CI): then it fails."""
    path = REPOSITORY_ROOT.parent / "shared" / "standards" / "/".join(parts)
    if not path.exists():
        reason = f"standards artefact {path} not found"
        if os.environ.get("PACKTRACE_REQUIRE_STANDARDS") == "1":
            pytest.fail(f"{reason}; PACKTRACE_REQUIRE_STANDARDS=1 requires it")
        pytest.skip(reason)
    return path


def fake_uvicorn(monkeypatch: Any) -> list[dict[str, Any]]:
    """Record what ``packtrace serve``/``demo`` would serve instead of serving it: for each run, the app
    (or the factory of several workers), where its socket is bound, the workers and the proxy options."""
    import uvicorn

    from packtrace.cli import service_cmds

    calls: list[dict[str, Any]] = []

    def record(config: Any, sockets: list[Any]) -> None:
        host, port = sockets[0].getsockname()[:2]
        for sock in sockets:
            sock.close()
        calls.append(
            {
                "app": config.app,
                "host": host,
                "port": port,
                "workers": config.workers or 1,
                "proxy_headers": config.proxy_headers,
                "forwarded_allow_ips": config.forwarded_allow_ips,
            }
        )

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: record(self.config, sockets or []))
    monkeypatch.setattr(service_cmds.Multiprocess, "run", lambda self: record(self.config, self.sockets))
    return calls


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements every engine executes inside the block, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)
