"""The demo tenant: seeding is idempotent and its credentials work, even after the server key changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import seed_demo
from packtrace.kit.db import Database
from tests.support import ORDERS, V2, assert_error, row_counts, sample_order


def test_seeding_twice_changes_nothing_and_gives_the_same_credentials(database: Database, settings: Settings) -> None:
    with database.unit_of_work() as s:
        first = seed_demo(s, settings.signing_key())
    with database.unit_of_work() as s:
        counts = row_counts(s)
        second = seed_demo(s, settings.signing_key())
    with database.unit_of_work() as s:
        assert row_counts(s) == counts
    assert first == second


def test_credentials_work_after_the_server_key_changed(database: Database, session: Session) -> None:
    with database.unit_of_work() as s:
        seed_demo(s, b"old-key-old-key-old-key-old-key-old")
    new_settings = Settings(database_url=database.url, secret_key="new-key-new-key-new-key-new-key-new")
    with database.unit_of_work() as s:
        creds = seed_demo(s, new_settings.signing_key())
    with TestClient(create_app(new_settings, database=database)) as client:
        token = client.post("/v1/api_auth", json={"api_key": creds.api_key, "api_secret": creds.api_secret})
        assert token.status_code == 200, token.text
        headers = {"x-access-token": creds.static_token, "x-channel-key": creds.channel_key}
        assert client.post(ORDERS, json=sample_order(), headers=headers).status_code == 200


def test_the_demo_works_end_to_end_out_of_the_box(database: Database, settings: Settings) -> None:
    with database.unit_of_work() as s:
        creds = seed_demo(s, settings.signing_key())
    headers = {"x-access-token": creds.static_token, "x-channel-key": creds.channel_key}
    with TestClient(create_app(settings, database=database)) as client:
        request = {"product_code": creds.product_code, "product_code_schema": "GTIN", "quantity": 5}
        drawn = client.post(f"{V2}/serials/request", json=request, headers=headers)
        assert drawn.status_code == 200, drawn.text
        assert len(drawn.json()["data"]["serials"]) == 5
        expiry = (datetime.now(UTC).date() + timedelta(days=365)).strftime("%y%m%d")
        created = client.post(ORDERS, json=sample_order(serialized=False, expiry_date=expiry), headers=headers)
        assert created.status_code == 200, created.text
        assigned = client.post(f"{ORDERS}/assign_serials", json={"order_ids": ["Order130"]}, headers=headers)
        assert assigned.status_code == 200, assigned.text
        released = client.patch(f"{ORDERS}/release", json={"order_id": "Order130"}, headers=headers)
        assert released.json()["data"]["status"] == "In progress", released.text
        labels = client.post(f"{V2}/label_orders/", json={"order_id": "Order130", "format": "zpl"}, headers=headers)
        assert labels.status_code == 200, labels.text


def test_a_short_pool_says_how_to_fill_it(client: TestClient, api_headers: dict[str, str]) -> None:
    request = {"product_code": "01234512345901", "product_code_schema": "GTIN", "quantity": 5}
    response = client.post(f"{V2}/serials/request", json=request, headers=api_headers)
    body = assert_error(response, 409, "InsufficientSerialsError")
    assert "packtrace pool generate" in body["message"] and "refill" in body["message"]
    client.post(ORDERS, json=sample_order(serialized=False), headers=api_headers)
    response = client.post(f"{ORDERS}/assign_serials", json={"order_ids": ["Order130"]}, headers=api_headers)
    assert "packtrace pool generate" in assert_error(response, 409, "InsufficientSerialsError")["message"]
