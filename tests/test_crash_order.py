"""kill -9 of a real server process in the middle of a 110,000-serial order (PostgreSQL): nothing of the
order is left, and after a restart the same request, sent again, succeeds with all its serials."""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from packtrace.kit.db import Database
from packtrace.models import PackagingOrder, SerialNumber
from tests.conftest import DatabaseUnderTest
from tests.server_process import committed_database, start_server, stop_server
from tests.support import ORDERS, sample_order

ORDER = sample_order(order_id="crash-order", quantity=100_000, extra_percentage=10)


def _post(url: str, headers: dict[str, str], outcome: list[int]) -> None:
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    try:
        connection.request(
            "POST", ORDERS, body=json.dumps(ORDER), headers=headers | {"Content-Type": "application/json"}
        )
        outcome.append(connection.getresponse().status)
    except OSError:
        outcome.append(0)  # the server died before it answered
    finally:
        connection.close()


def _stored(url: str) -> tuple[int, int]:
    db = Database(url)
    try:
        with db.unit_of_work(writes=False) as session:
            orders = session.scalar(select(func.count()).select_from(PackagingOrder)) or 0
            serials = session.scalar(select(func.count()).select_from(SerialNumber)) or 0
            return orders, serials
    finally:
        db.dispose()


def test_kill_9_during_a_large_order_leaves_nothing_and_the_retry_succeeds(
    test_database: DatabaseUnderTest, tmp_path: Path
) -> None:
    if not test_database.is_postgres:
        pytest.skip("needs PostgreSQL (the production database of a line site)")
    with committed_database(test_database.url, True) as (url, demo):
        headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
        server = start_server(url, tmp_path / "first.log")
        outcome: list[int] = []
        try:
            sender = threading.Thread(target=_post, args=(server.url, headers, outcome))
            sender.start()
            time.sleep(0.5)  # the order is being written (it takes well over a second)
            stop_server(server.process, crash=True)
            sender.join(timeout=30)
        finally:
            stop_server(server.process)
        assert outcome == [0], f"the order finished before the crash: {outcome}"
        assert _stored(url) == (0, 0)

        restarted = start_server(url, tmp_path / "second.log")
        try:
            retried: list[int] = []
            _post(restarted.url, headers, retried)
        finally:
            stop_server(restarted.process)
        assert retried == [200], restarted.output()[-2000:]
        assert _stored(url) == (1, 110_000)
