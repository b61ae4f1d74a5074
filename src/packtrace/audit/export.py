"""The audit trail as files: CSV (one row a record, the changes as JSON in one cell) and JSON. The CLI's
``audit export`` and the admin UI's download write the same columns through these."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from packtrace.models import AuditRecord

COLUMNS = (
    "sequence",
    "recorded_at",
    "actor",
    "entity",
    "entity_id",
    "action",
    "changes",
    "reason",
    "previous_hash",
    "hash",
)
# A cell starting with one of these is a formula to a spreadsheet: a leading quote keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_dict(record: AuditRecord) -> dict[str, Any]:
    return {
        "sequence": record.sequence,
        "recorded_at": record.recorded_at.isoformat(),
        "actor": record.actor,
        "entity": record.entity,
        "entity_id": record.entity_id,
        "action": record.action,
        "changes": json.loads(record.changes),
        "reason": record.reason,
        "previous_hash": record.previous_hash,
        "hash": record.hash,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, dict) else str(value)
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def csv_chunks(records: Iterable[AuditRecord]) -> Iterator[str]:
    """The CSV text, a header and then a line a record, so a long trail streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        row = as_dict(record)
        writer.writerow([_cell(row[c]) for c in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_chunks(records: Iterable[AuditRecord]) -> Iterator[str]:
    """A JSON array, one record a line."""
    yield "["
    for index, record in enumerate(records):
        yield ("," if index else "") + "\n" + json.dumps(as_dict(record), ensure_ascii=False, sort_keys=True)
    yield "\n]\n"
