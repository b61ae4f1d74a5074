"""Benchmark: what the EPCIS event log costs on the commissioning path, and how fast it reads back.

    python bench/epcis.py [--sqlite-only] [--postgres-url URL] [--runs 3] [--count 100000] [--bulk 500000]

Per database (a fresh SQLite file; a fresh PostgreSQL schema, dropped at the end), in process:
1. a 120-serial commission of an order drawn from a pool just filled with ``--bulk`` serials, before any
   statistics exist (autovacuum is off for the bench's tables), then the same after ANALYZE;
2. commissioning ``--count`` external serials in one call with its event and without it (the EPCIS
   subscriber unwired), alternating A B A B, each inside one unit of work, committed, as an endpoint
   runs it; then ``--count`` serials of an order (with its event);
3. ``POST /epcis/capture`` of a ``--count``-EPC commissioning document (through the app, TestClient);
4. an order of ``--count`` packs commissioned 120 at a time, then all its events paged through
   ``GET /epcis/events``.
Targets: the event adds < 15 %; one call < 1 s; capture < 3 s (PostgreSQL); the 120-serial commission
never depends on statistics (before them within 3x of after them, or under 50 ms). Run by hand; never a test.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import SERVER_KEY, bench_parser, best_median, postgres_schema, prepare, print_targets, sqlite_database
from fastapi.testclient import TestClient
from sqlalchemy import text

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.epcis import identifiers
from packtrace.epcis.events import DOCUMENT_CONTEXT
from packtrace.kit import facts
from packtrace.kit.db import Database, on_postgres
from packtrace.models import Tenant
from packtrace.orders.service import order_service
from packtrace.packs.facts import PacksCommissioned
from packtrace.packs.service import pack_service
from packtrace.products.service import product_service
from packtrace.serials import order_lists
from packtrace.serials.service import serial_service

EVENT_TARGET = 1.15
ONE_CALL_TARGET = 1.0
CAPTURE_TARGET = 3.0
EXPIRY = "351115"
LINE_BATCH = 120
V2 = "/v1/manufacturer/v2/api"
BULK_TABLES = ("serial_numbers", "serial_pool", "order_serials", "packs", "pack_events", "epcis_event_epcs")


@contextmanager
def without_event_log() -> Iterator[None]:
    """The same commissioning with nobody subscribed to PacksCommissioned (the bench's baseline)."""
    facts.handlers_for(PacksCommissioned)  # wire first, so that the wiring cannot re-add it meanwhile
    saved = facts._subscribers.get(PacksCommissioned, [])
    facts._subscribers[PacksCommissioned] = []
    try:
        yield
    finally:
        facts._subscribers[PacksCommissioned] = saved


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def commission(db: Database, serials: list[str], order_id: str | None = None, batch: str | None = None) -> float:
    started = time.perf_counter()
    with db.unit_of_work() as session:
        pack_service.commission(
            session,
            tenant_id_of_session(session),
            product_code=DEMO_PRODUCT_CODE,
            batch=batch or f"B{uuid.uuid4().hex[:6]}",
            expiry_date=EXPIRY,
            manufacturing_date=None,
            order_id=order_id,
            serials=serials,
            actor="bench",
        )
    return time.perf_counter() - started


def tenant_id_of_session(session: Any) -> int:
    return int(session.query(Tenant.id).filter(Tenant.name == "demo").scalar())


def external_serials(count: int) -> list[str]:
    return [f"X{uuid.uuid4().hex[:12].upper()}" for _ in range(count)]


class Api:
    """The app in process, called with the demo line's V2 credentials."""

    def __init__(self, url: str, demo: DemoCredentials) -> None:
        self.client = TestClient(create_app(Settings(database_url=url, secret_key=SERVER_KEY)))
        self.headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}

    def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response

    def order_on_line(self, db: Database, quantity: int) -> tuple[str, list[str]]:
        """A released order of ``quantity`` serials (drawn from the pool when it has them) and its serials."""
        order_id = f"E{uuid.uuid4().hex[:10]}"
        body = {
            "batch": f"B{order_id[1:7]}",
            "expiry_date": EXPIRY,
            "extra_percentage": 0,
            "market": "EU",
            "order_description": "EPCIS benchmark",
            "order_id": order_id,
            "packaging_line_tag": "test-packaging-line-1",
            "product_code_schema": "GTIN",
            "product_code": DEMO_PRODUCT_CODE,
            "quantity": quantity,
            "serialized": True,
        }
        self.call("POST", V2 + "/packaging_order", json=body)
        self.call("PATCH", V2 + "/packaging_order/release", json={"order_id": order_id})
        with db.unit_of_work() as session:
            tenant_id = tenant_id_of_session(session)
            order = order_service.get(session, tenant_id, order_id)
            serials = [
                s for chunk in order_lists.stream_order_serials(session, tenant_id, order.id, 10_000) for s in chunk
            ]
        return order_id, serials


