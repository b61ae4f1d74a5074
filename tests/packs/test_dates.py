"""Commissioning never packs expired product, and a manufacturing date after the expiry date is refused
wherever it is given (serials/commission, the CSV import)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from tests.auth.people import Person
from tests.packs.support import COMMISSION, commission_body, database_state, ok, start_order
from tests.support import assert_error

IMPORT = "/api/commission/import"


def _yymmdd(days_from_today: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days_from_today)).strftime("%y%m%d")


def test_expired_product_is_not_commissioned(client: TestClient, api_headers: dict[str, str], session: Session) -> None:
    past = _yymmdd(-1)
    line = start_order(client, api_headers, expiry_date=past)
    before = database_state(session)
    body = commission_body(line.serials[:2], order_id=line.order_id, expiry_date=past)
    error = assert_error(client.post(COMMISSION, json=body, headers=api_headers), 400, "ValidationError", "expiry_date")
    assert "has passed" in error["message"]
    assert database_state(session) == before


def test_a_manufacturing_date_after_the_expiry_is_refused(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    line = start_order(client, api_headers)
    before = database_state(session)
    body = commission_body(line.serials[:2], manufacturing_date="351116")
    error = assert_error(
        client.post(COMMISSION, json=body, headers=api_headers), 400, "ValidationError", "manufacturing_date"
    )
    assert "after the expiry date" in error["message"]
    assert database_state(session) == before
    assert ok(client.post(COMMISSION, json={**body, "manufacturing_date": "351115"}, headers=api_headers))


def test_the_csv_import_refuses_expired_rows_and_manufacturing_after_expiry(
    client: TestClient, api_headers: dict[str, str], admin: Person
) -> None:
    line = start_order(client, api_headers, expiry_date="351115")
    past = _yymmdd(-1)
    text = (
        "SerialNumber,GTIN,Batch,ExpirationDate,ManufacturingDate\r\n"
        f"{line.serials[0]},{DEMO_PRODUCT_CODE},BATCH111,{past},\r\n"
        f"{line.serials[1]},{DEMO_PRODUCT_CODE},BATCH111,351115,351201\r\n"
        f"{line.serials[2]},{DEMO_PRODUCT_CODE},BATCH111,351115,350101\r\n"
    )
    data = ok(client.post(IMPORT, content=text.encode(), headers=admin.headers | {"Content-Type": "text/csv"}))
    assert (data["committed"], data["failed"]) == (1, 2)
    failed = list(csv.reader(io.StringIO(data["failed_csv"])))
    reasons = {row[0]: row[-1] for row in failed[1:]}
    assert "has passed" in reasons[line.serials[0]]
    assert "after the expiry date" in reasons[line.serials[1]]
