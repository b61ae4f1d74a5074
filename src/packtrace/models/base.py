"""Declarative base, naming convention and column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, MetaData, TypeDecorator, event, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import flag_modified

from packtrace.kit.clock import transaction_time

# Named constraints, so that migrations can drop and alter them by name on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key for the big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class TenantScoped:
    """Every table carries its tenant, so every query can filter on it and the data can be sharded by
    tenant later without changing the model."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="RESTRICT"), index=True)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The columns a row is stamped in when it is written; rows written in one transaction get one instant.
_STAMPED_ON_INSERT = ("created_at", "updated_at", "at")


@event.listens_for(Session, "before_flush")
def _stamp_with_transaction_time(session: Session, *_: Any) -> None:
    """ORM rows get the transaction's instant (``kit.clock``) instead of each reading the clock when it is
    flushed: a row's ``updated_at`` never precedes its ``created_at`` and one request's events share one
    time. The columns' ``default=utcnow`` stays for rows inserted outside a session's flush."""
    if not session.new and not session.dirty:
        return
    at = transaction_time(session)
    for row in session.new:
        columns = inspect(row).mapper.columns
        for name in _STAMPED_ON_INSERT:
            if name in columns and getattr(row, name, None) is None:
                setattr(row, name, at)
    for row in session.dirty:
        if "updated_at" in inspect(row).mapper.columns and session.is_modified(row, include_collections=False):
            row.updated_at = at
            # Written even when unchanged, or the column's onupdate would read the clock again.
            flag_modified(row, "updated_at")
