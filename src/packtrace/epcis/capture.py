"""Capture: events sent to PackTrace *do* what they say, through the same services and refusals as the V2
calls. Commissioning ObjectEvents commission packs, packing / unpacking AggregationEvents aggregate /
disaggregate, decommissioning / destroying / sampling ObjectEvents decommission. The captured event is
the fact's event: it is stored as sent (its own eventID kept), and the log's subscriber stays silent
while it is applied, so one fact never gets two events. Duplicates are found by the hash we compute,
never by the sender's eventID: a duplicate is accepted and not applied again.

Each event runs in a SAVEPOINT: with ``proceed`` a refused event is undone alone, with ``rollback`` (the
default) one refusal undoes them all. Nothing here commits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from packtrace.aggregation.service import aggregation_service
from packtrace.epcis import identifiers, repository, xml_in
from packtrace.epcis.hashing import context_namespaces, event_hash
from packtrace.epcis.identifiers import canonical_identifier
from packtrace.epcis.service import CAPTURING, epcis_service
from packtrace.epcis.xml_out import XML_TYPES
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import DomainError
from packtrace.models import EpcisCaptureJob
from packtrace.models.enums import DecommissionReason
from packtrace.packs.service import pack_service

BEHAVIOURS = ("rollback", "proceed")
# Media types of the documents capture reads (``read_document``).
JSON_TYPES = ("application/json", "application/ld+json")
CAPTURE_TYPES = JSON_TYPES + XML_TYPES
# disposition -> reason, for decommissioning ObjectEvents (the inverse of events.DECOMMISSIONING)
_REASONS = {
    "destroyed": DecommissionReason.DESTROYED,
    "damaged": DecommissionReason.DAMAGED,
    "stolen": DecommissionReason.STOLEN,
    "non_sellable_other": DecommissionReason.SAMPLED,
    "inactive": DecommissionReason.OTHER,
}


class Refused(Exception):
    """An event PackTrace cannot apply, with the reason the capture job reports."""


class Unreadable(Exception):
    """A capture body that is no EPCISDocument PackTrace reads: the standard's exception and its status."""

    def __init__(self, status: int, exception: str, title: str) -> None:
        super().__init__(title)
        self.status, self.exception, self.title = status, exception, title


def readable_media(media_type: str) -> str:
    """The media type of a Content-Type capture reads, checked before its body is read."""
    media = media_type.split(";")[0].strip().lower()
    if media not in CAPTURE_TYPES:
        got = media or "(none)"
        raise Unreadable(415, "UnsupportedMediaTypeException", f"Content-Type: {', '.join(CAPTURE_TYPES)}; got {got}")
    return media


def read_document(data: bytes, media_type: str) -> dict[str, Any]:
    """The EPCISDocument of a capture's body of ``media_type`` (parameters such as charset ignored): what
    ``POST /epcis/capture`` and the admin UI's upload both read, so a format added here is read by both."""
    media = readable_media(media_type)
    try:
        doc: Any = xml_in.parse_document(data) if media in XML_TYPES else json.loads(data)
    except xml_in.XmlRefused as error:
        raise Unreadable(400, "ValidationException", str(error)) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise Unreadable(400, "ValidationException", f"not JSON: {error}") from error
    events = doc.get("epcisBody", {}).get("eventList") if isinstance(doc, dict) else None
    if not isinstance(events, list) or doc.get("type") != "EPCISDocument":
        raise Unreadable(400, "ValidationException", "an EPCISDocument with epcisBody.eventList is expected")
    found: dict[str, Any] = doc
    return found


@dataclass
class CaptureOutcome:
    capture_id: str
    behaviour: str
    applied: int = 0
    duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return not self.errors


