"""``packtrace epcis backfill``: the events of facts recorded before the event log existed, written once,
at their original times. Rebuilt from the packs, the SSCCs and their histories:

- commissioning: one event per product, lot, expiry, order and instant, as the call that made them;
- aggregation: the history names, for every pack or SSCC moved, the parent it went into or came out of
  ("into container …", "from pack …") at the change's instant, so one change is one packing or unpacking
  AggregationEvent of its children, as the live log writes it; an SSCC's first packing is preceded by its
  commissioning ObjectEvent;
- decommissioning: per product, reason and instant.

The events are written in time order (at one instant: commissioning, packing, unpacking,
decommissioning), so the log reads as the facts happened. Idempotent: a pack or SSCC that an event of
that kind names already is left out, as is a change whose parent has an event of that step at that
instant; a second run writes nothing. Nothing here commits."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.epcis import identifiers, repository
from packtrace.epcis.events import DECOMMISSIONING, aggregation_event, lot_ilmd, object_event, to_millisecond
from packtrace.epcis.service import ROLE_EPC, ROLE_PARENT, epcis_service
from packtrace.models import Container, ContainerEvent, EpcisEvent, EpcisEventEpc, Pack, PackEvent, Product
from packtrace.models.enums import ContainerEventType, PackEventType

# The details aggregation writes in the children's histories (aggregation/service.py).
_MOVED = re.compile(r"^(into|from) (container|pack) (.+)$")
_PACK_LABEL = re.compile(r"^\(01\)(\d+)\(21\)(.+)$", re.S)
_MOVES = (
    PackEventType.AGGREGATED.value,
    PackEventType.DISAGGREGATED.value,
    ContainerEventType.AGGREGATED.value,
    ContainerEventType.DISAGGREGATED.value,
)
# Order of the events of one instant.
_COMMISSIONING, _PACKING, _UNPACKING, _DECOMMISSIONING = range(4)


@dataclass(frozen=True)
class Backfilled:
    commissioning: int
    decommissioning: int
    aggregation: int = 0


@dataclass(frozen=True)
class _Pending:
    at: datetime
    rank: int
    event: dict[str, Any]


def backfill(session: Session, tenant_id: int) -> Backfilled:
    pending = _commissioning(session, tenant_id) + _aggregation(session, tenant_id)
    pending += _decommissioning(session, tenant_id)
    written: dict[int, int] = defaultdict(int)
    for item in sorted(pending, key=lambda p: (p.at, p.rank)):
        if epcis_service.record(session, tenant_id, item.event) is not None:
            written[item.rank] += 1
    aggregation = written[_PACKING] + written[_UNPACKING]
    return Backfilled(written[_COMMISSIONING], written[_DECOMMISSIONING], aggregation)


def _utc(at: datetime) -> datetime:
    return to_millisecond((at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC))


def _commissioning(session: Session, tenant_id: int) -> list[_Pending]:
    packs = repository.packs_for_backfill(session, tenant_id)
    uris = [identifiers.sgtin(p.code, p.serial) for p in packs]
    done = repository.epcs_with_step(session, tenant_id, uris, "commissioning", ROLE_EPC)
    groups: dict[tuple[str, str, str, int | None, datetime], list[str]] = defaultdict(list)
    for pack, uri in zip(packs, uris, strict=True):
        if uri not in done:
            groups[(pack.code, pack.batch, pack.expiry_date, pack.order_pk, pack.created_at)].append(uri)
    pending = []
    for (_code, batch, expiry, order_pk, at), epcs in groups.items():
        where = epcis_service.where(session, tenant_id, order_pk)
        event = object_event(at, where, epcs, "ADD", "commissioning", "active", lot_ilmd(batch, expiry, at))
        pending.append(_Pending(_utc(at), _COMMISSIONING, event))
    return pending


def _decommissioning(session: Session, tenant_id: int) -> list[_Pending]:
    rows = repository.decommissions_for_backfill(session, tenant_id)
    uris = [identifiers.sgtin(r.code, r.serial) for r in rows]
    steps = {step for _, step, _ in DECOMMISSIONING.values()}
    done: set[str] = set()
    for step in steps:
        done |= repository.epcs_with_step(session, tenant_id, uris, step, ROLE_EPC)
    groups: dict[tuple[str, str, datetime], list[str]] = defaultdict(list)
    for row, uri in zip(rows, uris, strict=True):
        if uri not in done and row.reason in DECOMMISSIONING:
            groups[(row.code, row.reason, row.at)].append(uri)
    where = epcis_service.where(session, tenant_id)
    pending = []
    for (_code, reason, at), epcs in groups.items():
        action, step, disposition = DECOMMISSIONING[reason]
        event = object_event(at, where, epcs, action, step, disposition)
        pending.append(_Pending(_utc(at), _DECOMMISSIONING, event))
    return pending


def _parent(detail: str | None) -> tuple[bool, str] | None:
    """(packed, parent URI) of a move's history detail; None for a detail of another kind."""
    found = _MOVED.match(detail or "")
    if found is None:
        return None
    packed, kind, name = found.group(1) == "into", found.group(2), found.group(3)
    if kind == "container":
        return packed, identifiers.sscc(name)
    pack = _PACK_LABEL.match(name)
    return (packed, identifiers.sgtin(pack.group(1), pack.group(2))) if pack else None


