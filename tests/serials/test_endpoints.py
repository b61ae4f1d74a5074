"""serials/request, serials/release and the order's serial download."""

from __future__ import annotations

import csv
import io
import tracemalloc

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import PackagingOrder, SerialNumber
from packtrace.orders.endpoints import order_serials_csv
from packtrace.serials.repository import serial_states
from tests.support import ORDERS, V2, assert_error, fill_pool, row_counts, sample_order

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

REQUEST = f"{V2}/serials/request"
RELEASE = f"{V2}/serials/release"


@pytest.fixture
def pool(database: Database, demo: DemoCredentials) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 50)


def _statuses(session: Session) -> dict[str, str]:
    session.expire_all()
    return dict(session.execute(select(STATES.c.serial, STATES.c.status)).all())  # type: ignore[arg-type]


def test_request_draws_from_the_pool(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 20}
    response = client.post(REQUEST, json=body, headers=api_headers)
    assert response.status_code == 200, response.text
    serials = response.json()["data"]["serials"]
    assert len(serials) == len(set(serials)) == 20
    statuses = _statuses(session)
    assert all(statuses[s] == "Assigned" for s in serials)
    assert sum(1 for s in statuses.values() if s == "Available") == 30
    # The pool's first 20 in its order (the registry's ids), the order they are answered in.
    by_id = session.scalars(select(SerialNumber.serial).order_by(SerialNumber.id)).all()
    assert serials == list(by_id[:20])
    again = client.post(REQUEST, json={**body, "quantity": 30}, headers=api_headers).json()["data"]["serials"]
    assert again == list(by_id[20:])


def test_request_more_than_the_pool_has_changes_nothing(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    before = _statuses(session)
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 51}
    assert_error(client.post(REQUEST, json=body, headers=api_headers), 409, "InsufficientSerialsError")
    assert _statuses(session) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 200_001}, "quantity"),
        ({"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 0}, "quantity"),
        ({"product_code": "09876543210982", "product_code_schema": "GTIN", "quantity": 1}, "product_code"),
        ({"product_code": DEMO_PRODUCT_CODE, "quantity": 1}, "product_code_schema"),
    ],
)
def test_request_validation(
    client: TestClient, api_headers: dict[str, str], body: dict[str, object], field: str
) -> None:
    assert_error(client.post(REQUEST, json=body, headers=api_headers), 400, "ValidationError", field)


