"""Benchmark: building the market report documents.

    python bench/reporting.py [--runs 3] [--documents-only | --sqlite-only | --skip-sqlite] [--postgres-url URL]

(a) the DSCSA EPCIS 1.2 document of a shipment of one pallet of 100 cases x 12 packs (1,200 packs in
    one lot, 101 AggregationEvents, the shipping event);
(b) the EU batch upload of a batch of 100,000 packs, its serials handed over as a stream (as the trigger
    reads them from the database, 5,000 rows at a time).

Each is timed (median of the runs) and its peak memory above what it started with measured with
tracemalloc (the document's own bytes included). Targets: under 2 s and under 100 MB extra each. The
documents are built from plain data (``reporting/documents``), without the database reads that gather
it. Then the whole path, database reads included, on SQLite and PostgreSQL (``reporting_db.py``): the
shipment service call and its DSCSA trigger (``on_shipped``) alone; ``commission market`` of an EU batch
and its trigger (``on_batch_commissioned``) alone. Run by hand; never a test.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import bench_parser
from reporting_db import run_databases

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.reporting.documents import dscsa, eu
from packtrace.reporting.documents.model import Header, Node, ProductData, Sender

TARGET_SECONDS = 2.0
TARGET_MB = 100.0
CASES, PER_CASE = 100, 12
BATCH_PACKS = 100_000
AT = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
SENDER = Sender("PackTrace Pharma", "0300011111116", None, ("030001", "039999"))
PRODUCT = ProductData("00300010123455", "GTIN", 6, "Epcistra", ("US", "EU"), strength="100mg", ndc="0001-0123-45")
FROM = dscsa.Party("PackTrace Pharma", "0300011111116", "0300011111215")
TO = dscsa.Party("GS1 Drug Distributor", "0399999999991", "0399993456780", "136 Main St", "KY-1")


def _sscc(reference: int) -> str:
    body = f"0030001{reference:010d}"
    return body + compute_check_digit(body)


def dscsa_pallet() -> bytes:
    pallet = _sscc(0)
    cases = [_sscc(n) for n in range(1, CASES + 1)]
    serials = [f"{n:012d}" for n in range(CASES * PER_CASE)]
    nodes = [Node(pallet, None, tuple(cases))] + [
        Node(case, pallet, (), tuple((PRODUCT.code, s) for s in serials[i * PER_CASE : (i + 1) * PER_CASE]))
        for i, case in enumerate(cases)
    ]
    shipment = dscsa.Shipment("BENCH-1", AT, FROM, TO, None, "PO-1", "DEL-1", (pallet,), ())
    lots = [dscsa.Lot(PRODUCT.code, "A123", "351115", tuple(serials), AT)]
    return dscsa.shipment_document(Header(AT, SENDER), shipment, {PRODUCT.code: PRODUCT}, iter(lots), nodes)


def eu_batch() -> bytes:
    def serials() -> Iterator[str]:
        return (f"{n:012d}" for n in range(BATCH_PACKS))

    return eu.batch_upload(Header(AT, SENDER), PRODUCT, "A123", "351115", serials())


def measure(build: Callable[[], bytes], runs: int) -> tuple[float, float, int]:
    """(median seconds, largest peak MB above the start, document bytes). Timed runs and traced runs are
    apart: tracemalloc slows allocation-heavy code several times over."""
    times, peaks, size = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(build())
        times.append(time.perf_counter() - start)
    for _ in range(runs):
        tracemalloc.start()
        build()
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
    return statistics.median(times), max(peaks), size


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def verdict(seconds: float, mb: float) -> str:
    ok = (math.isnan(seconds) or seconds < TARGET_SECONDS) and (math.isnan(mb) or mb < TARGET_MB)
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = bench_parser(__doc__.splitlines()[0])
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only (with the documents)")
    parser.add_argument("--documents-only", action="store_true", help="the plain-data part only")
    args = parser.parse_args()
    runs = args.runs
    print(f"load average {load()} on {os.cpu_count()} cores; {runs} runs")
    print(f"Targets: < {TARGET_SECONDS:.0f} s and < {TARGET_MB:.0f} MB extra.")
    print("Documents from plain data (memory: tracemalloc peak above the start):")
    for name, build in (
        (f"DSCSA shipment, 1 pallet x {CASES} cases x {PER_CASE} packs", dscsa_pallet),
        (f"EU batch upload, {BATCH_PACKS:,} packs", eu_batch),
    ):
        seconds, peak, size = measure(build, runs)
        print(
            f"  {name}: {seconds:.3f} s, peak {peak:.1f} MB extra, document {size / 1e6:.2f} MB  "
            f"{verdict(seconds, peak)}"
        )
    if args.documents_only:
        return
    figures = run_databases(not args.skip_sqlite, None if args.sqlite_only else args.postgres_url, runs, load)
    print("Whole path, database included (median seconds; largest MB above the start: RSS = VmHWM - VmRSS,")
    print("traced = tracemalloc peak of a repeat of the trigger alone in the same transaction):")
    for what, seconds, mb, how in figures:
        shown = [f"{seconds:.3f} s"] if not math.isnan(seconds) else []
        shown += [f"{mb:.1f} MB {how}"] if not math.isnan(mb) else []
        print(f"  {what}: {', '.join(shown)}  {verdict(seconds, mb)}")
    print(f"load average after {load()}")


if __name__ == "__main__":
    main()
