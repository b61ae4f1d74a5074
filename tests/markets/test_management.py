"""Management API for market profiles."""

from __future__ import annotations

from fastapi.testclient import TestClient

from packtrace.kit.db import Database
from packtrace.markets.service import market_service
from tests.auth.people import Person, create_order, expect_error, expect_ok

ALL = ["CHN", "EU", "IDN", "US"]


def markets(database: Database, tenant_id: int) -> list[str]:
    with database.unit_of_work() as s:
        return [p.market for p in market_service.list_all(s, tenant_id)]


def test_list_delete_and_add_back(client: TestClient, support: Person, database: Database) -> None:
    assert [m["market"] for m in expect_ok(client.get("/api/markets", headers=support.headers))] == ALL
    assert expect_ok(client.delete("/api/markets/IDN", headers=support.headers))["market"] == "IDN"
    assert markets(database, support.tenant_id) == ["CHN", "EU", "US"]
    expect_error(client.delete("/api/markets/IDN", headers=support.headers), 404, "NotFoundError")
    added = expect_ok(client.post("/api/markets", json={"market": "IDN", "name": "Indonesia"}, headers=support.headers))
    assert (added["market"], added["name"]) == ("IDN", "Indonesia")
    assert markets(database, support.tenant_id) == ALL


def test_refusals_write_nothing(client: TestClient, support: Person, database: Database) -> None:
    expect_error(client.post("/api/markets", json={"market": "EU"}, headers=support.headers), 409, "ConflictError")
    unknown = client.post("/api/markets", json={"market": "XX"}, headers=support.headers)
    assert expect_error(unknown, 400, "ValidationError")["error"]["details"][0]["field"] == "market"
    expect_error(client.delete("/api/markets/XX", headers=support.headers), 400, "ValidationError")
    assert markets(database, support.tenant_id) == ALL


def test_a_market_with_open_orders_stays(
    client: TestClient, support: Person, api_headers: dict[str, str], database: Database
) -> None:
    create_order(client, api_headers, "ORDER-EU", market="EU")
    body = expect_error(client.delete("/api/markets/EU", headers=support.headers), 409, "ConflictError")
    assert "EU" in body["message"]
    assert markets(database, support.tenant_id) == ALL


def test_another_tenants_markets_are_theirs(
    client: TestClient, outsider: Person, support: Person, database: Database
) -> None:
    assert expect_ok(client.get("/api/markets", headers=outsider.headers)) == []
    expect_error(client.delete("/api/markets/EU", headers=outsider.headers), 404, "NotFoundError")
    expect_ok(client.post("/api/markets", json={"market": "EU"}, headers=outsider.headers))
    assert markets(database, outsider.tenant_id) == ["EU"]
    assert markets(database, support.tenant_id) == ALL
