"""Concurrent requests on PostgreSQL, each in a transaction of its own and committed: SSCCs are never
handed out twice, a pack lands in one case only, nesting never closes a loop, and a loser gets a domain
error (never a deadlock or another database error)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from packtrace.aggregation.service import aggregation_service, sscc_pool
from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.kit.errors import ConflictError, DomainError
from packtrace.models import Container, Pack
from tests.aggregation.support import EXTENSION, PREFIX, add_packs


@pytest.fixture
def db(committed_demo_schema: str) -> Iterator[Database]:
    database = Database(committed_demo_schema)
    try:
        yield database
    finally:
        database.dispose()


def _tenant_id(db: Database) -> int:
    with db.unit_of_work() as session:
        return tenant_service.get_by_name(session, DEMO_TENANT).id


def _race(db: Database, jobs: list[Callable[[Any], Any]]) -> list[Any]:
    """Runs each job in a thread and a transaction of its own, all released at once; returns each one's
    result or the domain error it raised (anything else fails the test)."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            with db.unit_of_work() as session:
                results[index] = jobs[index](session)
        except DomainError as error:
            results[index] = error
        except Exception as error:
            results[index] = AssertionError(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not [r for r in results if isinstance(r, AssertionError)], results
    return results


def test_concurrent_requests_never_share_an_sscc(db: Database) -> None:
    tenant_id = _tenant_id(db)
    with db.unit_of_work() as session:
        sscc_pool.generate(session, tenant_id, PREFIX, EXTENSION, 100, None, "test")

    def request(session: Any) -> list[str]:
        return sscc_pool.request(session, tenant_id, PREFIX, EXTENSION, 50, "test")[0]

    results = _race(db, [request] * 8)
    handed_out = [s for ssccs in results for s in ssccs]
    assert len(handed_out) == len(set(handed_out)) == 400
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Container)) == 400


def test_concurrent_requests_on_an_empty_pool_all_get_new_sscc_blocks(db: Database) -> None:
    # Each request generates what the pool lacks: generation is serialized per tenant, so no request
    # computes the same next SSCCs as another, waits on its uncommitted rows and then has to give up.
    tenant_id = _tenant_id(db)

    def request(session: Any) -> list[str]:
        return sscc_pool.request(session, tenant_id, PREFIX, EXTENSION, 100, "test")[0]

    results = _race(db, [request] * 8)
    assert not [r for r in results if isinstance(r, DomainError)], results
    handed_out = [s for ssccs in results for s in ssccs]
    assert len(handed_out) == len(set(handed_out)) == 800
    with db.unit_of_work() as session:
        low, high = session.execute(select(func.min(Container.id), func.max(Container.id))).one()
    # An insert that collides with another's SSCC still spends an id: none was spent for nothing.
    assert high - low + 1 == 800


def test_a_pack_lands_in_one_case_only(db: Database) -> None:
    tenant_id = _tenant_id(db)
    serials = [f"C{n:03d}" for n in range(60)]
    add_packs(db, serials)
    with db.unit_of_work() as session:
        cases = sscc_pool.request(session, tenant_id, PREFIX, EXTENSION, 6, "test")[0]

    def job(case: str) -> Callable[[Any], Any]:
        shuffled = random.sample(serials, len(serials))
        return lambda session: aggregation_service.aggregate_on_container(
            session, tenant_id, case, [(DEMO_PRODUCT_CODE, s) for s in shuffled], [], "test"
        )

    results = _race(db, [job(case) for case in cases])
    winners = [r for r in results if not isinstance(r, DomainError)]
    assert len(winners) == 1 and all(isinstance(r, ConflictError) for r in results if r not in winners)
    with db.unit_of_work() as session:
        holders = set(session.scalars(select(Pack.container_id)))
        assert len(holders) == 1 and None not in holders


def test_crossed_nesting_never_closes_a_loop(db: Database) -> None:
    tenant_id = _tenant_id(db)
    add_packs(db, ["A1", "B1"])
    with db.unit_of_work() as session:
        case_a, case_b = sscc_pool.request(session, tenant_id, PREFIX, EXTENSION, 2, "test")[0]
        for case, serial in ((case_a, "A1"), (case_b, "B1")):
            aggregation_service.aggregate_on_container(session, tenant_id, case, [(DEMO_PRODUCT_CODE, serial)], [], "t")

    def nest(child: str, parent: str) -> Callable[[Any], Any]:
        return lambda session: aggregation_service.aggregate_on_container(session, tenant_id, parent, [], [child], "t")

    results = _race(db, [nest(case_a, case_b), nest(case_b, case_a)])
    assert sum(isinstance(r, ConflictError) for r in results) == 1
    with db.unit_of_work() as session:
        parents = dict(session.execute(select(Container.sscc, Container.parent_id)).all())
    assert sorted(p is None for p in parents.values()) == [False, True]
