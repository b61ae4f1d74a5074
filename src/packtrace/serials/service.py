"""Serial numbers: made at random (CSPRNG), unique per product code forever, inserted set-based, and
kept as a pool per product (Available -> Assigned) from which orders and label printers draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change
from packtrace.gs1 import serials as serial_rules
from packtrace.gs1.errors import GS1Error
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import Detail, InsufficientSerialsError, InvalidStateError, ValidationError
from packtrace.labels import repository as labels
from packtrace.models import Product
from packtrace.models.enums import SerialSource, SerialStatus
from packtrace.packs import repository as packs
from packtrace.packs.rules import names
from packtrace.products import repository as products
from packtrace.serials import bulk, repository

# Serials are generated and inserted in batches of this size, so memory stays flat for big orders.
BATCH_SIZE = 50_000
# A round that inserts nothing new means the space is all but used; give up rather than spin.
_MAX_FRUITLESS_ROUNDS = 20
MAX_REQUEST = 200_000
# What a 409 for a short pool tells the caller to do about it.
HOW_TO_FILL = (
    "Fill the pool with `packtrace pool generate --tenant T --product CODE --count N`, "
    "POST /api/products/CODE/pool/generate or the admin's SN / SSCC pool tab; or give the product "
    "a pool threshold and refill size (`packtrace product update --pool-threshold`) so that it refills itself."
)


@dataclass(frozen=True)
class PoolStatus:
    product_code: str
    available: int
    assigned: int
    total: int
    max_live: int  # what the EU rule allows for this product's serial format
    threshold: int
    refill_size: int


class SerialService:
    def generate_into_pool(self, session: Session, product: Product, count: int) -> int:
        """Make ``count`` new Available serials for the product's pool."""
        made = self._generate(session, product, count, None, into_pool=True)
        generated = {"count": made, "serial_count": product.serial_count}
        publish_change(session, product.tenant_id, "serial_pool", product.code, "generated", None, generated)
        return made

    def supply_order(
        self, session: Session, product: Product, order_pk: int, count: int, *, generate_missing: bool
    ) -> int:
        """Give the order ``count`` more serials: drawn from the pool first, the rest made new when
        ``generate_missing``; otherwise a short pool is an ``InsufficientSerialsError`` (the caller's
        transaction undoes the partial draw: all or nothing)."""
        drawn = repository.draw(session, product.tenant_id, product.id, count, order_pk)
        missing = count - drawn
        if missing and not generate_missing:
            raise InsufficientSerialsError(
                f"Product {product.code}: the pool has {drawn:,} Available serial numbers, {count:,} are needed. "
                + HOW_TO_FILL,
                [Detail("product_code", f"{drawn:,} Available, {count:,} needed")],
            )
        if missing:
            self._generate(session, product, missing, order_pk, into_pool=False)
        self.replenish(session, product)
        return count

    def request(self, session: Session, product: Product, quantity: int) -> list[str]:
        """``serials/request``: Available -> Assigned without an order, all or nothing."""
        serials = repository.draw_returning(session, product.tenant_id, product.id, quantity)
        self._drawn_in_full(session, product, len(serials), quantity)
        return serials

    def request_json(self, session: Session, product: Product, quantity: int) -> str:
        """``request`` with the serials as a JSON array (text), ready for the response."""
        drawn, serials = repository.draw_returning_json(session, product.tenant_id, product.id, quantity)
        self._drawn_in_full(session, product, drawn, quantity)
        return serials

    def _drawn_in_full(self, session: Session, product: Product, drawn: int, quantity: int) -> None:
        """A short draw is refused (the caller's transaction undoes it: all or nothing); a full one may
        leave the pool to refill."""
        if drawn < quantity:
            raise InsufficientSerialsError(
                f"Product {product.code}: the pool has {drawn:,} Available serial numbers, "
                f"{quantity:,} were requested. " + HOW_TO_FILL,
                [Detail("quantity", f"{drawn:,} Available")],
            )
        self.replenish(session, product)

    def release(self, session: Session, product: Product, serials: Sequence[str]) -> int:
        """``serials/release``: Assigned -> Available. Refused whole, naming the serials: for unknown,
        external, not Assigned or order-bound serials a ``ValidationError``; for serials that are out in
        the world (printed by a label order, or a pack: commissioned or decommissioned) an
        ``InvalidStateError``, since such a serial must never be handed out again."""
        wanted = list(dict.fromkeys(serials))
        found = {row.serial: row for row in repository.find(session, product.tenant_id, product.id, wanted)}
        produced = packs.produced_serials(session, product.tenant_id, product.id, list(found))
        printed_ids = labels.printed_among(session, product.tenant_id, [row.id for row in found.values()])
        invalid = {
            "unknown": [s for s in wanted if s not in found],
            "external (never returned to the pool)": [
                s for s in wanted if s in found and found[s].source == SerialSource.EXTERNAL.value
            ],
            "not Assigned": [s for s in wanted if s in found and found[s].status != SerialStatus.ASSIGNED.value],
            "assigned to a packaging order (cancel or resize the order instead)": [
                s for s in wanted if s in found and found[s].order_pk is not None
            ],
        }
        out_in_the_world = {
            "printed by a label order (a printed serial never goes back to the pool)": [
                s for s in wanted if s in found and found[s].id in printed_ids
            ],
            "produced (a pack exists; a produced serial never goes back to the pool)": [
                s for s in wanted if s in produced
            ],
        }
        for problems, error in ((invalid, ValidationError), (out_in_the_world, InvalidStateError)):
            details = [Detail("serials", f"{reason}: {names(bad)}") for reason, bad in problems.items() if bad]
            if details:
                raise error("Serials refused: " + "; ".join(d.message for d in details), details)
        return repository.release(session, product.tenant_id, [found[s].id for s in wanted])

    def replenish(self, session: Session, product: Product) -> int:
        """Refill the pool when a draw left it below the product's threshold; returns serials made."""
        if product.pool_threshold <= 0 or product.pool_refill_size <= 0:
            return 0
        if repository.has_available(session, product.tenant_id, product.id, product.pool_threshold):
            return 0
        return self.generate_into_pool(session, product, product.pool_refill_size)

    def refresh_statistics(self, session: Session, added: int) -> list[str]:
        """After a bulk fill has committed: PostgreSQL's statistics of the serial tables, when the fill
        left them missing or stale, so that the next draw or lookup never waits for autovacuum to be
        planned on the index. Its own transaction, kept short: ANALYZE's lock is held to its commit."""
        return bulk.analyze_if_stale(session.connection(), added)

    def pool_status(self, session: Session, product: Product) -> PoolStatus:
        counts = repository.counts_by_status(session, product.tenant_id, product.id)
        available = counts.get(SerialStatus.AVAILABLE.value, 0)
        assigned = counts.get(SerialStatus.ASSIGNED.value, 0)
        return PoolStatus(
            product_code=product.code,
            available=available,
            assigned=assigned,
            total=available + assigned,
            max_live=serial_rules.max_live_serials(product.serial_length, product.serial_alphabet),
            threshold=product.pool_threshold,
            refill_size=product.pool_refill_size,
        )

    def _generate(
        self, session: Session, product: Product, count: int, order_pk: int | None, *, into_pool: bool
    ) -> int:
        """Make ``count`` new serials. Collisions with serials the product already has (from earlier or
        from a concurrent transaction) are dropped by the database and replaced, until ``count`` are in."""
        made = 0
        fruitless = 0
        now = transaction_time(session)
        while made < count:
            wanted = min(BATCH_SIZE, count - made)
            try:
                candidates = serial_rules.random_serial_block(wanted, product.serial_length, product.serial_alphabet)
            except GS1Error as exc:
                raise InsufficientSerialsError(f"Product {product.code}: {exc}") from None
            inserted = bulk.insert_generated(
                session,
                tenant_id=product.tenant_id,
                product_id=product.id,
                serials=candidates,
                source=SerialSource.INTERNAL.value,
                order_pk=order_pk,
                created_at=now,
                into_pool=into_pool,
            )
            made += inserted
            fruitless = 0 if inserted else fruitless + 1
            if fruitless >= _MAX_FRUITLESS_ROUNDS:
                raise InsufficientSerialsError(
                    f"Product {product.code}: no new serial number could be made; its serial space is used up"
                )
        self._count_against_space(session, product, made)
        return made

    def _count_against_space(self, session: Session, product: Product, added: int) -> None:
        total = products.add_to_serial_count(session, product.tenant_id, product.id, added)
        allowed = serial_rules.max_live_serials(product.serial_length, product.serial_alphabet)
        if total > allowed:
            raise InsufficientSerialsError(
                f"Product {product.code} would have {total:,} serial numbers; its serial space allows "
                f"{allowed:,} under the EU rule (guessing chance below 1 in 10,000). "
                "Lengthen its serials or widen their alphabet."
            )


serial_service = SerialService()
