"""Packs: what the lines produce. Commissioning (a serial becomes an Active pack with its batch and
expiry), decommissioning (with a reason) and commissioning to the market; ``history`` reads a pack's
history, ``csv_import`` commissions from a file with the plan/apply steps below.

Every request is all or nothing: it is checked whole before anything is written, and a refusal names
the serials at fault. Nothing here commits: the request's unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from packtrace.batches.service import recall_service
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import (
    ConflictError,
    Detail,
    DomainError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
)
from packtrace.kit.facts import publish
from packtrace.markets.service import market_service
from packtrace.models import PackagingOrder, Product
from packtrace.models.enums import (
    ContainerEventType,
    DecommissionReason,
    Market,
    OrderStatus,
    PackEventType,
    PackStatus,
    SerialSource,
    SerialStatus,
)
from packtrace.orders.service import order_service
from packtrace.packs import repository
from packtrace.packs.facts import BatchCommissionedToMarket, PacksCommissioned, PacksDecommissioned
from packtrace.packs.repository import KnownSerial, PackState
from packtrace.packs.rules import (
    NAMED,
    batch_problem,
    date_problem,
    dates_details,
    expired_problem,
    names,
    serial_details,
)
from packtrace.products.service import product_service
from packtrace.serials import repository as serials

# The most serials one request may carry (a line's whole order of 100,000 packs).
MAX_SERIALS = 100_000


def _refused(summary: str, details: list[Detail], error: type[DomainError] = ValidationError) -> DomainError:
    return error(f"{summary}: " + "; ".join(f"{d.field}: {d.message}" for d in details[:3]), details)


# -- commissioning ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lot:
    """What the packs of one commissioning share."""

    product: Product
    batch: str
    expiry_date: str
    manufacturing_date: str | None
    order: PackagingOrder | None

    @property
    def order_pk(self) -> int | None:
        return self.order.id if self.order else None

    def describe(self) -> str:
        parts = [f"batch {self.batch}", f"expiry {self.expiry_date}"]
        if self.manufacturing_date:
            parts.append(f"manufactured {self.manufacturing_date}")
        if self.order:
            parts.append(f"order {self.order.order_id}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """Why one serial cannot be commissioned. ``conflict``: it contradicts a pack that exists (409
    ConflictError); otherwise its status in the pool does not allow it (409 InvalidStateError)."""

    reason: str
    conflict: bool


@dataclass
class CommissionPlan:
    lot: Lot
    new: list[str]  # to become Active packs
    external: list[str]  # of ``new``, those not in the pool: they join it
    already_active: list[str]  # produced before with the same data: left as they are
    problems: dict[str, Problem] = field(default_factory=dict)


@dataclass(frozen=True)
class Commissioned:
    lot: Lot
    commissioned: int
    joined_pool: int
    already_active: list[str]


def _lot_details(batch: str, expiry_date: str, manufacturing_date: str | None, today: date) -> list[Detail]:
    details = []
    if problem := batch_problem(batch):
        details.append(Detail("batch", problem))
    if problem := date_problem(expiry_date, "expiry") or expired_problem(expiry_date, today):
        details.append(Detail("expiry_date", problem))
    if manufacturing_date is not None and (problem := date_problem(manufacturing_date, "manufacturing")):
        details.append(Detail("manufacturing_date", problem))
    return details + dates_details(expiry_date, manufacturing_date)


def _judge_pack(known: KnownSerial, lot: Lot) -> Problem | None:
    """None: the pack exists with the lot's data (a retry); else why the serial is refused."""
    if known.pack_status == PackStatus.DECOMMISSIONED.value:
        return Problem(
            f"Decommissioned ({known.decommission_reason}): a decommissioned pack never becomes active again",
            conflict=True,
        )
    differences = []
    if known.batch != lot.batch:
        differences.append(f"batch {known.batch}")
    if known.expiry_date != lot.expiry_date:
        differences.append(f"expiry date {known.expiry_date}")
    if known.manufacturing_date != lot.manufacturing_date:
        differences.append(f"manufacturing date {known.manufacturing_date or '(none)'}")
    if known.pack_order_pk != lot.order_pk:
        differences.append("another packaging order" if known.pack_order_pk else "no packaging order")
    if differences:
        return Problem(f"{known.pack_status} already, with {', '.join(differences)}", conflict=True)
    return None