def alternate(runs: int, a: Callable[[], float], b: Callable[[], float]) -> tuple[list[float], list[float]]:
    first, second = [], []
    for _ in range(runs):
        first.append(a())
        second.append(b())
    return first, second


def autovacuum(db: Database, enabled: bool) -> None:
    with db.unit_of_work() as session:
        if on_postgres(session):
            for table in BULK_TABLES:
                session.execute(text(f"ALTER TABLE {table} SET (autovacuum_enabled = {str(enabled).lower()})"))


def analyze(db: Database) -> None:
    with db.unit_of_work() as session:
        session.execute(text("ANALYZE"))


def after_bulk_load(db: Database, api: Api, bulk: int) -> tuple[float, float]:
    """Seconds of a 120-serial commission right after a bulk fill of the pool, then after ANALYZE."""
    autovacuum(db, False)
    try:
        with db.unit_of_work() as session:
            product = product_service.get(session, tenant_id_of_session(session), DEMO_PRODUCT_CODE)
            serial_service.generate_into_pool(session, product, bulk)
        order_id, serials = api.order_on_line(db, LINE_BATCH)
        before = commission(db, serials, order_id, f"B{order_id[1:7]}")
        analyze(db)
        order_id, serials = api.order_on_line(db, LINE_BATCH)
        after = commission(db, serials, order_id, f"B{order_id[1:7]}")
    finally:
        autovacuum(db, True)
    return before, after


def capture_document(count: int) -> dict[str, Any]:
    epcs = [identifiers.sgtin(DEMO_PRODUCT_CODE, serial) for serial in external_serials(count)]
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-12-03T10:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "epcList": epcs,
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "ilmd": {"cbvmda:lotNumber": f"C{uuid.uuid4().hex[:6]}", "cbvmda:itemExpirationDate": "2035-11-15"},
    }
    return {
        "@context": DOCUMENT_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-12-03T10:00:00.000Z",
        "epcisBody": {"eventList": [event]},
    }


def capture(api: Api, count: int) -> float:
    payload = json.dumps(capture_document(count)).encode()
    started = time.perf_counter()
    response = api.call(
        "POST", "/epcis/capture", expect=202, content=payload, headers={"Content-Type": "application/ld+json"}
    )
    job = api.call("GET", response.headers["Location"]).json()
    elapsed = time.perf_counter() - started
    if not job.get("success"):
        raise RuntimeError(f"capture failed: {job}")
    return elapsed


def page_order_events(db: Database, api: Api, count: int) -> tuple[int, int, float]:
    """An order of ``count`` packs commissioned LINE_BATCH at a time, then every event recorded since
    paged through GET /epcis/events; returns (events, EPCs, seconds)."""
    order_id, serials = api.order_on_line(db, count)
    with db.unit_of_work() as session:
        start_time = session.execute(text("SELECT CURRENT_TIMESTAMP")).scalar_one()
    for first in range(0, len(serials), LINE_BATCH):
        commission(db, serials[first : first + LINE_BATCH], order_id, f"B{order_id[1:7]}")
    stamp = start_time if isinstance(start_time, str) else start_time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    stamp = stamp.replace(" ", "T")[:23] + "Z"
    events = epcs = 0
    path = "/epcis/events"
    params: dict[str, Any] | None = {"GE_recordTime": stamp, "perPage": 100}
    started = time.perf_counter()
    while True:
        response = api.call("GET", path, params=params)
        found = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        events += len(found)
        epcs += sum(len(e.get("epcList", ())) for e in found)
        following = response.links.get("next", {}).get("url")  # the Link header's rel="next"
        if not following:
            break
        # None, not {}: an empty mapping would replace the link's own query (its nextPageToken).
        path, params = following, None
        if events > 2 * count:
            raise RuntimeError(f"paging went past {events:,} events for {count:,} packs: the next link loops")
    return events, epcs, time.perf_counter() - started


