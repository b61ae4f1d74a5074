"""The role rules of the management API, enforced on the server: a representative read and write in each
area for a User, Support and an Administrator; a refused write changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.auth.service import api_key_service, channel_service, user_service
from packtrace.kit.db import Database
from packtrace.lines.service import line_service
from packtrace.markets.service import market_service
from packtrace.products.service import product_service
from tests.auth.people import PASSWORD, Person, expect_error, expect_ok

ROLES = ("plain_user", "support", "admin")
MASTER_DATA = ("/api/markets", "/api/products", "/api/lines", "/api/partners")
# What Support may change: master data, and the shopfloor work on it (SSCC pool, commissioning uploads,
# batch recalls, the fate of reports in the outbox).
SUPPORT_WRITES = (*MASTER_DATA, "/api/ssccs", "/api/commission", "/api/batches", "/api/reports")


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    body: dict[str, Any] | None
    allowed: frozenset[str]
    state: Callable[[Session, int], object]  # what the write changes, read straight from the database


WRITES = {
    "users": Write(
        "POST",
        "/api/users",
        {"email": "new@a.example", "password": PASSWORD, "role": "User"},
        frozenset({"admin"}),
        lambda s, t: sorted(u.email for u in user_service.list_all(s, t)),
    ),
    "api keys": Write(
        "POST",
        "/api/api_keys",
        {"name": "erp-2", "secret": "Api-Secret-1!"},
        frozenset({"admin"}),
        lambda s, t: [k.name for k in api_key_service.list_all(s, t)],
    ),
    "static tokens": Write(
        "DELETE",
        "/api/api_keys/demo-erp/static_token",
        None,
        frozenset({"admin"}),
        lambda s, t: [k.static_token_hash for k in api_key_service.list_all(s, t)],
    ),
    "channels": Write(
        "PATCH",
        "/api/channels/demo-line-middleware",
        {"enabled": False},
        frozenset({"admin"}),
        lambda s, t: [(c.name, c.enabled) for c in channel_service.list_all(s, t)],
    ),
    "markets": Write(
        "DELETE",
        "/api/markets/IDN",
        None,
        frozenset({"support", "admin"}),
        lambda s, t: [p.market for p in market_service.list_all(s, t)],
    ),
    "products": Write(
        "POST",
        "/api/products",
        {"product_code": "4006381333931", "product_code_schema": "GTIN", "name": "P", "company_prefix_length": 7},
        frozenset({"support", "admin"}),
        lambda s, t: [v.product.code for v in product_service.list_all(s, t)],
    ),
    "lines": Write(
        "PATCH",
        "/api/lines/test-packaging-line-1",
        {"name": "Renamed"},
        frozenset({"support", "admin"}),
        lambda s, t: [(line.tag, line.name) for line in line_service.list_all(s, t)],
    ),
}

READS = {
    "/api/me": frozenset(ROLES),
    "/api/tenant": frozenset(ROLES),
    "/api/markets": frozenset(ROLES),
    "/api/products": frozenset(ROLES),
    "/api/products/01234512345901": frozenset(ROLES),
    "/api/lines": frozenset(ROLES),
    "/api/users": frozenset({"support", "admin"}),
    "/api/api_keys": frozenset({"support", "admin"}),
    "/api/channels": frozenset({"support", "admin"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("area", list(WRITES))
def test_writes_follow_the_role_rules(
    client: TestClient, database: Database, request: pytest.FixtureRequest, role: str, area: str
) -> None:
    person: Person = request.getfixturevalue(role)
    write = WRITES[area]
    with database.unit_of_work() as s:
        before = write.state(s, person.tenant_id)
    response = client.request(write.method, write.path, json=write.body, headers=person.headers)
    with database.unit_of_work() as s:
        after = write.state(s, person.tenant_id)
    if role in write.allowed:
        expect_ok(response)
        assert after != before
    else:
        body = expect_error(response, 403, "PermissionDeniedError")
        assert role.replace("plain_user", "User").capitalize() in body["message"]
        assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_reads_follow_the_role_rules(client: TestClient, request: pytest.FixtureRequest, role: str) -> None:
    person: Person = request.getfixturevalue(role)
    for path, allowed in READS.items():
        response = client.get(path, headers=person.headers)
        if role in allowed:
            expect_ok(response)
        else:
            expect_error(response, 403, "PermissionDeniedError")


def write_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every write of the management API except signing in, with its path parameters filled in."""
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if not path.startswith("/api/") or path == "/api/login":
            continue
        filled = re.sub(r"\{[^}]+\}", "1", path)
        found += [(method.upper(), filled) for method in operations if method in {"post", "put", "patch", "delete"}]
    return found


@pytest.mark.parametrize(("role", "allowed_prefixes"), [("plain_user", ()), ("support", SUPPORT_WRITES)])
def test_no_write_route_is_open_to_a_role_it_should_not_be(
    client: TestClient, request: pytest.FixtureRequest, role: str, allowed_prefixes: tuple[str, ...]
) -> None:
    person: Person = request.getfixturevalue(role)
    routes = write_routes(client)
    assert len(routes) >= 15
    for method, path in routes:
        if path.startswith(allowed_prefixes):
            continue
        response = client.request(method, path, json={}, headers=person.headers)
        expect_error(response, 403, "PermissionDeniedError")


NUL_REQUESTS = [
    ("POST", "/api/login", {"email": "a\x00b@a.example", "password": "x"}),
    ("POST", "/api/users", {"email": "a\x00b@a.example", "password": PASSWORD, "role": "User"}),
    ("POST", "/api/users", {"email": "ab@a.example", "password": PASSWORD, "role": "User", "name": "a\x00"}),
    ("PATCH", "/api/users/99999999999999999999", {"name": "x"}),
    ("POST", "/api/api_keys", {"name": "a\x00b", "secret": "Api-Secret-1!"}),
    ("PATCH", "/api/api_keys/a%00b", {"active": True}),
    ("POST", "/api/channels", {"name": "a\x00b"}),
    ("PATCH", "/api/channels/a%00b", {"enabled": True}),
    ("POST", "/api/markets", {"market": "IDN", "name": "a\x00"}),
    (
        "POST",
        "/api/products",
        {"product_code": "4006381333931", "product_code_schema": "GTIN", "name": "a\x00", "company_prefix_length": 7},
    ),
    ("PATCH", "/api/products/01234512345901", {"alias": "a\x00"}),
    ("POST", "/api/lines", {"tag": "ab", "name": "a\x00b"}),
    ("PATCH", "/api/lines/a%00b", {"name": "x"}),
    ("DELETE", "/api/lines/a%00b", None),
]


@pytest.mark.parametrize(("method", "path", "body"), NUL_REQUESTS)
def test_text_the_database_cannot_hold_is_a_validation_error(
    client: TestClient, admin: Person, method: str, path: str, body: dict[str, Any] | None
) -> None:
    # PostgreSQL text cannot hold NUL, nor an int4 column a 20-digit id: bad input, never a 500.
    expect_error(client.request(method, path, json=body, headers=admin.headers), 400, "ValidationError")
