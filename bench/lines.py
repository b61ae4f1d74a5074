"""Benchmark: N simulated packaging lines against a real ``packtrace serve``, open-loop.

    python bench/lines.py [--postgres-url URL | --sqlite] [--workers 2] [--seconds 20] [--only lines|batch]

Each line has a channel key of its own and a serialized order released to it. It commissions its
order's serials in batches (``serials/commission``), puts every 12 packs in a case (``aggregate/container``
with trade items) and every 10 cases on a pallet (``aggregate/container`` with containers), with SSCCs
drawn in blocks of 100 (``ssccs/request``). Commissions are scheduled by the clock at the line's rate,
not after the previous answer (open loop: a slow server faces the same arrivals), the lines out of step
(line i starts i/N of a commission interval after the first); a case is aggregated as
soon as its packs are commissioned, a pallet as soon as its cases are. A 503 is counted and the call
retried after its ``Retry-After``.

Two sets of runs, each on a fresh database (a new PostgreSQL schema, dropped at the end):
- ``lines``: 8, 32 and 100 lines at 10 packs/s each, batch 12: packs/s, p50/p99 per call, 503s;
  target: no 500 and no call near 30 s.
- ``batch``: 8 lines offered 250 / 1,000 / 3,000 packs/s at batch 1 / 12 / 120: the sustained rate;
  targets >= 1,000 packs/s at batch 12 with p99 < 200 ms, >= 3,000 packs/s at batch 120.

The client is asyncio with a minimal HTTP/1.1 keep-alive client (a heavier one would take the server's
CPU on a 2-core machine). Load averages before and after are printed: the figures move with the
machine's load. Run by hand; never a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# bench/ is not a package: running this file puts its folder first on sys.path.
from create_order import DEFAULT_POSTGRES_URL, SERVER_KEY, postgres_schema, prepare, print_targets, sqlite_database

from packtrace.config import Settings
from packtrace.demo import DEMO_COMPANY_PREFIX, DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database, normalize_url

V2 = "/v1/manufacturer/v2/api"
PACKS_PER_CASE = 12
CASES_PER_PALLET = 10
SSCC_BLOCK = 100
STALL_SECONDS = 30.0
DRAIN_SECONDS = 120.0
P99_TARGET_MS = 200.0
_STARTED = re.compile(r"PackTrace on http://127\.0\.0\.1:(\d+)")


# -- the server ------------------------------------------------------------------------------------------


@contextmanager
def serve(url: str, workers: int) -> Iterator[tuple[int, int]]:
    """``packtrace serve --port 0 --workers N`` in a process of its own; yields (port, pid)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACKTRACE_")}
    env |= {"PACKTRACE_DATABASE_URL": url, "PACKTRACE_SECRET_KEY": SERVER_KEY, "PACKTRACE_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory(prefix="packtrace-lines-") as workdir:
        log = Path(workdir) / "server.log"
        command = [sys.executable, "-m", "packtrace", "serve", "--port", "0", "--workers", str(workers)]
        with log.open("ab") as sink:
            process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir)
        try:
            deadline = time.monotonic() + 300  # it migrates first; on a loaded machine that takes a while
            while True:
                text = log.read_text(errors="replace")
                found = _STARTED.search(text)
                if found and healthy(int(found.group(1))):
                    break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{text}")
                time.sleep(0.1)
            yield int(found.group(1)), process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            errors = [line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line]
            if errors:
                print(f"  server log: {len(errors)} tracebacks", flush=True)