def _refusal(problems: dict[str, Problem]) -> DomainError:
    by_problem: dict[Problem, list[str]] = {}
    for serial, problem in problems.items():
        by_problem.setdefault(problem, []).append(serial)
    details = [Detail("serials", f"{problem.reason}: {names(found)}") for problem, found in by_problem.items()]
    error = ConflictError if any(problem.conflict for problem in by_problem) else InvalidStateError
    return _refused(f"{len(problems):,} serials refused, nothing was commissioned", details[:NAMED], error)


class PackService:
    def commission(
        self,
        session: Session,
        tenant_id: int,
        *,
        product_code: str,
        batch: str,
        expiry_date: str,
        manufacturing_date: str | None,
        order_id: str | None,
        serials: Sequence[str],
        actor: str,
    ) -> Commissioned:
        """``serials/commission``: Active packs. Managed serials must be Assigned (to the order, when one
        is named); a serial the pool does not know joins it as Assigned and external. A serial produced
        before with the same data is left as it is (a retry); anything else is refused whole."""
        product = product_service.registered(session, tenant_id, product_code)
        today = transaction_time(session).date()
        details = _lot_details(batch, expiry_date, manufacturing_date, today) + serial_details(serials)
        if details:
            raise _refused("Nothing was commissioned", details)
        order = self._order_for(session, tenant_id, order_id, product, batch, expiry_date) if order_id else None
        plan = self.plan(session, Lot(product, batch, expiry_date, manufacturing_date, order), serials)
        if plan.problems:
            raise _refusal(plan.problems)
        return self.apply(session, plan, actor)

    def plan(self, session: Session, lot: Lot, serials: Sequence[str]) -> CommissionPlan:
        """Judge every serial of a checked lot (valid and distinct serials) with one query; write nothing."""
        product = lot.product
        self.refuse_recalled(session, product, lot.batch, "commissioned")
        found = repository.commission_lookup(session, product.tenant_id, product.id, serials, lot.order_pk)
        plan = CommissionPlan(lot, new=[], external=found.unknown, already_active=[])
        for known in found.unusual:
            if known.pack_status is not None:
                problem = _judge_pack(known, lot)
                if problem is None:
                    plan.already_active.append(known.serial)
                else:
                    plan.problems[known.serial] = problem
            elif known.pool_status != SerialStatus.ASSIGNED.value:
                plan.problems[known.serial] = Problem(
                    f"{known.pool_status} in the pool, not Assigned (request or assign them first)", conflict=False
                )
            else:
                assert lot.order is not None  # the only other reason a pool serial is unusual
                plan.problems[known.serial] = Problem(
                    f"not serials of packaging order {lot.order.order_id!r}", conflict=False
                )
        if plan.already_active or plan.problems:
            skipped = set(plan.already_active) | plan.problems.keys()
            plan.new = [s for s in serials if s not in skipped]
        else:
            plan.new = list(serials)
        return plan

    def apply(self, session: Session, plan: CommissionPlan, actor: str) -> Commissioned:
        """Write a plan: external serials into the pool, then the packs with their events. Problems of
        the plan are skipped (the CSV import reports them per row)."""
        lot, product, now = plan.lot, plan.lot.product, transaction_time(session)
        if plan.external:
            # External serials are NOT counted in products.serial_count: that count guards the EU guessing
            # rule for the serials WE make, from the product's own format (length and alphabet). External
            # serials come from another generator (a contract manufacturer, a partner), whose randomness
            # its maker answers for, and need not fit our format at all, so counting them against our
            # format's space would be meaningless (and would lock the product's row on every commission).
            joined = serials.insert_new(
                session,
                tenant_id=product.tenant_id,
                product_id=product.id,
                serials=sorted(plan.external),  # in the unique index's order, as for the packs
                source=SerialSource.EXTERNAL.value,
                order_pk=None,
                created_at=now,
                into_pool=False,
            )
            if joined != len(plan.external):
                raise ConflictError("Some external serials joined the pool through a concurrent request; retry", [])
        commissioned = repository.insert_packs(
            session,
            tenant_id=product.tenant_id,
            product_id=product.id,
            serials=plan.new,
            batch=lot.batch,
            expiry_date=lot.expiry_date,
            manufacturing_date=lot.manufacturing_date,
            order_pk=lot.order_pk,
            event_detail=lot.describe(),
            actor=actor,
            at=now,
        )
        if plan.new:
            fact = PacksCommissioned(
                product.tenant_id, product.code, tuple(plan.new), lot.batch, lot.expiry_date, lot.order_pk, now
            )
            publish(session, fact)
        return Commissioned(lot, commissioned, len(plan.external), plan.already_active)

    def _order_for(
        self, session: Session, tenant_id: int, order_id: str, product: Product, batch: str, expiry_date: str
    ) -> PackagingOrder:
        order = order_service.get(session, tenant_id, order_id)
        if order.product_id != product.id:
            raise ValidationError.on_field(
                "order_id", f"packaging order {order_id!r} is for product {order.product_code}, not {product.code}"
            )
        if order.status != OrderStatus.IN_PROGRESS.value:
            message = (
                f"Packaging order {order_id!r} is {order.status}: its packs can be commissioned only while it is "
                f"{OrderStatus.IN_PROGRESS.value}"
            )
            raise InvalidStateError(message, [Detail("order_id", message)])
        details = []
        if order.batch is not None and order.batch != batch:
            details.append(Detail("batch", f"packaging order {order_id!r} is for batch {order.batch}"))
        if order.expiry_date is not None and order.expiry_date != expiry_date:
            details.append(Detail("expiry_date", f"packaging order {order_id!r} has expiry date {order.expiry_date}"))
        if details:
            raise _refused("The packs do not match their packaging order", details, ConflictError)
        return order

    # -- decommissioning ----------------------------------------------------------------------------------

    def decommission(
        self,
        session: Session,
        tenant_id: int,
        *,
        product_code: str,
        serials: Sequence[str],
        reason: DecommissionReason,
        comment: str | None,
        actor: str,
    ) -> Decommissioned:
        """``serials/decommission``: Active or Commissioned packs -> Decommissioned with the reason, taken
        out of their container or parent pack. A pack decommissioned already with the same reason is left
        as it is (a retry); with another reason, or a serial never produced, the request is refused whole."""
        product = product_service.registered(session, tenant_id, product_code)
        comment = comment.strip() if comment else None
        details = serial_details(serials)
        if reason == DecommissionReason.OTHER and not comment:
            details.append(Detail("comment", "required when the reason is Other: say what happened"))
        if details:
            raise _refused("Nothing was decommissioned", details)
        packs = repository.packs_for_update(session, tenant_id, product.id, serials)
        if len(packs) < len(serials):
            produced = {p.serial for p in packs}
            never_produced = [s for s in serials if s not in produced]
            raise _refused(
                "Nothing was decommissioned",
                [Detail("serials", f"not produced (never commissioned): {names(never_produced)}")],
            )
        shipped = [p.serial for p in packs if p.shipment_pk is not None]
        if shipped:
            message = f"shipped (void the shipment first): {names(shipped)}"
            raise _refused("Nothing was decommissioned", [Detail("serials", message)], InvalidStateError)
        done = [p for p in packs if p.status == PackStatus.DECOMMISSIONED.value]
        other_reason: dict[str | None, list[str]] = {}
        for pack in done:
            if pack.decommission_reason != reason.value:
                other_reason.setdefault(pack.decommission_reason, []).append(pack.serial)
        if other_reason:
            details = [
                Detail("serials", f"Decommissioned already as {earlier}, not {reason.value}: {names(found)}")
                for earlier, found in other_reason.items()
            ]
            raise _refused("Nothing was decommissioned", details, ConflictError)
        changing = [p for p in packs if p.status != PackStatus.DECOMMISSIONED.value]
        ids = [p.pack_id for p in changing]
        now = transaction_time(session)
        repository.decommission(session, tenant_id, ids, reason.value, comment, now)
        detail = f"{reason.value}: {comment}" if comment else reason.value
        repository.add_events(session, tenant_id, ids, PackEventType.DECOMMISSIONED.value, detail, actor, now)
        removed = self._record_detachment(session, product, changing, f"decommissioned ({reason.value})", actor, now)
        if changing:
            serials_done = tuple(p.serial for p in changing)
            publish(session, PacksDecommissioned(tenant_id, product.code, serials_done, reason.value, now))
        return Decommissioned(product, reason, len(ids), [p.serial for p in done], removed)

    def _record_detachment(
        self, session: Session, product: Product, packs: Sequence[PackState], why: str, actor: str, at: datetime
    ) -> int:
        """History of packs taken out of their container or parent pack (the UPDATE did the taking): a
        "Disaggregated" entry per pack and a "Children removed" entry per container. Returns how many
        packs left a container."""
        tenant_id = product.tenant_id
        in_containers = [p for p in packs if p.container_id is not None]
        in_packs = [p for p in packs if p.parent_pack_id is not None]
        if not in_containers and not in_packs:
            return 0
        ssccs = repository.ssccs(session, tenant_id, [p.container_id for p in in_containers if p.container_id])
        parents = repository.serials_of_packs(
            session, tenant_id, [p.parent_pack_id for p in in_packs if p.parent_pack_id]
        )
        event = PackEventType.DISAGGREGATED.value
        rows = [
            _event_row(
                tenant_id, p.pack_id, event, f"removed from {ssccs.get(p.container_id or 0, '?')}: {why}", actor, at
            )
            for p in in_containers
        ]
        for p in in_packs:
            code, serial = parents.get(p.parent_pack_id or 0, ("?", "?"))
            rows.append(_event_row(tenant_id, p.pack_id, event, f"removed from pack {code} {serial}: {why}", actor, at))
        repository.add_event_rows(session, rows)
        by_container: dict[int, list[str]] = {}
        for p in in_containers:
            by_container.setdefault(p.container_id or 0, []).append(p.serial)
        repository.add_container_events(
            session,
            [
                {
                    "tenant_id": tenant_id,
                    "container_id": container_id,
                    "event": ContainerEventType.CHILDREN_REMOVED.value,
                    "detail": f"{len(found)} packs of {product.code} {why}: {', '.join(found)}",
                    "actor": actor,
                    "at": at,
                }
                for container_id, found in by_container.items()
            ],
        )
        return len(in_containers)

    # -- commissioning to the market ------------------------------------------------------------------------

    def market_commission(
        self, session: Session, tenant_id: int, product_code: str, batch: str, market: str | None, actor: str
    ) -> MarketCommissioned:
        """Every Active pack of the product's batch -> Commissioned. Packs of the batch that are
        Commissioned or Decommissioned already are left as they are, so a retry commissions 0."""
        product = product_service.get(session, tenant_id, product_code)
        if market is not None:
            self._check_market(session, product, market)
        if not repository.batch_has_packs(session, tenant_id, product.id, batch):
            raise NotFoundError.on_field("batch", f"no packs of {product.code} in batch {batch!r}")
        self.refuse_recalled(session, product, batch, "commissioned to the market")
        now = transaction_time(session)
        ids = repository.commission_batch(session, tenant_id, product.id, batch, now)
        detail = f"batch {batch}" + (f", market {market}" if market else "")
        repository.add_events(session, tenant_id, ids, PackEventType.MARKET_COMMISSIONED.value, detail, actor, now)
        publish(session, BatchCommissionedToMarket(tenant_id, product.code, batch, market, len(ids), now))
        return MarketCommissioned(product, batch, market, len(ids))

    def refuse_recalled(self, session: Session, product: Product, batch: str, what: str) -> None:
        """A recalled or withdrawn batch's packs are never used again (409 naming the batch)."""
        refused = recall_service.refused_lots(session, product.tenant_id, [(product.id, batch)])
        if refused:
            message = f"{product.code}: {next(iter(refused.values()))}; its packs cannot be {what}"
            raise InvalidStateError(message, [Detail("batch", message)])

    def _check_market(self, session: Session, product: Product, market: str) -> None:
        if market not in product_service.markets_of(session, product):
            raise ValidationError.on_field("market", f"product {product.code} is not registered for {market}")
        if not market_service.has(session, product.tenant_id, Market(market)):
            raise ValidationError.on_field("market", f"you have no market profile for {market}")


def _event_row(tenant_id: int, pack_id: int, event: str, detail: str, actor: str, at: datetime) -> dict[str, object]:
    return {"tenant_id": tenant_id, "pack_id": pack_id, "event": event, "detail": detail, "actor": actor, "at": at}


@dataclass(frozen=True)
class Decommissioned:
    product: Product
    reason: DecommissionReason
    decommissioned: int
    already_decommissioned: list[str]
    removed_from_containers: int


@dataclass(frozen=True)
class MarketCommissioned:
    product: Product
    batch: str
    market: str | None
    commissioned: int


pack_service = PackService()
