"""Management API: commissioning a batch to the market, and commissioning from a CSV file."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.serials.repository import serial_states
from tests.auth.people import Person
from tests.packs.support import (
    COMMISSION,
    DECOMMISSION,
    OrderOnLine,
    commission_body,
    database_state,
    decommission_body,
    ok,
    pack_events,
    pack_statuses,
)
from tests.support import assert_error

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

MARKET = f"/api/products/{DEMO_PRODUCT_CODE}/market_commission"
IMPORT = "/api/commission/import"
CSV = {"Content-Type": "text/csv"}


def test_market_commissioning_moves_the_active_packs_of_the_batch(
    client: TestClient, api_headers: dict[str, str], support: Person, in_progress: OrderOnLine, session: Session
) -> None:
    serials = in_progress.serials
    ok(client.post(COMMISSION, json=commission_body(serials[:4], order_id="Order130"), headers=api_headers))
    ok(client.post(COMMISSION, json=commission_body(["OTHER-LOT-1"], batch="LOT2"), headers=api_headers))
    ok(client.post(DECOMMISSION, json=decommission_body(serials[:1], "Sampled"), headers=api_headers))
    data = ok(client.post(MARKET, json={"batch": "BATCH111", "market": "EU"}, headers=support.headers))
    assert data == {"product_code": DEMO_PRODUCT_CODE, "batch": "BATCH111", "market": "EU", "commissioned": 3}
    statuses = pack_statuses(session)
    assert statuses == {
        serials[0]: "Decommissioned",
        serials[1]: "Commissioned",
        serials[2]: "Commissioned",
        serials[3]: "Commissioned",
        "OTHER-LOT-1": "Active",
    }
    assert pack_events(session, serials[1])[-1] == ("Market commissioned", "batch BATCH111, market EU")
    # Again: nothing left to commission; and a re-sent line commissioning of those packs is still a retry.
    assert ok(client.post(MARKET, json={"batch": "BATCH111"}, headers=support.headers))["commissioned"] == 0
    again = ok(client.post(COMMISSION, json=commission_body(serials[1:3], order_id="Order130"), headers=api_headers))
    assert again["commissioned"] == 0 and len(again["already_active"]) == 2


def test_market_commissioning_refusals(
    client: TestClient, api_headers: dict[str, str], support: Person, plain_user: Person, session: Session
) -> None:
    ok(client.post(COMMISSION, json=commission_body(["P-1"]), headers=api_headers))
    ok(client.patch(f"/api/products/{DEMO_PRODUCT_CODE}", json={"markets": ["EU"]}, headers=support.headers))
    before = database_state(session)
    assert_error(client.post(MARKET, json={"batch": "NOPE"}, headers=support.headers), 404, "NotFoundError", "batch")
    response = client.post(MARKET, json={"batch": "BATCH111", "market": "US"}, headers=support.headers)
    assert_error(response, 400, "ValidationError", "market")
    assert_error(client.post(MARKET, json={"batch": ""}, headers=support.headers), 400, "ValidationError", "batch")
    unknown = "/api/products/04006381333931/market_commission"
    assert_error(client.post(unknown, json={"batch": "BATCH111"}, headers=support.headers), 404, "NotFoundError")
    response = client.post(MARKET, json={"batch": "BATCH111"}, headers=plain_user.headers)
    assert_error(response, 403, "PermissionDeniedError")
    assert database_state(session) == before


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_import_commits_the_good_rows_and_returns_the_bad_one(
    client: TestClient, admin: Person, in_progress: OrderOnLine, session: Session
) -> None:
    serials = in_progress.serials
    text = (
        "SerialNumber,GTIN,Batch,ExpirationDate,ManufacturingDate\r\n"
        f"{serials[0]},{DEMO_PRODUCT_CODE},BATCH111,351115,220101\r\n"
        f"{serials[1]},{DEMO_PRODUCT_CODE},BATCH111,351115,220101\r\n"
        f"EXT-CSV-1,{DEMO_PRODUCT_CODE},LOT2,361200,\r\n"
        f"BAD-GTIN,01234512345900,BATCH111,351115,\r\n"
    )
    data = ok(client.post(IMPORT, content=text.encode(), headers=admin.headers | CSV))
    assert (data["rows"], data["committed"], data["already_active"], data["failed"]) == (4, 3, 0, 1)
    assert sorted((g["batch"], g["commissioned"], g["joined_pool"]) for g in data["groups"]) == [
        ("BATCH111", 2, 0),
        ("LOT2", 1, 1),
    ]
    failed = _rows(data["failed_csv"])
    assert failed[0] == ["SerialNumber", "GTIN", "Batch", "ExpirationDate", "ManufacturingDate", "Reason"]
    assert len(failed) == 2 and failed[1][:5] == ["BAD-GTIN", "01234512345900", "BATCH111", "351115", ""]
    assert "check digit" in failed[1][5]
    assert pack_statuses(session) == {serials[0]: "Active", serials[1]: "Active", "EXT-CSV-1": "Active"}

    # The failed rows, corrected, go back as they are: the Reason column is ignored, and a row that
    # fails again gets one Reason, not a second.
    corrected = data["failed_csv"].replace("01234512345900", DEMO_PRODUCT_CODE)
    still_bad = f"NOT OK,{DEMO_PRODUCT_CODE},BATCH111,351115,,an old reason\r\n"
    again = ok(client.post(IMPORT, content=(corrected + still_bad).encode(), headers=admin.headers | CSV))
    assert (again["rows"], again["committed"], again["failed"]) == (2, 1, 1)
    assert pack_statuses(session)["BAD-GTIN"] == "Active"
    refailed = _rows(again["failed_csv"])
    assert refailed[0] == failed[0]
    assert refailed[1][:5] == ["NOT OK", DEMO_PRODUCT_CODE, "BATCH111", "351115", ""] and len(refailed[1]) == 6
    assert "SerialNumber" in refailed[1][5]


def test_csv_import_reasons_per_rule(
    client: TestClient, api_headers: dict[str, str], admin: Person, pool: None, session: Session
) -> None:
    from sqlalchemy import select

    available = session.scalars(select(STATES.c.serial).where(STATES.c.status == "Available")).first()
    ok(client.post(COMMISSION, json=commission_body(["DONE-1", "GONE-1"]), headers=api_headers))
    ok(client.post(DECOMMISSION, json=decommission_body(["GONE-1"]), headers=api_headers))
    rows = {
        "not a product code registered": "S-1,04006381333931,B1,351115",
        "check digit": "S-2,01234512345900,B1,351115",
        "AI 21": f"bad serial,{DEMO_PRODUCT_CODE},B1,351115",
        "Batch": f"S-3,{DEMO_PRODUCT_CODE},B 1,351115",
        "expiry day": f"S-4,{DEMO_PRODUCT_CODE},B1,351132",
        "fields": f"S-5,{DEMO_PRODUCT_CODE},B1",
        "not Assigned": f"{available},{DEMO_PRODUCT_CODE},B1,351115",
        "already, with batch BATCH111": f"DONE-1,{DEMO_PRODUCT_CODE},B1,351115",
        "Decommissioned (Destroyed)": f"GONE-1,{DEMO_PRODUCT_CODE},BATCH111,351115",
        "more than once": f"TWICE,{DEMO_PRODUCT_CODE},B1,351115\nTWICE,{DEMO_PRODUCT_CODE},B1,351115",
    }
    before = database_state(session)
    text = (
        "SerialNumber,GTIN,Batch,ExpirationDate\n"
        + "\n".join(rows.values())
        + f"\nGOOD-1,{DEMO_PRODUCT_CODE},B1,351115\n"
    )
    data = ok(client.post(IMPORT, content=text.encode(), headers=admin.headers | CSV))
    assert (data["committed"], data["failed"]) == (1, 11)
    failed = _rows(data["failed_csv"])[1:]
    assert all(len(row) == 5 for row in failed), failed  # a short row is padded: Reason stays in its column
    reasons = {row[0]: row[-1] for row in failed}
    for expected, line in rows.items():
        serial = line.split(",")[0]
        assert expected in reasons[serial], (expected, reasons[serial])
    after = database_state(session)
    assert after["counts"]["packs"] == before["counts"]["packs"] + 1
    assert after["serials"][available] == before["serials"][available]


def test_csv_files_that_cannot_be_read_are_refused_whole(
    client: TestClient, admin: Person, support: Person, outsider: Person, session: Session
) -> None:
    before = database_state(session)
    for content, headers in [
        (b"", CSV),
        (b"Serial,GTIN\r\nA,B\r\n", CSV),
        (b"SerialNumber,GTIN,Batch\r\nA,B,C\r\n", CSV),
        (b"SerialNumber,GTIN,Batch,ExpirationDate,Extra\r\n", CSV),
        ("SerialNumber,GTIN,Batch,ExpirationDate\r\n\u00e9".encode("latin-1"), CSV),
        (b"SerialNumber,GTIN,Batch,ExpirationDate\r\n", {"Content-Type": "application/json"}),
    ]:
        # A body declared JSON is read as JSON first, for every endpoint: CSV under that label is no JSON.
        field = "body" if headers is not CSV else "file"
        assert_error(
            client.post(IMPORT, content=content, headers=admin.headers | headers), 400, "ValidationError", field
        )
    text = "SerialNumber,GTIN,Batch,ExpirationDate\r\nX-1,04006381333931,B1,351115\r\n"
    assert_error(client.post(IMPORT, content=text.encode(), headers=CSV), 401, "NoTokenError")
    response = client.post(IMPORT, content=text.encode(), headers=support.headers | CSV)
    assert_error(response, 403, "PermissionDeniedError")
    big = b"SerialNumber,GTIN,Batch,ExpirationDate\r\n" + b"X" * 4_200_000  # above the 4 MiB default
    assert_error(client.post(IMPORT, content=big, headers=admin.headers | CSV), 413, "PayloadTooLargeError")
    assert database_state(session) == before
    # Each tenant imports for its own products: tenant B's code is registered there only.
    mine = ok(client.post(IMPORT, content=text.encode(), headers=admin.headers | CSV))
    theirs = ok(client.post(IMPORT, content=text.encode(), headers=outsider.headers | CSV))
    assert (mine["failed"], theirs["committed"]) == (1, 1)


def test_a_file_with_a_bom_and_header_in_another_order(client: TestClient, admin: Person, session: Session) -> None:
    text = f"\ufeffgtin,expirationdate,batch,serialnumber\r\n{DEMO_PRODUCT_CODE},351100,B1,BOM-1\r\n"
    data = ok(client.post(IMPORT, content=text.encode(), headers=admin.headers | CSV))
    assert (data["committed"], data["failed"], data["failed_csv"]) == (1, 0, None)
    assert pack_statuses(session) == {"BOM-1": "Active"}
