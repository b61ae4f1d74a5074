"""A serial's history (``GET pack/history``): what the pool and the pack records hold about one serial.

The pack's history is its own append-only record (``pack_events``). The pool keeps no history table, so
the pool history is DERIVED from what is stored, and claims no more than that:

- when the serial entered the pool (its ``created_at``): "Generated" for a serial we made, "Joined
  (external)" for an external one that entered by being commissioned;
- every packaging order it belonged to (``past_order_serials``: it left a cancelled or shrunk order) and
  the one it is assigned to now, each with that order's whole status history (entries from before the
  serial was drawn for the order included: when it was drawn is not stored);
- every label order that printed it ("Printed", ``printed_serials``);
- its status now (an entry without a time).

What is not stored cannot be shown: when a serial was handed out by ``serials/request``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from packtrace.kit.errors import NotFoundError
from packtrace.labels import repository as labels
from packtrace.models import Pack, PackagingOrder
from packtrace.models.enums import PackStatus, SerialSource
from packtrace.orders import repository as orders
from packtrace.packs import repository
from packtrace.packs.repository import ChildPack
from packtrace.products.service import product_service
from packtrace.serials import repository as serials
from packtrace.serials.repository import SerialState

UNKNOWN = "Unknown"


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime | None  # None: the current status, which has no stored time
    event: str
    detail: str | None
    actor: str | None


@dataclass(frozen=True)
class Parent:
    """What a pack is packed in: a container (SSCC) or another pack."""

    type: Literal["container", "pack"]
    sscc: str | None = None
    product_code: str | None = None
    serial: str | None = None


@dataclass(frozen=True)
class SerialHistory:
    product_code: str
    serial: str
    pool_status: str  # Available / Assigned, or Unknown: not in the pool
    pack_status: str  # Unknown (no pack), Active, Commissioned, Decommissioned
    decommission_reason: str | None
    batch: str | None
    expiry_date: str | None
    order_id: str | None
    parent: Parent | None
    pool_history: list[HistoryEntry]
    pack_history: list[HistoryEntry]
    children: list[ChildPack]


def serial_history(session: Session, tenant_id: int, product_code: str, serial: str) -> SerialHistory:
    product = product_service.registered(session, tenant_id, product_code)
    pool = next(iter(serials.find(session, tenant_id, product.id, [serial])), None)
    pack = repository.pack(session, tenant_id, product.id, serial)
    if pool is None and pack is None:
        raise NotFoundError.on_field("serial", f"no serial {serial!r} of product {product.code}")
    pool_order = _order(session, tenant_id, pool.order_pk if pool else None)
    pack_order = _order(session, tenant_id, pack.order_pk if pack else None)
    order = pack_order or pool_order
    return SerialHistory(
        product_code=product.code,
        serial=serial,
        pool_status=pool.status if pool else UNKNOWN,
        pack_status=pack.status if pack else PackStatus.UNKNOWN.value,
        decommission_reason=pack.decommission_reason if pack else None,
        batch=pack.batch if pack else None,
        expiry_date=pack.expiry_date if pack else None,
        order_id=order.order_id if order else None,
        parent=_parent(session, tenant_id, pack) if pack else None,
        pool_history=_pool_history(session, pool, pool_order, _past_orders(session, pool)) if pool else [],
        pack_history=[
            HistoryEntry(e.at, e.event, e.detail, e.actor) for e in repository.pack_history(session, tenant_id, pack.id)
        ]
        if pack
        else [],
        children=repository.children(session, tenant_id, pack.id) if pack else [],
    )


def _order(session: Session, tenant_id: int, order_pk: int | None) -> PackagingOrder | None:
    return repository.order(session, tenant_id, order_pk) if order_pk is not None else None


def _parent(session: Session, tenant_id: int, pack: Pack) -> Parent | None:
    if pack.container_id is not None:
        return Parent("container", sscc=repository.container_sscc(session, tenant_id, pack.container_id))
    if pack.parent_pack_id is not None:
        code, serial = repository.serials_of_packs(session, tenant_id, [pack.parent_pack_id]).get(
            pack.parent_pack_id, (None, None)
        )
        return Parent("pack", product_code=code, serial=serial)
    return None


def _past_orders(session: Session, pool: SerialState) -> list[PackagingOrder]:
    past = serials.past_orders(session, pool.tenant_id, pool.id)
    return [order for pk in past if pk != pool.order_pk and (order := _order(session, pool.tenant_id, pk))]


def _order_entries(session: Session, tenant_id: int, order: PackagingOrder) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            e.at,
            f"Order {e.status}",
            f"packaging order {order.order_id}" + (f": {e.comment}" if e.comment else ""),
            e.actor,
        )
        for e in orders.history(session, tenant_id, order.id)
    ]


def _pool_history(
    session: Session, pool: SerialState, order: PackagingOrder | None, past: list[PackagingOrder]
) -> list[HistoryEntry]:
    external = pool.source == SerialSource.EXTERNAL.value
    entries = [
        HistoryEntry(
            pool.created_at,
            "Joined (external)" if external else "Generated",
            "entered the pool by being commissioned" if external else None,
            None,
        )
    ]
    for each in [*past, *([order] if order else [])]:
        entries += _order_entries(session, pool.tenant_id, each)
    entries += [
        HistoryEntry(
            printing.created_at, "Printed", f"label order {printing.public_id}: {printing.source}", printing.created_by
        )
        for printing in labels.printed_by(session, pool.tenant_id, pool.id)
    ]
    # In time order; entries of one instant keep the order above (made, drawn, printed).
    timed = sorted(entries, key=lambda entry: entry.at or pool.created_at)
    where = f", packaging order {order.order_id}" if order else ""
    timed.append(HistoryEntry(None, "Current status", f"{pool.status} ({pool.source}){where}", None))
    return timed
