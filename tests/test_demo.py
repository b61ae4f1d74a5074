"""The demo tenant: seeding is idempotent and its credentials work, even after the server key changed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import seed_demo
from packtrace.kit.db import Database
from tests.support import ORDERS, row_counts, sample_order


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
