"""EPCIS 2.0 events as JSON-LD, built from what PackTrace records (pure: no database).

Identifiers are Digital Link URIs on https://id.gs1.org, vocabulary the bare CBV terms the standard's
JSON-LD context defines. ``eventTime`` is written in the site's offset with exactly 3 fraction digits
(implementations of the event hash disagree beyond that), so the instant is first cut to the millisecond.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from packtrace.gs1.expiry import parse_expiry
from packtrace.models.enums import DecommissionReason

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# The ILMD prefix, declared again inline with the standard context's own value: hash implementations that
# read only a document's inline context (the reference one does) then expand it as we do.
DOCUMENT_CONTEXT: list[Any] = [CONTEXT, {"cbvmda": "urn:epcglobal:cbv:mda:"}]
SCHEMA_VERSION = "2.0"
CBV_VERSION = "2.0.0"

# Decommissioning reason -> (action, bizStep, disposition), issue 11's table.
DECOMMISSIONING: dict[str, tuple[str, str, str]] = {
    DecommissionReason.DESTROYED.value: ("DELETE", "destroying", "destroyed"),
    DecommissionReason.DAMAGED.value: ("DELETE", "decommissioning", "damaged"),
    DecommissionReason.STOLEN.value: ("DELETE", "decommissioning", "stolen"),
    DecommissionReason.SAMPLED.value: ("OBSERVE", "sampling", "non_sellable_other"),
    DecommissionReason.OTHER.value: ("DELETE", "decommissioning", "inactive"),
}


@dataclass(frozen=True)
class Where:
    """The site's offset and the locations of an event (None: left out)."""

    time_zone_offset: str = "+00:00"
    biz_location: str | None = None
    read_point: str | None = None


def to_millisecond(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond - at.microsecond % 1000)


def parse_offset(offset: str) -> timedelta:
    sign = -1 if offset[0] == "-" else 1
    hours, minutes = offset[1:].split(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def format_time(at: datetime, offset: str) -> str:
    """``2026-12-03T11:30:00.123+01:00``: the instant in the site's offset, 3 fraction digits."""
    local = to_millisecond(at.astimezone(UTC)) + parse_offset(offset)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + offset


def _common(event_type: str, at: datetime, where: Where) -> dict[str, Any]:
    return {
        "type": event_type,
        "eventTime": format_time(at, where.time_zone_offset),
        "eventTimeZoneOffset": where.time_zone_offset,
    }


def _locations(event: dict[str, Any], where: Where) -> dict[str, Any]:
    if where.read_point:
        event["readPoint"] = {"id": where.read_point}
    if where.biz_location:
        event["bizLocation"] = {"id": where.biz_location}
    return event


def object_event(
    at: datetime,
    where: Where,
    epcs: list[str],
    action: str,
    biz_step: str,
    disposition: str,
    ilmd: dict[str, str] | None = None,
) -> dict[str, Any]:
    event = _common("ObjectEvent", at, where)
    event.update({"epcList": epcs, "action": action, "bizStep": biz_step, "disposition": disposition})
    _locations(event, where)
    if ilmd:
        event["ilmd"] = ilmd
    return event


def aggregation_event(
    at: datetime, where: Where, parent: str, children: list[str], action: str, biz_step: str, disposition: str
) -> dict[str, Any]:
    event = _common("AggregationEvent", at, where)
    event.update(
        {"parentID": parent, "childEPCs": children, "action": action, "bizStep": biz_step, "disposition": disposition}
    )
    return _locations(event, where)


def lot_ilmd(batch: str, expiry_date: str, today: datetime) -> dict[str, str]:
    """The ILMD of commissioned packs: lot and expiry date (YYMMDD, day 00 the month's last day)."""
    expiry = parse_expiry(expiry_date, today.date())
    return {"cbvmda:lotNumber": batch, "cbvmda:itemExpirationDate": expiry.isoformat()}


def document(events: list[dict[str, Any]], created: datetime) -> dict[str, Any]:
    """An EPCISDocument holding ``events``."""
    return {
        "@context": DOCUMENT_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": format_time(created, "+00:00").replace("+00:00", "Z"),
        "epcisBody": {"eventList": events},
    }


def served(stored: str, record_time: datetime) -> dict[str, Any]:
    """A stored event as served: its JSON-LD with ``recordTime`` (UTC, 3 fraction digits)."""
    event: dict[str, Any] = json.loads(stored)
    event["recordTime"] = format_time(record_time, "+00:00").replace("+00:00", "Z")
    return event


def query_document(events: list[dict[str, Any]], created: datetime) -> dict[str, Any]:
    """An EPCISQueryDocument: the answer of a SimpleEventQuery holding ``events``."""
    doc = document([], created)
    doc["type"] = "EPCISQueryDocument"
    doc["epcisBody"] = {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": events}}}
    return doc
