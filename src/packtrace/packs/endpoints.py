"""Manufacturer V2 API: the packs a line produces. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from packtrace.auth.principal import ApiCaller
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.kit.validation import NoNul
from packtrace.models.enums import DecommissionReason
from packtrace.packs.history import serial_history
from packtrace.packs.schemas import (
    ChildRead,
    CommissionRequest,
    CommissionResult,
    DecommissionRequest,
    DecommissionResult,
    HistoryEntryRead,
    PackHistoryRead,
    ParentRead,
    SummaryRead,
)
from packtrace.packs.service import pack_service

router = APIRouter(tags=["Packs"])


@router.post("/serials/commission", summary="Commission serials")
def commission_serials(body: CommissionRequest, caller: ApiCaller, session: DbSession) -> Envelope[CommissionResult]:
    """Packs produced: each serial becomes an Active pack with the batch, expiry (and manufacturing date).

    - A serial of the pool must be Assigned; with `order_id`, assigned to that order, which must be
      In progress, for the same product, batch and expiry.
    - A serial the pool does not know, if it is a valid GS1 serial (AI 21: 1-20 characters of set 82), is
      external: it joins the pool as Assigned.
    - A serial produced before with the same data is left as it is and listed in `already_active` (a retry
      is safe); with other data, or decommissioned, it is a 409 ConflictError naming it.

    All or nothing: any refused serial refuses the whole request, naming the serials. A request of 100,000
    serials is about 1.5 MB: the server's body limit (`PACKTRACE_MAX_BODY_BYTES`) must allow it."""
    result = pack_service.commission(
        session,
        caller.tenant_id,
        product_code=body.product_code,
        batch=body.batch,
        expiry_date=body.expiry_date,
        manufacturing_date=body.manufacturing_date,
        order_id=body.order_id,
        serials=body.serials,
        actor=caller.actor,
    )
    lot = result.lot
    data = CommissionResult(
        product_code=lot.product.code,
        batch=lot.batch,
        expiry_date=lot.expiry_date,
        manufacturing_date=lot.manufacturing_date,
        order_id=lot.order.order_id if lot.order else None,
        commissioned=result.commissioned,
        joined_pool=result.joined_pool,
        already_active=result.already_active,
    )
    return Envelope(message="Serial numbers commissioned", data=data)


@router.post("/serials/decommission", summary="Decommission serials")
def decommission_serials(
    body: DecommissionRequest, caller: ApiCaller, session: DbSession
) -> Envelope[DecommissionResult]:
    """Packs Active or Commissioned -> Decommissioned with the reason (`comment` required for `Other`);
    a pack in a case or pallet is taken out of it. Serials never commissioned are refused (400, named);
    a pack decommissioned before with the same reason is left as it is (a retry), with another reason it
    is a 409 ConflictError. A decommissioned pack never becomes active again. All or nothing."""
    result = pack_service.decommission(
        session,
        caller.tenant_id,
        product_code=body.product_code,
        serials=body.serials,
        reason=DecommissionReason(body.reason),
        comment=body.comment,
        actor=caller.actor,
    )
    data = DecommissionResult(
        product_code=result.product.code,
        reason=result.reason.value,
        decommissioned=result.decommissioned,
        already_decommissioned=result.already_decommissioned,
        removed_from_containers=result.removed_from_containers,
    )
    return Envelope(message="Serial numbers decommissioned", data=data)


@router.get("/pack/history", summary="Pack history")
def pack_history(
    caller: ApiCaller,
    session: DbSession,
    product_code: Annotated[str, Query(min_length=1, max_length=255), NoNul],
    serial: Annotated[str, Query(min_length=1, max_length=255), NoNul],
) -> Envelope[PackHistoryRead]:
    """One serial: its status in the pool and as a pack, what it is packed in, the packs inside it, and
    both histories. The pool history is derived from what the pool stores (when the serial entered the
    pool, its order's status history, its current status); the pack history is the pack's own record.
    404 for a serial neither in the pool nor produced."""
    found = serial_history(session, caller.tenant_id, product_code, serial)
    parent = found.parent
    summary = SummaryRead(
        product_code=found.product_code,
        serial=found.serial,
        pool_status=found.pool_status,
        pack_status=found.pack_status,
        decommission_reason=found.decommission_reason,
        batch=found.batch,
        expiry_date=found.expiry_date,
        order_id=found.order_id,
        parent=ParentRead(
            type=parent.type,
            sscc=parent.sscc,
            product_code=parent.product_code,
            serial=parent.serial,
        )
        if parent
        else None,
    )
    data = PackHistoryRead(
        summary=summary,
        pool_history=[
            HistoryEntryRead(at=e.at, event=e.event, detail=e.detail, actor=e.actor) for e in found.pool_history
        ],
        pack_history=[
            HistoryEntryRead(at=e.at, event=e.event, detail=e.detail, actor=e.actor) for e in found.pack_history
        ],
        children=[
            ChildRead(product_code=c.product_code, serial=c.serial, pack_status=c.status, child_count=c.child_count)
            for c in found.children
        ],
    )
    return Envelope(message="Pack history", data=data)
