"""Benchmark: one serialized packaging order of 100,000 cartons + 10 % (110,000 serials) over real HTTP.

    python bench/create_order.py [--sqlite-only] [--postgres-url URL] [--runs 3]

For each database (a fresh SQLite file; a fresh schema in PostgreSQL, dropped at the end) it migrates,
seeds the demo, and per run starts the real server (uvicorn) as a separate process, so that its memory
high-water mark (VmHWM) belongs to that run alone; it then times the one POST, checks the answer and the
rows, and stops the server. On PostgreSQL it also times the floor: a plain COPY of as many rows of the
same shape into a fresh table with the same unique index. Targets: order <= 2.5x the COPY floor on
PostgreSQL, server peak memory < 300 MB. Run by hand; never a test.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from packtrace.config import Settings
from packtrace.demo import DemoCredentials, seed_demo
from packtrace.gs1.serials import DEFAULT_ALPHABET
from packtrace.kit.db import Database, make_engine, normalize_url
from packtrace.kit.migrations import upgrade
from packtrace.orders.lifecycle import serials_needed

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
SERVER_KEY = "bench-server-key-0123456789abcdef0123456789"
QUANTITY = 100_000
EXTRA_PERCENTAGE = 10
SERIALS = serials_needed(QUANTITY, EXTRA_PERCENTAGE)
ORDERS_PATH = "/v1/manufacturer/v2/api/packaging_order"
ORDER_TARGET_RATIO = 1.5
MEMORY_TARGET_MB = 200.0
SERVER_START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 900.0


@dataclass
class OrderRun:
    seconds: float
    peak_rss_mb: float  # VmHWM over the server's whole life: start-up and the order
    order_peak_mb: float  # VmHWM from just before the order to its end
    idle_rss_mb: float  # VmRSS once /health answered, before the order


@dataclass
class DatabaseResult:
    name: str
    runs: list[OrderRun] = field(default_factory=list)
    floor_seconds: list[float] = field(default_factory=list)


# -- databases -------------------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="packtrace-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL of a PostgreSQL database as psycopg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def postgres_schema(base_url: str) -> Iterator[tuple[str, str]]:
    """A fresh schema, dropped at the end; yields (url with its search_path, schema)."""
    schema = f"packtrace_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(base_url, schema), schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare(url: str) -> DemoCredentials:
    upgrade(url)
    settings = Settings(database_url=url, secret_key=SERVER_KEY)
    db = Database(url)
    try:
        with db.unit_of_work() as session:
            return seed_demo(session, settings.signing_key(), with_pool=False)
    finally:
        db.dispose()


def serials_in_database(url: str, order_id: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.scalar(
                # An order's serials: made for it (the registry names the order) or drawn from the pool.
                text(
                    "SELECT (SELECT count(*) FROM serial_numbers s"
                    "        WHERE s.tenant_id = o.tenant_id AND s.order_pk = o.id)"
                    "     + (SELECT count(*) FROM order_serials l"
                    "        WHERE l.tenant_id = o.tenant_id AND l.order_pk = o.id)"
                    " FROM packaging_orders o WHERE o.order_id = :order_id"
                ),
                {"order_id": order_id},
            )
    finally:
        engine.dispose()
    return int(count or 0)


# -- the server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str, timeout: float) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return dict(json.load(response))


@contextmanager
def server(database_url: str, workdir: str) -> Iterator[tuple[str, int]]:
    """The real server in a process of its own; yields (base URL, pid)."""
    port = free_port()
    env = {
        **os.environ,
        "PACKTRACE_DATABASE_URL": database_url,
        "PACKTRACE_SECRET_KEY": SERVER_KEY,
        "PACKTRACE_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "packtrace.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    # cwd: a folder of our own, so that no stray .env or secret-key file of the caller's is read.
    process = subprocess.Popen(command, env=env, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode} before answering /health")
            try:
                get_json(f"{base}/health", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not answer /health within {SERVER_START_TIMEOUT}s") from None
                time.sleep(0.1)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def memory_mb(pid: int, field: str) -> float:
    """A memory figure of /proc/<pid>/status: VmHWM (the resident high-water mark) or VmRSS."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def reset_peak(pid: int) -> None:
    """Start VmHWM afresh from the current RSS (Linux: "5" into clear_refs), so that a later VmHWM is the
    peak of what follows alone. Start-up has a peak of its own (argon2's 64 MiB for the dummy hash)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def order_body(order_id: str) -> dict[str, object]:
    # The spec's sample request, with a big quantity and an order id of our own.
    return {
        "batch": "BATCH111",
        "expiry_date": "221115",
        "extra_percentage": EXTRA_PERCENTAGE,
        "market": "EU",
        "order_description": "Benchmark order",
        "order_id": order_id,
        "packaging_line_tag": "test-packaging-line-1",
        "product_code_schema": "GTIN",
        "product_code": "01234512345901",
        "quantity": QUANTITY,
        "serialized": True,
    }


def create_order(base: str, demo: DemoCredentials, order_id: str) -> tuple[float, dict[str, object]]:
    request = urllib.request.Request(
        f"{base}{ORDERS_PATH}",
        data=json.dumps(order_body(order_id)).encode(),
        headers={
            "Content-Type": "application/json",
            "x-access-token": demo.static_token,
            "x-channel-key": demo.channel_key,
        },
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"POST packaging_order answered {exc.code}: {exc.read().decode()[:500]}") from None
    return time.perf_counter() - started, body


def no_checkpoint() -> None:
    pass


def postgres_checkpoint(libpq_url: str) -> Callable[[], None]:
    """CHECKPOINT before each timed PostgreSQL step, so that no checkpoint (and its burst of full-page
    writes) falls inside one step and not another. Needs superuser or pg_checkpoint; skipped otherwise."""

    def checkpoint() -> None:
        try:
            with psycopg.connect(libpq_url, autocommit=True) as conn:
                conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            pass

    return checkpoint


def measure_orders(result: DatabaseResult, url: str, runs: int, settle: Callable[[], None] = no_checkpoint) -> None:
    demo = prepare(url)
    with tempfile.TemporaryDirectory(prefix="packtrace-bench-server-") as workdir:
        for run in range(1, runs + 1):
            order_id = f"Bench-{uuid.uuid4().hex[:12]}"
            with server(url, workdir) as (base, pid):
                settle()
                startup_peak = memory_mb(pid, "VmHWM")
                idle = memory_mb(pid, "VmRSS")
                reset_peak(pid)
                seconds, body = create_order(base, demo, order_id)
                order_peak = memory_mb(pid, "VmHWM")
            data = body.get("data") or {}
            if data.get("serial_count") != SERIALS:
                raise RuntimeError(f"{order_id}: serial_count {data.get('serial_count')!r}, expected {SERIALS}")
            stored = serials_in_database(url, order_id)
            if stored != SERIALS:
                raise RuntimeError(f"{order_id}: {stored} serials in the database, expected {SERIALS}")
            run_result = OrderRun(seconds, max(startup_peak, order_peak), order_peak, idle)
            result.runs.append(run_result)
            print(
                f"  {result.name} order {run}/{runs}: {seconds:6.2f} s; peak RSS {run_result.peak_rss_mb:.1f} MB "
                f"(start-up peak {startup_peak:.1f}, idle {idle:.1f}, during the order {order_peak:.1f})",
                flush=True,
            )


# -- the PostgreSQL floor --------------------------------------------------------------------------------

FLOOR_TABLE = "bench_copy_floor"


def random_serials(count: int, length: int = 12) -> list[str]:
    made: set[str] = set()
    while len(made) < count:
        made.add("".join(secrets.choice(DEFAULT_ALPHABET) for _ in range(length)))
    return list(made)


def copy_floor(url: str, runs: int, settle: Callable[[], None]) -> list[float]:
    """A plain COPY of SERIALS rows of serial_numbers' shape into a fresh table with its unique index."""
    timings = []
    with psycopg.connect(url) as conn:
        for run in range(1, runs + 1):
            now = datetime.now(UTC)
            rows = [(1, 1, serial, "Assigned", "Internal", 1, now) for serial in random_serials(SERIALS)]
            with conn.cursor() as cur:
                cur.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
                cur.execute(
                    f"""CREATE TABLE {FLOOR_TABLE} (
                        tenant_id integer NOT NULL, product_id integer NOT NULL, serial varchar(20) NOT NULL,
                        status varchar(16) NOT NULL, source varchar(16) NOT NULL, order_pk integer,
                        created_at timestamptz NOT NULL)"""
                )
                cur.execute(f"CREATE UNIQUE INDEX {FLOOR_TABLE}_uq ON {FLOOR_TABLE} (tenant_id, product_id, serial)")
            conn.commit()
            settle()
            started = time.perf_counter()
            with conn.cursor() as cur:
                columns = "tenant_id, product_id, serial, status, source, order_pk, created_at"
                with cur.copy(f"COPY {FLOOR_TABLE} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            conn.commit()
            seconds = time.perf_counter() - started
            timings.append(seconds)
            print(f"  postgresql COPY floor {run}/{runs}: {seconds:6.2f} s", flush=True)
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE {FLOOR_TABLE}")
        conn.commit()
    return timings


# -- report ----------------------------------------------------------------------------------------------


def best_median(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def print_targets(checks: Iterable[tuple[str, bool]]) -> None:
    """The targets with PASS / MISS, and the load average now (print ``load_average()`` at the start too:
    figures measured on a busy machine say less)."""
    print()
    print("Targets:")
    for description, ok in checks:
        print(f"  {verdict(ok)}  {description}")
    print(f"Load average after: {load_average()}")


def bench_parser(description: str | None, *, runs: bool = True) -> argparse.ArgumentParser:
    """The options every benchmark takes: which databases, and (``runs``) how many measurements."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="default: %(default)s")
    if runs:
        parser.add_argument("--runs", type=int, default=3, help="measurements per figure (default: %(default)s)")
    return parser


def report(results: list[DatabaseResult], runs: int) -> None:
    print()
    print(f"Create one serialized order: quantity {QUANTITY:,} + {EXTRA_PERCENTAGE} % = {SERIALS:,} serials")
    print(f"{runs} runs each, a fresh server process per run; 'best' is the fastest / smallest.")
    print("Memory (MB): 'peak RSS' is the server's VmHWM over its whole life, 'order peak' its VmHWM from just")
    print("before the order to the end, 'idle' its RSS before the order. Time targets are judged on the median,")
    print("memory on the highest run.")
    print()
    header = (
        f"{'database':<11} {'':<7} {'order s':>8} {'serials/s':>10} {'peak RSS':>9} {'order peak':>11} {'idle':>6} "
        f"{'COPY floor s':>13} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    checks: list[tuple[str, bool]] = []
    for result in results:
        orders = best_median([r.seconds for r in result.runs])
        peaks = best_median([r.peak_rss_mb for r in result.runs])
        order_peaks = best_median([r.order_peak_mb for r in result.runs])
        idles = best_median([r.idle_rss_mb for r in result.runs])
        floor = best_median(result.floor_seconds) if result.floor_seconds else None
        for i, label in enumerate(("best", "median")):
            order = orders[i]
            floor_text = f"{floor[i]:13.2f}" if floor else f"{'-':>13}"
            ratio_text = f"{order / floor[i]:5.1f}x" if floor else f"{'-':>6}"
            name = result.name if i == 0 else ""
            print(
                f"{name:<11} {label:<7} {order:8.2f} {SERIALS / order:10,.0f} {peaks[i]:9.1f} {order_peaks[i]:11.1f} "
                f"{idles[i]:6.1f} {floor_text} {ratio_text}"
            )
        if floor:
            ratio = orders[1] / floor[1]
            checks.append(
                (
                    f"{result.name}: order {orders[1]:.2f} s <= {ORDER_TARGET_RATIO}x COPY floor "
                    f"({ORDER_TARGET_RATIO * floor[1]:.2f} s): {ratio:.1f}x",
                    ratio <= ORDER_TARGET_RATIO,
                )
            )
        highest = max(r.peak_rss_mb for r in result.runs)
        checks.append(
            (
                f"{result.name}: server peak memory {highest:.0f} MB < {MEMORY_TARGET_MB:.0f} MB",
                highest < MEMORY_TARGET_MB,
            )
        )
    print_targets(checks)


def main() -> int:
    args = bench_parser(__doc__).parse_args()
    print(f"Load average before: {load_average()}", flush=True)

    results = []
    print("SQLite: fresh database file", flush=True)
    sqlite = DatabaseResult("sqlite")
    with sqlite_database() as url:
        measure_orders(sqlite, url, args.runs)
    results.append(sqlite)

    if not args.sqlite_only:
        base_url = normalize_url(args.postgres_url)
        postgres = DatabaseResult("postgresql")
        with postgres_schema(base_url) as (url, schema):
            print(f"PostgreSQL: fresh schema {schema}", flush=True)
            settle = postgres_checkpoint(libpq_url(url))
            # A B A B: the order and its floor alternate, so that a change of the machine's load between
            # them shows in both.
            for _ in range(args.runs):
                measure_orders(postgres, url, 1, settle)
                postgres.floor_seconds += copy_floor(libpq_url(url), 1, settle)
        results.append(postgres)

    report(results, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
