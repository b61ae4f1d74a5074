"""Rules for SSCCs and aggregation. Nothing here commits; a refused request raises before the unit of work
commits, so it writes nothing (all or nothing).

- The pool: SSCCs are generated per GS1 company prefix and extension digit, sequentially (SSCCs need not
  be random), skipping any the tenant has already; Available -> Assigned by ``ssccs/request``, which
  generates what the pool lacks, and back by ``ssccs/release`` while they hold nothing.
- Aggregation: a child has one parent. A pack is in a container OR in a pack, never both; packs inside a
  pack travel with it. Containers nest at most ``MAX_CONTAINER_DEPTH`` levels and never in a loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from packtrace.aggregation import repository
from packtrace.aggregation.facts import ChildrenMoved
from packtrace.aggregation.repository import AGGREGATABLE, ContainerRow, PackRow
from packtrace.audit.facts import Json, publish_change
from packtrace.batches.service import recall_service
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import build_sscc, serial_reference_capacity
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import (
    ConflictError,
    Detail,
    DomainError,
    InsufficientSerialsError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
)
from packtrace.kit.facts import publish
from packtrace.kit.pagination import decode_cursor, encode_cursor
from packtrace.models import ContainerEvent, Product
from packtrace.models.enums import ContainerEventType, PackEventType, SerialSource, SsccStatus
from packtrace.prefixes.service import company_prefix_service
from packtrace.products.service import product_service

MAX_GENERATE = 1_000_000
MAX_REQUEST = 10_000
MAX_TRADE_ITEMS = 100_000
MAX_CONTAINERS = 10_000
MAX_CONTAINER_DEPTH = 10  # pallets in containers in ... ; keeps every tree readable
GENERATE_BATCH = 50_000
_NAMED = 20  # items named per reason in a refusal; the rest are counted

ItemKey = tuple[str, str]  # (product code, serial) of a trade item
_PRECEDENCE: tuple[type[DomainError], ...] = (ValidationError, NotFoundError, InvalidStateError, ConflictError)


def label(code: str, serial: str) -> str:
    return f"(01){code}(21){serial}"


class _Refusals:
    """Everything wrong with a request, gathered before anything is written, so one answer names every
    item at fault; the error type is that of the first kind found in ``_PRECEDENCE``."""

    def __init__(self) -> None:
        self._found: dict[tuple[type[DomainError], str, str], list[str]] = {}

    def add(self, kind: type[DomainError], field_name: str, reason: str, item: str) -> None:
        self._found.setdefault((kind, field_name, reason), []).append(item)

    def raise_if_any(self, what: str) -> None:
        if not self._found:
            return
        kind = next(k for k in _PRECEDENCE if any(key[0] is k for key in self._found))
        details = []
        for (_, field_name, reason), items in self._found.items():
            more = f" and {len(items) - _NAMED} more" if len(items) > _NAMED else ""
            details.append(Detail(field_name, f"{reason}: {', '.join(items[:_NAMED])}{more}"))
        raise kind(f"{what} refused: " + "; ".join(d.message for d in details), details)


@dataclass(frozen=True)
class Generated:
    count: int
    first: str | None
    last: str | None


@dataclass(frozen=True)
class ContainerChange:
    sscc: str
    status: str
    trade_items: int  # added or removed
    containers: int
    unchanged: int
    child_count: int


@dataclass(frozen=True)
class PackChange:
    product_code: str
    serial: str
    pack_status: str
    trade_items: int
    unchanged: int
    child_count: int


@dataclass
class TreeItem:
    product_code: str
    serial: str
    pack_status: str
    child_count: int


@dataclass
class TreeNode:
    sscc: str
    status: str
    child_count: int = 0
    pack_count: int = 0
    children: list[TreeNode] = field(default_factory=list)
    trade_items: list[TreeItem] = field(default_factory=list)


@dataclass(frozen=True)
class SsccHistory:
    container: ContainerRow
    parent: str | None
    events: Sequence[ContainerEvent]
    tree: TreeNode


def _reference_bounds(prefix: str, extension: int) -> Callable[[int, str], str]:
    """``bound(reference, last)``: the 18 digits of that serial reference with ``last`` as check digit; the
    SSCCs of references a..b lie between bound(a, "0") and bound(b, "9")."""
    width = 16 - len(prefix)
    return lambda reference, last: f"{extension}{prefix}{reference:0{width}d}{last}"


class SsccPool:
    def batches(
        self, tenant_id: int, prefix: str, extension: int, start: int | None, actor: str
    ) -> tuple[list[Generated], Callable[[Session, int], int]]:
        """For ``kit.batches.commit_in_batches``: the batches made so far, and ``make(session, n)`` that
        generates the next ``n`` after the last one made, as one large generation would."""
        made: list[Generated] = []

        def make(session: Session, count: int) -> int:
            begin = start
            if made and start is not None and made[-1].last is not None:
                begin = int(made[-1].last[1 + len(prefix) : 17]) + 1
            made.append(self.generate(session, tenant_id, prefix, extension, count, begin, actor))
            return made[-1].count

        return made, make

    def generate(
        self,
        session: Session,
        tenant_id: int,
        prefix: str,
        extension: int,
        count: int,
        start: int | None,
        actor: str,
    ) -> Generated:
        """``count`` new Available SSCCs: from ``start`` up, or after the highest the tenant has for the
        prefix and extension digit (then from 0, into gaps); SSCCs the tenant has already are skipped."""
        if not 1 <= count <= MAX_GENERATE:
            raise ValidationError.on_field("count", f"must be 1 to {MAX_GENERATE:,}")
        capacity = self._capacity(prefix, extension)
        company_prefix_service.check_sscc_prefix(session, tenant_id, prefix)
        bound = _reference_bounds(prefix, extension)
        # Before reading what the tenant has: a generator that waited reads what the one before it made.
        repository.lock_per_tenant(session, tenant_id, repository.SSCC_GENERATION)
        if start is None:
            highest = repository.highest_between(session, tenant_id, bound(0, "0"), bound(capacity - 1, "9"))
            after = int(highest[1 + len(prefix) : 17]) + 1 if highest else 0
            ranges = [(after, capacity), (0, after)]
        elif 0 <= start < capacity:
            ranges = [(start, capacity)]
        else:
            raise ValidationError.on_field("start_reference", f"must be 0 to {capacity - 1:,} for this prefix")
        free = sum(
            (end - begin) - repository.count_between(session, tenant_id, bound(begin, "0"), bound(end - 1, "9"))
            for begin, end in ranges
            if end > begin
        )
        if free < count:
            room = f"room for {free:,} more SSCCs{'' if start is None else f' from serial reference {start}'}"
            raise InsufficientSerialsError(
                f"GS1 company prefix {prefix} with extension digit {extension} has {room}; {count:,} were asked for",
                [Detail("count", f"{room}, {count:,} asked for")],
            )
        now = transaction_time(session)
        made = 0
        first = last = None
        for begin, end in ranges:
            reference = begin
            while made < count and reference < end:
                window = min(end, reference + GENERATE_BATCH)
                taken = repository.taken_between(session, tenant_id, bound(reference, "0"), bound(window - 1, "9"))
                batch: list[str] = []
                while reference < window and len(batch) < count - made:
                    sscc = build_sscc(extension, prefix, reference)
                    reference += 1
                    if sscc not in taken:
                        batch.append(sscc)
                ids = repository.insert_ssccs(
                    session, tenant_id, batch, SsccStatus.AVAILABLE.value, SerialSource.INTERNAL.value, now
                )
                repository.record_container_events(
                    session, tenant_id, ids, ContainerEventType.GENERATED.value, None, actor, now
                )
                made += len(ids)
                if batch:
                    first, last = first or batch[0], batch[-1]
        if made < count:
            # Another request took references in between: the caller's rollback undoes the whole batch.
            raise InsufficientSerialsError.on_field("count", "SSCCs were generated concurrently; retry")
        generated: dict[str, Json] = {
            "prefix": prefix,
            "extension": extension,
            "count": made,
            "first": first,
            "last": last,
        }
        publish_change(session, tenant_id, "sscc_pool", f"{extension}{prefix}", "generated", None, generated)
        return Generated(made, first, last)

    def request(
        self, session: Session, tenant_id: int, prefix: str, extension: int, quantity: int, actor: str
    ) -> tuple[list[str], int]:
        """``ssccs/request``: ``quantity`` Available -> Assigned, oldest first; what the pool lacks is
        generated on the spot (SSCCs are sequential and cheap). Returns the SSCCs and how many are new."""
        if not 1 <= quantity <= MAX_REQUEST:
            raise ValidationError.on_field("quantity", f"must be 1 to {MAX_REQUEST:,}")
        capacity = self._capacity(prefix, extension)
        company_prefix_service.check_sscc_prefix(session, tenant_id, prefix)
        bound = _reference_bounds(prefix, extension)
        low, high = bound(0, "0"), bound(capacity - 1, "9")
        now = transaction_time(session)
        drawn = repository.draw(session, tenant_id, low, high, quantity, now)
        generated = 0
        if len(drawn) < quantity:
            try:
                generated = self.generate(
                    session, tenant_id, prefix, extension, quantity - len(drawn), None, actor
                ).count
            except InsufficientSerialsError as error:
                raise InsufficientSerialsError(error.message, [Detail("quantity", error.details[0].message)]) from None
            # Our own new rows: nobody else sees them before we commit.
            drawn += repository.draw(session, tenant_id, low, high, quantity - len(drawn), now)
        ids = [container_id for container_id, _ in drawn]
        repository.record_container_events(session, tenant_id, ids, ContainerEventType.ASSIGNED.value, None, actor, now)
        return sorted(sscc for _, sscc in drawn), generated

    def release(self, session: Session, tenant_id: int, ssccs: Sequence[str], actor: str) -> int:
        """``ssccs/release``: Assigned -> Available. Refused whole, naming the SSCCs, for unknown, not
        Assigned and external ones, and those that hold something or sit in a container."""
        wanted = list(dict.fromkeys(ssccs))
        rows = {row.sscc: row for row in repository.containers_by_sscc(session, tenant_id, wanted, lock=True)}
        counts = repository.child_counts(session, tenant_id, [row.id for row in rows.values()])
        refusals = _Refusals()
        for sscc in wanted:
            row = rows.get(sscc)
            if row is None:
                refusals.add(ValidationError, "ssccs", "unknown", sscc)
            elif row.status != SsccStatus.ASSIGNED.value:
                refusals.add(ValidationError, "ssccs", f"{row.status} already", sscc)
            elif row.source == SerialSource.EXTERNAL.value:
                refusals.add(ValidationError, "ssccs", "external (never returned to the pool)", sscc)
            elif counts.get(row.id):
                refusals.add(ValidationError, "ssccs", "holds children (disaggregate them first)", sscc)
            elif row.parent_id is not None:
                refusals.add(ValidationError, "ssccs", "inside a container (disaggregate it first)", sscc)
        refusals.raise_if_any("Release")
        now = transaction_time(session)
        ids = [rows[s].id for s in wanted]
        released = repository.set_status(
            session, tenant_id, ids, SsccStatus.ASSIGNED.value, SsccStatus.AVAILABLE.value, now
        )
        repository.record_container_events(session, tenant_id, ids, ContainerEventType.RELEASED.value, None, actor, now)
        return released

    def page(
        self, session: Session, tenant_id: int, status: str | None, search: str | None, limit: int, cursor: str | None
    ) -> tuple[list[repository.SsccListing], str | None]:
        """The tenant's SSCCs, oldest first; ``search`` is the first digits of the SSCC."""
        if status is not None and status not in {s.value for s in SsccStatus}:
            raise ValidationError.on_field("status", "must be Available or Assigned")
        if search is not None and not (1 <= len(search) <= 18 and search.isascii() and search.isdigit()):
            raise ValidationError.on_field("search", "must be the first 1 to 18 digits of an SSCC")
        between = (search.ljust(18, "0"), search.ljust(18, "9")) if search else None
        rows = repository.page(session, tenant_id, status, between, decode_cursor(cursor), limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1].id) if more else None

    def _capacity(self, prefix: str, extension: int) -> int:
        if isinstance(extension, bool) or not 0 <= extension <= 9:
            raise ValidationError.on_field("extension_digit", "must be a digit 0 to 9")
        try:
            return serial_reference_capacity(prefix)
        except GS1Error as error:
            raise ValidationError.on_field("gs1_company_prefix", str(error)) from None


