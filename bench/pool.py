"""Benchmark: the serial pool. Filling it, assigning a big order from it, and downloading that order.

    python bench/pool.py [--sqlite-only] [--postgres-url URL] [--runs 3]

For each database (a fresh SQLite file; a fresh schema in PostgreSQL, dropped at the end) it migrates and
seeds the demo, then:

(a) generates 1,000,000 serials into the demo product's pool with `packtrace pool generate --count
    1000000` (a process of its own, timed from start to exit). Target: under 5 s;
(b) per run creates an unserialized order (quantity 100,000 + 10 % = 110,000 serials) over HTTP against
    the real server (uvicorn, a process of its own) and times `POST packaging_order/assign_serials`,
    which draws its serials from the pool. The floor: inserting as many rows of serial_numbers' shape
    into a fresh table with its unique index (PostgreSQL: COPY; SQLite: executemany INSERT). Target:
    the assignment within 2x the floor;
(c) downloads the order's serials as CSV (`GET packaging_order/serials?format=csv`), streamed and counted
    line by line, from a fresh server per download. Targets: more than 1,000,000 serials/s, and the
    server's resident memory during the download (VmHWM above its RSS before) not growing with the order:
    the 110,000 order against a 10,000 one;
(d) per run draws 110,000 serials with `POST serials/request` (the spec's largest allowed request,
    200,000, once more for the server's peak memory). Targets: 110,000 in under 0.20 s (SerialBox's
    allocation of as many, measured by bench/serialbox.py), and the server's peak RSS under 200 MB.

Run by hand; never a test. The server, memory and database helpers are those of bench/create_order.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import (
    ORDERS_PATH,
    REQUEST_TIMEOUT,
    SERVER_KEY,
    bench_parser,
    copy_floor,
    libpq_url,
    load_average,
    memory_mb,
    no_checkpoint,
    postgres_checkpoint,
    postgres_schema,
    prepare,
    print_targets,
    random_serials,
    reset_peak,
    server,
    sqlite_database,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database, normalize_url
from packtrace.orders.lifecycle import serials_needed
from packtrace.products.service import product_service
from packtrace.serials.service import MAX_REQUEST, serial_service

POOL_SIZE = 1_000_000
QUANTITY, EXTRA_PERCENTAGE = 100_000, 10
SERIALS = serials_needed(QUANTITY, EXTRA_PERCENTAGE)
REQUEST_PATH = ORDERS_PATH.removesuffix("/packaging_order") + "/serials/request"
SMALL_QUANTITY = 10_000  # the order the download's memory is compared with (no extra)
ASSIGN_TARGET_RATIO = 2.0
DOWNLOAD_TARGET_PER_SECOND = 1_000_000
GENERATE_TARGET_SECONDS = 5.0
REQUEST_TARGET_SECONDS = 0.20
RSS_TARGET_MB = 200.0
# What the download may take beyond the small order's: well under what holding 110,000 serials as Python
# objects would (~10 MB for the strings alone), so that memory growing with the order shows.
DOWNLOAD_MEMORY_MARGIN_MB = 5.0


# -- databases and the server (as in bench/create_order.py) ------------------------------------------------


@dataclass
class Download:
    seconds: float
    lines: int
    before_mb: float  # VmRSS just before the download
    peak_mb: float  # VmHWM from just before the download to its end

    @property
    def growth_mb(self) -> float:
        return self.peak_mb - self.before_mb


@dataclass
class DatabaseResult:
    name: str
    generate_seconds: float = 0.0
    assign_seconds: list[float] = field(default_factory=list)
    floor_seconds: list[float] = field(default_factory=list)
    big_downloads: list[Download] = field(default_factory=list)
    small_downloads: list[Download] = field(default_factory=list)
    request_seconds: list[float] = field(default_factory=list)
    largest_request_peak_mb: float = 0.0


# -- (a) filling the pool ----------------------------------------------------------------------------------


def generate_pool(result: DatabaseResult, url: str, settle: Callable[[], None]) -> None:
    settle()
    env = {**os.environ, "PACKTRACE_DATABASE_URL": url, "PACKTRACE_SECRET_KEY": SERVER_KEY}
    command = [sys.executable, "-m", "packtrace", "pool", "generate", "--tenant", DEMO_TENANT]
    command += ["--product", DEMO_PRODUCT_CODE, "--count", str(POOL_SIZE), "--json"]
    with tempfile.TemporaryDirectory(prefix="packtrace-bench-cli-") as workdir:
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=workdir, check=True, stdout=subprocess.DEVNULL)
        result.generate_seconds = time.perf_counter() - started
    db = Database(url)
    try:
        with db.unit_of_work() as session:
            product = product_service.get(session, product_tenant_id(session), DEMO_PRODUCT_CODE)
            status = serial_service.pool_status(session, product)
    finally:
        db.dispose()
    if status.available != POOL_SIZE:
        raise RuntimeError(f"pool has {status.available} Available serials, expected {POOL_SIZE}")
    print(
        f"  {result.name} packtrace pool generate --count {POOL_SIZE:,}: {result.generate_seconds:6.2f} s "
        f"({POOL_SIZE / result.generate_seconds:,.0f} serials/s)",
        flush=True,
    )


def product_tenant_id(session: Session) -> int:
    return tenant_service.get_by_name(session, DEMO_TENANT).id


# -- HTTP ----------------------------------------------------------------------------------------------------


def call(base: str, demo: DemoCredentials, method: str, path: str, body: object) -> tuple[float, dict[str, object]]:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "x-access-token": demo.static_token,
            "x-channel-key": demo.channel_key,
        },
        method=method,
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            answer = dict(json.load(response))
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{method} {path} answered {exc.code}: {exc.read().decode()[:500]}") from None
    return time.perf_counter() - started, answer


def create_unserialized(base: str, demo: DemoCredentials, order_id: str, quantity: int, extra: int) -> None:
    body = {
        "batch": "BATCH111",
        "expiry_date": "221115",
        "extra_percentage": extra,
        "market": "EU",
        "order_description": "Pool benchmark order",
        "order_id": order_id,
        "packaging_line_tag": "test-packaging-line-1",
        "product_code_schema": "GTIN",
        "product_code": DEMO_PRODUCT_CODE,
        "quantity": quantity,
        "serialized": False,
    }
    call(base, demo, "POST", ORDERS_PATH, body)


def assign(base: str, demo: DemoCredentials, order_id: str, expected: int) -> float:
    seconds, answer = call(base, demo, "POST", f"{ORDERS_PATH}/assign_serials", {"order_ids": [order_id]})
    data = answer.get("data")
    assert isinstance(data, list)
    if data[0].get("serial_count") != expected or data[0].get("status") != "Pending release":
        raise RuntimeError(f"{order_id}: assigned {data[0]!r}, expected {expected} serials, Pending release")
    return seconds


def download(base: str, demo: DemoCredentials, order_id: str, pid: int) -> Download:
    headers = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
    # A first request of the same kind, so that neither the time nor the memory figure includes the
    # server's first-request costs (connections, lazy imports); the download is what is measured.
    warm_up = urllib.request.Request(f"{base}{ORDERS_PATH}/serials?order_id={order_id}&limit=10", headers=headers)
    with urllib.request.urlopen(warm_up, timeout=REQUEST_TIMEOUT) as response:
        response.read()
    request = urllib.request.Request(f"{base}{ORDERS_PATH}/serials?order_id={order_id}&format=csv", headers=headers)
    before = memory_mb(pid, "VmRSS")
    reset_peak(pid)
    lines = 0
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
        while chunk := response.read(1 << 16):
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    return Download(seconds, lines, before, memory_mb(pid, "VmHWM"))


def request(base: str, demo: DemoCredentials, quantity: int) -> float:
    body = {"product_code": DEMO_PRODUCT_CODE, "product_code_schema": "GTIN", "quantity": quantity}
    seconds, answer = call(base, demo, "POST", REQUEST_PATH, body)
    data = answer.get("data")
    assert isinstance(data, dict)
    if len(data["serials"]) != quantity:
        raise RuntimeError(f"serials/request answered {len(data['serials'])} serials, expected {quantity}")
    return seconds


# -- (b) the floor -------------------------------------------------------------------------------------------

FLOOR_TABLE = "bench_insert_floor"


def sqlite_floor(path: str, runs: int) -> list[float]:
    """executemany INSERT of SERIALS rows of serial_numbers' shape into a fresh table with its unique
    index, in one transaction, with the pragmas the application uses."""
    timings = []
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        for run in range(1, runs + 1):
            now = datetime.now(UTC).isoformat(sep=" ")
            rows = [(1, 1, serial, "Assigned", "Internal", 1, now) for serial in random_serials(SERIALS)]
            conn.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
            conn.execute(
                f"""CREATE TABLE {FLOOR_TABLE} (
                    id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
                    serial VARCHAR(20) NOT NULL, status VARCHAR(16) NOT NULL, source VARCHAR(16) NOT NULL,
                    order_pk INTEGER, created_at DATETIME NOT NULL)"""
            )
            conn.execute(f"CREATE UNIQUE INDEX {FLOOR_TABLE}_uq ON {FLOOR_TABLE} (tenant_id, product_id, serial)")
            started = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                f"INSERT INTO {FLOOR_TABLE} (tenant_id, product_id, serial, status, source, order_pk, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute("COMMIT")
            seconds = time.perf_counter() - started
            timings.append(seconds)
            print(f"  sqlite INSERT floor {run}/{runs}: {seconds:6.2f} s", flush=True)
        conn.execute(f"DROP TABLE {FLOOR_TABLE}")
    finally:
        conn.close()
    return timings


# -- the runs ------------------------------------------------------------------------------------------------


def measure(
    result: DatabaseResult, url: str, demo: DemoCredentials, runs: int, settle: Callable[[], None]
) -> list[str]:
    """(b) and (c) on a migrated database whose pool is full; returns the big orders' ids."""
    big = [f"Big-{run}-{uuid.uuid4().hex[:8]}" for run in range(1, runs + 1)]
    small = f"Small-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="packtrace-bench-server-") as workdir:
        with server(url, workdir) as (base, _pid):
            for run, order_id in enumerate(big, start=1):
                create_unserialized(base, demo, order_id, QUANTITY, EXTRA_PERCENTAGE)
                settle()
                seconds = assign(base, demo, order_id, SERIALS)
                result.assign_seconds.append(seconds)
                print(
                    f"  {result.name} assign {SERIALS:,} from the pool {run}/{runs}: {seconds:6.2f} s "
                    f"({SERIALS / seconds:,.0f} serials/s)",
                    flush=True,
                )
            create_unserialized(base, demo, small, SMALL_QUANTITY, 0)
            assign(base, demo, small, SMALL_QUANTITY)
        with server(url, workdir) as (base, pid):
            # A first small request, so that the timed ones pay no first-request costs.
            request(base, demo, 10)
            for run in range(1, runs + 1):
                settle()
                seconds = request(base, demo, SERIALS)
                result.request_seconds.append(seconds)
                print(f"  {result.name} serials/request {SERIALS:,} {run}/{runs}: {seconds:6.3f} s", flush=True)
            reset_peak(pid)
            request(base, demo, MAX_REQUEST)
            result.largest_request_peak_mb = memory_mb(pid, "VmHWM")
            print(
                f"  {result.name} serials/request {MAX_REQUEST:,}: server peak RSS "
                f"{result.largest_request_peak_mb:.1f} MB",
                flush=True,
            )
        for run in range(1, runs + 1):
            for order_id, expected, downloads in (
                (small, SMALL_QUANTITY, result.small_downloads),
                (big[run - 1], SERIALS, result.big_downloads),
            ):
                with server(url, workdir) as (base, pid):
                    settle()
                    done = download(base, demo, order_id, pid)
                if done.lines != expected + 1:
                    raise RuntimeError(f"{order_id}: CSV of {done.lines} lines, expected {expected} + a header")
                downloads.append(done)
                print(
                    f"  {result.name} download {expected:,} {run}/{runs}: {done.seconds:6.3f} s "
                    f"({expected / done.seconds:,.0f} serials/s); RSS before {done.before_mb:.1f} MB, "
                    f"peak {done.peak_mb:.1f} MB (+{done.growth_mb:.1f})",
                    flush=True,
                )
    return big


