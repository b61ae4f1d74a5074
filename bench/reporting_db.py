"""The second part of ``bench/reporting.py``: the market reports' whole path, database reads included.

Per database (a fresh SQLite file; a fresh PostgreSQL schema, dropped at the end), in process, on the
demo tenant (profiles for every market, the demo company prefix):
(a) a US-registered product with an NDC, a trading partner, and per run two pallets of 100 cases x 12
    packs (1,200 packs commissioned and aggregated through the services; set-up, not timed). One pallet
    is shipped by ``shipment_service.ship`` with everything wired (the whole service call, committed);
    the other with ``on_shipped`` unsubscribed, then ``on_shipped`` run alone on the recorded
    ``PacksShipped`` in the same transaction (gather + DSCSA document + enqueue): the report's own cost.
(b) per run two batches of 100,000 Active packs of the demo product (EU-registered; inserted directly,
    not timed), each commissioned to the EU market by ``pack_service.market_commission``: one with the
    trigger wired (the whole call, committed), one with ``on_batch_commissioned`` isolated as in (a).
A pallet shipped and a batch of 1,000 commissioned first warm up the process (imports, compiled queries).
Memory: "RSS" is the process's VmHWM above its VmRSS at the start of the step (the high-water mark reset
first); memory freed earlier and kept by the allocator is reused unseen, so it is a lower bound.
"traced" is tracemalloc's peak above the start during a second run of the trigger alone, in the same
transaction (it enqueues a second report; traced runs are slower, so they are not the timed ones).
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from create_order import memory_mb, postgres_schema, prepare, sqlite_database
from sqlalchemy import insert
from sqlalchemy.orm import Session

from packtrace.aggregation.service import aggregation_service
from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_COMPANY_PREFIX, DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.gs1.check_digit import compute_check_digit
from packtrace.kit import facts
from packtrace.kit.db import Database
from packtrace.models import Pack
from packtrace.packs.facts import BatchCommissionedToMarket
from packtrace.packs.service import pack_service
from packtrace.partners.service import LocationInput, partner_service
from packtrace.products.service import ProductSettings, product_service
from packtrace.reporting import triggers
from packtrace.shipments.facts import PacksShipped
from packtrace.shipments.service import ShipmentRequest, shipment_service

CASES, PER_CASE, BATCH_PACKS = 100, 12, 100_000
US_BODY = "0" + DEMO_COMPANY_PREFIX + "77777"
US_CODE = US_BODY + compute_check_digit(US_BODY)
PARTNER_GLN = "4012345000009"
DOCK = f"https://id.gs1.org/414/{PARTNER_GLN}/254/dock-1"
EXPIRY = "351115"
ACTOR = "bench"


@contextmanager
def rss() -> Iterator[list[float]]:
    """Yields a list that gets the MB of resident memory above the start at the block's peak."""
    start = memory_mb(os.getpid(), "VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    out: list[float] = []
    yield out
    out.append(memory_mb(os.getpid(), "VmHWM") - start)


def traced(work: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@contextmanager
def isolated(fact_type: type[facts.Fact], handler: Callable[[Session, Any], None]) -> Iterator[list[Any]]:
    """``handler`` replaced by a recorder of the facts it would have got (the other subscribers stay)."""
    facts.handlers_for(fact_type)  # wire first, so that the wiring cannot re-add it meanwhile
    saved = facts._subscribers[fact_type]
    caught: list[Any] = []
    facts._subscribers[fact_type] = [h if h is not handler else (lambda _s, f: caught.append(f)) for h in saved]
    try:
        yield caught
    finally:
        facts._subscribers[fact_type] = saved


def _sscc(reference: int) -> str:
    body = "0" + DEMO_COMPANY_PREFIX + f"{reference:09d}"
    return body + compute_check_digit(body)


def set_up(db: Database) -> int:
    """The US product and the partner; the demo tenant's id."""
    with db.unit_of_work() as session:
        tenant_id = tenant_service.get_by_name(session, DEMO_TENANT).id
        settings = ProductSettings(
            name="Bench tablets US",
            markets=["US"],
            company_prefix_length=len(DEMO_COMPANY_PREFIX),
            regulatory={"ndc": "12345-678-90", "strength": "100 mg"},
        )
        product_service.create(session, tenant_id, US_CODE, settings)
        location = LocationInput(DOCK, "Dock 1", "136 Main St, Louisville KY")
        partner_service.create(
            session, tenant_id, name="Drug Distributor", gln=PARTNER_GLN, locations=[location], us_state_license="KY-1"
        )
    return tenant_id


def pallet(db: Database, tenant_id: int, number: int) -> str:
    """1,200 packs commissioned, 100 cases of 12, one pallet; its SSCC."""
    serials = [f"U{number:03d}{n:06d}" for n in range(CASES * PER_CASE)]
    base = number * 1000
    with db.unit_of_work() as session:
        pack_service.commission(
            session,
            tenant_id,
            product_code=US_CODE,
            batch=f"US{number}",
            expiry_date=EXPIRY,
            manufacturing_date=None,
            order_id=None,
            serials=serials,
            actor=ACTOR,
        )
        cases = [_sscc(base + 1 + c) for c in range(CASES)]
        for c, case in enumerate(cases):
            items = [(US_CODE, s) for s in serials[c * PER_CASE : (c + 1) * PER_CASE]]
            aggregation_service.aggregate_on_container(session, tenant_id, case, items, [], ACTOR)
        aggregation_service.aggregate_on_container(session, tenant_id, _sscc(base), [], cases, ACTOR)
    return _sscc(base)


def _request(sscc: str) -> ShipmentRequest:
    return ShipmentRequest(f"SHIP-{sscc}", DOCK, PARTNER_GLN, "PO-1", "DESADV-1", [sscc], [])


def ship_whole(db: Database, tenant_id: int, sscc: str) -> tuple[float, float]:
    with rss() as peak:
        started = time.perf_counter()
        with db.unit_of_work() as session:
            view = shipment_service.ship(session, tenant_id, _request(sscc), ACTOR)
        seconds = time.perf_counter() - started
    if view.pack_count != CASES * PER_CASE:
        raise RuntimeError(f"shipped {view.pack_count} packs")
    return seconds, peak[0]


def ship_isolated(db: Database, tenant_id: int, sscc: str) -> tuple[float, float, float, float]:
    """(seconds of the call without its report, of the trigger alone, its RSS and its traced peak MB)."""
    with isolated(PacksShipped, triggers.on_shipped) as caught, db.unit_of_work() as session:
        started = time.perf_counter()
        shipment_service.ship(session, tenant_id, _request(sscc), ACTOR)
        call = time.perf_counter() - started
    with db.unit_of_work() as session:
        with rss() as peak:
            started = time.perf_counter()
            triggers.on_shipped(session, caught[0])
            alone = time.perf_counter() - started
        extra = traced(lambda: triggers.on_shipped(session, caught[0]))
    return call, alone, peak[0], extra


def eu_batch(db: Database, tenant_id: int, batch: str, count: int = BATCH_PACKS) -> None:
    with db.unit_of_work() as session:
        product_id = product_service.get(session, tenant_id, DEMO_PRODUCT_CODE).id
        now = datetime.now(UTC)
        rows = [
            {
                "tenant_id": tenant_id,
                "product_id": product_id,
                "serial": f"{batch}{n:07d}",
                "status": "Active",
                "batch": batch,
                "expiry_date": EXPIRY,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        for start in range(0, count, 20_000):
            session.execute(insert(Pack), rows[start : start + 20_000])


def commission_whole(db: Database, tenant_id: int, batch: str, count: int = BATCH_PACKS) -> tuple[float, float]:
    with rss() as peak:
        started = time.perf_counter()
        with db.unit_of_work() as session:
            done = pack_service.market_commission(session, tenant_id, DEMO_PRODUCT_CODE, batch, "EU", ACTOR)
        seconds = time.perf_counter() - started
    if done.commissioned != count:
        raise RuntimeError(f"commissioned {done.commissioned} packs")
    return seconds, peak[0]


def commission_isolated(db: Database, tenant_id: int, batch: str) -> tuple[float, float, float, float]:
    """As ``ship_isolated``. The trigger reads the packs the call released by its transaction time: it runs
    in the call's own transaction, before the commit (which is counted in the call's time)."""
    with isolated(BatchCommissionedToMarket, triggers.on_batch_commissioned) as caught:
        started = time.perf_counter()
        with db.unit_of_work() as session:
            pack_service.market_commission(session, tenant_id, DEMO_PRODUCT_CODE, batch, "EU", ACTOR)
            call = time.perf_counter() - started
            with rss() as peak:
                started = time.perf_counter()
                triggers.on_batch_commissioned(session, caught[0])
                alone = time.perf_counter() - started
            extra = traced(lambda: triggers.on_batch_commissioned(session, caught[0]))
            started = time.perf_counter()
        call += time.perf_counter() - started  # the commit
    return call, alone, peak[0], extra


Figure = tuple[str, float, float, str]  # what, median seconds, largest MB, how the MB were measured


def bench_database(name: str, url: str, runs: int) -> list[Figure]:
    """[(figure, median seconds, largest MB)] for one database."""
    prepare(url)
    db = Database(url)
    try:
        tenant_id = set_up(db)
        ship_whole(db, tenant_id, pallet(db, tenant_id, 0))  # warm-up: the first call pays for the imports
        eu_batch(db, tenant_id, "EUW", 1000)
        commission_whole(db, tenant_id, "EUW", 1000)
        keys = ("whole", "without", "alone", "rss", "rss_alone", "traced")
        ship: dict[str, list[float]] = {key: [] for key in keys}
        eu: dict[str, list[float]] = {key: [] for key in keys}
        for run in range(runs):
            first, second = pallet(db, tenant_id, 2 * run + 1), pallet(db, tenant_id, 2 * run + 2)
            _record(ship, ship_whole(db, tenant_id, first), ship_isolated(db, tenant_id, second))
            eu_batch(db, tenant_id, f"EUA{run}")
            eu_batch(db, tenant_id, f"EUB{run}")
            _record(eu, commission_whole(db, tenant_id, f"EUA{run}"), commission_isolated(db, tenant_id, f"EUB{run}"))
    finally:
        db.dispose()
    return [
        *_figures(f"{name} shipment of 1 pallet ({CASES} x {PER_CASE} packs)", "shipment_service.ship", ship),
        *_figures(f"{name} EU batch of {BATCH_PACKS:,} packs", "market_commission", eu),
    ]


def _record(into: dict[str, list[float]], whole: tuple[float, float], alone: tuple[float, ...]) -> None:
    into["whole"].append(whole[0])
    into["rss"].append(whole[1])
    for key, value in zip(("without", "alone", "rss_alone", "traced"), alone, strict=True):
        into[key].append(value)


def _figures(what: str, call: str, found: dict[str, list[float]]) -> list[Figure]:
    median = statistics.median
    return [
        (f"{what}: {call}, whole", median(found["whole"]), max(found["rss"]), "RSS"),
        (f"{what}: {call} without the report", median(found["without"]), float("nan"), ""),
        (f"{what}: the trigger alone", median(found["alone"]), max(found["rss_alone"]), "RSS"),
        (f"{what}: the trigger alone", float("nan"), max(found["traced"]), "traced"),
    ]


def run_databases(sqlite: bool, postgres_url: str | None, runs: int, load: Callable[[], str]) -> list[Figure]:
    figures: list[Figure] = []
    if sqlite:
        with sqlite_database() as url:
            print(f"SQLite: load average before {load()}", flush=True)
            figures += bench_database("SQLite", url, runs)
            print(f"SQLite: load average after {load()}", flush=True)
    if postgres_url:
        with postgres_schema(postgres_url) as (url, _schema):
            print(f"PostgreSQL: load average before {load()}", flush=True)
            figures += bench_database("PostgreSQL", url, runs)
            print(f"PostgreSQL: load average after {load()}", flush=True)
    return figures