def _bare(value: str | None, kind: str) -> str | None:
    if value is None:
        return None
    for prefix in (f"https://ref.gs1.org/cbv/{kind}-", f"urn:epcglobal:cbv:{kind.lower()}:"):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def _key(uri: str) -> tuple[str, str]:
    """("sgtin", (gtin, serial)) or ("sscc", sscc) of an EPC; Refused for anything else."""
    canonical = canonical_identifier(uri)
    parts = canonical.removeprefix(identifiers.ID_BASE + "/").split("/")
    if len(parts) == 4 and parts[0] == "01" and parts[2] == "21":
        return parts[1], unquote(parts[3])
    if len(parts) == 2 and parts[0] == "00":
        return "", parts[1]
    raise Refused(f"{uri}: PackTrace records packs (SGTIN) and logistic units (SSCC) only")


def _packs(uris: list[str]) -> dict[str, list[str]]:
    """Serials by GTIN; Refused when an EPC is not a pack."""
    by_gtin: dict[str, list[str]] = {}
    for uri in uris:
        gtin, serial = _key(uri)
        if not gtin:
            raise Refused(f"{uri}: an SSCC, where packs (SGTIN) are expected")
        by_gtin.setdefault(gtin, []).append(serial)
    return by_gtin


def _expiry(value: str) -> str:
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise Refused(f"ilmd cbvmda:itemExpirationDate: {value!r} is not a date (YYYY-MM-DD)") from None
    return day.strftime("%y%m%d")


