"""The SQL of the SN / SSCC pool tab that no service has: the SSCC list as the UI pages it (numbered
pages, any column sorted), what each listed SSCC holds, and the containers an SSCC is packed in. Every
query filters on the tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from packtrace.admin.listing import ListParams, Page
from packtrace.admin.repository import paged
from packtrace.models import Container, Pack

SSCC_SORTS: dict[str, Any] = {
    "sscc": Container.sscc,
    "status": Container.status,
    "created": Container.created_at,
    "updated": Container.updated_at,
}
# Bounds the walk up a hierarchy, should the data ever hold a loop (the services never make one).
_MAX_DEPTH = 100


@dataclass(frozen=True)
class SsccRow:
    sscc: str
    status: str
    source: str
    parent: str | None  # the SSCC of the container it is in
    children: int  # containers and packs directly in it
    created_at: datetime
    updated_at: datetime


def sscc_matches(search: str) -> ColumnElement[bool]:
    """SSCCs that begin with ``search`` (digits), or whose GS1 company prefix does (after the extension
    digit): people type the prefix they know more often than the extension digit before it."""
    leading = Container.sscc.between(search.ljust(18, "0"), search.ljust(18, "9"))
    if len(search) >= 18:
        return leading
    return or_(leading, func.substr(Container.sscc, 2, len(search)) == search)


def sscc_page(session: Session, tenant_id: int, params: ListParams) -> Page[SsccRow]:
    """The page of the tenant's SSCCs ``params`` asks for; ``params.search`` must be digits."""
    parent = aliased(Container)
    query = (
        select(
            Container.id,
            Container.sscc,
            Container.status,
            Container.source,
            parent.sscc,
            Container.created_at,
            Container.updated_at,
        )
        .outerjoin(parent, parent.id == Container.parent_id)
        .where(Container.tenant_id == tenant_id)
    )
    if params.search:
        query = query.where(sscc_matches(params.search))
    if status := params.filters.get("status"):
        query = query.where(Container.status == status)
    # The id breaks ties in the same direction: SSCCs made together share their time, and "newest
    # first" must then still mean the last made first.
    tiebreak = Container.id.desc() if params.descending else Container.id.asc()
    rows, total, params = paged(session, query, params, SSCC_SORTS, tiebreak)
    counts = child_counts(session, tenant_id, [row[0] for row in rows])
    listed = [
        SsccRow(sscc, status, source, up, counts.get(pk, 0), created, updated)
        for pk, sscc, status, source, up, created, updated in rows
    ]
    return Page(listed, total, params)


def child_counts(session: Session, tenant_id: int, ids: Sequence[int]) -> dict[int, int]:
    """Containers and packs directly in each of these containers."""
    if not ids:
        return {}
    counts: dict[int, int] = {}
    queries = (
        select(Container.parent_id, func.count())
        .where(Container.tenant_id == tenant_id, Container.parent_id.in_(ids))
        .group_by(Container.parent_id),
        select(Pack.container_id, func.count())
        .where(Pack.tenant_id == tenant_id, Pack.container_id.in_(ids))
        .group_by(Pack.container_id),
    )
    for query in queries:
        for holder, count in session.execute(query):
            if holder is not None:
                counts[holder] = counts.get(holder, 0) + count
    return counts


def container_path(session: Session, tenant_id: int, sscc: str) -> list[str]:
    """The SSCCs of the containers ``sscc`` is packed in, outermost first, then ``sscc`` itself; empty
    for an SSCC the tenant does not have."""
    up = (
        select(Container.id, Container.sscc, Container.parent_id, literal(0, Integer()).label("depth"))
        .where(Container.tenant_id == tenant_id, Container.sscc == sscc)
        .cte("up", recursive=True)
    )
    outer = aliased(Container)
    up = up.union_all(
        select(outer.id, outer.sscc, outer.parent_id, up.c.depth + 1).where(
            outer.tenant_id == tenant_id, outer.id == up.c.parent_id, up.c.depth < _MAX_DEPTH
        )
    )
    return list(session.scalars(select(up.c.sscc).order_by(up.c.depth.desc())))
