"""The failure limiter throttles what is guessed (an API key's secret, a user's password, channel keys),
counting failures per address on the authentication endpoints only, in the database so that every
server process sees them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import DemoCredentials
from packtrace.kit.db import Database
from packtrace.kit.migrations import upgrade
from packtrace.kit.rate_limit import FailureLimiter, Subject
from packtrace.models import AuthFailure
from tests.auth.people import PASSWORD, Person
from tests.conftest import DatabaseUnderTest
from tests.support import ORDERS, assert_error, postgres_schema

LIMIT = 10
ClientAt = Callable[[str], TestClient]


@pytest.fixture
def client_at(settings: Settings, database: Database) -> Iterator[ClientAt]:
    """A client calling from ``address``, each on an app of its own (as separate server processes are)."""
    clients: list[TestClient] = []
    limited = settings.model_copy(update={"auth_failure_limit": LIMIT})

    def make(address: str) -> TestClient:
        client = TestClient(create_app(limited, database=database), raise_server_exceptions=False, client=(address, 1))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _fail_logins(client: TestClient, email: str, times: int = LIMIT) -> None:
    for _ in range(times):
        refused = client.post("/api/login", json={"email": email, "password": "Wrong-1!"})
        assert_error(refused, 401, "AuthenticationError")


def test_ten_failed_logins_from_an_address_leave_its_valid_tokens_working(
    client_at: ClientAt, demo: DemoCredentials, admin: Person
) -> None:
    nat = client_at("10.0.0.1")
    _fail_logins(nat, "nobody@a.example")
    api = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
    assert nat.get(f"{ORDERS}/open", headers=api).status_code == 200
    assert nat.get("/api/me", headers=admin.headers).status_code == 200
    # Only the authentication endpoints look at the address: signing in from it waits.
    refused = nat.post("/v1/api_auth", json={"api_key": demo.api_key, "api_secret": demo.api_secret})
    assert_error(refused, 429, "RateLimitError")
    assert 1 <= int(refused.headers["retry-after"]) <= 300
    # An invalid token from the blocked address is refused as too many, with Retry-After too.
    bad = nat.get(f"{ORDERS}/open", headers={"x-access-token": "garbage", "x-channel-key": demo.channel_key})
    assert_error(bad, 429, "RateLimitError")
    assert "retry-after" in bad.headers
    # Another address is not affected.
    assert client_at("10.0.0.2").post("/api/login", json={"email": admin.email, "password": PASSWORD}).is_success


def test_failures_count_per_e_mail_from_any_address(client_at: ClientAt, admin: Person) -> None:
    for n in range(LIMIT):
        _fail_logins(client_at(f"192.0.2.{n}"), admin.email, times=1)
    refused = client_at("192.0.2.200").post("/api/login", json={"email": admin.email, "password": PASSWORD})
    body = assert_error(refused, 429, "RateLimitError")
    assert "e-mail" in body["message"] and "retry-after" in refused.headers
    # The guessed account is throttled, not the sign-in of others from the same addresses.
    other = client_at("192.0.2.1").post("/api/login", json={"email": "nobody@a.example", "password": "x"})
    assert_error(other, 401, "AuthenticationError")


def test_failures_count_per_api_key_from_any_address(client_at: ClientAt, demo: DemoCredentials) -> None:
    for n in range(LIMIT):
        wrong = {"api_key": demo.api_key, "api_secret": "Wrong-secret-1!"}
        assert_error(client_at(f"198.51.100.{n}").post("/v1/api_auth", json=wrong), 401, "AuthenticationError")
    right = {"api_key": demo.api_key, "api_secret": demo.api_secret}
    refused = client_at("198.51.100.200").post("/v1/api_auth", json=right)
    assert "API key" in assert_error(refused, 429, "RateLimitError")["message"]


def test_wrong_channel_keys_count_against_the_api_key_that_sent_them(
    client_at: ClientAt, demo: DemoCredentials
) -> None:
    line = client_at("203.0.113.5")
    wrong = {"x-access-token": demo.static_token, "x-channel-key": "ch_wrong"}
    for _ in range(LIMIT):
        assert_error(line.get(f"{ORDERS}/open", headers=wrong), 403, "ChannelError")
    refused = line.get(f"{ORDERS}/open", headers=wrong)
    assert_error(refused, 429, "RateLimitError")
    assert "retry-after" in refused.headers
    # The right channel key with the same valid token is never refused by the limiter.
    right = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
    assert line.get(f"{ORDERS}/open", headers=right).status_code == 200
    # The guessing was charged to the key, not to the address: other sign-ins from it are not throttled.
    assert_error(line.post("/api/login", json={"email": "x@a.example", "password": "x"}), 401, "AuthenticationError")


def test_the_admin_sign_in_page_answers_429_with_retry_after(client_at: ClientAt, admin: Person) -> None:
    from tests.admin.support import csrf_of

    browser = client_at("10.1.1.1")
    _fail_logins(browser, admin.email)
    token = csrf_of(browser.get("/admin/login").text)
    page = browser.post("/admin/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert page.status_code == 429 and "retry-after" in page.headers


def test_counts_live_in_the_database_and_stale_ones_are_pruned(session: Session) -> None:
    limiter = FailureLimiter(limit=2, window_seconds=60)
    guessed = [Subject("address", "10.9.9.9")]
    limiter.record_failure(session, guessed)
    limiter.record_failure(session, guessed)
    row = session.get(AuthFailure, "address:10.9.9.9")
    assert row is not None and row.failures == 2
    with pytest.raises(Exception, match="Too many failed authentications"):
        limiter.check(session, guessed)
    # Once the window has passed, the row is stale: the subject may try again and the row is pruned.
    row.window_started_at -= timedelta(seconds=61)
    session.flush()
    limiter.check(session, guessed)
    limiter.record_failure(session, [Subject("address", "10.9.9.10")])
    session.expire_all()
    assert session.get(AuthFailure, "address:10.9.9.9") is None
    assert session.scalar(select(func.count()).select_from(AuthFailure)) == 1


@pytest.fixture
def committed_url(test_database: DatabaseUnderTest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own whose commits are real: a SQLite file, or a PostgreSQL schema."""
    if not test_database.is_postgres:
        url = f"sqlite:///{tmp_path / 'limiter.db'}"
        upgrade(url)
        yield url
        return
    with postgres_schema(test_database.url, "packtrace_limiter") as url:
        upgrade(url)
        yield url


def test_concurrent_failures_are_all_counted_without_deadlock(committed_url: str) -> None:
    """Several server processes record failures at once (threads with connections of their own, as
    workers have): every failure counts, none is lost, nothing deadlocks or reports a lock."""
    from concurrent.futures import ThreadPoolExecutor

    limiter = FailureLimiter(limit=1000, window_seconds=60)
    shared = Subject("address", "10.7.7.7")
    db = Database(committed_url)
    with db.unit_of_work() as s:  # a stale row, for the pruning to race with the upserts
        limiter.record_failure(s, [Subject("address", "stale")])
        s.get_one(AuthFailure, "address:stale").window_started_at -= timedelta(seconds=120)

    def fail(worker: int) -> None:
        for attempt in range(10):
            with db.unit_of_work() as s:
                limiter.record_failure(s, [shared, Subject("email", f"{worker}-{attempt}")])

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(fail, range(8)))
        with db.unit_of_work() as s:
            assert s.get_one(AuthFailure, shared.key).failures == 80
            assert s.get(AuthFailure, "address:stale") is None
    finally:
        db.dispose()
