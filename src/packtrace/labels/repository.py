"""All SQL for label orders, and the reads of containers they need."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from packtrace.aggregation import repository as aggregation
from packtrace.models import Container, LabelOrder, Pack, PrintedSerial, Tenant

# Serials named per statement: well under SQLite's limit of bound parameters.
_PRINTED_CHUNK = 5_000
_RECORD_PRINTED = text(
    """
    INSERT INTO printed_serials (tenant_id, serial_id, label_order_id)
    SELECT tenant_id, id, :label_order_id FROM serial_numbers
    WHERE tenant_id = :tenant_id AND product_id = :product_id AND serial IN :serials
    ON CONFLICT DO NOTHING
    """
).bindparams(bindparam("serials", expanding=True))


def by_public_id(session: Session, tenant_id: int, public_id: str) -> LabelOrder | None:
    return session.scalar(
        select(LabelOrder).where(LabelOrder.tenant_id == tenant_id, LabelOrder.public_id == public_id)
    )


def containers(session: Session, tenant_id: int, ssccs: Sequence[str]) -> dict[str, Container]:
    rows = session.scalars(select(Container).where(Container.tenant_id == tenant_id, Container.sscc.in_(list(ssccs))))
    return {row.sscc: row for row in rows}


def child_counts(session: Session, tenant_id: int, container_ids: Sequence[int]) -> dict[int, int]:
    """Direct children (cases or packs) of each container."""
    counts: dict[int, int] = dict.fromkeys(container_ids, 0)
    ids = list(container_ids)
    for parent, count in session.execute(
        select(Container.parent_id, func.count())
        .where(Container.tenant_id == tenant_id, Container.parent_id.in_(ids))
        .group_by(Container.parent_id)
    ):
        if parent is not None:
            counts[parent] += count
    for parent, count in session.execute(
        select(Pack.container_id, func.count())
        .where(Pack.tenant_id == tenant_id, Pack.container_id.in_(ids))
        .group_by(Pack.container_id)
    ):
        if parent is not None:
            counts[parent] += count
    return counts


def content(session: Session, tenant_id: int, container_id: int) -> list[tuple[str, str, str, int]]:
    """(product code, batch, expiry, count) of the packs in the container and the containers inside it."""
    return aggregation.tree_content(session, tenant_id, container_id)


def digital_link_resolver(session: Session, tenant_id: int) -> str:
    resolver = session.scalar(select(Tenant.digital_link_resolver).where(Tenant.id == tenant_id))
    return resolver or ""


def record_printed(
    session: Session, tenant_id: int, product_id: int, label_order_id: int, serials: Sequence[str]
) -> None:
    """Remember that the label order printed these serials of the product."""
    params = {"tenant_id": tenant_id, "product_id": product_id, "label_order_id": label_order_id}
    for start in range(0, len(serials), _PRINTED_CHUNK):
        chunk = list(serials[start : start + _PRINTED_CHUNK])
        session.connection().execute(_RECORD_PRINTED, {**params, "serials": chunk})


def printed_by(session: Session, tenant_id: int, serial_id: int) -> list[LabelOrder]:
    """The label orders that printed the serial, oldest first."""
    return list(
        session.scalars(
            select(LabelOrder)
            .join(
                PrintedSerial, (PrintedSerial.tenant_id == tenant_id) & (PrintedSerial.label_order_id == LabelOrder.id)
            )
            .where(LabelOrder.tenant_id == tenant_id, PrintedSerial.serial_id == serial_id)
            .order_by(LabelOrder.id)
        )
    )


def printed_among(session: Session, tenant_id: int, serial_ids: Sequence[int]) -> set[int]:
    """Which of the serials (registry ids) a label order printed."""
    found: set[int] = set()
    for start in range(0, len(serial_ids), _PRINTED_CHUNK):
        chunk = list(serial_ids[start : start + _PRINTED_CHUNK])
        found.update(
            session.scalars(
                select(PrintedSerial.serial_id).where(
                    PrintedSerial.tenant_id == tenant_id, PrintedSerial.serial_id.in_(chunk)
                )
            )
        )
    return found
