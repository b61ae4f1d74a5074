"""Manufacturer V2 API: SSCCs from the pool, aggregation (packs into cases, cases onto pallets, packs into
packs) and an SSCC's history. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from packtrace.aggregation.schemas import (
    ContainerAggregate,
    ContainerAggregation,
    ContainerDisaggregate,
    ContainerDisaggregation,
    ContainerEventRead,
    ReleasedSsccs,
    SsccCheck,
    SsccHistoryRead,
    SsccList,
    SsccsRelease,
    SsccsRequest,
    SsccSummary,
    TradeItem,
    TradeItemAggregate,
    TradeItemAggregation,
    TradeItemDisaggregate,
    TradeItemDisaggregation,
    TreeContainer,
    TreeTradeItem,
)
from packtrace.aggregation.service import ItemKey, TreeNode, aggregation_service, sscc_pool
from packtrace.auth.principal import ApiCaller
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope

router = APIRouter()
SSCCS = "SSCCs"
AGGREGATION = "Aggregation"


def _keys(items: list[TradeItem] | None) -> list[ItemKey]:
    return [(item.product_code, item.serial) for item in items or []]


@router.post("/ssccs/request", summary="Request SSCCs", tags=[SSCCS])
def request_ssccs(body: SsccsRequest, caller: ApiCaller, session: DbSession) -> Envelope[SsccList]:
    """`quantity` SSCCs of the GS1 company prefix and extension digit: Available -> Assigned, oldest
    first. When the pool holds fewer, the rest are generated on the spot (sequential serial references
    after the highest in use; `generated` says how many), so a request fails only when the prefix has no
    serial references left (409 InsufficientSerialsError). All or nothing."""
    ssccs, generated = sscc_pool.request(
        session, caller.tenant_id, body.gs1_company_prefix, body.extension_digit, body.quantity, caller.actor
    )
    data = SsccList(
        gs1_company_prefix=body.gs1_company_prefix,
        extension_digit=body.extension_digit,
        ssccs=ssccs,
        generated=generated,
    )
    return Envelope(message="SSCCs assigned", data=data)


@router.post("/ssccs/release", summary="Release SSCCs", tags=[SSCCS])
def release_ssccs(body: SsccsRelease, caller: ApiCaller, session: DbSession) -> Envelope[ReleasedSsccs]:
    """Assigned -> Available. Refused whole (400 ValidationError naming the SSCCs) for unknown ones, ones
    Available already, external ones (never handed out by the pool), and ones that hold children or sit in
    a container: disaggregate them first."""
    released = sscc_pool.release(session, caller.tenant_id, body.ssccs, caller.actor)
    return Envelope(message="SSCCs released", data=ReleasedSsccs(released=released))


@router.post("/aggregate/container", summary="Aggregate trade items or containers on a container", tags=[AGGREGATION])
def aggregate_container(
    body: ContainerAggregate, caller: ApiCaller, session: DbSession
) -> Envelope[ContainerAggregation]:
    """Packs (`trade_items`) and containers (`containers`, SSCCs) into the container `sscc`; all or nothing.

    - Packs must be Active or Commissioned; containers must be Assigned and hold something.
    - A child has one parent: one in another container (or, for a pack, inside a pack) is a 409
      ConflictError naming it; one in this container already is left as it is (`unchanged`).
    - No loops: a container into itself is a 400, into a container it holds a 409; containers nest at most
      10 levels.
    - An SSCC unknown to the pool joins it (source external, Assigned); an Available one becomes Assigned.
    - Refusals name every item at fault; the error type is the first of ValidationError (unknown product
      code), NotFoundError (unknown child SSCC), InvalidStateError (pack or SSCC status), ConflictError."""
    change = aggregation_service.aggregate_on_container(
        session, caller.tenant_id, body.sscc, _keys(body.trade_items), body.containers or [], caller.actor
    )
    data = ContainerAggregation(
        sscc=change.sscc,
        status=change.status,
        trade_items_added=change.trade_items,
        containers_added=change.containers,
        unchanged=change.unchanged,
        child_count=change.child_count,
    )
    return Envelope(message="Aggregated on container", data=data)


@router.delete("/aggregate/container", summary="Disaggregate from container", tags=[AGGREGATION])
def disaggregate_container(
    body: ContainerDisaggregate, caller: ApiCaller, session: DbSession
) -> Envelope[ContainerDisaggregation]:
    """The listed children out of the container `sscc`, or every one with `"all": true`. A child that is
    not in it is a 409 ConflictError naming it, and nothing is removed. The container stays Assigned."""
    change = aggregation_service.disaggregate_from_container(
        session,
        caller.tenant_id,
        body.sscc,
        _keys(body.trade_items),
        body.containers or [],
        bool(body.all),
        caller.actor,
    )
    data = ContainerDisaggregation(
        sscc=change.sscc,
        status=change.status,
        trade_items_removed=change.trade_items,
        containers_removed=change.containers,
        child_count=change.child_count,
    )
    return Envelope(message="Disaggregated from container", data=data)


@router.post("/aggregate/trade_item", summary="Aggregate trade items on a trade item", tags=[AGGREGATION])
def aggregate_trade_item(
    body: TradeItemAggregate, caller: ApiCaller, session: DbSession
) -> Envelope[TradeItemAggregation]:
    """Packs into the pack `product_code` + `serial` (pack-in-pack); both Active or Commissioned. A pack
    is in one place at a time, a container or a pack: packs inside a pack travel with it (they count in
    the `pack_count` of the container holding it), and to put one into a case it is first taken out of
    its pack. No loops (409)."""
    change = aggregation_service.aggregate_on_pack(
        session, caller.tenant_id, (body.product_code, body.serial), _keys(body.trade_items), caller.actor
    )
    data = TradeItemAggregation(
        product_code=change.product_code,
        serial=change.serial,
        pack_status=change.pack_status,
        trade_items_added=change.trade_items,
        unchanged=change.unchanged,
        child_count=change.child_count,
    )
    return Envelope(message="Aggregated on trade item", data=data)


@router.delete("/aggregate/trade_item", summary="Disaggregate from trade item", tags=[AGGREGATION])
def disaggregate_trade_item(
    body: TradeItemDisaggregate, caller: ApiCaller, session: DbSession
) -> Envelope[TradeItemDisaggregation]:
    """The listed packs out of the pack, or every one with `"all": true`; one not in it is a 409."""
    change = aggregation_service.disaggregate_from_pack(
        session,
        caller.tenant_id,
        (body.product_code, body.serial),
        _keys(body.trade_items),
        bool(body.all),
        caller.actor,
    )
    data = TradeItemDisaggregation(
        product_code=change.product_code,
        serial=change.serial,
        pack_status=change.pack_status,
        trade_items_removed=change.trade_items,
        child_count=change.child_count,
    )
    return Envelope(message="Disaggregated from trade item", data=data)


def _tree(node: TreeNode) -> TreeContainer:
    return TreeContainer(
        sscc=node.sscc,
        status=node.status,
        child_count=node.child_count,
        pack_count=node.pack_count,
        children=[_tree(child) for child in node.children],
        trade_items=[
            TreeTradeItem(
                product_code=i.product_code, serial=i.serial, pack_status=i.pack_status, child_count=i.child_count
            )
            for i in node.trade_items
        ],
    )


@router.get("/sscc/history", summary="SSCC history and contents", tags=[AGGREGATION])
def sscc_history(
    caller: ApiCaller,
    session: DbSession,
    sscc: Annotated[str, Query(min_length=18, max_length=18, description="the 18-digit SSCC"), SsccCheck],
) -> Envelope[SsccHistoryRead]:
    """The SSCC's status, its events (oldest first) and the full tree of what it holds: containers with
    their own contents and counts, and the packs directly in each (`child_count`: packs inside that
    pack). `pack_count` counts every pack below, nested ones included. 404 for an SSCC the tenant does
    not have."""
    found = aggregation_service.history(session, caller.tenant_id, sscc)
    container = found.container
    summary = SsccSummary(
        sscc=container.sscc,
        status=container.status,
        source=container.source,
        parent=found.parent,
        child_count=found.tree.child_count,
        pack_count=found.tree.pack_count,
    )
    history = [ContainerEventRead(event=e.event, detail=e.detail, actor=e.actor, at=e.at) for e in found.events]
    data = SsccHistoryRead(summary=summary, history=history, tree=_tree(found.tree))
    return Envelope(message="SSCC history", data=data)
