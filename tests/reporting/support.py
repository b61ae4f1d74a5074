"""Helpers of the outbox's tests: reports enqueued directly (any bytes), destinations, a worker."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from packtrace.kit.db import Database
from packtrace.markets.schemas import FolderDestination, HttpDestination
from packtrace.markets.service import market_service
from packtrace.models import Report, ReportAttempt, Tenant
from packtrace.models.enums import ReportKind, ReportState
from packtrace.reporting.outbox import batch_stream, enqueue
from packtrace.reporting.worker import Worker, WorkerSettings
from tests.conftest import SERVER_KEY

KEY = SERVER_KEY.encode()
# A product's regulatory fields, as the EU master data report carries them.
REGULATORY: dict[str, Any] = {
    "common_name": "paracetamol",
    "pharmaceutical_form": "Tablet",
    "strength": "500 mg",
    "pack_type": "Blister",
    "pack_size": 20,
    "mah_name": "PackTrace Pharma GmbH",
    "target_markets": ["DE", "AT"],
}


def tenant_id_of(session: Session, name: str) -> int:
    return session.scalars(select(Tenant.id).where(Tenant.name == name)).one()


def add_report(
    database: Database, tenant_id: int, batch: str = "B1", market: str = "EU", document: bytes | None = None
) -> int:
    with database.unit_of_work() as session:
        report = enqueue(
            session,
            tenant_id=tenant_id,
            market=market,
            kind=ReportKind.EU_BATCH_UPLOAD,
            stream=batch_stream("01234512345901", batch),
            subject=f"batch {batch} of 01234512345901",
            media_type="application/json",
            document=document if document is not None else f'{{"batch": "{batch}"}}'.encode(),
        )
        return report.id


def set_destination(
    database: Database,
    tenant_id: int,
    destination: HttpDestination | FolderDestination | None,
    market: str = "EU",
    report_dir: Path | None = None,
) -> None:
    with database.unit_of_work() as session:
        market_service.update(
            session,
            tenant_id,
            market,
            server_key=KEY,
            report_dir=report_dir,
            destination=destination,
            set_destination=True,
        )


def http(url: str, auth_header: str | None = None) -> HttpDestination:
    return HttpDestination(kind="http", url=url, auth_header=auth_header)


def worker(database: Database, report_dir: Path | None = None, name: str = "test-worker", lease: float = 60) -> Worker:
    settings = WorkerSettings(server_key=KEY, report_dir=report_dir, timeout_seconds=5, lease_seconds=lease)
    return Worker(database, settings, name=name, rng=random.Random(7))


def report(database: Database, report_id: int) -> Report:
    with database.unit_of_work() as session:
        found = session.get(Report, report_id, populate_existing=True)
        assert found is not None
        session.expunge(found)
        return found


def attempts(database: Database, report_id: int) -> list[tuple[str, int | None]]:
    with database.unit_of_work() as session:
        rows = session.scalars(
            select(ReportAttempt).where(ReportAttempt.report_id == report_id).order_by(ReportAttempt.id)
        )
        return [(a.outcome, a.http_status) for a in rows]


def after(moment: datetime | None, seconds: float = 1) -> datetime:
    assert moment is not None
    return moment + timedelta(seconds=seconds)


def cancel_seeded_reports(database: Database) -> None:
    """Seeding the demo enqueues its product's EU master data (a real trigger); tests of the outbox's
    delivery count only the reports they add, so the seeded ones are cancelled first, as an operator
    would."""
    with database.unit_of_work() as session:
        session.execute(
            update(Report).where(Report.state == ReportState.PENDING.value).values(state=ReportState.CANCELLED.value)
        )
