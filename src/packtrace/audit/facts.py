"""What services publish when a record is created, changed, disabled or deleted, and who is acting.

A service publishes ``RecordChanged`` through ``kit.facts`` with the old and new values of what it
changed (``publish_change`` computes that from two snapshots); the audit subscriber writes the row in the
same transaction. Who acts is not an argument of every service: the caller's authentication (API
principal, admin session, CLI) names it once on the session with ``act_as``, and every record of that
unit of work carries it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from packtrace.kit.facts import Fact, publish

_ACTOR_KEY = "packtrace.actor"
# What records a change made by nobody who signed in (a migration, a seed): never silently empty.
SYSTEM_ACTOR = "system"
SECRET_CHANGED: Mapping[str, bool] = {"changed": True}

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


@dataclass(frozen=True)
class RecordChanged(Fact):
    """A record of ``entity`` (``"product"``, ``"user"``...) was created, changed, disabled, deleted or
    generated. ``changes`` maps each changed field to ``{"old": ..., "new": ...}`` (a secret to
    ``{"changed": true}`` only)."""

    tenant_id: int
    entity: str
    entity_id: str
    action: str
    changes: Mapping[str, Mapping[str, Json]] = field(default_factory=dict)
    reason: str | None = None


def act_as(session: Session, actor: str) -> None:
    """Name who acts in this session: every audit record it writes carries this."""
    session.info[_ACTOR_KEY] = actor


def actor_of(session: Session) -> str:
    actor = session.info.get(_ACTOR_KEY)
    return actor if isinstance(actor, str) and actor else SYSTEM_ACTOR


def jsonable(value: Any) -> Json:
    """A field's value as the audit record keeps it (JSON): timestamps in ISO 8601, enums by value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def snapshot(record: Any, fields: Collection[str]) -> dict[str, Json]:
    """The values of ``fields`` of a record now: taken before and after a change."""
    return {name: jsonable(getattr(record, name)) for name in fields}


def differences(
    before: Mapping[str, Json] | None, after: Mapping[str, Json] | None, secrets: Collection[str] = ()
) -> dict[str, dict[str, Json]]:
    """Each field whose value differs, with its old and new value; ``None`` for a side means the record
    did not exist. A secret (a hash) is never recorded, only that it changed."""
    old, new = before or {}, after or {}
    changes: dict[str, dict[str, Json]] = {}
    for name in sorted(set(old) | set(new)):
        was, now = old.get(name), new.get(name)
        if was == now:
            continue
        changes[name] = dict(SECRET_CHANGED) if name in secrets else {"old": was, "new": now}
    return changes


def publish_change(
    session: Session,
    tenant_id: int,
    entity: str,
    entity_id: object,
    action: str,
    before: Mapping[str, Json] | None = None,
    after: Mapping[str, Json] | None = None,
    *,
    reason: str | None = None,
    secrets: Collection[str] = (),
) -> None:
    """Publish a ``RecordChanged`` for what differs between ``before`` and ``after``. A change that
    changed nothing (the same values saved again) is not a change and records nothing; a creation,
    deletion or generation always records."""
    changes = differences(before, after, secrets)
    if not changes and before is not None and after is not None:
        return
    publish(session, RecordChanged(tenant_id, entity, str(entity_id), action, changes, clean_reason(reason)))


def clean_reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return reason.strip() or None