class CaptureService:
    def capture(self, session: Session, tenant_id: int, doc: Any, behaviour: str, actor: str) -> CaptureOutcome:
        """Apply and store the events of an EPCISDocument; record the job. With ``rollback`` and any
        refusal nothing but the job is kept."""
        outcome = CaptureOutcome(uuid.uuid4().hex, behaviour)
        events = doc.get("epcisBody", {}).get("eventList") if isinstance(doc, dict) else None
        if not isinstance(events, list):
            outcome.errors.append(_problem(None, "the document has no epcisBody.eventList"))
        else:
            namespaces = context_namespaces(doc.get("@context"))
            everything = session.begin_nested()
            for index, event in enumerate(events):
                self._one(session, tenant_id, index, event, namespaces, actor, outcome)
            if outcome.errors and behaviour == "rollback":
                everything.rollback()
                outcome.applied = outcome.duplicates = 0
            else:
                everything.commit()
        now = transaction_time(session)
        session.add(
            EpcisCaptureJob(
                tenant_id=tenant_id,
                capture_id=outcome.capture_id,
                error_behaviour=behaviour,
                success=outcome.success,
                errors=json.dumps(outcome.errors),
                created_at=now,
                finished_at=now,
            )
        )
        session.flush()
        return outcome

    def _one(
        self,
        session: Session,
        tenant_id: int,
        index: int,
        event: Any,
        namespaces: dict[str, str],
        actor: str,
        outcome: CaptureOutcome,
    ) -> None:
        savepoint = session.begin_nested()
        try:
            if not isinstance(event, dict) or "type" not in event or "eventTime" not in event:
                raise Refused("an event needs at least type and eventTime")
            ours = event_hash(event, namespaces)
            if repository.event_pk_by_hash(session, tenant_id, ours) is not None:
                savepoint.commit()
                outcome.duplicates += 1
                return
            with _silenced(session):
                self._apply(session, tenant_id, event, actor)
            # recordTime is ours to set; the sender's eventID is kept as sent, ours given where it sent none.
            stored = {"type": event["type"], "eventID": ours, **{k: v for k, v in event.items() if k != "recordTime"}}
            if not epcis_service.store(session, tenant_id, stored, ours):
                # Stored meanwhile by a concurrent capture of the same event: this one's changes are undone.
                raise Refused("the same event was captured concurrently; it is recorded once")
            savepoint.commit()
            outcome.applied += 1
        except (Refused, DomainError, SQLAlchemyError, ValueError, KeyError, TypeError) as error:
            savepoint.rollback()
            outcome.errors.append(_problem(index, _reason(error)))

    def _apply(self, session: Session, tenant_id: int, event: dict[str, Any], actor: str) -> None:
        kind, action = event["type"], event.get("action")
        step = _bare(event.get("bizStep"), "BizStep")
        if kind == "ObjectEvent" and action == "ADD" and step == "commissioning":
            self._commission(session, tenant_id, event, actor)
        elif kind == "ObjectEvent" and step in ("decommissioning", "destroying", "sampling"):
            disposition = _bare(event.get("disposition"), "Disp") or ""
            reason = _REASONS.get(disposition)
            if reason is None:
                raise Refused(f"disposition {disposition or '(none)'} is none of {', '.join(_REASONS)}")
            for gtin, serials in _packs(event.get("epcList", [])).items():
                comment = "captured EPCIS event" if reason == DecommissionReason.OTHER else None
                pack_service.decommission(
                    session, tenant_id, product_code=gtin, serials=serials, reason=reason, comment=comment, actor=actor
                )
        elif kind == "AggregationEvent" and (action, step) in (("ADD", "packing"), ("DELETE", "unpacking")):
            self._aggregate(session, tenant_id, event, action == "ADD", actor)
        else:
            raise Refused(
                f"PackTrace does not record {kind} {action or ''} {step or ''}".replace("  ", " ").strip()
                + ": it records commissioning, decommissioning (destroying, sampling), packing and unpacking"
            )

    def _commission(self, session: Session, tenant_id: int, event: dict[str, Any], actor: str) -> None:
        ilmd = event.get("ilmd") or {}
        batch, expiry = ilmd.get("cbvmda:lotNumber"), ilmd.get("cbvmda:itemExpirationDate")
        epcs = event.get("epcList", [])
        if epcs and all(_key(uri)[0] == "" for uri in epcs):
            return  # SSCCs commissioned: the event is all there is to record of them
        if not batch or not expiry:
            raise Refused("ilmd: commissioning packs needs cbvmda:lotNumber and cbvmda:itemExpirationDate")
        for gtin, serials in _packs(epcs).items():
            pack_service.commission(
                session,
                tenant_id,
                product_code=gtin,
                batch=str(batch),
                expiry_date=_expiry(str(expiry)),
                manufacturing_date=None,
                order_id=None,
                serials=serials,
                actor=actor,
            )

    def _aggregate(self, session: Session, tenant_id: int, event: dict[str, Any], add: bool, actor: str) -> None:
        parent = event.get("parentID")
        if not parent:
            raise Refused("parentID: required")
        gtin, code = _key(parent)
        children = [_key(uri) for uri in event.get("childEPCs", [])]
        items = [(g, s) for g, s in children if g]
        ssccs = [s for g, s in children if not g]
        if gtin:  # a pack holds packs
            if ssccs:
                raise Refused("childEPCs: a pack holds packs, not SSCCs")
            if add:
                aggregation_service.aggregate_on_pack(session, tenant_id, (gtin, code), items, actor)
            else:
                aggregation_service.disaggregate_from_pack(session, tenant_id, (gtin, code), items, not items, actor)
        elif add:
            aggregation_service.aggregate_on_container(session, tenant_id, code, items, ssccs, actor)
        else:
            everything = not items and not ssccs
            aggregation_service.disaggregate_from_container(session, tenant_id, code, items, ssccs, everything, actor)

    def job(self, session: Session, tenant_id: int, capture_id: str) -> EpcisCaptureJob | None:
        return repository.capture_job(session, tenant_id, capture_id)


@contextmanager
def _silenced(session: Session) -> Iterator[None]:
    """While a captured event is applied, the log does not write an event of its own for the fact."""
    session.info[CAPTURING] = True
    try:
        yield
    finally:
        session.info.pop(CAPTURING, None)


def _reason(error: Exception) -> str:
    if isinstance(error, SQLAlchemyError):
        return "the database refused the event (a concurrent change?): " + type(error).__name__
    if isinstance(error, KeyError):
        return f"missing field {error}"
    return str(error)


def _problem(index: int | None, reason: str) -> dict[str, Any]:
    problem: dict[str, Any] = {"type": "epcisException:ValidationException", "title": reason, "status": 400}
    if index is not None:
        problem["eventIndex"] = index
    return problem


capture_service = CaptureService()
