"""Benchmark: what the EPCIS event log costs. Commissioning 100,000 serials in one call with its event
vs without it, and reading that event back (through MATCH_epc and by paging).

    python bench/epcis.py [--sqlite-only] [--postgres-url URL] [--runs 3] [--count 100000]

In process (no server): the service call inside one unit of work, committed, as an endpoint runs it.
"Without the event" runs the same call with the EPCIS subscriber unwired. Target: the event adds < 15 %.
Run by hand; never a test.
"""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import bench_parser, best_median, postgres_schema, prepare, print_targets, sqlite_database

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import query
from packtrace.epcis.service import epcis_service
from packtrace.kit import facts
from packtrace.kit.db import Database
from packtrace.models import Tenant
from packtrace.packs.facts import PacksCommissioned
from packtrace.packs.service import pack_service

EVENT_TARGET = 1.15


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


def commission(db: Database, count: int) -> float:
    serials = [f"B{uuid.uuid4().hex[:12].upper()}" for _ in range(count)]
    started = time.perf_counter()
    with db.unit_of_work() as session:
        tenant_id = session.query(Tenant.id).filter(Tenant.name == "demo").scalar()
        pack_service.commission(
            session,
            tenant_id,
            product_code=DEMO_PRODUCT_CODE,
            batch=f"B{uuid.uuid4().hex[:6]}",
            expiry_date="271231",
            manufacturing_date=None,
            order_id=None,
            serials=serials,
            actor="bench",
        )
    return time.perf_counter() - started


def read_back(db: Database) -> tuple[float, int]:
    """Seconds to page through every event (1,000 a page) of the tenant, and how many EPCs they name."""
    started = time.perf_counter()
    epcs, after = 0, 0
    with db.unit_of_work() as session:
        tenant_id = session.query(Tenant.id).filter(Tenant.name == "demo").scalar()
        while True:
            page = epcis_service.page(session, tenant_id, query.Filter(), after, 1000)
            epcs += sum(len(e.get("epcList", ())) for e in page.events)
            if page.next_after is None:
                break
            after = page.next_after
    return time.perf_counter() - started, epcs


def bench(name: str, url: str, runs: int, count: int) -> list[tuple[str, bool]]:
    prepare(url)
    db = Database(url)
    try:
        with_event, without = [], []
        for _ in range(runs):
            with without_event_log():
                without.append(commission(db, count))
            with_event.append(commission(db, count))
        read_seconds, epcs = read_back(db)
    finally:
        db.dispose()
    best_with, median_with = best_median(with_event)
    best_without, median_without = best_median(without)
    ratio = statistics.median(with_event) / statistics.median(without)
    print(f"{name}: commissioning {count:,} serials in one call")
    print(f"  without its event  best {best_without:.2f} s  median {median_without:.2f} s")
    print(f"  with its event     best {best_with:.2f} s  median {median_with:.2f} s  ({ratio:.2f}x)")
    print(f"  reading every event back: {epcs:,} EPCs in {read_seconds:.2f} s ({epcs / read_seconds:,.0f} EPCs/s)")
    return [(f"{name}: the event adds < 15 % to commissioning ({ratio:.2f}x)", ratio < EVENT_TARGET)]


def main() -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="serials per call (default: %(default)s)")
    args = parser.parse_args()
    checks = []
    with sqlite_database() as url:
        checks += bench("SQLite", url, args.runs, args.count)
    if not args.sqlite_only:
        with postgres_schema(args.postgres_url) as (url, _schema):
            checks += bench("PostgreSQL", url, args.runs, args.count)
    print_targets(checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