def healthy(port: int) -> bool:
    """The server answers /health (at WARNING, uvicorn's start-up lines are not logged; the access log of
    INFO would cost the server CPU in every run)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def add_lines(url: str, count: int) -> list[tuple[str, str]]:
    """``count`` packaging lines, each with a channel of its own: (line tag, channel key)."""
    from packtrace.auth.service import channel_service, tenant_service
    from packtrace.lines.service import line_service

    server_key = Settings(secret_key=SERVER_KEY).signing_key()
    db = Database(url)
    made = []
    try:
        with db.unit_of_work() as session:
            tenant_id = tenant_service.get_by_name(session, DEMO_TENANT).id
            for index in range(count):
                tag = f"bench-line-{index + 1:03d}"
                line_service.create(session, tenant_id, tag, f"Bench line {index + 1}")
                issued = channel_service.create(session, server_key, tenant_id, f"bench-channel-{index + 1:03d}")
                made.append((tag, issued.key))
    finally:
        db.dispose()
    return made


# -- a minimal HTTP/1.1 client ---------------------------------------------------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def call(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        self.writer.write(request)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return status, headers, body


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    busy: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    slowest: float = 0.0
    packs_commissioned: int = 0
    packs_in_cases: int = 0
    pallets: int = 0


class Client:
    """One line's connections (opened as its calls overlap) and credentials."""

    def __init__(self, port: int, token: str, channel_key: str, stats: Stats) -> None:
        self.port, self.stats = port, stats
        self.head = (
            f"Host: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nx-access-token: {token}\r\n"
            f"x-channel-key: {channel_key}\r\n"
        )
        self.idle: list[Connection] = []

    async def post(self, kind: str, path: str, body: object) -> dict[str, object]:
        """POST until answered other than 503 (waiting out ``Retry-After``); the answer's ``data``."""
        payload = json.dumps(body).encode()
        request = f"POST {V2}/{path} HTTP/1.1\r\n{self.head}Content-Length: {len(payload)}\r\n\r\n".encode() + payload
        while True:
            reused = bool(self.idle)
            connection = self.idle.pop() if reused else await self.connect()
            started = time.perf_counter()
            try:
                status, headers, answer = await connection.call(request)
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                connection.writer.close()
                if reused:  # the server closed a keep-alive connection that idled: send again on a new one
                    continue
                self.stats.failures[f"{kind} {type(error).__name__}"] += 1
                raise
            seconds = time.perf_counter() - started
            self.idle.append(connection)
            self.stats.slowest = max(self.stats.slowest, seconds)
            if status == 503:
                self.stats.busy[kind] += 1
                await asyncio.sleep(min(float(headers.get("retry-after", "1")), 2.0))
                continue
            if status != 200:
                self.stats.failures[f"{kind} {status}"] += 1
                if len(self.stats.samples) < 5:
                    self.stats.samples.append(f"{kind} {status}: {answer[:300]!r}")
                raise RuntimeError(f"{kind} answered {status}")
            self.stats.latencies[kind].append(seconds)
            return dict(json.loads(answer)["data"])

    async def connect(self) -> Connection:
        return Connection(*await asyncio.open_connection("127.0.0.1", self.port))

    def close(self) -> None:
        for connection in self.idle:
            connection.writer.close()


# -- one line --------------------------------------------------------------------------------------------