# -- report --------------------------------------------------------------------------------------------------


def report(results: list[DatabaseResult], runs: int) -> None:
    print()
    print(
        f"Serial pool: fill {POOL_SIZE:,}; assign an order of {SERIALS:,} from it; download it as CSV. "
        f"{runs} runs each; medians."
    )
    print("Download memory: the server's VmHWM during the download above its RSS just before it (MB).")
    print()
    header = (
        f"{'database':<11} {'generate s':>10} {'gen/s':>9} {'assign s':>9} {'floor s':>8} {'ratio':>6} "
        f"{'download s':>10} {'dl serials/s':>13} {'+MB 110k':>9} {'+MB 10k':>8}"
    )
    print(header)
    print("-" * len(header))
    checks: list[tuple[str, bool]] = []
    for r in results:
        assign_s = statistics.median(r.assign_seconds)
        floor_s = statistics.median(r.floor_seconds)
        ratio = assign_s / floor_s
        download_s = statistics.median(d.seconds for d in r.big_downloads)
        rate = SERIALS / download_s
        big_growth = max(d.growth_mb for d in r.big_downloads)
        small_growth = max(d.growth_mb for d in r.small_downloads)
        print(
            f"{r.name:<11} {r.generate_seconds:10.2f} {POOL_SIZE / r.generate_seconds:9,.0f} {assign_s:9.2f} "
            f"{floor_s:8.2f} {ratio:5.1f}x {download_s:10.3f} {rate:13,.0f} {big_growth:9.1f} {small_growth:8.1f}"
        )
        request_s = statistics.median(r.request_seconds)
        print(
            f"{'':<11} serials/request {SERIALS:,}: {request_s:.3f} s; peak RSS at {MAX_REQUEST:,}: "
            f"{r.largest_request_peak_mb:.0f} MB"
        )
        checks += [
            (
                f"{r.name}: pool generate {POOL_SIZE:,} {r.generate_seconds:.2f} s < {GENERATE_TARGET_SECONDS:.0f} s",
                r.generate_seconds < GENERATE_TARGET_SECONDS,
            ),
            (
                f"{r.name}: serials/request {SERIALS:,} {request_s:.3f} s < {REQUEST_TARGET_SECONDS:.2f} s",
                request_s < REQUEST_TARGET_SECONDS,
            ),
            (
                f"{r.name}: server peak RSS at serials/request {MAX_REQUEST:,}: "
                f"{r.largest_request_peak_mb:.0f} MB < {RSS_TARGET_MB:.0f} MB",
                r.largest_request_peak_mb < RSS_TARGET_MB,
            ),
            (
                f"{r.name}: assign {SERIALS:,} {assign_s:.2f} s <= {ASSIGN_TARGET_RATIO}x the insert floor "
                f"({ASSIGN_TARGET_RATIO * floor_s:.2f} s): {ratio:.1f}x",
                ratio <= ASSIGN_TARGET_RATIO,
            ),
            (
                f"{r.name}: CSV download {rate:,.0f} serials/s > {DOWNLOAD_TARGET_PER_SECOND:,}",
                rate > DOWNLOAD_TARGET_PER_SECOND,
            ),
            (
                f"{r.name}: download memory +{big_growth:.1f} MB for {SERIALS:,} vs +{small_growth:.1f} MB for "
                f"{SMALL_QUANTITY:,} (margin {DOWNLOAD_MEMORY_MARGIN_MB:.0f} MB)",
                big_growth <= small_growth + DOWNLOAD_MEMORY_MARGIN_MB,
            ),
        ]
    print_targets(checks)


