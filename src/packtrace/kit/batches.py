"""Large fills committed batch by batch, by the API and the CLI alike.

One transaction for ten million serials held SQLite's only write lock for minutes (every other write
waited, then failed) and a PostgreSQL transaction's locks as long. A fill above one batch commits each
batch as it is made; a failure keeps the batches already committed and says so. A batch is all or
nothing, and is at least as large as what the spec lets one call draw atomically."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from packtrace.kit.errors import DomainError

# A fill up to this size is all or nothing (the most the spec lets one call draw, serials/request);
# a larger one commits in batches of it.
ATOMIC_GENERATE = 200_000


def commit_in_batches(
    session: Session,
    total: int,
    batch_size: int,
    make: Callable[[Session, int], int],
    progress: Callable[[int], None] | None = None,
    noun: str = "serials",
) -> int:
    """Call ``make(session, n)`` (it returns how many it made) for batches of at most ``batch_size`` until
    ``total`` are made, committing after each; returns how many were made. A domain error in a batch
    rolls that batch back and is raised again, its message saying how many were kept."""
    made = 0
    while made < total:
        try:
            made += make(session, min(batch_size, total - made))
            session.commit()
        except DomainError as error:
            session.rollback()
            error.message += kept_note(made, total, noun)
            error.args = (error.message,)
            raise
        if progress is not None:
            progress(made)
    return made


def kept_note(made: int, total: int, noun: str = "serials") -> str:
    if not made:
        return " (nothing was made)"
    return f" ({made:,} of {total:,} {noun} were made and committed before the failure; they stay in the pool)"
