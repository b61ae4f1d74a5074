"""The outbox worker: claims due reports, delivers them, records each answer.

One report at a time, in three steps so that no transaction stays open while a receiver is waited for:
a short transaction claims the report (Sent, leased to this worker), the delivery runs outside any
transaction, and a second one records the answer. A worker that dies between the two leaves a Sent
report whose lease runs out; the next worker delivers it again with the same idempotency key, so the
receiver can tell it already has it. Delivery is at least once, exactly once for a receiver that honours
the key.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from packtrace.kit.db import Database
from packtrace.kit.errors import ValidationError
from packtrace.kit.security import decrypt_secret, utcnow
from packtrace.markets.destination import AUTH_PURPOSE, folder_under
from packtrace.models.enums import ReportState
from packtrace.reporting import delivery, repository
from packtrace.reporting.delivery import Outcome, Parcel

log = logging.getLogger(__name__)

# Retries wait 10 s, 20 s, 40 s ... up to an hour, each cut by a random part of up to half (jitter), so
# that reports failing together do not hammer a receiver that comes back together.
BACKOFF_FIRST_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 3600.0
# Due reports looked at per claim: enough to find one not being claimed by another worker.
_CANDIDATES = 5


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=ceiling * rng.uniform(0.5, 1.0))


@dataclass(frozen=True)
class WorkerSettings:
    server_key: bytes
    report_dir: Path | None
    timeout_seconds: float = 30.0
    lease_seconds: float = 120.0
    poll_seconds: float = 2.0


@dataclass(frozen=True)
class _Claimed:
    tenant_id: int
    parcel: Parcel
    attempts: int
    kind: str  # the destination's kind
    url: str | None
    path: str | None
    auth_encrypted: str | None


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        database: Database,
        settings: WorkerSettings,
        *,
        name: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.name = name or worker_name()
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not a secret)

    def run_once(self, now: datetime | None = None, limit: int = 100) -> int:
        """Delivers due reports, one by one, until none is due (or ``limit`` were handled); ``now``
        stands for the clock (tests move time with it). The number of reports handled."""
        handled = 0
        while handled < limit:
            at = now or self.clock()
            claimed = self._claim(at)
            if claimed is None:
                break
            outcome = self._deliver(claimed)
            self._settle(claimed, outcome, now or self.clock())
            handled += 1
        return handled

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set: delivers what is due, then waits ``poll_seconds``. A delivery under way
        when ``stop`` is set finishes (and is recorded) first."""
        log.info("outbox worker %s started", self.name)
        while not stop.is_set():
            try:
                handled = self.run_once(limit=10)
            except Exception:  # a database hiccup must not end the loop; the next round retries
                log.exception("outbox worker %s: round failed", self.name)
                handled = 0
            if handled == 0:
                stop.wait(self.settings.poll_seconds)
        log.info("outbox worker %s stopped", self.name)

    def _claim(self, now: datetime) -> _Claimed | None:
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.database.unit_of_work() as session:
            for report_id in repository.due_ids(session, now, _CANDIDATES):
                report = repository.claim(session, report_id, self.name, now, lease_until)
                if report is None:
                    continue
                profile = repository.destination(session, report.tenant_id, report.market)
                assert profile is not None and profile.destination_kind is not None  # due_ids joined on it
                parcel = Parcel(
                    report_id=report.id,
                    kind=report.kind,
                    subject=report.subject,
                    media_type=report.media_type,
                    document=report.document,
                    idempotency_key=report.idempotency_key,
                )
                return _Claimed(
                    tenant_id=report.tenant_id,
                    parcel=parcel,
                    attempts=report.attempts,
                    kind=profile.destination_kind,
                    url=profile.destination_url,
                    path=profile.destination_path,
                    auth_encrypted=profile.destination_auth_encrypted,
                )
        return None

    def _deliver(self, claimed: _Claimed) -> Outcome:
        if claimed.kind == "folder":
            try:
                folder = folder_under(self.settings.report_dir, claimed.path or "")
            except ValidationError as error:
                return Outcome(None, None, f"drop folder refused: {error.message}")
            return delivery.write_file(claimed.parcel, folder)
        auth = None
        if claimed.auth_encrypted is not None:
            auth = decrypt_secret(self.settings.server_key, AUTH_PURPOSE, claimed.auth_encrypted)
            if auth is None:
                return Outcome(
                    None, None, "the destination's auth header cannot be read under this server key; set it again"
                )
        return delivery.post(claimed.parcel, claimed.url or "", auth, self.settings.timeout_seconds)

    def _settle(self, claimed: _Claimed, outcome: Outcome, now: datetime) -> None:
        report_id = claimed.parcel.report_id
        if outcome.state is None:
            values: dict[str, object] = {
                "state": ReportState.PENDING.value,
                "last_error": outcome.answer,
                "next_attempt_at": now + backoff(claimed.attempts, self.rng),
            }
            label = "retry"
        else:
            values = {"state": outcome.state.value, "answered_at": now, "next_attempt_at": None}
            values["last_error"] = outcome.answer if outcome.state is ReportState.REJECTED else None
            label = outcome.state.value
        with self.database.unit_of_work() as session:
            repository.add_attempt(
                session, claimed.tenant_id, report_id, now, label, outcome.http_status, outcome.answer
            )
            if not repository.settle(session, report_id, self.name, now, values):
                log.warning("report %s was no longer this worker's when its answer came (%s)", report_id, label)
