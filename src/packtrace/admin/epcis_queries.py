"""The EPCIS events of what a history page shows: for a pack or an SSCC, the event ids of each instant
it was named in an event. A fact and its event share their instant (the fact's transaction time, to the
millisecond the event keeps), so a history row finds its event by the time it happened."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy.orm import Session

from packtrace.epcis import identifiers, repository
from packtrace.epcis.events import to_millisecond


@dataclass(frozen=True)
class EventLink:
    event_id: str
    label: str  # what the event says: its type, action and bizStep
    path: str  # under the admin's base path: the event as JSON


# For a history row's time, its events.
Links = Callable[["datetime | None"], "list[EventLink]"]


def _instant(at: datetime) -> datetime:
    return to_millisecond((at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC))


def links_by_instant(session: Session, tenant_id: int, epc: str) -> Links:
    """For a history row's time, the events naming ``epc`` (in any role) at that instant."""
    found: dict[datetime, list[EventLink]] = defaultdict(list)
    for row in repository.events_naming(session, tenant_id, [epc]):
        event = json.loads(row.document)
        when = datetime.fromisoformat(str(event["eventTime"]).replace("Z", "+00:00"))
        step = str(event.get("bizStep", "")).rsplit("-", 1)[-1]
        label = " ".join(str(part) for part in (event["type"], event.get("action"), step) if part)
        event_id = str(event["eventID"])
        found[_instant(when)].append(EventLink(event_id, label, "/pool/events/" + quote(event_id, safe="")))

    def at(instant: datetime | None) -> list[EventLink]:
        return found.get(_instant(instant), []) if instant is not None else []

    return at


def pack_links(session: Session, tenant_id: int, code: str, serial: str) -> Links:
    return links_by_instant(session, tenant_id, identifiers.sgtin(code, serial))


def sscc_links(session: Session, tenant_id: int, sscc: str) -> Links:
    return links_by_instant(session, tenant_id, identifiers.sscc(sscc))