def test_release_returns_requested_serials(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 5}
    serials = client.post(REQUEST, json=body, headers=api_headers).json()["data"]["serials"]
    response = client.post(RELEASE, json={"product_code": DEMO_PRODUCT_CODE, "serials": serials}, headers=api_headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["released"] == 5
    assert all(_statuses(session)[s] == "Available" for s in serials)


def test_release_refuses_naming_the_serials_and_changes_nothing(
    client: TestClient, api_headers: dict[str, str], pool: None, session: Session
) -> None:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": 3}
    requested = client.post(REQUEST, json=body, headers=api_headers).json()["data"]["serials"]
    client.post(ORDERS, json=sample_order(quantity=2, extra_percentage=0), headers=api_headers)
    order_serial = session.scalar(select(STATES.c.serial).where(STATES.c.order_pk.is_not(None)))
    available = next(s for s, status in _statuses(session).items() if status == "Available")
    session.execute(update(SerialNumber).where(SerialNumber.serial == requested[2]).values(source="external"))
    session.commit()
    before = _statuses(session)
    wanted = [requested[0], "NO-SUCH-ONE", available, order_serial, requested[2]]
    response = client.post(RELEASE, json={"product_code": DEMO_PRODUCT_CODE, "serials": wanted}, headers=api_headers)
    error = assert_error(response, 400, "ValidationError", "serials")
    for serial in wanted[1:]:
        assert serial in error["message"]
    assert _statuses(session) == before


def test_order_serials_page_and_csv(client: TestClient, api_headers: dict[str, str]) -> None:
    client.post(ORDERS, json=sample_order(quantity=25, extra_percentage=0), headers=api_headers)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"order_id": "Order130", "limit": 10} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{ORDERS}/serials", params=params, headers=api_headers).json()["data"]
        seen += page["serials"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 25
    response = client.get(f"{ORDERS}/serials", params={"order_id": "Order130", "format": "csv"}, headers=api_headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["SerialNumber", "GTIN", "Batch", "ExpirationDate"]
    assert sorted(r[0] for r in rows[1:]) == sorted(seen)
    assert {tuple(r[1:]) for r in rows[1:]} == {(DEMO_PRODUCT_CODE, "BATCH111", "221115")}
    assert_error(
        client.get(f"{ORDERS}/serials", params={"order_id": "nope", "format": "csv"}, headers=api_headers),
        404,
        "NotFoundError",
    )


def test_csv_quotes_serials_with_commas_and_quotes(
    client: TestClient, api_headers: dict[str, str], session: Session
) -> None:
    client.post(ORDERS, json=sample_order(quantity=2, extra_percentage=0), headers=api_headers)
    first = session.scalar(select(STATES.c.id).order_by(STATES.c.id))
    session.execute(update(SerialNumber).where(SerialNumber.id == first).values(serial='A,"B'))
    session.commit()
    response = client.get(f"{ORDERS}/serials", params={"order_id": "Order130", "format": "csv"}, headers=api_headers)
    assert 'A,"B' in [r[0] for r in csv.reader(io.StringIO(response.text))]


def test_a_200000_serial_download_streams_in_chunks_with_flat_memory(
    client: TestClient, api_headers: dict[str, str], database: Database, session: Session
) -> None:
    response = client.post(ORDERS, json=sample_order(quantity=100_000, extra_percentage=100), headers=api_headers)
    assert response.json()["data"]["serial_count"] == 200_000
    order = session.scalar(select(PackagingOrder))
    assert order is not None
    lines = 0
    largest_chunk = 0
    tracemalloc.start()
    try:
        for chunk in order_serials_csv(database, order):
            chunk_lines = chunk.count("\n")
            lines += chunk_lines
            largest_chunk = max(largest_chunk, chunk_lines)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 200_001
    assert largest_chunk <= 20_000
    # Rows fetched at once cost ~0.7 kB each here: the whole order at once would peak above 100 MB; the
    # stream holds one chunk at a time.
    assert peak < 8 * 1024 * 1024, peak
    assert row_counts(session)["serial_numbers"] == 200_000


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "with-quoting"])
def test_csv_bytes_are_those_of_the_csv_module(
    client: TestClient,
    api_headers: dict[str, str],
    database: Database,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    quoted: bool,
) -> None:
    """The download builds its lines by string replace; the csv module, row by row over the JSON pages,
    is the independent reference, byte for byte, across several blocks, made and drawn serials alike."""
    monkeypatch.setattr("packtrace.orders.endpoints._CSV_CHUNK", 7)
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 12)
    client.post(ORDERS, json=sample_order(quantity=30, extra_percentage=0), headers=api_headers)
    if quoted:
        ids = list(session.scalars(select(STATES.c.id).where(STATES.c.order_pk.is_not(None)).order_by(STATES.c.id)))
        session.execute(update(SerialNumber).where(SerialNumber.id == ids[15]).values(serial='Q"1'))
        session.execute(update(SerialNumber).where(SerialNumber.id == ids[25]).values(serial="C,2"))
        session.commit()
    expected_serials: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"order_id": "Order130", "limit": 9} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{ORDERS}/serials", params=params, headers=api_headers).json()["data"]
        expected_serials += page["serials"]
        if not (cursor := page["next_cursor"]):
            break
    reference = io.StringIO()
    writer = csv.writer(reference, lineterminator="\r\n")
    writer.writerow(["SerialNumber", "GTIN", "Batch", "ExpirationDate"])
    writer.writerows((serial, DEMO_PRODUCT_CODE, "BATCH111", "221115") for serial in expected_serials)
    response = client.get(f"{ORDERS}/serials", params={"order_id": "Order130", "format": "csv"}, headers=api_headers)
    assert len(expected_serials) == 30
    assert response.content == reference.getvalue().encode()
