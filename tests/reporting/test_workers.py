"""Workers that really run at once, on a database whose data is committed (a SQLite file, or a
PostgreSQL schema of its own): two workers never deliver one report at once, and a worker killed with
SIGKILL mid-delivery loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from packtrace.demo import seed_demo
from packtrace.kit.db import Database
from packtrace.kit.migrations import upgrade
from packtrace.models import Report
from packtrace.models.enums import ReportState
from tests.conftest import SERVER_KEY, DatabaseUnderTest
from tests.reporting.receiver import running
from tests.reporting.support import (
    KEY,
    add_report,
    after,
    attempts,
    cancel_seeded_reports,
    http,
    report,
    set_destination,
    tenant_id_of,
    worker,
)
from tests.support import postgres_schema

ACK, SENT = ReportState.ACKNOWLEDGED.value, ReportState.SENT.value


@dataclass
class Committed:
    url: str
    database: Database
    tenant_id: int


@pytest.fixture
def committed(test_database: DatabaseUnderTest, tmp_path: Path) -> Iterator[Committed]:
    def prepared(url: str) -> Committed:
        upgrade(url)
        database = Database(url)
        with database.unit_of_work() as session:
            tenant_id = tenant_id_of(session, seed_demo(session, KEY, with_pool=False).tenant)
        cancel_seeded_reports(database)
        return Committed(url, database, tenant_id)

    if not test_database.is_postgres:
        ready = prepared(f"sqlite:///{tmp_path / 'outbox.db'}")
        yield ready
        ready.database.dispose()
        return
    with postgres_schema(test_database.url, "packtrace_outbox") as url:
        ready = prepared(url)
        try:
            yield ready
        finally:
            ready.database.dispose()


def _unsettled(database: Database) -> int:
    with database.unit_of_work(writes=False) as session:
        return session.scalar(select(func.count()).select_from(Report).where(Report.state != ACK)) or 0


def test_a_report_being_delivered_is_not_claimed_by_another_worker(committed: Committed) -> None:
    report_id = add_report(committed.database, committed.tenant_id)
    with running() as receiver:
        set_destination(committed.database, committed.tenant_id, http(receiver.url))
        receiver.hold.clear()  # the receiver takes its time answering the first worker
        first = threading.Thread(target=worker(committed.database, name="first").run_once)
        first.start()
        assert receiver.arrived.wait(30)
        other = Database(committed.url)
        try:
            assert worker(other, name="second").run_once() == 0
        finally:
            other.dispose()
        receiver.hold.set()
        first.join(30)
    assert len(receiver.requests) == 1
    assert report(committed.database, report_id).state == ACK


def test_two_workers_deliver_every_report_once_in_stream_order(committed: Committed) -> None:
    ids = [add_report(committed.database, committed.tenant_id, batch=f"B{n % 3}") for n in range(12)]

    def work(name: str) -> None:
        database = Database(committed.url)
        outbox = worker(database, name=name)
        try:
            for _ in range(5000):  # a bound, not a timing: the loop ends when all are delivered
                if _unsettled(database) == 0:
                    return
                if outbox.run_once(limit=1) == 0:
                    time.sleep(0.005)
        finally:
            database.dispose()

    with running() as receiver:
        set_destination(committed.database, committed.tenant_id, http(receiver.url))
        threads = [threading.Thread(target=work, args=(name,)) for name in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    keys = {report(committed.database, i).idempotency_key: i for i in ids}
    assert Counter(receiver.keys()) == Counter(dict.fromkeys(keys, 1))
    arrival = [keys[key] for key in list(receiver.keys())]
    for batch in range(3):
        stream = [i for i in arrival if ids.index(i) % 3 == batch]
        assert stream == sorted(stream)
    assert all(attempts(committed.database, i) == [(ACK, 200)] for i in ids)


def _worker_process(committed: Committed) -> subprocess.Popen[bytes]:
    """``packtrace worker`` in a process of its own, on the committed database."""
    environment = os.environ | {
        "PACKTRACE_DATABASE_URL": committed.url,
        "PACKTRACE_SECRET_KEY": SERVER_KEY,
        "PACKTRACE_WORKER_POLL_SECONDS": "0.1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "packtrace", "worker"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigterm_lets_the_delivery_under_way_finish(committed: Committed) -> None:
    report_id = add_report(committed.database, committed.tenant_id)
    with running() as receiver:
        set_destination(committed.database, committed.tenant_id, http(receiver.url))
        receiver.hold.clear()
        process = _worker_process(committed)
        try:
            assert receiver.arrived.wait(60), "the worker never delivered"
            process.send_signal(signal.SIGTERM)
            receiver.hold.set()
            assert process.wait(60) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(30)
    assert report(committed.database, report_id).state == ACK
    assert attempts(committed.database, report_id) == [(ACK, 200)]


def test_a_worker_killed_mid_delivery_loses_nothing(committed: Committed) -> None:
    report_id = add_report(committed.database, committed.tenant_id)
    with running() as receiver:
        set_destination(committed.database, committed.tenant_id, http(receiver.url))
        receiver.hold.clear()
        process = _worker_process(committed)
        try:
            assert receiver.arrived.wait(60), "the worker never delivered"
        finally:
            process.kill()  # SIGKILL: no chance to record anything
            process.wait(30)
        receiver.hold.set()
        stuck = report(committed.database, report_id)
        assert stuck.state == SENT and stuck.lease_owner is not None and attempts(committed.database, report_id) == []
        restarted = worker(committed.database, name="restarted")
        assert restarted.run_once(now=stuck.sent_at) == 0  # its lease still holds
        assert restarted.run_once(now=after(stuck.lease_until)) == 1
    assert receiver.keys() == [stuck.idempotency_key] * 2 and list(receiver.stored) == [stuck.idempotency_key]
    done = report(committed.database, report_id)
    assert done.state == ACK and done.attempts == 2
    assert attempts(committed.database, report_id) == [("expired", None), (ACK, 200)]
