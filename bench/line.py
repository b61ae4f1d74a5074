"""Benchmark: what a packaging line sends, over real HTTP, on SQLite and PostgreSQL.

    python bench/line.py [--sqlite-only] [--postgres-url URL] [--only NAME ...]

Each benchmark is a function ``bench_NAME(url) -> list[Check]`` given a fresh, empty database (a new
SQLite file; a new PostgreSQL schema, dropped at the end); it migrates and seeds the demo itself (the
helpers of ``create_order.py``), starts the real server (uvicorn) as a separate process, times its
requests and returns its targets as PASS/MISS checks. Run by hand; never a test.

- ``commission``: one ``POST serials/commission`` of 100,000 serials (target < 2 s on PostgreSQL).
- ``aggregate``: 10,000 ``POST aggregate/container`` of 12 packs each, over HTTP from 8 clients and
  through the service in process (figures only).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import (
    REQUEST_TIMEOUT,
    bench_parser,
    get_json,
    libpq_url,
    no_checkpoint,
    postgres_checkpoint,
    postgres_schema,
    prepare,
    print_targets,
    server,
    sqlite_database,
)

from packtrace.demo import DEMO_LINE_TAG, DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.gs1.serials import DEFAULT_ALPHABET, random_serials
from packtrace.kit.db import is_sqlite, normalize_url


@dataclass(frozen=True)
class Check:
    description: str
    ok: bool


# -- commissioning ---------------------------------------------------------------------------------------


V2 = "/v1/manufacturer/v2/api"
COMMISSION_SERIALS = 100_000
COMMISSION_TARGET_SECONDS = 2.0
COMMISSION_RUNS = 3
# 100,000 serials of 12 characters are about 1.5 MB of JSON, above the default body limit of 1 MiB.
COMMISSION_BODY_LIMIT = 8 * 1024 * 1024


def call(base: str, demo: DemoCredentials, method: str, path: str, body: object = None, **query: str) -> object:
    """One Manufacturer V2 API request; the answer's ``data`` (or its text, for CSV)."""
    url = f"{base}{V2}/{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "x-access-token": demo.static_token,
            "x-channel-key": demo.channel_key,
        },
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            if response.headers.get_content_type() == "text/csv":
                return response.read().decode()
            return json.load(response)["data"]
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{method} {path} answered {exc.code}: {exc.read().decode()[:500]}") from None


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Settings for the server process (it inherits this process's environment)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def order_on_the_line(base: str, demo: DemoCredentials, quantity: int) -> tuple[str, list[str]]:
    """A serialized order of ``quantity`` serials, released to the line; its id and its serials."""
    order_id = f"Bench-{uuid.uuid4().hex[:12]}"
    body = {
        "order_id": order_id,
        "product_code_schema": "GTIN",
        "product_code": DEMO_PRODUCT_CODE,
        "batch": "BATCH111",
        "expiry_date": "281200",
        "quantity": quantity,
        "extra_percentage": 0,
        "packaging_line_tag": DEMO_LINE_TAG,
        "serialized": True,
    }
    call(base, demo, "POST", "packaging_order", body)
    call(base, demo, "PATCH", "packaging_order/release", {"order_id": order_id})
    text = str(call(base, demo, "GET", "packaging_order/serials", order_id=order_id, format="csv"))
    serials = [line.split(",")[0] for line in text.splitlines()[1:]]
    if len(serials) != quantity:
        raise RuntimeError(f"{order_id}: {len(serials)} serials downloaded, expected {quantity}")
    return order_id, serials


def timed_commission(
    base: str, demo: DemoCredentials, serials: list[str], order_id: str | None
) -> tuple[float, dict[str, Any]]:
    body = {
        "product_code": DEMO_PRODUCT_CODE,
        "product_code_schema": "GTIN",
        "batch": "BATCH111",
        "expiry_date": "281200",
        "serials": serials,
    }
    if order_id is not None:
        body["order_id"] = order_id
    started = time.perf_counter()
    data = call(base, demo, "POST", "serials/commission", body)
    seconds = time.perf_counter() - started
    assert isinstance(data, dict)
    return seconds, data


def bench_commission(url: str) -> list[Check]:
    """``POST serials/commission`` of 100,000 serials in one call, three cases, COMMISSION_RUNS runs each:
    an order's own serials (the line's usual call), the same call again (a retry: every pack is there
    already), and 100,000 external serials that join the pool. The server runs in a process of its own;
    the time is the client's, request sent to answer read."""
    name = database_name(url)
    demo = prepare(url)
    # As in create_order.py: a CHECKPOINT before each timed PostgreSQL call, so that none pays for one.
    settle = postgres_checkpoint(libpq_url(url)) if name == "postgresql" else no_checkpoint
    timings: dict[str, list[float]] = {"order's serials": [], "retry (already active)": [], "external serials": []}
    with (
        tempfile.TemporaryDirectory(prefix="packtrace-bench-server-") as workdir,
        environment(PACKTRACE_MAX_BODY_BYTES=str(COMMISSION_BODY_LIMIT)),
        server(url, workdir) as (base, _pid),
    ):
        get_json(f"{base}/health", timeout=5)
        for run in range(1, COMMISSION_RUNS + 1):
            order_id, serials = order_on_the_line(base, demo, COMMISSION_SERIALS)
            settle()
            seconds, data = timed_commission(base, demo, serials, order_id)
            if data["commissioned"] != COMMISSION_SERIALS:
                raise RuntimeError(f"commissioned {data['commissioned']}, expected {COMMISSION_SERIALS}")
            timings["order's serials"].append(seconds)
            settle()
            retry, data = timed_commission(base, demo, serials, order_id)
            if data["commissioned"] != 0 or len(data["already_active"]) != COMMISSION_SERIALS:
                raise RuntimeError("the retry commissioned packs again")
            timings["retry (already active)"].append(retry)
            external = [f"X{s}" for s in random_serials(COMMISSION_SERIALS, 16, DEFAULT_ALPHABET)]
            settle()
            joined, data = timed_commission(base, demo, external, None)
            if data["joined_pool"] != COMMISSION_SERIALS:
                raise RuntimeError(f"joined {data['joined_pool']}, expected {COMMISSION_SERIALS}")
            timings["external serials"].append(joined)
            print(
                f"  {name} commission {run}/{COMMISSION_RUNS}: order's serials {seconds:5.2f} s, "
                f"retry {retry:5.2f} s, external {joined:5.2f} s",
                flush=True,
            )
    checks = []
    for case, values in timings.items():
        median = statistics.median(values)
        print(
            f"  {name} {case}: best {min(values):.2f} s, median {median:.2f} s ({COMMISSION_SERIALS / median:,.0f}/s)"
        )
        description = f"{name}: commission {COMMISSION_SERIALS:,} serials, {case}: median {median:.2f} s"
        if name == "postgresql":
            checks.append(
                Check(f"{description} < {COMMISSION_TARGET_SECONDS:.0f} s", median < COMMISSION_TARGET_SECONDS)
            )
    return checks


# -- aggregation -----------------------------------------------------------------------------------------


AGGREGATE_CASES = 10_000
PACKS_PER_CASE = 12
AGGREGATE_CLIENTS = 8


def active_packs(url: str, prefix: str, count: int) -> list[str]:
    """``count`` Active packs of the demo product, inserted directly as commissioning leaves them (the
    preparation, not timed)."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from packtrace.auth.service import tenant_service
    from packtrace.demo import DEMO_TENANT
    from packtrace.kit.db import Database
    from packtrace.models import Pack
    from packtrace.products.service import product_service

    serials = [f"{prefix}{n:07d}" for n in range(count)]
    db = Database(url)
    try:
        with db.unit_of_work() as session:
            tenant_id = tenant_service.get_by_name(session, DEMO_TENANT).id
            product_id = product_service.get(session, tenant_id, DEMO_PRODUCT_CODE).id
            now = datetime.now(UTC)
            rows = [
                {
                    "tenant_id": tenant_id,
                    "product_id": product_id,
                    "serial": serial,
                    "status": "Active",
                    "batch": "BATCH111",
                    "expiry_date": "281200",
                    "created_at": now,
                    "updated_at": now,
                }
                for serial in serials
            ]
            for start in range(0, count, 20_000):
                session.execute(insert(Pack), rows[start : start + 20_000])
    finally:
        db.dispose()
    return serials


def analyze(url: str) -> None:
    """PostgreSQL: fresh planner statistics after the bulk preparation, as autovacuum keeps them on a live
    database (without them the planner takes the 240,000 new packs for an empty table)."""
    if is_sqlite(url):
        return
    from sqlalchemy import text

    from packtrace.kit.db import Database

    db = Database(url)
    try:
        with db.unit_of_work() as session:
            session.execute(text("ANALYZE packs"))
            session.execute(text("ANALYZE containers"))
    finally:
        db.dispose()


def case_body(sscc: str, serials: list[str]) -> dict[str, object]:
    return {"sscc": sscc, "trade_items": [{"product_code": DEMO_PRODUCT_CODE, "serial": s} for s in serials]}


def aggregate_over_http(base: str, demo: DemoCredentials, cases: list[str], serials: list[str]) -> list[float]:
    """One ``POST aggregate/container`` per case from AGGREGATE_CLIENTS threads, each on a keep-alive
    connection of its own (as line middleware would); returns every request's latency."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    parsed = urllib.parse.urlsplit(base)
    headers = {
        "Content-Type": "application/json",
        "x-access-token": demo.static_token,
        "x-channel-key": demo.channel_key,
    }

    def client(worker: int) -> list[float]:
        connection = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=REQUEST_TIMEOUT)
        latencies = []
        try:
            for index in range(worker, len(cases), AGGREGATE_CLIENTS):
                body = json.dumps(
                    case_body(cases[index], serials[index * PACKS_PER_CASE : (index + 1) * PACKS_PER_CASE])
                )
                started = time.perf_counter()
                connection.request("POST", f"{V2}/aggregate/container", body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
                latencies.append(time.perf_counter() - started)
                if response.status != 200:
                    raise RuntimeError(f"aggregate/container answered {response.status}: {answer[:300]!r}")
        finally:
            connection.close()
        return latencies

    with ThreadPoolExecutor(max_workers=AGGREGATE_CLIENTS) as pool:
        return [latency for part in pool.map(client, range(AGGREGATE_CLIENTS)) for latency in part]


def aggregate_in_process(url: str, cases: list[str], serials: list[str]) -> float:
    """The same work through the service alone, one unit of work (transaction) per case, one thread."""
    from packtrace.aggregation.service import aggregation_service
    from packtrace.auth.service import tenant_service
    from packtrace.demo import DEMO_TENANT
    from packtrace.kit.db import Database

    db = Database(url)
    try:
        with db.unit_of_work() as session:
            tenant_id = tenant_service.get_by_name(session, DEMO_TENANT).id
        started = time.perf_counter()
        for index, case in enumerate(cases):
            items = [(DEMO_PRODUCT_CODE, s) for s in serials[index * PACKS_PER_CASE : (index + 1) * PACKS_PER_CASE]]
            with db.unit_of_work() as session:
                aggregation_service.aggregate_on_container(session, tenant_id, case, items, [], "bench")
        return time.perf_counter() - started
    finally:
        db.dispose()


def packs_in_cases(url: str) -> int:
    from sqlalchemy import func, select

    from packtrace.kit.db import Database
    from packtrace.models import Pack

    db = Database(url)
    try:
        with db.unit_of_work() as session:
            return session.scalar(select(func.count()).where(Pack.container_id.is_not(None))) or 0
    finally:
        db.dispose()


def bench_aggregate(url: str) -> list[Check]:
    """AGGREGATE_CASES cases of PACKS_PER_CASE Active packs each (prepared beforehand, not timed): (a) over
    HTTP against the real server in a process of its own, from AGGREGATE_CLIENTS client threads; (b) the
    same amount of work through the service in this process, one thread, no HTTP. Each phase has packs
    and SSCCs of its own (the SSCCs come from one ``ssccs/request`` of 10,000, generated on the spot)."""
    name = database_name(url)
    demo = prepare(url)
    total = AGGREGATE_CASES * PACKS_PER_CASE
    started = time.perf_counter()
    over_http = active_packs(url, "H", total)
    in_process = active_packs(url, "S", total)
    print(
        f"  {name} aggregate: {2 * total:,} Active packs prepared in {time.perf_counter() - started:.1f} s", flush=True
    )
    request = {"quantity": AGGREGATE_CASES, "extension_digit": 3, "gs1_company_prefix": "0123451"}
    checks = []
    with tempfile.TemporaryDirectory(prefix="packtrace-bench-server-") as workdir, server(url, workdir) as (base, _pid):
        started = time.perf_counter()
        answer = call(base, demo, "POST", "ssccs/request", request)
        request_seconds = time.perf_counter() - started
        assert isinstance(answer, dict)
        second = call(base, demo, "POST", "ssccs/request", request)
        assert isinstance(second, dict)
        http_cases, service_cases = answer["ssccs"], second["ssccs"]
        analyze(url)
        print(f"  {name} ssccs/request of {AGGREGATE_CASES:,} (empty pool: all generated): {request_seconds:.2f} s")
        started = time.perf_counter()
        latencies = aggregate_over_http(base, demo, http_cases, over_http)
        http_seconds = time.perf_counter() - started
        quantiles = statistics.quantiles(latencies, n=100)
        print(
            f"  {name} (a) HTTP, {AGGREGATE_CLIENTS} clients: {AGGREGATE_CASES:,} cases in {http_seconds:.1f} s = "
            f"{AGGREGATE_CASES / http_seconds:,.0f} cases/s ({total / http_seconds:,.0f} packs/s); latency "
            f"p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, p99 {quantiles[98] * 1000:.1f} ms",
            flush=True,
        )
        last = call(base, demo, "GET", "sscc/history", sscc=http_cases[-1])
        assert isinstance(last, dict)
        holds = last["summary"]["pack_count"] == PACKS_PER_CASE
        checks.append(Check(f"{name}: over HTTP the last case holds {PACKS_PER_CASE} packs", holds))
    checks.append(Check(f"{name}: over HTTP {total:,} packs are in cases", packs_in_cases(url) == total))
    service_seconds = aggregate_in_process(url, service_cases, in_process)
    print(
        f"  {name} (b) service, 1 thread: {AGGREGATE_CASES:,} cases in {service_seconds:.1f} s = "
        f"{AGGREGATE_CASES / service_seconds:,.0f} cases/s, {service_seconds / AGGREGATE_CASES * 1000:.2f} ms a case",
        flush=True,
    )
    checks.append(Check(f"{name}: in process {total:,} more packs are in cases", packs_in_cases(url) == 2 * total))
    return checks


# -- running ---------------------------------------------------------------------------------------------

BENCHES: dict[str, Callable[[str], list[Check]]] = {
    "commission": bench_commission,
    "aggregate": bench_aggregate,
}


def database_name(url: str) -> str:
    return "sqlite" if is_sqlite(url) else "postgresql"


def main() -> int:
    parser = bench_parser(__doc__, runs=False)
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run only these benchmarks")
    args = parser.parse_args()

    checks: list[Check] = []
    for name in args.only or list(BENCHES):
        bench = BENCHES[name]
        with sqlite_database() as url:
            print(f"{name}: SQLite, fresh database file", flush=True)
            checks += bench(url)
        if not args.sqlite_only:
            with postgres_schema(normalize_url(args.postgres_url)) as (url, schema):
                print(f"{name}: PostgreSQL, fresh schema {schema}", flush=True)
                checks += bench(url)
    print_targets((check.description, check.ok) for check in checks)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