class AggregationService:
    def aggregate_on_container(
        self, session: Session, tenant_id: int, sscc: str, items: Sequence[ItemKey], ssccs: Sequence[str], actor: str
    ) -> ContainerChange:
        """Packs and containers into the container ``sscc``. An unknown SSCC joins the pool (external,
        Assigned); an Available one becomes Assigned. Children already in it are left as they are."""
        ssccs = list(dict.fromkeys(ssccs))
        if not items and not ssccs:
            raise ValidationError(
                "Nothing to aggregate: send trade_items, containers or both",
                [Detail("trade_items", "empty"), Detail("containers", "empty")],
            )
        if sscc in ssccs:
            raise ValidationError.on_field("containers", f"{sscc} cannot be aggregated into itself")
        if ssccs:
            repository.lock_per_tenant(session, tenant_id, repository.CONTAINER_NESTING)
        refusals = _Refusals()
        packs = self._packs(session, tenant_id, items, refusals, "trade_items")
        rows = {row.sscc: row for row in repository.containers_by_sscc(session, tenant_id, [sscc, *ssccs], lock=True)}
        parent = rows.get(sscc)
        if parent is not None:
            _refuse_shipped_container(parent, "aggregated into")
        parent_id = parent.id if parent else None
        pack_ids, unchanged_packs = self._packs_to_move(session, tenant_id, packs, refusals, container_id=parent_id)
        container_ids, unchanged = self._containers_to_move(session, tenant_id, sscc, parent_id, ssccs, rows, refusals)
        refusals.raise_if_any("Aggregation")
        unchanged += unchanged_packs
        now = transaction_time(session)
        if parent is None:
            parent = repository.join_external(session, tenant_id, sscc, now)
            if parent is None:
                raise ConflictError.on_field("sscc", f"SSCC {sscc} was added by a concurrent request; retry")
            self._container_event(session, tenant_id, parent.id, ContainerEventType.JOINED, None, actor)
        elif parent.status == SsccStatus.AVAILABLE.value and (pack_ids or container_ids):
            repository.set_status(
                session, tenant_id, [parent.id], SsccStatus.AVAILABLE.value, SsccStatus.ASSIGNED.value, now
            )
            self._container_event(session, tenant_id, parent.id, ContainerEventType.ASSIGNED, "by aggregation", actor)
        into = f"into container {sscc}"
        if pack_ids:
            moved = repository.put_packs_in(
                session, tenant_id, pack_ids, container_id=parent.id, parent_pack_id=None, at=now
            )
            self._check_moved(moved, len(pack_ids))
            repository.record_pack_events(
                session, tenant_id, pack_ids, PackEventType.AGGREGATED.value, into, actor, now
            )
        if container_ids:
            self._check_moved(
                repository.put_containers_in(session, tenant_id, container_ids, parent.id, now), len(container_ids)
            )
            repository.record_container_events(
                session, tenant_id, container_ids, ContainerEventType.AGGREGATED.value, into, actor, now
            )
        if pack_ids or container_ids:
            detail = _children_detail(len(pack_ids), [s for s in ssccs if rows[s].id in set(container_ids)])
            self._container_event(session, tenant_id, parent.id, ContainerEventType.CHILDREN_ADDED, detail, actor)
            keys = {pack.id: key for key, pack in packs.items() if pack is not None}
            pack_keys = tuple(keys[pack_id] for pack_id in sorted(pack_ids))
            fact = ChildrenMoved(tenant_id, sscc, None, tuple(pack_ids), tuple(container_ids), True, now, pack_keys)
            publish(session, fact)
        return ContainerChange(
            sscc,
            SsccStatus.ASSIGNED.value,
            len(pack_ids),
            len(container_ids),
            unchanged,
            repository.child_count(session, tenant_id, parent.id),
        )

    def disaggregate_from_container(
        self,
        session: Session,
        tenant_id: int,
        sscc: str,
        items: Sequence[ItemKey],
        ssccs: Sequence[str],
        everything: bool,
        actor: str,
    ) -> ContainerChange:
        """Takes the listed children (or all of them) out of the container; each must be in it."""
        ssccs = list(dict.fromkeys(ssccs))
        _check_selection(bool(items or ssccs), everything, "containers")
        parent = next(iter(repository.containers_by_sscc(session, tenant_id, [sscc], lock=True)), None)
        if parent is None:
            raise NotFoundError.on_field("sscc", f"no SSCC {sscc}")
        _refuse_shipped_container(parent, "disaggregated")
        pack_ids: list[int] | None = None
        container_ids: list[int] | None = None
        if not everything:
            refusals = _Refusals()
            packs = self._packs(session, tenant_id, items, refusals, "trade_items")
            pack_ids = []
            for key, pack in packs.items():
                if pack is None or pack.container_id != parent.id:
                    refusals.add(ConflictError, "trade_items", f"not in container {sscc}", label(*key))
                else:
                    pack_ids.append(pack.id)
            rows = {row.sscc: row for row in repository.containers_by_sscc(session, tenant_id, ssccs, lock=False)}
            for child in ssccs:
                if child not in rows or rows[child].parent_id != parent.id:
                    refusals.add(ConflictError, "containers", f"not in container {sscc}", child)
            container_ids = [rows[s].id for s in ssccs if s in rows]
            refusals.raise_if_any("Disaggregation")
        now = transaction_time(session)
        moved_packs = repository.take_packs_out(session, tenant_id, pack_ids, container_id=parent.id, at=now)
        moved_containers = repository.take_containers_out(session, tenant_id, parent.id, container_ids, now)
        if pack_ids is not None and container_ids is not None:
            self._check_moved(len(moved_packs) + len(moved_containers), len(pack_ids) + len(container_ids))
        out = f"from container {sscc}"
        repository.record_pack_events(
            session, tenant_id, moved_packs, PackEventType.DISAGGREGATED.value, out, actor, now
        )
        repository.record_container_events(
            session, tenant_id, moved_containers, ContainerEventType.DISAGGREGATED.value, out, actor, now
        )
        if moved_packs or moved_containers:
            names = repository.ssccs_of(session, tenant_id, moved_containers)
            detail = _children_detail(len(moved_packs), sorted(names.values()))
            self._container_event(session, tenant_id, parent.id, ContainerEventType.CHILDREN_REMOVED, detail, actor)
            fact = ChildrenMoved(tenant_id, sscc, None, tuple(moved_packs), tuple(moved_containers), False, now)
            publish(session, fact)
        return ContainerChange(
            sscc,
            parent.status,
            len(moved_packs),
            len(moved_containers),
            0,
            repository.child_count(session, tenant_id, parent.id),
        )

    def aggregate_on_pack(
        self, session: Session, tenant_id: int, parent_key: ItemKey, items: Sequence[ItemKey], actor: str
    ) -> PackChange:
        """Packs into a pack (pack-in-pack). The parent must be Active or Commissioned."""
        if not items:
            raise ValidationError.on_field("trade_items", "nothing to aggregate")
        repository.lock_per_tenant(session, tenant_id, repository.PACK_NESTING)
        product, parent = self._parent_pack(session, tenant_id, parent_key)
        if parent is None or parent.status not in AGGREGATABLE:
            status = parent.status if parent else "Unknown (not commissioned)"
            raise InvalidStateError.on_field("serial", f"pack {label(product.code, parent_key[1])} is {status}")
        _refuse_shipped_pack(product.code, parent, "aggregated into")
        recalled = recall_service.refused_lots(session, tenant_id, [(parent.product_id, parent.batch)])
        if recalled:
            why = next(iter(recalled.values()))
            raise InvalidStateError.on_field("serial", f"pack {label(product.code, parent.serial)}: {why}")
        refusals = _Refusals()
        packs = self._packs(session, tenant_id, items, refusals, "trade_items")
        if any(pack is not None and pack.id == parent.id for pack in packs.values()):
            raise ValidationError.on_field("trade_items", f"{label(product.code, parent.serial)} cannot go into itself")
        above = set(repository.pack_ancestors(session, tenant_id, parent.id))
        for key, pack in packs.items():
            if pack is not None and pack.id in above:
                refusals.add(
                    ConflictError, "trade_items", "contains the parent pack (that would make a loop)", label(*key)
                )
        pack_ids, unchanged = self._packs_to_move(session, tenant_id, packs, refusals, parent_pack_id=parent.id)
        refusals.raise_if_any("Aggregation")
        now = transaction_time(session)
        if pack_ids:
            moved = repository.put_packs_in(
                session, tenant_id, pack_ids, container_id=None, parent_pack_id=parent.id, at=now
            )
            self._check_moved(moved, len(pack_ids))
            into = f"into pack {label(product.code, parent.serial)}"
            repository.record_pack_events(
                session, tenant_id, pack_ids, PackEventType.AGGREGATED.value, into, actor, now
            )
            parent_key = (product.code, parent.serial)
            publish(session, ChildrenMoved(tenant_id, None, parent_key, tuple(pack_ids), (), True, now))
        child_count = repository.pack_child_count(session, tenant_id, parent.id)
        return PackChange(product.code, parent.serial, parent.status, len(pack_ids), unchanged, child_count)

    def disaggregate_from_pack(
        self,
        session: Session,
        tenant_id: int,
        parent_key: ItemKey,
        items: Sequence[ItemKey],
        everything: bool,
        actor: str,
    ) -> PackChange:
        _check_selection(bool(items), everything, "trade_items")
        product, parent = self._parent_pack(session, tenant_id, parent_key)
        if parent is None:
            raise NotFoundError.on_field("serial", f"no pack {label(product.code, parent_key[1])}")
        _refuse_shipped_pack(product.code, parent, "disaggregated")
        pack_ids: list[int] | None = None
        if not everything:
            refusals = _Refusals()
            packs = self._packs(session, tenant_id, items, refusals, "trade_items")
            for key, pack in packs.items():
                if pack is None or pack.parent_pack_id != parent.id:
                    refusals.add(
                        ConflictError, "trade_items", f"not in pack {label(product.code, parent.serial)}", label(*key)
                    )
            refusals.raise_if_any("Disaggregation")
            pack_ids = [pack.id for pack in packs.values() if pack is not None]
        now = transaction_time(session)
        moved = repository.take_packs_out(session, tenant_id, pack_ids, parent_pack_id=parent.id, at=now)
        if pack_ids is not None:
            self._check_moved(len(moved), len(pack_ids))
        out = f"from pack {label(product.code, parent.serial)}"
        repository.record_pack_events(session, tenant_id, moved, PackEventType.DISAGGREGATED.value, out, actor, now)
        if moved:
            parent_key = (product.code, parent.serial)
            publish(session, ChildrenMoved(tenant_id, None, parent_key, tuple(moved), (), False, now))
        child_count = repository.pack_child_count(session, tenant_id, parent.id)
        return PackChange(product.code, parent.serial, parent.status, len(moved), 0, child_count)

    def history(self, session: Session, tenant_id: int, sscc: str) -> SsccHistory:
        """The SSCC's events and everything it holds, as a tree with counts."""
        container = next(iter(repository.containers_by_sscc(session, tenant_id, [sscc], lock=False)), None)
        if container is None:
            raise NotFoundError.on_field("sscc", f"no SSCC {sscc}")
        rows = repository.tree_containers(session, tenant_id, container.id)
        nodes = {row.id: TreeNode(row.sscc, row.status) for row in rows}
        nested_per_container, nested_per_pack = repository.nested_pack_counts(session, tenant_id, container.id)
        for pack in repository.tree_packs(session, tenant_id, container.id):
            item = TreeItem(pack.product_code, pack.serial, pack.status, nested_per_pack.get(pack.id, 0))
            nodes[pack.container_id].trade_items.append(item)
        for row in rows:
            node = nodes[row.id]
            node.child_count += len(node.trade_items)
            node.pack_count += len(node.trade_items) + nested_per_container.get(row.id, 0)
        # Deepest first, so every node's count is complete before it is added to its parent's.
        for row in sorted(rows, key=lambda r: r.depth, reverse=True):
            if row.depth > 0 and row.parent_id is not None:
                above = nodes[row.parent_id]
                above.children.append(nodes[row.id])
                above.child_count += 1
                above.pack_count += nodes[row.id].pack_count
        for node in nodes.values():
            node.children.sort(key=lambda n: n.sscc)
        parent = None
        if container.parent_id is not None:
            parent = repository.ssccs_of(session, tenant_id, [container.parent_id]).get(container.parent_id)
        return SsccHistory(container, parent, repository.history(session, tenant_id, container.id), nodes[container.id])

    # -- helpers -----------------------------------------------------------------------------------------

    def _packs(
        self, session: Session, tenant_id: int, items: Sequence[ItemKey], refusals: _Refusals, field_name: str
    ) -> dict[ItemKey, PackRow | None]:
        """The pack of each trade item (None: no pack), keyed by normalized product code and serial;
        unregistered product codes are refused."""
        products: dict[str, Product | None] = {}
        serials: dict[Product, list[str]] = {}
        for code, serial in items:
            if code not in products:
                try:
                    products[code] = product_service.registered(session, tenant_id, code)
                except ValidationError:
                    refusals.add(ValidationError, field_name, "not a product code registered by you", code)
                    products[code] = None
            product = products[code]
            if product is not None:
                serials.setdefault(product, []).append(serial)
        result: dict[ItemKey, PackRow | None] = {}
        for product, wanted in serials.items():
            wanted = list(dict.fromkeys(wanted))
            found = {p.serial: p for p in repository.packs_by_serial(session, tenant_id, product.id, wanted)}
            result.update(((product.code, serial), found.get(serial)) for serial in wanted)
        return result

    def _packs_to_move(
        self,
        session: Session,
        tenant_id: int,
        packs: dict[ItemKey, PackRow | None],
        refusals: _Refusals,
        *,
        container_id: int | None = None,
        parent_pack_id: int | None = None,
    ) -> tuple[list[int], int]:
        """The ids of the packs to put into the container or pack, and how many are in it already."""
        elsewhere = [p for p in packs.values() if p is not None and (p.container_id or p.parent_pack_id)]
        containers = repository.ssccs_of(session, tenant_id, [p.container_id for p in elsewhere if p.container_id])
        holders = repository.pack_labels(session, tenant_id, [p.parent_pack_id for p in elsewhere if p.parent_pack_id])
        lots = [(p.product_id, p.batch) for p in packs.values() if p is not None]
        recalled = recall_service.refused_lots(session, tenant_id, lots)
        moving: list[int] = []
        unchanged = 0
        for key, pack in packs.items():
            item = label(*key)
            if pack is None:
                refusals.add(InvalidStateError, "trade_items", "not commissioned (pack status Unknown)", item)
            elif pack.status not in AGGREGATABLE:
                refusals.add(InvalidStateError, "trade_items", f"pack status {pack.status}", item)
            elif pack.shipment_pk is not None:
                refusals.add(InvalidStateError, "trade_items", "shipped (void the shipment first)", item)
            elif (pack.product_id, pack.batch) in recalled:
                refusals.add(InvalidStateError, "trade_items", recalled[(pack.product_id, pack.batch)], item)
            elif (container_id is not None and pack.container_id == container_id) or (
                parent_pack_id is not None and pack.parent_pack_id == parent_pack_id
            ):
                unchanged += 1
            elif pack.container_id is not None:
                where = containers.get(pack.container_id)
                refusals.add(ConflictError, "trade_items", "already in a container", f"{item} in {where}")
            elif pack.parent_pack_id is not None:
                where = label(*holders[pack.parent_pack_id])
                refusals.add(ConflictError, "trade_items", "already in a pack", f"{item} in {where}")
            else:
                moving.append(pack.id)
        return moving, unchanged

    def _containers_to_move(
        self,
        session: Session,
        tenant_id: int,
        sscc: str,
        parent_id: int | None,
        ssccs: Sequence[str],
        rows: dict[str, ContainerRow],
        refusals: _Refusals,
    ) -> tuple[list[int], int]:
        """The ids of the containers to put into ``sscc``, and how many are in it already."""
        if not ssccs:
            return [], 0
        known = [rows[s] for s in ssccs if s in rows]
        counts = repository.child_counts(session, tenant_id, [row.id for row in known])
        above = repository.ancestors(session, tenant_id, parent_id) if parent_id is not None else []
        holders = repository.ssccs_of(
            session, tenant_id, [r.parent_id for r in known if r.parent_id not in (None, parent_id)]
        )
        moving: list[int] = []
        unchanged = 0
        for child in ssccs:
            row = rows.get(child)
            if row is None:
                refusals.add(NotFoundError, "containers", "unknown SSCC", child)
            elif parent_id is not None and row.parent_id == parent_id:
                unchanged += 1
            elif row.shipment_pk is not None:
                refusals.add(InvalidStateError, "containers", "shipped (void the shipment first)", child)
            elif row.status != SsccStatus.ASSIGNED.value:
                refusals.add(
                    InvalidStateError,
                    "containers",
                    f"status {row.status} (only Assigned SSCCs can be aggregated)",
                    child,
                )
            elif not counts.get(row.id):
                refusals.add(InvalidStateError, "containers", "holds nothing (aggregate its children first)", child)
            elif row.parent_id is not None:
                refusals.add(
                    ConflictError, "containers", "already in a container", f"{child} in {holders.get(row.parent_id)}"
                )
            elif row.id in above:
                refusals.add(
                    ConflictError, "containers", f"holds {sscc}: aggregating it there would make a loop", child
                )
            else:
                moving.append(row.id)
        if moving:
            depth = len(above) + 1 + repository.subtree_height(session, tenant_id, moving)
            if depth > MAX_CONTAINER_DEPTH:
                reason = f"would nest containers {depth} levels deep (at most {MAX_CONTAINER_DEPTH})"
                refusals.add(ConflictError, "containers", reason, ", ".join(s for s in ssccs if s in rows))
        return moving, unchanged

    def _parent_pack(self, session: Session, tenant_id: int, key: ItemKey) -> tuple[Product, PackRow | None]:
        product = product_service.registered(session, tenant_id, key[0])
        return product, repository.pack_by_serial(session, tenant_id, product.id, key[1], lock=True)

    def _container_event(
        self,
        session: Session,
        tenant_id: int,
        container_id: int,
        event: ContainerEventType,
        detail: str | None,
        actor: str,
    ) -> None:
        at = transaction_time(session)
        repository.record_container_events(session, tenant_id, [container_id], event.value, detail, actor, at)

    def _check_moved(self, moved: int, expected: int) -> None:
        if moved != expected:
            # What was checked changed before the update: a concurrent request; the rollback undoes all.
            raise ConflictError("Children changed while this request ran (a concurrent request); retry")


def _refuse_shipped_container(container: ContainerRow, what: str) -> None:
    if container.shipment_pk is not None:
        message = f"SSCC {container.sscc} is shipped: it cannot be {what} (void the shipment first)"
        raise InvalidStateError.on_field("sscc", message)


def _refuse_shipped_pack(product_code: str, pack: PackRow, what: str) -> None:
    if pack.shipment_pk is not None:
        message = f"pack {label(product_code, pack.serial)} is shipped: it cannot be {what} (void the shipment first)"
        raise InvalidStateError.on_field("serial", message)


def _check_selection(listed: bool, everything: bool, field_name: str) -> None:
    if listed and everything:
        raise ValidationError.on_field("all", "send either the children to remove or all: true, not both")
    if not listed and not everything:
        raise ValidationError.on_field(field_name, "nothing to disaggregate: list the children or send all: true")


def _children_detail(packs: int, ssccs: Sequence[str]) -> str:
    text = f"{packs} trade item{'s' * (packs != 1)}, {len(ssccs)} container{'s' * (len(ssccs) != 1)}"
    return f"{text}: {', '.join(ssccs)}" if ssccs else text


sscc_pool = SsccPool()
aggregation_service = AggregationService()
