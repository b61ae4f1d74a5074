"""The worker against a real HTTP receiver on 127.0.0.1 (and a drop folder): what arrives, how often, and
what the outbox records. Time moves by the worker's ``now``, not by sleeping."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from packtrace.demo import DemoCredentials
from packtrace.kit.db import Database
from packtrace.markets.schemas import FolderDestination
from packtrace.models.enums import ReportState
from tests.reporting.receiver import Request, running
from tests.reporting.support import (
    add_report,
    after,
    attempts,
    http,
    report,
    set_destination,
    tenant_id_of,
    worker,
)

pytestmark = pytest.mark.usefixtures("seeded_reports_cancelled")

ACK, REJECTED, PENDING = ReportState.ACKNOWLEDGED.value, ReportState.REJECTED.value, ReportState.PENDING.value


def _tenant(database: Database, demo: DemoCredentials) -> int:
    with database.unit_of_work() as session:
        return tenant_id_of(session, demo.tenant)


def test_a_report_is_posted_with_its_key_media_type_and_auth_header(database: Database, demo: DemoCredentials) -> None:
    tenant = _tenant(database, demo)
    report_id = add_report(database, tenant)
    with running() as receiver:
        set_destination(database, tenant, http(receiver.url, "Authorization: Bearer s3cret"))
        assert worker(database).run_once() == 1
    (request,) = receiver.requests
    delivered = report(database, report_id)
    assert request.key == delivered.idempotency_key
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == "Bearer s3cret"
    assert json.loads(request.body) == {"batch": "B1"}
    assert delivered.state == ACK and delivered.attempts == 1 and delivered.lease_owner is None
    assert attempts(database, report_id) == [(ACK, 200)]


def test_without_a_destination_reports_wait_pending(database: Database, demo: DemoCredentials) -> None:
    tenant = _tenant(database, demo)
    report_id = add_report(database, tenant)
    assert worker(database).run_once() == 0
    assert report(database, report_id).state == PENDING and report(database, report_id).attempts == 0


def test_receiver_down_then_up_gets_the_report_once_late(database: Database, demo: DemoCredentials) -> None:
    tenant = _tenant(database, demo)
    report_id = add_report(database, tenant)
    with running() as receiver:
        set_destination(database, tenant, http(receiver.url))
        receiver.stop()
        outbox = worker(database)
        assert outbox.run_once() == 1
        failed = report(database, report_id)
        assert failed.state == PENDING and failed.attempts == 1 and "could not reach" in (failed.last_error or "")
        assert failed.next_attempt_at is not None and failed.sent_at is not None
        assert failed.next_attempt_at > failed.sent_at  # backed off
        assert outbox.run_once(now=failed.sent_at) == 0  # not due yet
        outbox.run_once(now=after(failed.next_attempt_at))  # still down: a second, longer wait
        second = report(database, report_id)
        assert second.attempts == 2 and second.next_attempt_at is not None
        assert second.next_attempt_at - after(failed.next_attempt_at) > failed.next_attempt_at - failed.sent_at
        receiver.start()
        assert outbox.run_once(now=after(second.next_attempt_at)) == 1
    assert receiver.keys() == [failed.idempotency_key]
    assert report(database, report_id).state == ACK
    assert [outcome for outcome, _ in attempts(database, report_id)] == ["retry", "retry", ACK]


def test_500_after_storing_then_200_the_receiver_keeps_one(database: Database, demo: DemoCredentials) -> None:
    def flaky(request: Request, duplicate: bool) -> tuple[int, str]:
        return (200, "already have it") if duplicate else (500, "stored, then crashed")

    tenant = _tenant(database, demo)
    report_id = add_report(database, tenant)
    with running(flaky) as receiver:
        set_destination(database, tenant, http(receiver.url))
        outbox = worker(database)
        outbox.run_once()
        assert outbox.run_once(now=after(report(database, report_id).next_attempt_at)) == 1
    key = report(database, report_id).idempotency_key
    assert receiver.keys() == [key, key] and list(receiver.stored) == [key]
    assert report(database, report_id).state == ACK
    assert attempts(database, report_id) == [("retry", 500), (ACK, 200)]


def test_a_rejected_report_holds_its_stream_until_retried(
    database: Database, demo: DemoCredentials, client_support: dict[str, Callable[[int], Any]]
) -> None:
    verdicts = iter([(422, "expiry missing"), (200, "ok"), (200, "ok"), (200, "ok")])

    def judge(request: Request, duplicate: bool) -> tuple[int, str]:
        return next(verdicts)

    tenant = _tenant(database, demo)
    first, second = add_report(database, tenant), add_report(database, tenant)
    other = add_report(database, tenant, batch="B2")
    with running(judge) as receiver:
        set_destination(database, tenant, http(receiver.url))
        outbox = worker(database)
        assert outbox.run_once() == 2  # the first (rejected) and B2's; not the second of B1
        rejected = report(database, first)
        assert rejected.state == REJECTED and rejected.last_error == "expiry missing"
        assert report(database, second).state == PENDING and report(database, second).attempts == 0
        assert report(database, other).state == ACK
        assert outbox.run_once(now=after(rejected.answered_at, 3600)) == 0  # held, however late
        retried = client_support["retry"](first)
        assert retried["state"] == PENDING
        assert outbox.run_once() == 2  # due now
    assert [r.key for r in receiver.requests] == [
        report(database, i).idempotency_key for i in (first, other, first, second)
    ]
    assert report(database, second).state == ACK


def test_cancelling_a_rejected_report_lets_the_next_go(
    database: Database, demo: DemoCredentials, client_support: dict[str, Callable[[int], Any]]
) -> None:
    verdicts = iter([(400, "no"), (200, "ok")])
    tenant = _tenant(database, demo)
    first, second = add_report(database, tenant), add_report(database, tenant)
    with running(lambda request, duplicate: next(verdicts)) as receiver:
        set_destination(database, tenant, http(receiver.url))
        outbox = worker(database)
        outbox.run_once()
        client_support["cancel"](first)
        assert outbox.run_once() == 1
    assert report(database, first).state == ReportState.CANCELLED.value
    assert report(database, second).state == ACK and len(receiver.requests) == 2


def test_a_drop_folder_gets_the_file_atomically(database: Database, demo: DemoCredentials, tmp_path: Path) -> None:
    tenant = _tenant(database, demo)
    report_id = add_report(database, tenant, document=b'{"x": 1}')
    (tmp_path / "eu").mkdir()
    set_destination(database, tenant, FolderDestination(kind="folder", path="eu/hub"), report_dir=tmp_path)
    assert worker(database, report_dir=tmp_path).run_once() == 1
    files = list((tmp_path / "eu" / "hub").iterdir())
    assert [f.name for f in files] == [f"eu-batch-upload-batch-B1-of-01234512345901-{report_id}.json"]
    assert files[0].read_bytes() == b'{"x": 1}'
    assert report(database, report_id).state == ACK
