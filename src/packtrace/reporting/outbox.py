"""Writing to the outbox: the one call every report trigger uses.

``enqueue`` adds a Pending report in the caller's session, so the report commits or rolls back with the
fact that caused it (a report is never sent for something that did not happen, nor lost for something
that did). Delivery is the worker's business.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.kit.clock import transaction_time
from packtrace.models import Report
from packtrace.models.enums import ReportKind, ReportState


def enqueue(
    session: Session,
    *,
    tenant_id: int,
    market: str,
    kind: ReportKind,
    stream: str,
    subject: str,
    media_type: str,
    document: bytes,
) -> Report:
    """A Pending report, due now, with a fresh idempotency key the receiver can deduplicate by."""
    report = Report(
        tenant_id=tenant_id,
        market=market,
        kind=kind.value,
        stream=stream,
        subject=subject[:255],
        state=ReportState.PENDING.value,
        media_type=media_type,
        document=document,
        document_size=len(document),
        idempotency_key=uuid.uuid4().hex,
        attempts=0,
        next_attempt_at=transaction_time(session),
    )
    session.add(report)
    session.flush()
    return report


def is_acknowledged(session: Session, tenant_id: int, market: str, kind: ReportKind, stream: str) -> bool:
    """Whether a report of this kind and stream was acknowledged by the receiver (e.g. the EU Hub took a
    batch's upload, which must precede its release to the supply chain)."""
    found = session.scalar(
        select(Report.id)
        .where(
            Report.tenant_id == tenant_id,
            Report.market == market,
            Report.kind == kind.value,
            Report.stream == stream,
            Report.state == ReportState.ACKNOWLEDGED.value,
        )
        .limit(1)
    )
    return found is not None


def batch_stream(product_code: str, batch: str) -> str:
    """The stream of a batch's reports (upload, pack status, recall): they reach the receiver in order."""
    return f"batch/{product_code}/{batch}"


def product_stream(product_code: str) -> str:
    return f"product/{product_code}"


def shipment_stream(shipment_id: str) -> str:
    return f"shipment/{shipment_id}"