def _moves(session: Session, tenant_id: int) -> list[tuple[str | None, datetime, str]]:
    """(detail, instant, child URI) of every pack and SSCC moved into or out of a parent, in order."""
    packs = session.execute(
        select(PackEvent.detail, PackEvent.at, Product.code, Pack.serial, PackEvent.id)
        .join(Pack, (Pack.tenant_id == PackEvent.tenant_id) & (Pack.id == PackEvent.pack_id))
        .join(Product, Product.id == Pack.product_id)
        .where(PackEvent.tenant_id == tenant_id, PackEvent.event.in_(_MOVES))
    )
    containers = session.execute(
        select(ContainerEvent.detail, ContainerEvent.at, Container.sscc, ContainerEvent.id)
        .join(Container, Container.id == ContainerEvent.container_id)
        .where(ContainerEvent.tenant_id == tenant_id, ContainerEvent.event.in_(_MOVES))
    )
    moves = [(r.detail, r.at, identifiers.sgtin(r.code, r.serial), 0, r.id) for r in packs]
    moves += [(r.detail, r.at, identifiers.sscc(r.sscc), 1, r.id) for r in containers]
    moves.sort(key=lambda m: (_utc(m[1]), m[3], m[4]))  # packs before SSCCs, as the live log lists them
    return [(detail, at, uri) for detail, at, uri, _, _ in moves]


def _recorded_moves(session: Session, tenant_id: int) -> set[tuple[str, str, datetime]]:
    """(parent, bizStep, instant) of every packing and unpacking event the log holds."""
    rows = session.execute(
        select(EpcisEventEpc.epc, EpcisEvent.biz_step, EpcisEvent.event_time)
        .join(EpcisEvent, EpcisEvent.id == EpcisEventEpc.event_pk)
        .where(
            EpcisEventEpc.tenant_id == tenant_id,
            EpcisEventEpc.role == ROLE_PARENT,
            EpcisEvent.biz_step.in_(("packing", "unpacking")),
        )
    )
    return {(row.epc, str(row.biz_step), _utc(row.event_time)) for row in rows}


def _aggregation(session: Session, tenant_id: int) -> list[_Pending]:
    groups: dict[tuple[str, str, datetime], tuple[datetime, list[str]]] = {}
    for detail, at, child in _moves(session, tenant_id):
        moved = _parent(detail)
        if moved is not None:
            step = "packing" if moved[0] else "unpacking"
            groups.setdefault((moved[1], step, _utc(at)), (at, []))[1].append(child)
    recorded = _recorded_moves(session, tenant_id)
    where = epcis_service.where(session, tenant_id)
    pending: list[_Pending] = []
    first_packing: dict[str, datetime] = {}
    for (parent, step, instant), (at, children) in groups.items():
        if (parent, step, instant) in recorded:
            continue
        packed = step == "packing"
        if packed and parent.startswith(identifiers.ID_BASE + "/00/"):
            first_packing[parent] = min(first_packing.get(parent, at), at)
        action, rank = ("ADD", _PACKING) if packed else ("DELETE", _UNPACKING)
        event = aggregation_event(at, where, parent, children, action, step, "in_progress")
        pending.append(_Pending(instant, rank, event))
    ssccs = sorted(first_packing)
    commissioned = repository.epcs_with_step(session, tenant_id, ssccs, "commissioning", ROLE_EPC)
    for sscc in ssccs:
        if sscc not in commissioned:
            at = first_packing[sscc]
            event = object_event(at, where, [sscc], "ADD", "commissioning", "active")
            pending.append(_Pending(_utc(at), _COMMISSIONING, event))
    return pending
