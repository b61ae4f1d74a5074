"""The SQL of an order's page beyond the order itself: what its packs became and the containers they are
in. Every query filters on the tenant."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.models import Container, Pack

# The containers named on an order's page; the SSCC pool tab searches the rest.
SSCCS_SHOWN = 50


def pack_counts(session: Session, tenant_id: int, order_pk: int) -> dict[str, int]:
    """How many of the order's packs are in each pack status (Active, Commissioned, Decommissioned)."""
    rows = session.execute(
        select(Pack.status, func.count())
        .where(Pack.tenant_id == tenant_id, Pack.order_pk == order_pk)
        .group_by(Pack.status)
    )
    return {status: count for status, count in rows}


def order_ssccs(session: Session, tenant_id: int, order_pk: int) -> list[str]:
    """The SSCCs of the cases the order's packs are packed in, first ones first."""
    query = (
        select(Container.sscc)
        .join(Pack, (Pack.container_id == Container.id) & (Pack.tenant_id == Container.tenant_id))
        .where(Pack.tenant_id == tenant_id, Pack.order_pk == order_pk)
        .distinct()
        .order_by(Container.sscc)
        .limit(SSCCS_SHOWN)
    )
    return list(session.scalars(query))