@dataclass
class Line:
    client: Client
    serials: list[str]
    batch: int
    rate: float  # packs/s
    phase: float = 0.0  # seconds after the run's start of this line's first commission
    ssccs: list[str] = field(default_factory=list)
    refill: asyncio.Task[None] | None = None

    async def sscc(self) -> str:
        if len(self.ssccs) < SSCC_BLOCK // 2 and (self.refill is None or self.refill.done()):
            self.refill = asyncio.ensure_future(self._draw())
        while not self.ssccs:
            assert self.refill is not None
            await self.refill
            if not self.ssccs:
                self.refill = asyncio.ensure_future(self._draw())
        return self.ssccs.pop()

    async def _draw(self) -> None:
        body = {"quantity": SSCC_BLOCK, "extension_digit": 3, "gs1_company_prefix": DEMO_COMPANY_PREFIX}
        data = await self.client.post("ssccs/request", "ssccs/request", body)
        self.ssccs.extend(reversed(list(data["ssccs"])))  # type: ignore[call-overload]

    async def run(self, seconds: float) -> None:
        packs = min(len(self.serials), int(self.rate * seconds) // self.batch * self.batch)
        cases = packs // PACKS_PER_CASE
        case_waiting = [PACKS_PER_CASE] * cases
        pallet_waiting = [CASES_PER_PALLET] * (cases // CASES_PER_PALLET)
        case_ssccs: dict[int, str] = {}
        tasks: list[asyncio.Task[None]] = []
        stats = self.client.stats

        async def pallet(index: int) -> None:
            children = [case_ssccs[c] for c in range(index * CASES_PER_PALLET, (index + 1) * CASES_PER_PALLET)]
            await self.client.post(
                "aggregate pallet", "aggregate/container", {"sscc": await self.sscc(), "containers": children}
            )
            stats.pallets += 1

        async def case(index: int) -> None:
            sscc = await self.sscc()
            items = self.serials[index * PACKS_PER_CASE : (index + 1) * PACKS_PER_CASE]
            body = {"sscc": sscc, "trade_items": [{"product_code": DEMO_PRODUCT_CODE, "serial": s} for s in items]}
            await self.client.post("aggregate case", "aggregate/container", body)
            case_ssccs[index] = sscc
            stats.packs_in_cases += PACKS_PER_CASE
            if index // CASES_PER_PALLET < len(pallet_waiting):
                pallet_waiting[index // CASES_PER_PALLET] -= 1
                if pallet_waiting[index // CASES_PER_PALLET] == 0:
                    await pallet(index // CASES_PER_PALLET)

        async def commission(start: int) -> None:
            body = {
                "product_code": DEMO_PRODUCT_CODE,
                "product_code_schema": "GTIN",
                "batch": "BATCH111",
                "expiry_date": "281200",
                "serials": self.serials[start : start + self.batch],
            }
            await self.client.post(f"commission {self.batch}", "serials/commission", body)
            stats.packs_commissioned += self.batch
            follow = []
            for index in range(start, start + self.batch):
                c = index // PACKS_PER_CASE
                if c < cases:
                    case_waiting[c] -= 1
                    if case_waiting[c] == 0:
                        follow.append(case(c))
            await asyncio.gather(*follow)

        begin = time.perf_counter() + self.phase
        for number, start in enumerate(range(0, packs, self.batch)):
            delay = begin + number * self.batch / self.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(commission(start)))
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, BaseException) and not isinstance(outcome, RuntimeError):
                # RuntimeError: a refusal, counted by Client.post; anything else is the bench's own fault
                stats.failures[f"bench {type(outcome).__name__}"] += 1


# -- a run -----------------------------------------------------------------------------------------------


def order_for(port: int, demo: DemoCredentials, tag: str, channel_key: str, quantity: int) -> list[str]:
    """A serialized order of ``quantity`` released to the line ``tag``; its serials (CSV download)."""
    import urllib.request

    def call(method: str, path: str, body: object = None) -> bytes:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{V2}/{path}",
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "x-access-token": demo.static_token,
                "x-channel-key": channel_key,
            },
            method=method,
        )
        with urllib.request.urlopen(request, timeout=300) as response:
            return bytes(response.read())

    order_id = f"Lines-{uuid.uuid4().hex[:12]}"
    body = {
        "order_id": order_id,
        "product_code_schema": "GTIN",
        "product_code": DEMO_PRODUCT_CODE,
        "batch": "BATCH111",
        "expiry_date": "281200",
        "quantity": quantity,
        "extra_percentage": 0,
        "packaging_line_tag": tag,
        "serialized": True,
    }
    call("POST", "packaging_order", body)
    call("PATCH", "packaging_order/release", {"order_id": order_id})
    text = call("GET", f"packaging_order/serials?order_id={order_id}&format=csv").decode()
    return [row.split(",")[0] for row in text.splitlines()[1:]]


@contextmanager
def sampled(pid: int, profile: str | None) -> Iterator[None]:
    """With ``--profile``: py-spy samples the server (and its workers) while the lines run, written as
    collapsed stacks (``py-spy`` must be installed; it is not a dependency of PackTrace)."""
    if profile is None:
        yield
        return
    spy_bin = Path(sys.executable).parent / "py-spy"
    command = [
        str(spy_bin) if spy_bin.exists() else "py-spy",
        "record",
        "--pid",
        str(pid),
        "--subprocesses",
        "--format",
        "raw",
        "-o",
        profile,
    ]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


@dataclass
class Result:
    label: str
    packs_per_second: float
    p99_ms: float
    stats: Stats


async def drive(
    port: int, demo: DemoCredentials, lines: list[tuple[str, list[str]]], batch: int, rate: float, seconds: float
) -> tuple[Stats, float]:
    stats = Stats()
    # Lines are not in step: each starts a fraction of the commission interval after the one before it.
    # Started together, every line's commission arrived in the same instant, and the calls' latencies
    # measured how long the last of a burst of N waited, not how the server kept up.
    interval = batch / rate
    runners = [
        Line(Client(port, demo.static_token, key, stats), serials, batch, rate, phase=index * interval / len(lines))
        for index, (key, serials) in enumerate(lines)
    ]
    started = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.gather(*(line.run(seconds) for line in runners)), seconds + DRAIN_SECONDS)
    except TimeoutError:
        # The server fell so far behind that the drain ran out: a MISS with what was done, not a crash.
        stats.failures[f"unfinished {DRAIN_SECONDS:.0f} s after the schedule"] += 1
    finally:
        for line in runners:
            line.client.close()
    return stats, time.perf_counter() - started


def quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else math.nan
    return statistics.quantiles(values, n=100)[q - 1]


