"""Benchmark: EPCIS 2.0 XML. Writing and reading a 100,000-EPC commissioning document (beside JSON-LD),
and capturing it as XML on each database (parse, check, apply, store).

    python bench/epcis_xml.py [--sqlite-only] [--postgres-url URL] [--runs 3] [--count 100000]

In process (no server): capture is the service call inside one unit of work, committed, after the
document's conversion, as the endpoint runs them, beside the same document as JSON-LD. Targets: writing
and reading the XML each < 1 s; capturing the XML document < 3 s on PostgreSQL (the JSON-LD capture's).
Run by hand; never a test.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import bench_parser, best_median, postgres_schema, prepare, print_targets, sqlite_database

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import identifiers, xml_in, xml_out
from packtrace.epcis.capture import capture_service
from packtrace.epcis.events import Where, document, lot_ilmd, object_event
from packtrace.kit.db import Database
from packtrace.models import Tenant

WRITE_TARGET = READ_TARGET = 1.0
CAPTURE_TARGET = 3.0


def commissioning(count: int) -> dict[str, object]:
    at = datetime.now(UTC)
    epcs = [identifiers.sgtin(DEMO_PRODUCT_CODE, f"X{uuid.uuid4().hex[:12].upper()}") for _ in range(count)]
    ilmd = lot_ilmd(f"X{uuid.uuid4().hex[:6]}", "281231", at)
    return object_event(at, Where(), epcs, "ADD", "commissioning", "active", ilmd)


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def conversions(runs: int, count: int) -> list[tuple[str, bool]]:
    event = commissioning(count)
    body = xml_out.to_bytes([event], datetime.now(UTC), query=False)
    write = [timed(lambda: xml_out.to_bytes([event], datetime.now(UTC), query=False)) for _ in range(runs)]
    write_json = [timed(lambda: json.dumps(event)) for _ in range(runs)]
    read = [timed(lambda: xml_in.parse_document(body)) for _ in range(runs)]
    read_json = [timed(lambda: json.loads(json.dumps(event))) for _ in range(runs)]
    print(f"One commissioning event of {count:,} EPCs: {len(body) / 1e6:.1f} MB of XML")
    print(f"  writing XML   best {min(write):.2f} s  median {best_median(write)[1]:.2f} s")
    print(f"  writing JSON  best {min(write_json):.2f} s")
    print(f"  reading XML   best {min(read):.2f} s  median {best_median(read)[1]:.2f} s (parse, check, convert)")
    print(f"  reading JSON  best {min(read_json):.2f} s")
    write_s, read_s = best_median(write)[1], best_median(read)[1]
    return [
        (f"writing {count:,} EPCs as XML < {WRITE_TARGET:.0f} s ({write_s:.2f} s)", write_s < WRITE_TARGET),
        (f"reading {count:,} EPCs of XML < {READ_TARGET:.0f} s ({read_s:.2f} s)", read_s < READ_TARGET),
    ]


def capture(db: Database, count: int, xml: bool) -> float:
    event = commissioning(count)
    body = (
        xml_out.to_bytes([event], datetime.now(UTC), query=False)
        if xml
        else json.dumps(document([event], datetime.now(UTC)))
    )
    started = time.perf_counter()
    doc = xml_in.parse_document(body) if isinstance(body, bytes) else json.loads(body)
    with db.unit_of_work() as session:
        tenant_id = session.query(Tenant.id).filter(Tenant.name == "demo").scalar()
        outcome = capture_service.capture(session, tenant_id, doc, "rollback", "bench")
    seconds = time.perf_counter() - started
    assert outcome.success and outcome.applied == 1, outcome.errors
    return seconds


def bench(name: str, url: str, runs: int, count: int, target: float | None) -> list[tuple[str, bool]]:
    prepare(url)
    db = Database(url)
    try:
        seconds = [capture(db, count, xml=True) for _ in range(runs)]
        as_json = [capture(db, count, xml=False) for _ in range(runs)]
    finally:
        db.dispose()
    best, median = best_median(seconds)
    print(f"{name}: capturing a {count:,}-EPC commissioning document")
    print(f"  as XML      best {best:.2f} s  median {median:.2f} s")
    print(f"  as JSON-LD  best {min(as_json):.2f} s  median {best_median(as_json)[1]:.2f} s")
    if target is None:
        return []
    return [(f"{name}: capturing {count:,} EPCs as XML < {target:.0f} s ({median:.2f} s)", median < target)]


def main() -> int:
    parser = bench_parser(__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="EPCs per document (default: %(default)s)")
    args = parser.parse_args()
    checks = conversions(args.runs, args.count)
    with sqlite_database() as url:
        checks += bench("SQLite", url, args.runs, args.count, None)
    if not args.sqlite_only:
        with postgres_schema(args.postgres_url) as (url, _schema):
            checks += bench("PostgreSQL", url, args.runs, args.count, CAPTURE_TARGET)
    print_targets(checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
