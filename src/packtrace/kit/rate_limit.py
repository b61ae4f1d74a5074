"""Counts failed authentications per guessed subject and refuses a subject that fails too often.

What is throttled is what a guesser guesses, not who sends it: failures count against the API key or
sign-in e-mail they tried (a secret or password guessed) and against the address they came from (keys
or e-mails sprayed from one place). Only the authentication endpoints consult the address; a request
that presents a valid token is never refused by this limiter, so an ERP and a line controller behind the
NAT of a guesser keep working.

The counts are rows of ``auth_failures``, so every server process sees the same ones. One row per
subject holds a fixed window (its start and its count), written by one upsert; rows whose window has
passed are pruned by whoever records the next failure."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select
from sqlalchemy.orm import Session

from packtrace.kit.clock import transaction_time
from packtrace.kit.db import dialect_insert, on_postgres
from packtrace.kit.errors import RateLimitError
from packtrace.models import AuthFailure

# Stale rows removed per recorded failure: bounded, so that a failure never pays for a large cleanup.
PRUNE_BATCH = 100
# How a refusal names what was blocked (the subject's value is never echoed).
_LABELS = {"address": "address", "api_key": "API key", "email": "e-mail"}


@dataclass(frozen=True)
class Subject:
    """What a failure counts against: ``kind`` ("address", "api_key", "email") and its value."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"[:80]


class FailureLimiter:
    def __init__(self, limit: int, window_seconds: float) -> None:
        self.limit = limit
        self.window = window_seconds

    def check(self, session: Session, subjects: Iterable[Subject]) -> None:
        """Raise ``RateLimitError`` (with the seconds until the window ends) when any subject has used up
        its failures in the current window."""
        keys = sorted({s.key for s in subjects})
        now = transaction_time(session)
        rows = session.execute(
            select(AuthFailure.subject, AuthFailure.window_started_at).where(
                AuthFailure.subject.in_(keys),
                AuthFailure.failures >= self.limit,
                AuthFailure.window_started_at > self._cutoff(now),
            )
        ).all()
        if rows:
            ends = max(started for _, started in rows) + timedelta(seconds=self.window)
            retry_after = max(1, math.ceil((ends - now).total_seconds()))
            kinds = " and ".join(sorted({_LABELS.get(key.split(":", 1)[0], "client") for key, _ in rows}))
            raise RateLimitError(
                f"Too many failed authentications for this {kinds}; try again in {retry_after} seconds",
                retry_after=retry_after,
            )

    def record_failure(self, session: Session, subjects: Iterable[Subject]) -> None:
        """Count one failure against each subject and commit it: the refused request rolls back, and
        its failure must outlive that. Call it before the request has written anything of its own."""
        now = transaction_time(session)
        cutoff = self._cutoff(now)
        # Sorted: two requests upserting the same subjects lock their rows in the same order.
        for key in sorted({s.key for s in subjects}):
            insert = dialect_insert(session, AuthFailure).values(subject=key, failures=1, window_started_at=now)
            stale = AuthFailure.window_started_at <= cutoff
            session.execute(
                insert.on_conflict_do_update(
                    index_elements=[AuthFailure.subject],
                    set_={
                        "failures": case((stale, 1), else_=AuthFailure.failures + 1),
                        "window_started_at": case((stale, now), else_=AuthFailure.window_started_at),
                    },
                )
            )
        self._prune(session, cutoff)
        session.commit()

    def _prune(self, session: Session, cutoff: datetime) -> None:
        # After the upserts and with SKIP LOCKED: pruning never waits for a row another failure holds,
        # so concurrent failures cannot deadlock on PostgreSQL (SQLite has one writer at a time).
        stale = select(AuthFailure.subject).where(AuthFailure.window_started_at <= cutoff).limit(PRUNE_BATCH)
        if on_postgres(session):
            stale = stale.with_for_update(skip_locked=True)
        session.execute(delete(AuthFailure).where(AuthFailure.subject.in_(stale)))

    def _cutoff(self, now: datetime) -> datetime:
        return now - timedelta(seconds=self.window)