def one_run(
    url: str,
    workers: int,
    label: str,
    lines: int,
    batch: int,
    rate_per_line: float,
    seconds: float,
    profile: str | None,
) -> Result:
    demo = prepare(url)
    made = add_lines(url, lines)
    quantity = math.ceil(rate_per_line * seconds / 120) * 120
    with serve(url, workers) as (port, pid):
        prepared = [(key, order_for(port, demo, tag, key, quantity)) for tag, key in made]
        load_before = os.getloadavg()
        with sampled(pid, profile):
            stats, elapsed = asyncio.run(drive(port, demo, prepared, batch, rate_per_line, seconds))
        load_after = os.getloadavg()
    packs_per_second = stats.packs_in_cases / elapsed
    every = [v for values in stats.latencies.values() for v in values]
    p99 = quantile(every, 99) * 1000
    print(
        f"\n{label}: {lines} lines x {rate_per_line:g} packs/s offered ({lines * rate_per_line:,.0f}/s), "
        f"batch {batch}, {seconds:g} s + drain; {workers} worker(s)\n"
        f"  load average before {load_before[0]:.2f} {load_before[1]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f}\n"
        f"  {stats.packs_commissioned:,} packs commissioned, {stats.packs_in_cases:,} in cases, {stats.pallets:,} "
        f"pallets in {elapsed:.1f} s = {packs_per_second:,.0f} packs/s (commissioned and in a case)",
        flush=True,
    )
    for kind, values in sorted(stats.latencies.items()):
        print(
            f"  {kind:<18} {len(values):>7,} calls  p50 {quantile(values, 50) * 1000:7.1f} ms  "
            f"p99 {quantile(values, 99) * 1000:7.1f} ms  503s {stats.busy.get(kind, 0):,}"
        )
    print(f"  all calls p99 {p99:.1f} ms, slowest {stats.slowest:.2f} s, failures {dict(stats.failures) or 'none'}")
    for sample in stats.samples:
        print(f"    {sample}")
    return Result(label, packs_per_second, p99, stats)


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    if args.sqlite:
        with sqlite_database() as url:
            yield url
    else:
        with postgres_schema(normalize_url(args.postgres_url)) as (url, _schema):
            yield url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="default: %(default)s")
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite file instead of PostgreSQL")
    parser.add_argument("--workers", type=int, default=2, help="server processes (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=20.0, help="scheduled seconds per run (default: %(default)s)")
    parser.add_argument("--only", choices=["lines", "batch"], help="one set of runs")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 12, 120], help="batch sizes of the 'batch' runs")
    parser.add_argument("--rate", type=float, help="offer this many packs/s in the 'batch' runs instead of the targets")
    parser.add_argument("--profile", help="sample the server with py-spy into this file (collapsed stacks)")
    parser.add_argument("--lines", type=int, nargs="+", default=[8, 32, 100], help="line counts of the 'lines' runs")
    args = parser.parse_args()
    where = "SQLite" if args.sqlite else "PostgreSQL"
    print(f"{where}; load average at start {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)

    checks: list[tuple[str, bool]] = []
    if args.only in (None, "lines"):
        for count in args.lines:
            with database(args) as url:
                result = one_run(url, args.workers, "lines", count, 12, 10.0, args.seconds, args.profile)
            five_hundreds = sum(n for kind, n in result.stats.failures.items() if kind.endswith(" 500"))
            held = not result.stats.failures and result.stats.slowest < STALL_SECONDS
            checks.append(
                (
                    f"{where}: {count} lines at 10 packs/s held: no 500 ({five_hundreds}), no other failure, "
                    f"slowest call {result.stats.slowest:.1f} s < {STALL_SECONDS:.0f} s",
                    held,
                )
            )
    if args.only in (None, "batch"):
        for batch, offered, target in ((1, 250.0, None), (12, 1000.0, 1000.0), (120, 3000.0, 3000.0)):
            if batch not in args.batches:
                continue
            with database(args) as url:
                rate = (args.rate or offered) / 8
                result = one_run(url, args.workers, "sustained", 8, batch, rate, args.seconds, args.profile)
            if target is None:
                continue
            ok = result.packs_per_second >= target * 0.98 and not result.stats.failures
            text = f"{where}: 8 lines, batch {batch}: {result.packs_per_second:,.0f} packs/s >= {target:,.0f}"
            if batch == 12:
                ok = ok and result.p99_ms < P99_TARGET_MS
                text += f", p99 {result.p99_ms:.0f} ms < {P99_TARGET_MS:.0f} ms"
            checks.append((text, ok))
    print(f"\nload average at end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print_targets(checks)
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
