"""Helpers of the EPCIS tests: the events the log holds, each checked against the standard's JSON schema
and, up to 1,000 EPCs, its eventID against the reference hash implementation."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jsonschema
from epcis_event_hash_generator.hash_generator import epcis_hashes_from_events
from epcis_event_hash_generator.json_to_py import event_list_from_epcis_document_str
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.epcis.events import document, served
from packtrace.models import EpcisEvent
from tests.support import standards

# The reference implementation takes seconds beyond this (its pre-hash walk is quadratic-ish).
REFERENCE_LIMIT = 1_000


@cache
def _validator() -> jsonschema.Draft7Validator:
    schema = json.loads(standards("epcis", "EPCIS-JSON-Schema.json").read_text())
    return jsonschema.Draft7Validator(schema)


def reference_hashes(doc: dict[str, Any]) -> list[str]:
    """The eventIDs the reference implementation computes for a document's events."""
    with warnings.catch_warnings():  # it loads its bundled context with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        hashes: list[str] = epcis_hashes_from_events(event_list_from_epcis_document_str(json.dumps(doc)))
    return hashes


def check(events: list[dict[str, Any]], *, reference: bool = True, schema: bool = True) -> None:
    """Each event, in a document, validates against the EPCIS 2.0 JSON schema; events of up to 1,000
    EPCs carry the eventID the reference implementation computes (``reference``: captured events keep
    their sender's eventID)."""
    doc = document(events, datetime.now(UTC))
    if schema:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]
        assert not errors, errors[:5]
    if not reference:
        return
    small = [e for e in events if len(e.get("epcList", [])) + len(e.get("childEPCs", [])) <= REFERENCE_LIMIT]
    if small:
        assert [e["eventID"] for e in small] == reference_hashes(document(small, datetime.now(UTC)))


def stored_events(session: Session, *, reference: bool = True, schema: bool = True) -> list[dict[str, Any]]:
    """Every event of the log, as served, in the order written; each checked (``check``)."""
    session.expire_all()
    rows = session.execute(select(EpcisEvent.document, EpcisEvent.record_time).order_by(EpcisEvent.id)).all()
    events = [served(row[0], row[1]) for row in rows]
    if events:
        check(events, reference=reference, schema=schema)
    return events


def summary(event: dict[str, Any]) -> tuple[Any, ...]:
    """(type, action, bizStep, disposition, parentID, EPCs) of an event, to compare whole runs."""
    epcs = event.get("epcList") or event.get("childEPCs") or []
    return (event["type"], event["action"], event["bizStep"], event["disposition"], event.get("parentID"), len(epcs))
