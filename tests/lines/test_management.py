"""Management API for packaging lines."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient

from packtrace.kit.db import Database
from packtrace.lines.service import line_service
from tests.auth.people import OTHER_LINE_TAG, Person, create_order, expect_error, expect_ok, order_details

DEMO_TAG = "test-packaging-line-1"


def lines(database: Database, tenant_id: int) -> list[tuple[str, str]]:
    with database.unit_of_work() as s:
        return [(line.tag, line.name) for line in line_service.list_all(s, tenant_id)]


def test_create_list_rename_and_delete(client: TestClient, support: Person, database: Database) -> None:
    created = expect_ok(client.post("/api/lines", json={"tag": "line-2", "name": "Line 2"}, headers=support.headers))
    assert (created["tag"], created["name"]) == ("line-2", "Line 2")
    listed = expect_ok(client.get("/api/lines", headers=support.headers))
    assert [(line["tag"], line["name"]) for line in listed] == [
        ("line-2", "Line 2"),
        (DEMO_TAG, "Demo packaging line 1"),
    ]

    renamed = expect_ok(client.patch("/api/lines/line-2", json={"name": "Blister line"}, headers=support.headers))
    assert (renamed["tag"], renamed["name"]) == ("line-2", "Blister line")
    assert ("line-2", "Blister line") in lines(database, support.tenant_id)

    deleted = expect_ok(client.delete("/api/lines/line-2", headers=support.headers))
    assert deleted["tag"] == "line-2"
    assert lines(database, support.tenant_id) == [(DEMO_TAG, "Demo packaging line 1")]
    expect_error(client.delete("/api/lines/line-2", headers=support.headers), 404, "NotFoundError")


def test_tags_with_any_text_work_percent_encoded(client: TestClient, support: Person, database: Database) -> None:
    tag = "Hall 2/Line #1? 100% ü"
    expect_ok(client.post("/api/lines", json={"tag": tag}, headers=support.headers))
    path = f"/api/lines/{quote(tag, safe='')}"
    assert expect_ok(client.patch(path, json={"name": "Odd"}, headers=support.headers))["tag"] == tag
    assert (tag, "Odd") in lines(database, support.tenant_id)
    assert expect_ok(client.delete(path, headers=support.headers))["tag"] == tag
    assert tag not in dict(lines(database, support.tenant_id))


def test_duplicate_tag_is_a_conflict(client: TestClient, support: Person, database: Database) -> None:
    duplicate = client.post("/api/lines", json={"tag": DEMO_TAG, "name": "Again"}, headers=support.headers)
    body = expect_error(duplicate, 409, "ConflictError")
    assert body["error"]["details"][0]["field"] == "tag"
    assert lines(database, support.tenant_id) == [(DEMO_TAG, "Demo packaging line 1")]


def test_invalid_requests_write_nothing(client: TestClient, support: Person, database: Database) -> None:
    for body, field in [
        ({"tag": " padded "}, "tag"),
        ({"tag": ""}, "tag"),
        ({"tag": "x" * 256}, "tag"),
        ({"tag": 7}, "tag"),
        ({"tag": "ok", "colour": "red"}, "colour"),
        ({"tag": "ok", "name": "n" * 256}, "name"),
    ]:
        refused = expect_error(client.post("/api/lines", json=body, headers=support.headers), 400, "ValidationError")
        assert refused["error"]["details"][0]["field"] == field
    rename_tag = client.patch(f"/api/lines/{DEMO_TAG}", json={"name": "x", "tag": "new-tag"}, headers=support.headers)
    assert expect_error(rename_tag, 400, "ValidationError")["error"]["details"] == [
        {"field": "tag", "message": "unknown field"}
    ]
    assert lines(database, support.tenant_id) == [(DEMO_TAG, "Demo packaging line 1")]


def test_a_line_an_order_uses_cannot_be_deleted(
    client: TestClient, support: Person, api_headers: dict[str, str], database: Database
) -> None:
    create_order(client, api_headers, "ORDER-1")
    body = expect_error(client.delete(f"/api/lines/{DEMO_TAG}", headers=support.headers), 409, "ConflictError")
    assert DEMO_TAG in body["message"]
    assert lines(database, support.tenant_id) == [(DEMO_TAG, "Demo packaging line 1")]
    assert order_details(client, api_headers, "ORDER-1")["packaging_line_tag"] == DEMO_TAG
    # Renaming it is fine: orders know the line by its tag.
    expect_ok(client.patch(f"/api/lines/{DEMO_TAG}", json={"name": "Line one"}, headers=support.headers))
    assert order_details(client, api_headers, "ORDER-1")["packaging_line_tag"] == DEMO_TAG


def test_another_tenants_line_is_not_found(
    client: TestClient, outsider: Person, support: Person, database: Database
) -> None:
    h = outsider.headers
    missing = expect_error(client.patch("/api/lines/nope", json={"name": "x"}, headers=h), 404, "NotFoundError")
    foreign = expect_error(client.patch(f"/api/lines/{DEMO_TAG}", json={"name": "x"}, headers=h), 404, "NotFoundError")
    assert foreign["message"] == missing["message"].replace("nope", DEMO_TAG)
    expect_error(client.delete(f"/api/lines/{DEMO_TAG}", headers=h), 404, "NotFoundError")
    assert [line["tag"] for line in expect_ok(client.get("/api/lines", headers=h))] == [OTHER_LINE_TAG]
    assert [line["tag"] for line in expect_ok(client.get("/api/lines", headers=support.headers))] == [DEMO_TAG]
    assert lines(database, support.tenant_id) == [(DEMO_TAG, "Demo packaging line 1")]
