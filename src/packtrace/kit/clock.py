"""One clock per transaction: every timestamp a unit of work writes is the same instant.

Reading the wall clock at each row made an SSCC's "Assigned" event precede its "Generated" event and
``updated_at`` precede ``created_at`` within one request. ``transaction_time`` takes the time once, when a
transaction first asks, and hands the same value to every later caller until that transaction ends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_KEY = "packtrace.transaction_time"


def transaction_time(session: Session) -> datetime:
    """The instant of the session's current transaction (UTC), the same for every call until it ends."""
    at: datetime | None = session.info.get(_KEY)
    if at is None:
        at = datetime.now(UTC)
        session.info[_KEY] = at
    return at


@event.listens_for(Session, "after_transaction_end")
def _forget_time(session: Session, transaction: SessionTransaction, *_: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: the next one gets a fresh instant
        session.info.pop(_KEY, None)
