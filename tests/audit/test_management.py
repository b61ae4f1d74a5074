"""``GET /api/audit``: the tenant's trail, newest first, paged and filtered; Support and Administrators
read it, nobody else, and no tenant sees another's."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from packtrace.demo import DemoCredentials
from tests.auth.people import Person
from tests.support import assert_error


def _make_lines(client: TestClient, person: Person, count: int) -> None:
    for n in range(count):
        body = {"tag": f"audit-line-{n}", "name": f"Line {n}", "reason": f"line {n} installed"}
        assert client.post("/api/lines", json=body, headers=person.headers).status_code == 200


def _audit(client: TestClient, person: Person, **params: Any) -> dict[str, Any]:
    response = client.get("/api/audit", params=params, headers=person.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def test_pages_walk_the_trail_newest_first(client: TestClient, support: Person) -> None:
    _make_lines(client, support, 5)
    first = _audit(client, support, entity="line", limit=2)
    assert [r["entity_id"] for r in first["records"]] == ["audit-line-4", "audit-line-3"]
    assert first["records"][0]["reason"] == "line 4 installed"
    assert first["records"][0]["changes"]["name"] == {"old": None, "new": "Line 4"}
    seen = [r["entity_id"] for r in first["records"]]
    before = first["next_before"]
    while before is not None:
        page = _audit(client, support, entity="line", limit=2, before=before)
        seen += [r["entity_id"] for r in page["records"]]
        before = page["next_before"]
    assert seen[:5] == [f"audit-line-{n}" for n in (4, 3, 2, 1, 0)]
    assert len(seen) == len(set(seen))


def test_filters_by_actor_and_time(client: TestClient, support: Person, admin: Person) -> None:
    _make_lines(client, support, 2)
    client.patch("/api/tenant", json={"automatic_release": True}, headers=admin.headers)
    mine = _audit(client, admin, actor=admin.email)["records"]
    assert [(r["entity"], r["actor"]) for r in mine] == [("tenant", f"user:{admin.email}")]
    newest = mine[0]["recorded_at"]
    assert _audit(client, admin, **{"from": newest, "entity": "tenant"})["records"] == mine
    assert _audit(client, admin, **{"to": newest, "actor": admin.email})["records"] == []


def test_a_plain_user_may_not_read_the_trail(client: TestClient, plain_user: Person) -> None:
    assert_error(client.get("/api/audit", headers=plain_user.headers), 403, "PermissionDeniedError")


def test_another_tenant_sees_none_of_the_demo_s_records(
    client: TestClient, support: Person, outsider: Person, demo: DemoCredentials
) -> None:
    _make_lines(client, support, 1)
    records = _audit(client, outsider, limit=1000)["records"]
    assert records and {r["actor"] for r in records} <= {"system"}
    assert "audit-line-0" not in {r["entity_id"] for r in records}
    assert demo.product_code not in {r["entity_id"] for r in records}


def test_bad_paging_and_filters_name_the_field(client: TestClient, support: Person) -> None:
    assert_error(client.get("/api/audit?limit=0", headers=support.headers), 400, "ValidationError", "limit")
    assert_error(client.get("/api/audit?before=x", headers=support.headers), 400, "ValidationError", "before")
    assert_error(client.get("/api/audit?from=yesterday", headers=support.headers), 400, "ValidationError", "from")
    response = client.get("/api/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", headers=support.headers)
    assert_error(response, 400, "ValidationError", "to")


def test_reason_is_refused_when_too_long(client: TestClient, support: Person, demo: DemoCredentials) -> None:
    body = {"name": "x", "reason": "r" * 1001}
    response = client.patch(f"/api/products/{demo.product_code}", json=body, headers=support.headers)
    assert_error(response, 400, "ValidationError", "reason")


def test_a_time_before_the_first_utc_instant_is_bad_input_not_a_crash(client: TestClient, support: Person) -> None:
    response = client.get("/api/audit", params={"from": "0001-01-01T00:00:00+05:00"}, headers=support.headers)
    assert_error(response, 400, "ValidationError", "from")
