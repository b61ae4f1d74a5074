"""More clients than database connections against a real server process: every request is answered
promptly, with its result or a quick 503 + Retry-After, never a 500 and never after the pool's 30 s wait.

Before admission control, 48 lines calling at once stalled the server: requests waiting for a connection
held the threads that requests holding connections needed to finish."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from packtrace.kit.db import Database
from packtrace.models import PackagingOrder
from packtrace.serials import order_lists
from tests.conftest import DatabaseUnderTest
from tests.server_process import committed_database, running_server
from tests.support import ORDERS, sample_order

CLIENTS = 100  # the 100 lines: more than the 40 threads + 30 connections that stalled, 25x the pool
ORDERS_PER_CLIENT = 2
POOL_SIZE = 4
CLIENT_TIMEOUT = 40  # seconds: a request stalled behind the old 30 s pool timeout ends, as a failure
SLOW = 15.0  # seconds: far below the 30 s pool timeout that used to be hit, far above a busy answer


def _call(
    connection: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str], body: object = None
) -> tuple[int, float, dict[str, str], dict[str, object]]:
    """(status, seconds, headers, body); status 0 when no answer came (a hung request times out)."""
    started = time.monotonic()
    payload = json.dumps(body).encode() if body is not None else None
    try:
        connection.request(method, path, body=payload, headers=headers | {"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = json.loads(response.read() or b"{}")
    except OSError:
        connection.close()
        return 0, time.monotonic() - started, {}, {}
    return response.status, time.monotonic() - started, {k.lower(): v for k, v in response.getheaders()}, answer


def test_more_clients_than_connections_get_answers_not_500s(test_database: DatabaseUnderTest, tmp_path: Path) -> None:
    with committed_database(test_database.url, test_database.is_postgres) as (url, demo):
        settings = {"db_pool_size": str(POOL_SIZE), "db_max_overflow": "2", "admission_timeout_seconds": "5"}
        with running_server(url, tmp_path / "server.log", **settings) as server:
            address = urlsplit(server.url)
            headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
            start = threading.Barrier(CLIENTS)
            results: list[tuple[str, int, float, dict[str, str], dict[str, object]]] = []
            lock = threading.Lock()

            def client(number: int) -> None:
                connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=CLIENT_TIMEOUT)
                start.wait(timeout=60)
                try:
                    for n in range(ORDERS_PER_CLIENT):
                        order_id = f"client-{number}-{n}"
                        body = sample_order(order_id=order_id, quantity=12, extra_percentage=0)
                        created = _call(connection, "POST", ORDERS, headers, body)
                        read = _call(connection, "GET", f"{ORDERS}/open?limit=5", headers)
                        with lock:
                            results.extend([(order_id, *created), ("", *read)])
                finally:
                    connection.close()

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            log = server.output()

    assert len(results) == CLIENTS * ORDERS_PER_CLIENT * 2, log[-3000:]
    statuses = sorted({status for _, status, *_ in results})
    assert set(statuses) <= {200, 503}, (statuses, log[-3000:])
    slowest = max(seconds for _, _, seconds, *_ in results)
    assert slowest < SLOW, slowest
    for _, status, _, response_headers, answer in results:
        if status == 503:
            assert int(response_headers["retry-after"]) >= 1
            assert answer["error"] == {"type": "BusyError", "details": []}
    created = {order_id for order_id, status, *_ in results if order_id and status == 200}
    assert created, "no order was created at all"


def test_each_created_order_is_whole(test_database: DatabaseUnderTest, tmp_path: Path) -> None:
    """The same load, checked in the database: an order is there with all its serials or not at all."""
    with committed_database(test_database.url, test_database.is_postgres) as (url, demo):
        settings = {"db_pool_size": "2", "db_max_overflow": "0", "admission_timeout_seconds": "0.5"}
        with running_server(url, tmp_path / "server.log", **settings) as server:
            address = urlsplit(server.url)
            headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
            answered: dict[str, int] = {}

            def client(number: int) -> None:
                connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=CLIENT_TIMEOUT)
                order_id = f"whole-{number}"
                body = sample_order(order_id=order_id, quantity=500, extra_percentage=0)
                answered[order_id] = _call(connection, "POST", ORDERS, headers, body)[0]
                connection.close()

            threads = [threading.Thread(target=client, args=(n,)) for n in range(24)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        db = Database(url)
        try:
            with db.unit_of_work(writes=False) as session:
                # Made for the order or drawn from the demo's pool: both places an order's serials may be.
                counts = {
                    order.order_id: order_lists.count_for_order(session, order.tenant_id, order.id)
                    for order in session.scalars(select(PackagingOrder))
                }
        finally:
            db.dispose()
    assert set(answered.values()) <= {200, 503}, answered
    assert {o for o, status in answered.items() if status == 200} == set(counts)
    assert all(count == 500 for count in counts.values()), counts


def test_serve_with_two_workers(test_database: DatabaseUnderTest, tmp_path: Path) -> None:
    """``serve --workers 2``: two processes on one port, sharing only the database; an order one creates
    the other reads."""
    with (
        committed_database(test_database.url, test_database.is_postgres) as (url, demo),
        running_server(url, tmp_path / "server.log", workers=2) as server,
    ):
        address = urlsplit(server.url)
        headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=CLIENT_TIMEOUT)
        created = _call(connection, "POST", ORDERS, headers, sample_order(order_id="two-workers"))
        connection.close()
        reads = []
        for _ in range(12):  # a new connection each time: the kernel spreads them over the workers
            connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=CLIENT_TIMEOUT)
            reads.append(_call(connection, "GET", f"{ORDERS}/details?order_id=two-workers", headers)[0])
            connection.close()
        log = server.output()
    assert created[0] == 200, created
    assert reads == [200] * 12
    workers = set(re.findall(r"Started server process \[(\d+)\]", log))
    assert len(workers) == 2, log