def main() -> int:
    parser = bench_parser(__doc__)
    args = parser.parse_args()
    if 2 * args.runs * SERIALS + SMALL_QUANTITY + MAX_REQUEST + 10 > POOL_SIZE:
        parser.error(f"at most 3 runs: the pool holds {POOL_SIZE:,}")
    print(f"Load average before: {load_average()}", flush=True)

    results = []
    print("SQLite: fresh database file", flush=True)
    sqlite = DatabaseResult("sqlite")
    with sqlite_database() as url:
        demo = prepare(url)
        generate_pool(sqlite, url, no_checkpoint)
        measure(sqlite, url, demo, args.runs, no_checkpoint)
        sqlite.floor_seconds = sqlite_floor(make_url(url).database or "", args.runs)
    results.append(sqlite)

    if not args.sqlite_only:
        base_url = normalize_url(args.postgres_url)
        postgres = DatabaseResult("postgresql")
        with postgres_schema(base_url) as (url, schema):
            print(f"PostgreSQL: fresh schema {schema}", flush=True)
            settle = postgres_checkpoint(libpq_url(url))
            demo = prepare(url)
            generate_pool(postgres, url, settle)
            measure(postgres, url, demo, args.runs, settle)
            postgres.floor_seconds = copy_floor(libpq_url(url), args.runs, settle)
        results.append(postgres)

    report(results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
