"""Every EPCIS event a test writes is checked when the test ends (``tests/conftest.py`` calls ``check_new``
after each test that has the ``connection`` fixture, which ``session``, ``database`` and ``client`` all use):
each event's document validates against the standard's JSON schema, and for events of up to 1,000 EPCs
the eventID we computed equals the reference implementation's (``epcis-event-hash-generator``). A broken
event fails the test that wrote it.

What is not covered: tests whose events live elsewhere than that connection (committed PostgreSQL schemas
of their own, ``packtrace`` processes and live servers: the browser tests, the README commands, the
concurrency tests); those check what they need themselves."""

from __future__ import annotations

import json
import os
import warnings
from functools import cache
from typing import Any

import jsonschema
from epcis_event_hash_generator.hash_generator import epcis_hashes_from_events
from epcis_event_hash_generator.json_to_py import event_list_from_epcis_document_str
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import DBAPIError

from packtrace.epcis.events import document, served
from packtrace.models import EpcisEvent
from packtrace.models.base import utcnow
from tests.support import REPOSITORY_ROOT

# The reference implementation takes seconds beyond this (its pre-hash walk is quadratic-ish).
REFERENCE_LIMIT = 1_000
# Where the connection fixture notes the last event that existed before the test.
BASELINE = "packtrace.tests.epcis_baseline"
SCHEMA = REPOSITORY_ROOT.parent / "shared" / "standards" / "epcis" / "EPCIS-JSON-Schema.json"


class StandardsMissing(Exception):
    """The schema is absent and PACKTRACE_REQUIRE_STANDARDS=1 says it must not be."""


@cache
def validator() -> jsonschema.Draft7Validator | None:
    """The compiled schema, once per run; None where the standards are absent (and not required)."""
    if not SCHEMA.exists():
        if os.environ.get("PACKTRACE_REQUIRE_STANDARDS") == "1":
            raise StandardsMissing(f"{SCHEMA} not found; PACKTRACE_REQUIRE_STANDARDS=1 requires it")
        return None
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))


def reference_hashes(events: list[dict[str, Any]]) -> list[str]:
    """The eventIDs the reference implementation computes for ``events``, in one document.

    A captured event keeps its own extension namespaces in an event-level ``@context``, which the
    reference hashes as if it were a field; at the document's level it means the same and is read as a
    context, so it is moved there."""
    contexts = [event["@context"] for event in events if "@context" in event]
    doc = document([{k: v for k, v in event.items() if k != "@context"} for event in events], utcnow())
    doc["@context"] = [*doc["@context"], *contexts]
    text = json.dumps(doc)
    with warnings.catch_warnings():  # it loads its bundled context with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        hashes: list[str] = epcis_hashes_from_events(event_list_from_epcis_document_str(text))
    return hashes


def baseline(connection: Connection) -> None:
    """Note the newest event before the test, so that only the test's own are checked."""
    newest = connection.execute(select(func.max(EpcisEvent.id))).scalar()
    connection.info[BASELINE] = newest or 0


def _epcs(event: dict[str, Any]) -> int:
    return len(event.get("epcList", ())) + len(event.get("childEPCs", ()))


def check_new(connection: Connection) -> int:
    """Check the events written on ``connection`` since ``baseline``; returns how many were checked.
    Raises AssertionError naming each broken event."""
    if BASELINE not in connection.info or connection.closed or not connection.in_transaction():
        return 0
    try:
        rows = connection.execute(
            select(EpcisEvent.event_id, EpcisEvent.document, EpcisEvent.record_time)
            .where(EpcisEvent.id > connection.info[BASELINE])
            .order_by(EpcisEvent.id)
        ).all()
    except DBAPIError:
        # A test that ends inside a failed PostgreSQL transaction (it tested a refusal): nothing of it
        # can be read, and nothing of it is kept either.
        return 0
    if not rows:
        return 0
    schema = validator()
    if schema is None:
        return 0
    events = [served(row.document, row.record_time) for row in rows]
    problems = [
        f"event {row.event_id}: {list(error.absolute_path)}: {error.message}"
        for row, event in zip(rows, events, strict=True)
        for error in schema.iter_errors(document([event], utcnow()))
    ]
    small = [(row.event_id, event) for row, event in zip(rows, events, strict=True) if _epcs(event) <= REFERENCE_LIMIT]
    if small:
        expected = reference_hashes([event for _, event in small])
        problems += [
            f"event {ours}: the reference implementation computes {theirs}"
            for (ours, _), theirs in zip(small, expected, strict=True)
            if ours != theirs
        ]
    assert not problems, "EPCIS events this test wrote are not standard:\n" + "\n".join(problems[:10])
    return len(rows)
