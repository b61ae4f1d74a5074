"""Making serial numbers: random (CSPRNG), unique per product code forever, inserted set-based."""

from __future__ import annotations

from sqlalchemy.orm import Session

from packtrace.gs1 import serials as serial_rules
from packtrace.gs1.errors import GS1Error
from packtrace.kit.errors import InsufficientSerialsError
from packtrace.models import Product
from packtrace.models.base import utcnow
from packtrace.models.enums import SerialSource, SerialStatus
from packtrace.products import repository as products
from packtrace.serials import repository

# Serials are generated and inserted in batches of this size, so memory stays flat for big orders.
BATCH_SIZE = 50_000
# A round that inserts nothing new means the space is all but used; give up rather than spin.
_MAX_FRUITLESS_ROUNDS = 20


class SerialService:
    def generate_for_order(self, session: Session, product: Product, order_pk: int, count: int) -> int:
        """Make ``count`` new serials for the product, assigned to the order. Collisions with serials the
        product already has (from earlier orders or from a concurrent transaction) are dropped by the
        database and replaced by fresh ones, until ``count`` are in."""
        made = 0
        fruitless = 0
        now = utcnow()
        while made < count:
            wanted = min(BATCH_SIZE, count - made)
            try:
                candidates = serial_rules.random_serials(wanted, product.serial_length, product.serial_alphabet)
            except GS1Error as exc:
                raise InsufficientSerialsError(f"Product {product.code}: {exc}") from None
            inserted = repository.insert_new(
                session,
                tenant_id=product.tenant_id,
                product_id=product.id,
                serials=candidates,
                status=SerialStatus.ASSIGNED.value,
                source=SerialSource.INTERNAL.value,
                order_pk=order_pk,
                created_at=now,
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
