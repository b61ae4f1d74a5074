"""Rules for batch recalls and withdrawals. Nothing here commits.

A recall is irreversible: there is no way back in the API, and every service that commissions,
aggregates or ships packs asks ``recall_service.refused_lots`` first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change
from packtrace.batches import repository
from packtrace.batches.facts import BatchRecalled
from packtrace.batches.repository import RecallRow
from packtrace.kit.clock import transaction_time
from packtrace.kit.errors import ConflictError, NotFoundError, ValidationError
from packtrace.kit.facts import publish
from packtrace.kit.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor
from packtrace.models import BatchRecall
from packtrace.models.enums import RecallKind
from packtrace.products.service import product_service

KINDS = ", ".join(k.value for k in RecallKind)


class RecallService:
    def recall(
        self, session: Session, tenant_id: int, product_code: str, batch: str, kind: str, reason: str, actor: str
    ) -> RecallRow:
        try:
            recall_kind = RecallKind(kind)
        except ValueError:
            raise ValidationError.on_field("kind", f"{kind!r} is not a kind of recall; use one of {KINDS}") from None
        reason = reason.strip()
        if not reason:
            raise ValidationError.on_field("reason", "say why the batch is recalled or withdrawn")
        product = product_service.get_for_change(session, tenant_id, product_code)
        if not repository.batch_has_packs(session, tenant_id, product.id, batch):
            raise NotFoundError.on_field("batch", f"no packs of {product.code} in batch {batch!r}")
        earlier = repository.recall(session, tenant_id, product.id, batch)
        if earlier is not None:
            raise ConflictError.on_field(
                "batch", f"batch {batch!r} of {product.code} was already {_past(earlier.kind)}: that is irreversible"
            )
        now = transaction_time(session)
        row = BatchRecall(
            tenant_id=tenant_id, product_id=product.id, batch=batch, kind=recall_kind.value, reason=reason, actor=actor
        )
        session.add(row)
        session.flush()
        publish(session, BatchRecalled(tenant_id, product.code, batch, recall_kind.value, reason, now))
        after = {"product_code": product.code, "batch": batch, "kind": recall_kind.value}
        publish_change(
            session, tenant_id, "batch", f"{product.code}/{batch}", recall_kind.value, None, after, reason=reason
        )
        return RecallRow(row.id, product.code, batch, row.kind, row.reason, actor, row.created_at)

    def page(
        self, session: Session, tenant_id: int, limit: int, cursor: str | None
    ) -> tuple[list[RecallRow], str | None]:
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationError.on_field("limit", f"must be 1 to {MAX_PAGE_SIZE}")
        rows = repository.page(session, tenant_id, decode_cursor(cursor), limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, encode_cursor(rows[-1].id) if more else None

    def refused_lots(
        self, session: Session, tenant_id: int, lots: Sequence[tuple[int, str]]
    ) -> dict[tuple[int, str], str]:
        """Of these (product id, batch), those recalled or withdrawn, each with why it is refused."""
        return {
            lot: f"batch {lot[1]} was {_past(kind)}"
            for lot, kind in repository.recalled(session, tenant_id, lots).items()
        }


def _past(kind: str) -> str:
    return "recalled" if kind == RecallKind.RECALL.value else "withdrawn"


recall_service = RecallService()