def bench(name: str, url: str, runs: int, count: int, bulk: int) -> list[tuple[str, bool]]:
    print(f"{name}: load average before {load()}")
    demo = prepare(url)
    db = Database(url)
    api = Api(url, demo)
    try:
        before, after = after_bulk_load(db, api, bulk)
        commission(db, external_serials(1000))  # warm
        without, with_event = alternate(
            runs,
            lambda: _without(db, count),
            lambda: commission(db, external_serials(count)),
        )
        order_runs = []
        for _ in range(runs):
            order_id, serials = api.order_on_line(db, count)
            order_runs.append(commission(db, serials, order_id, f"B{order_id[1:7]}"))
        capture(api, 100)  # warm
        try:
            captures = [capture(api, count) for _ in range(runs)]
        except RuntimeError as refused:  # e.g. a body limit in front of capture's own: a MISS, not the end
            print(f"  capture refused: {refused}")
            captures = [float("inf")]
        events, epcs, paging = page_order_events(db, api, count)
    finally:
        api.client.close()
        db.dispose()
    best_with, median_with = best_median(with_event)
    best_without, median_without = best_median(without)
    ratio = statistics.median(w / o for w, o in zip(with_event, without, strict=True))
    _, median_order = best_median(order_runs)
    _, median_capture = best_median(captures)
    print(
        f"  a {LINE_BATCH}-serial commission after a {bulk:,}-serial fill: {before * 1000:.1f} ms before statistics, "
        f"{after * 1000:.1f} ms after ANALYZE"
    )
    print(f"  commissioning {count:,} external serials in one call")
    print(f"    without its event  best {best_without:.2f} s  median {median_without:.2f} s")
    print(f"    with its event     best {best_with:.2f} s  median {median_with:.2f} s  (pairwise median {ratio:.2f}x)")
    print(f"  commissioning {count:,} serials of an order in one call, with its event: median {median_order:.2f} s")
    print(f"  capturing a {count:,}-EPC commissioning document: median {median_capture:.2f} s")
    print(
        f"  paging an order's {events:,} events ({epcs:,} EPCs): {paging:.2f} s, {events / paging:,.0f} events/s, "
        f"{epcs / paging:,.0f} EPCs/s"
    )
    print(f"{name}: load average after {load()}")
    checks = [
        (f"{name}: the event adds < 15 % to commissioning ({ratio:.2f}x)", ratio < EVENT_TARGET),
        (f"{name}: {count:,} external serials in one call < 1 s ({median_with:.2f} s)", median_with < ONE_CALL_TARGET),
        (
            f"{name}: {count:,} serials of an order in one call < 1 s ({median_order:.2f} s)",
            median_order < ONE_CALL_TARGET,
        ),
        (
            f"{name}: 120 serials after a bulk fill do not wait for statistics "
            f"({before * 1000:.0f} ms vs {after * 1000:.0f} ms)",
            before < max(3 * after, 0.05),
        ),
    ]
    if name == "PostgreSQL":
        checks.append(
            (f"{name}: capture of {count:,} EPCs < 3 s ({median_capture:.2f} s)", median_capture < CAPTURE_TARGET)
        )
    return checks


def _without(db: Database, count: int) -> float:
    with without_event_log():
        return commission(db, external_serials(count))


def main() -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="serials per call (default: %(default)s)")
    parser.add_argument("--bulk", type=int, default=500_000, help="serials of the bulk fill (default: %(default)s)")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    checks = []
    if not args.skip_sqlite:
        with sqlite_database() as url:
            checks += bench("SQLite", url, args.runs, args.count, args.bulk)
    if not args.sqlite_only:
        with postgres_schema(args.postgres_url) as (url, _schema):
            checks += bench("PostgreSQL", url, args.runs, args.count, args.bulk)
    print_targets(checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
