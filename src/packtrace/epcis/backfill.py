"""``packtrace epcis backfill``: the events of facts recorded before the event log existed, written once,
at their original times. Commissioning (one event per product, lot, expiry, order and instant, as the
call that made them) and decommissioning (per product, reason and instant) are rebuilt from the packs and
their history; aggregation history is not (its children are not kept per change). Idempotent: a pack
that an event of that kind names already is left out, so a second run writes nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from packtrace.epcis import identifiers, repository
from packtrace.epcis.events import DECOMMISSIONING, lot_ilmd, object_event
from packtrace.epcis.service import ROLE_EPC, epcis_service


@dataclass(frozen=True)
class Backfilled:
    commissioning: int
    decommissioning: int


def backfill(session: Session, tenant_id: int) -> Backfilled:
    commissioned = _commissioning(session, tenant_id)
    decommissioned = _decommissioning(session, tenant_id)
    return Backfilled(commissioned, decommissioned)


def _commissioning(session: Session, tenant_id: int) -> int:
    packs = repository.packs_for_backfill(session, tenant_id)
    uris = [identifiers.sgtin(p.code, p.serial) for p in packs]
    done = repository.epcs_with_step(session, tenant_id, uris, "commissioning", ROLE_EPC)
    groups: dict[tuple[str, str, str, int | None, object], list[str]] = defaultdict(list)
    for pack, uri in zip(packs, uris, strict=True):
        if uri not in done:
            groups[(pack.code, pack.batch, pack.expiry_date, pack.order_pk, pack.created_at)].append(uri)
    written = 0
    for (_code, batch, expiry, order_pk, at), epcs in groups.items():
        where = epcis_service.where(session, tenant_id, order_pk)
        event = object_event(at, where, epcs, "ADD", "commissioning", "active", lot_ilmd(batch, expiry, at))  # type: ignore[arg-type]
        written += epcis_service.record(session, tenant_id, event) is not None
    return written


def _decommissioning(session: Session, tenant_id: int) -> int:
    rows = repository.decommissions_for_backfill(session, tenant_id)
    uris = [identifiers.sgtin(r.code, r.serial) for r in rows]
    steps = {step for _, step, _ in DECOMMISSIONING.values()}
    done: set[str] = set()
    for step in steps:
        done |= repository.epcs_with_step(session, tenant_id, uris, step, ROLE_EPC)
    groups: dict[tuple[str, str, object], list[str]] = defaultdict(list)
    for row, uri in zip(rows, uris, strict=True):
        if uri not in done and row.reason in DECOMMISSIONING:
            groups[(row.code, row.reason, row.at)].append(uri)
    written = 0
    where = epcis_service.where(session, tenant_id)
    for (_code, reason, at), epcs in groups.items():
        action, step, disposition = DECOMMISSIONING[reason]
        event = object_event(at, where, epcs, action, step, disposition)  # type: ignore[arg-type]
        written += epcis_service.record(session, tenant_id, event) is not None
    return written
