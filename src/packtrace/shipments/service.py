"""Rules for shipments. Nothing here commits.

A shipment takes what is listed and everything inside it (containers in containers, packs in containers,
packs in packs). All of it must be fit to leave: commissioned (Active or Commissioned), not shipped
already, not of a recalled or withdrawn batch; listed containers must hold something and not sit in a
container that stays behind. For the EU (a product registered for it), every batch's upload must have
been acknowledged by the EU Hub before any of its packs leaves (Delegated Regulation (EU) 2016/161,
Art. 33). One refusal refuses the whole shipment, naming what is at fault."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from packtrace.batches.service import recall_service
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import validate_sscc
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import ConflictError, Detail, DomainError, InvalidStateError, NotFoundError, ValidationError
from packtrace.kit.facts import publish
from packtrace.models import PartnerLocation, Product, Shipment, TradingPartner
from packtrace.models.enums import ContainerEventType, Market, PackEventType, PackStatus, ReportKind, ShipmentStatus
from packtrace.partners import repository as partners
from packtrace.partners.service import location_uri, partner_service
from packtrace.products.service import parse_product_code, product_service
from packtrace.reporting.outbox import batch_stream, is_acknowledged
from packtrace.shipments import repository
from packtrace.shipments.facts import PacksShipped, PartyLocation, ShipmentVoided
from packtrace.shipments.repository import ContainerNode, PackNode

SHIPPABLE = (PackStatus.ACTIVE.value, PackStatus.COMMISSIONED.value)
NAMED = 20  # a refusal names at most this many items per reason
MAX_DEPTH = 20  # nesting levels followed (containers, then packs in packs): far above any real shipment


@dataclass(frozen=True)
class ShipmentRequest:
    shipment_id: str
    ship_to: str
    sold_to: str | None
    po_number: str | None
    despatch_advice: str | None
    ssccs: Sequence[str]
    trade_items: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class ShipmentView:
    shipment: Shipment
    ship_to: PartyLocation
    sold_to: PartyLocation | None
    ssccs: list[str]
    trade_items: list[tuple[str, str]]
    pack_count: int
    container_count: int


class _Refusals:
    def __init__(self) -> None:
        self.found: dict[tuple[type[DomainError], str, str], list[str]] = {}

    def add(self, kind: type[DomainError], field: str, reason: str, item: str) -> None:
        self.found.setdefault((kind, field, reason), []).append(item)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        details = [Detail(field, f"{reason}: {_names(items)}") for (_, field, reason), items in self.found.items()]
        kinds = {kind for kind, _, _ in self.found}
        # Bad input first (400), then what is missing (404), then states (409).
        kind = next(k for k in (ValidationError, NotFoundError, ConflictError, InvalidStateError) if k in kinds)
        raise kind("Shipment refused: " + "; ".join(d.message for d in details), details)


def _names(items: Sequence[str]) -> str:
    more = len(items) - NAMED
    return ", ".join(items[:NAMED]) + (f" and {more:,} more" if more > 0 else "")


def party(partner: TradingPartner, location: PartnerLocation | None) -> PartyLocation:
    return PartyLocation(
        partner_name=partner.name,
        partner_gln=partner.gln,
        sgln=location_uri(location) if location else "",
        location_name=location.name if location else "",
        address=location.address if location else "",
        us_state_license=partner.us_state_license,
    )


class ShipmentService:
    def ship(self, session: Session, tenant_id: int, request: ShipmentRequest, actor: str) -> ShipmentView:
        shipment_id = request.shipment_id.strip()
        if not shipment_id:
            raise ValidationError.on_field("shipment_id", "must not be blank")
        ssccs, items = self._checked_lists(request)
        if repository.by_shipment_id(session, tenant_id, shipment_id) is not None:
            raise ConflictError.on_field("shipment_id", f"shipment {shipment_id} exists already")
        ship_partner, ship_location = partner_service.location(session, tenant_id, "ship_to", request.ship_to)
        sold: tuple[TradingPartner, PartnerLocation | None] | None = None
        if request.sold_to:
            sold = partner_service.party(session, tenant_id, "sold_to", request.sold_to)
        refusals = _Refusals()
        containers, packs = self._contents(session, tenant_id, ssccs, items, refusals)
        refusals.raise_if_any()
        self._judge(session, tenant_id, containers, packs, refusals)
        refusals.raise_if_any()
        self._check_eu_release(session, tenant_id, packs)
        now = transaction_time(session)
        shipment = Shipment(
            tenant_id=tenant_id,
            shipment_id=shipment_id,
            status=ShipmentStatus.SHIPPED.value,
            ship_to_id=ship_location.id,
            sold_to_partner_id=sold[0].id if sold else None,
            sold_to_location_id=sold[1].id if sold and sold[1] else None,
            po_number=(request.po_number or "").strip() or None,
            despatch_advice=(request.despatch_advice or "").strip() or None,
            ssccs=json.dumps(ssccs),
            trade_items=json.dumps([list(item) for item in items]),
            actor=actor,
        )
        session.add(shipment)
        session.flush()
        pack_ids, container_ids = [p.id for p in packs], [c.id for c in containers]
        repository.set_shipment(session, tenant_id, pack_ids, container_ids, shipment.id, now)
        detail = f"shipment {shipment_id} to {location_uri(ship_location)}"
        repository.add_history(session, tenant_id, pack_ids, [], PackEventType.SHIPPED.value, detail, actor, now)
        repository.add_history(
            session, tenant_id, [], container_ids, ContainerEventType.SHIPPED.value, detail, actor, now
        )
        view = ShipmentView(
            shipment,
            party(ship_partner, ship_location),
            party(*sold) if sold else None,
            ssccs,
            items,
            len(packs),
            len(containers),
        )
        publish(
            session,
            PacksShipped(
                tenant_id,
                shipment.id,
                shipment_id,
                view.ship_to,
                view.sold_to,
                shipment.po_number,
                shipment.despatch_advice,
                tuple(ssccs),
                tuple(items),
                now,
            ),
        )
        return view

    def void(self, session: Session, tenant_id: int, shipment_id: str, actor: str) -> ShipmentView:
        """Before delivery: the packs and containers are at the site again (``void_shipping``)."""
        shipment = self._get(session, tenant_id, shipment_id, lock=True)
        if shipment.status != ShipmentStatus.SHIPPED.value:
            raise InvalidStateError.on_field("shipment_id", f"shipment {shipment_id} is {shipment.status} already")
        now = transaction_time(session)
        pack_ids = repository.pack_ids_of(session, tenant_id, shipment.id)
        container_ids = repository.container_ids_of(session, tenant_id, shipment.id)
        repository.set_shipment(session, tenant_id, pack_ids, container_ids, None, now)
        detail = f"shipment {shipment.shipment_id} voided"
        repository.add_history(
            session, tenant_id, pack_ids, [], PackEventType.SHIPMENT_VOIDED.value, detail, actor, now
        )
        repository.add_history(
            session, tenant_id, [], container_ids, ContainerEventType.SHIPMENT_VOIDED.value, detail, actor, now
        )
        shipment.status = ShipmentStatus.VOIDED.value
        shipment.voided_at = now
        session.flush()
        view = self._view(session, shipment, len(pack_ids), len(container_ids))
        fact = ShipmentVoided(
            tenant_id, shipment.id, shipment.shipment_id, tuple(view.ssccs), tuple(view.trade_items), now
        )
        publish(session, fact)
        return view

    def view(self, session: Session, tenant_id: int, shipment_id: str) -> ShipmentView:
        shipment = self._get(session, tenant_id, shipment_id)
        packs = len(repository.pack_ids_of(session, tenant_id, shipment.id))
        containers = len(repository.container_ids_of(session, tenant_id, shipment.id))
        return self._view(session, shipment, packs, containers)

    # -- helpers -----------------------------------------------------------------------------------------

    def _get(self, session: Session, tenant_id: int, shipment_id: str, *, lock: bool = False) -> Shipment:
        shipment = repository.by_shipment_id(session, tenant_id, shipment_id.strip(), lock=lock)
        if shipment is None:
            raise NotFoundError.on_field("shipment_id", f"no shipment {shipment_id}")
        return shipment

    def _view(self, session: Session, shipment: Shipment, packs: int, containers: int) -> ShipmentView:
        tenant_id = shipment.tenant_id
        location = partners.location_by_id(session, tenant_id, shipment.ship_to_id)
        assert location is not None  # a location a shipment names is never deleted
        partner = partners.partner_by_id(session, tenant_id, location.partner_id)
        assert partner is not None
        sold_to = None
        if shipment.sold_to_partner_id is not None:
            sold_partner = partners.partner_by_id(session, tenant_id, shipment.sold_to_partner_id)
            assert sold_partner is not None
            sold_location = None
            if shipment.sold_to_location_id is not None:
                sold_location = partners.location_by_id(session, tenant_id, shipment.sold_to_location_id)
            sold_to = party(sold_partner, sold_location)
        items = [(code, serial) for code, serial in json.loads(shipment.trade_items)]
        return ShipmentView(
            shipment, party(partner, location), sold_to, json.loads(shipment.ssccs), items, packs, containers
        )

    def _checked_lists(self, request: ShipmentRequest) -> tuple[list[str], list[tuple[str, str]]]:
        details: list[Detail] = []
        ssccs = list(dict.fromkeys(request.ssccs))
        for sscc in ssccs:
            try:
                validate_sscc(sscc)
            except GS1Error as error:
                details.append(Detail("ssccs", str(error)))
        items: list[tuple[str, str]] = []
        for code, serial in request.trade_items:
            try:
                items.append((parse_product_code(code, "trade_items"), serial))
            except ValidationError as error:
                details.extend(error.details)
        if len(ssccs) != len(request.ssccs):
            details.append(Detail("ssccs", "an SSCC is listed more than once"))
        if len(set(items)) != len(items):
            details.append(Detail("trade_items", "a trade item is listed more than once"))
        if not ssccs and not items:
            details.append(Detail("ssccs", "nothing to ship: list SSCCs, trade items or both"))
        if details:
            raise ValidationError("Shipment refused: " + "; ".join(d.message for d in details), details)
        return ssccs, items

    def _contents(
        self,
        session: Session,
        tenant_id: int,
        ssccs: list[str],
        items: list[tuple[str, str]],
        refusals: _Refusals,
    ) -> tuple[list[ContainerNode], list[PackNode]]:
        """Every container and pack the shipment takes: the listed ones and everything inside them."""
        listed = {row.sscc: row for row in repository.containers_by_sscc(session, tenant_id, ssccs)}
        for sscc in ssccs:
            row = listed.get(sscc)
            if row is None:
                refusals.add(NotFoundError, "ssccs", "unknown SSCC", sscc)
        containers = list(listed.values())
        frontier = [row.id for row in containers]
        for _ in range(MAX_DEPTH):
            below = [row for row in repository.containers_in(session, tenant_id, frontier) if row.sscc not in listed]
            if not below:
                break
            containers += below
            frontier = [row.id for row in below]
        taken = {row.id for row in containers}
        for row in listed.values():
            if row.parent_id is not None and row.parent_id not in taken:
                refusals.add(ConflictError, "ssccs", "in a container that is not shipped (take it out first)", row.sscc)
        packs = repository.packs_in_containers(session, tenant_id, [row.id for row in containers])
        packs += self._listed_packs(session, tenant_id, items, refusals)
        frontier = [pack.id for pack in packs]
        seen = set(frontier)
        for _ in range(MAX_DEPTH):
            nested = [p for p in repository.packs_in_packs(session, tenant_id, frontier) if p.id not in seen]
            if not nested:
                break
            packs += nested
            seen.update(p.id for p in nested)
            frontier = [p.id for p in nested]
        # A listed pack that is also in a listed container goes once.
        unique = {pack.id: pack for pack in packs}
        return containers, list(unique.values())

    def _listed_packs(
        self, session: Session, tenant_id: int, items: list[tuple[str, str]], refusals: _Refusals
    ) -> list[PackNode]:
        by_code: dict[str, list[str]] = {}
        for code, serial in items:
            by_code.setdefault(code, []).append(serial)
        found: list[PackNode] = []
        for code, serials in by_code.items():
            try:
                product = product_service.registered(session, tenant_id, code)
            except ValidationError:
                refusals.add(ValidationError, "trade_items", "not a product code registered by you", code)
                continue
            packs = {p.serial: p for p in repository.packs_by_serial(session, tenant_id, product.id, serials)}
            for serial in serials:
                pack = packs.get(serial)
                if pack is None:
                    refusals.add(
                        InvalidStateError, "trade_items", "not commissioned (pack status Unknown)", f"{code} {serial}"
                    )
                elif pack.container_id is not None or pack.parent_pack_id is not None:
                    refusals.add(
                        ConflictError,
                        "trade_items",
                        "packed in a container or pack (ship that, or take it out first)",
                        f"{code} {serial}",
                    )
                else:
                    found.append(pack)
        return found

    def _judge(
        self,
        session: Session,
        tenant_id: int,
        containers: list[ContainerNode],
        packs: list[PackNode],
        refusals: _Refusals,
    ) -> None:
        counts: dict[int, int] = {}
        for pack in packs:
            if pack.container_id is not None:
                counts[pack.container_id] = counts.get(pack.container_id, 0) + 1
        for row in containers:
            if row.parent_id is not None:
                counts[row.parent_id] = counts.get(row.parent_id, 0) + 1
        for row in containers:
            if row.shipment_pk is not None:
                refusals.add(ConflictError, "ssccs", "shipped already", row.sscc)
            elif not counts.get(row.id):
                refusals.add(InvalidStateError, "ssccs", "holds nothing (an empty or emptied container)", row.sscc)
        recalled = recall_service.refused_lots(session, tenant_id, [(p.product_id, p.batch) for p in packs])
        for pack in packs:
            item = f"{pack.product_code} {pack.serial}"
            if pack.status not in SHIPPABLE:
                refusals.add(InvalidStateError, "trade_items", f"pack status {pack.status}", item)
            elif pack.shipment_pk is not None:
                refusals.add(ConflictError, "trade_items", "shipped already", item)
            elif (pack.product_id, pack.batch) in recalled:
                refusals.add(InvalidStateError, "trade_items", recalled[(pack.product_id, pack.batch)], item)

    def _check_eu_release(self, session: Session, tenant_id: int, packs: list[PackNode]) -> None:
        """Art. 33: a batch's data is uploaded to the EU Hub before it is released; the Hub's
        acknowledgement of its upload is the proof."""
        lots = sorted({(p.product_id, p.product_code, p.batch) for p in packs})
        eu_products: dict[int, bool] = {}
        waiting: list[str] = []
        for product_id, code, batch in lots:
            if product_id not in eu_products:
                product = session.get(Product, product_id)
                assert product is not None
                eu_products[product_id] = Market.EU.value in product_service.markets_of(session, product)
            if not eu_products[product_id]:
                continue
            if not is_acknowledged(
                session, tenant_id, Market.EU.value, ReportKind.EU_BATCH_UPLOAD, batch_stream(code, batch)
            ):
                waiting.append(f"{code} batch {batch}")
        if waiting:
            message = (
                f"the EU Hub has not acknowledged the batch upload of {_names(waiting)} "
                "(EU Art. 33: data before release)"
            )
            raise InvalidStateError(f"Shipment refused: {message}", [Detail("ssccs", message)])


shipment_service = ShipmentService()
