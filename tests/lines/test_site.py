"""Where EPCIS events happen, through the management API: ``GET/PATCH /api/site`` (the site's GLN and
time-zone offset) and a line's GLN in ``PATCH /api/lines/{tag}``; validated, audited, and used by the
events written afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.auth.people import Person, expect_error, expect_ok

GLN, OTHER_GLN = "4012345000009", "9521234000013"
DEMO_TAG = "test-packaging-line-1"


def _field_refused(response: Any, field: str) -> str:
    body = expect_error(response, 400, "ValidationError")
    detail = body["error"]["details"][0]
    assert detail["field"] == field, body
    return str(detail["message"])


def test_the_site_starts_without_gln_at_utc_and_everyone_reads_it(client: TestClient, plain_user: Person) -> None:
    site = expect_ok(client.get("/api/site", headers=plain_user.headers))
    assert site == {"gln": None, "gln_extension": None, "time_zone_offset": "+00:00"}


def test_an_administrator_sets_and_removes_the_site_and_the_trail_says_so(
    client: TestClient, admin: Person, support: Person
) -> None:
    body = {"gln": GLN, "gln_extension": "Hall-3", "time_zone_offset": "+01:00", "reason": "new plant"}
    assert expect_ok(client.patch("/api/site", json=body, headers=admin.headers)) == {
        "gln": GLN,
        "gln_extension": "Hall-3",
        "time_zone_offset": "+01:00",
    }
    # Left out stays: only the offset changes.
    changed = expect_ok(client.patch("/api/site", json={"time_zone_offset": "-05:30"}, headers=admin.headers))
    assert (changed["gln"], changed["gln_extension"], changed["time_zone_offset"]) == (GLN, "Hall-3", "-05:30")
    removed = expect_ok(client.patch("/api/site", json={"gln": ""}, headers=admin.headers))
    assert (removed["gln"], removed["gln_extension"]) == (None, None)

    trail = client.get("/api/audit", params={"entity": "site"}, headers=support.headers).json()["data"]["records"]
    assert [r["changes"] for r in reversed(trail)] == [
        {
            "gln": {"old": None, "new": GLN},
            "gln_extension": {"old": None, "new": "Hall-3"},
            "time_zone_offset": {"old": "+00:00", "new": "+01:00"},
        },
        {"time_zone_offset": {"old": "+01:00", "new": "-05:30"}},
        {"gln": {"old": GLN, "new": None}, "gln_extension": {"old": "Hall-3", "new": None}},
    ]
    assert trail[-1]["reason"] == "new plant"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gln": "4012345000008"}, "gln"),  # wrong check digit
        ({"gln": "401234500000"}, "gln"),  # 12 digits
        ({"gln": "40123450000AB"}, "gln"),
        ({"gln": GLN, "gln_extension": "hall 3"}, "gln_extension"),  # a space is not in set 82
        ({"gln": GLN, "gln_extension": "x" * 21}, "gln_extension"),
        ({"gln_extension": "A"}, "gln_extension"),  # no GLN to extend
        ({"time_zone_offset": "+14:30"}, "time_zone_offset"),
        ({"time_zone_offset": "-12:30"}, "time_zone_offset"),
        ({"time_zone_offset": "+1:00"}, "time_zone_offset"),
        ({"time_zone_offset": "01:00"}, "time_zone_offset"),
        ({"time_zone_offset": 1}, "time_zone_offset"),
        ({"site": "x"}, "site"),
    ],
)
def test_bad_site_settings_are_refused_naming_the_field(
    client: TestClient, admin: Person, body: dict[str, Any], field: str
) -> None:
    _field_refused(client.patch("/api/site", json=body, headers=admin.headers), field)
    assert expect_ok(client.get("/api/site", headers=admin.headers))["gln"] is None


@pytest.mark.parametrize("offset", ["-12:00", "+14:00", "+05:45", "-00:00"])
def test_the_offset_range_s_ends_are_accepted(client: TestClient, admin: Person, offset: str) -> None:
    site = expect_ok(client.patch("/api/site", json={"time_zone_offset": offset}, headers=admin.headers))
    assert site["time_zone_offset"] == offset


def test_only_an_administrator_changes_the_site(client: TestClient, support: Person, plain_user: Person) -> None:
    for person in (support, plain_user):
        refused = client.patch("/api/site", json={"gln": GLN}, headers=person.headers)
        expect_error(refused, 403, "PermissionDeniedError")


def test_a_line_s_gln_is_set_shown_and_audited(client: TestClient, support: Person) -> None:
    path = f"/api/lines/{DEMO_TAG}"
    line = expect_ok(client.patch(path, json={"gln": GLN, "gln_extension": "L1"}, headers=support.headers))
    assert (line["name"], line["gln"], line["gln_extension"]) == ("Demo packaging line 1", GLN, "L1")
    line = expect_ok(client.patch(path, json={"gln_extension": "L2"}, headers=support.headers))
    assert (line["gln"], line["gln_extension"]) == (GLN, "L2")
    listed = expect_ok(client.get("/api/lines", headers=support.headers))
    assert [(x["gln"], x["gln_extension"]) for x in listed if x["tag"] == DEMO_TAG] == [(GLN, "L2")]
    _field_refused(client.patch(path, json={"gln": "4012345000008"}, headers=support.headers), "gln")
    _field_refused(client.patch(path, json={"gln_extension": "a b"}, headers=support.headers), "gln_extension")
    removed = expect_ok(client.patch(path, json={"gln": ""}, headers=support.headers))
    assert (removed["gln"], removed["gln_extension"]) == (None, None)
    _field_refused(client.patch(path, json={"gln_extension": "L3"}, headers=support.headers), "gln_extension")

    trail = client.get("/api/audit", params={"entity": "line"}, headers=support.headers).json()["data"]["records"]
    located = [r["changes"] for r in reversed(trail) if r["entity_id"] == DEMO_TAG and "gln" in r["changes"]]
    assert located[0] == {"gln": {"old": None, "new": GLN}, "gln_extension": {"old": None, "new": "L1"}}
    assert located[-1] == {"gln": {"old": GLN, "new": None}, "gln_extension": {"old": "L2", "new": None}}


def test_a_plain_user_may_not_set_a_line_s_gln(client: TestClient, plain_user: Person) -> None:
    refused = client.patch(f"/api/lines/{DEMO_TAG}", json={"gln": GLN}, headers=plain_user.headers)
    expect_error(refused, 403, "PermissionDeniedError")
