"""The management API of trading partners: register, read, page, change, delete (refused once a shipment
names it), roles, validation and the audit trail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.kit.db import Database
from tests.aggregation.support import ok
from tests.audit.support import trail
from tests.auth.people import Person
from tests.shipments.support import (
    DOCK,
    PARTNER_GLN,
    PARTNERS,
    STORE,
    acknowledge,
    add_partner,
    pallet,
    partner_body,
    ship,
)
from tests.support import assert_error


def test_a_partner_is_registered_read_and_listed(client: TestClient, support: Person, plain_user: Person) -> None:
    data = add_partner(client, support.headers, us_state_license="NY-12345")
    assert data["gln"] == PARTNER_GLN and data["us_state_license"] == "NY-12345"
    assert [loc["sgln"] for loc in data["locations"]] == [DOCK, STORE]
    assert data["locations"][0]["extension"] == "dock-1" and data["locations"][1]["extension"] is None
    assert ok(client.get(f"{PARTNERS}/{PARTNER_GLN}", headers=plain_user.headers))["name"] == "Pharma Wholesale GmbH"
    add_partner(client, support.headers, gln="9520000000011", locations=[])
    first = ok(client.get(PARTNERS, params={"limit": 1}, headers=plain_user.headers))
    assert [p["gln"] for p in first["partners"]] == [PARTNER_GLN] and first["next_cursor"]
    rest = ok(client.get(PARTNERS, params={"limit": 1, "cursor": first["next_cursor"]}, headers=plain_user.headers))
    assert [p["gln"] for p in rest["partners"]] == ["9520000000011"] and rest["next_cursor"] is None


def test_bad_input_is_named(client: TestClient, admin: Person) -> None:
    bad_check_digit = client.post(PARTNERS, json=partner_body(gln="4012345000008"), headers=admin.headers)
    assert "check digit" in assert_error(bad_check_digit, 400, "ValidationError", "gln")["message"]
    wrong_form = partner_body(locations=[{"sgln": "4012345000009.dock", "name": "Dock", "address": ""}])
    assert_error(
        client.post(PARTNERS, json=wrong_form, headers=admin.headers), 400, "ValidationError", "locations[0].sgln"
    )
    twice = partner_body(
        locations=[{"sgln": DOCK, "name": "A", "address": ""}, {"sgln": DOCK, "name": "B", "address": ""}]
    )
    assert_error(client.post(PARTNERS, json=twice, headers=admin.headers), 400, "ValidationError", "locations[1].sgln")
    add_partner(client, admin.headers)
    assert_error(client.post(PARTNERS, json=partner_body(), headers=admin.headers), 409, "ConflictError", "gln")
    other = partner_body(gln="9520000000011", locations=[{"sgln": DOCK, "name": "Dock", "address": ""}])
    assert_error(client.post(PARTNERS, json=other, headers=admin.headers), 409, "ConflictError", "locations")
    assert_error(client.get(f"{PARTNERS}/9520000000011", headers=admin.headers), 404, "NotFoundError", "gln")


def test_users_read_and_only_support_and_administrators_write(client: TestClient, plain_user: Person) -> None:
    assert client.post(PARTNERS, json=partner_body(), headers=plain_user.headers).status_code == 403
    assert client.get(PARTNERS, headers=plain_user.headers).status_code == 200


def test_a_change_replaces_the_locations_and_is_audited(client: TestClient, admin: Person, session: Session) -> None:
    add_partner(client, admin.headers)
    body = {"name": "PW GmbH", "locations": [{"sgln": DOCK, "name": "Dock 1", "address": "new"}], "reason": "merger"}
    data = ok(client.patch(f"{PARTNERS}/{PARTNER_GLN}", json=body, headers=admin.headers))
    assert data["name"] == "PW GmbH" and [loc["address"] for loc in data["locations"]] == ["new"]
    records = trail(session, admin.tenant_id, "partner")
    assert [r.action for r in records] == ["created", "changed"]
    assert records[-1].changes["name"] == {"old": "Pharma Wholesale GmbH", "new": "PW GmbH"}
    assert records[-1].reason == "merger"


def test_a_partner_a_shipment_names_stays(
    client: TestClient, database: Database, api_headers: dict[str, str], admin: Person, session: Session
) -> None:
    add_partner(client, admin.headers)
    goods = pallet(client, database, api_headers)
    acknowledge(database)
    ok(ship(client, api_headers, shipment_id="S1", ship_to=DOCK, ssccs=[goods.pallet]))
    assert_error(client.delete(f"{PARTNERS}/{PARTNER_GLN}", headers=admin.headers), 409, "ConflictError", "gln")
    dropped = {"locations": [{"sgln": STORE, "name": "Store", "address": ""}]}
    assert_error(
        client.patch(f"{PARTNERS}/{PARTNER_GLN}", json=dropped, headers=admin.headers),
        409,
        "ConflictError",
        "locations",
    )
    add_partner(client, admin.headers, gln="9520000000011", locations=[])
    ok(client.delete(f"{PARTNERS}/9520000000011", params={"reason": "gone"}, headers=admin.headers))
    assert trail(session, admin.tenant_id, "partner")[-1].action == "deleted"
