"""Management API (``/api/``) for packaging lines: everyone reads them, Support and Administrators change
them. A tag may hold any printable text: send it percent-encoded in the path (``/`` as ``%2F``)."""

from __future__ import annotations

from fastapi import APIRouter

from packtrace.audit.schemas import ReasonQuery
from packtrace.auth.principal import AnyUser, SupportUser
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.lines.schemas import LineCreate, LineRead, LineTag, LineUpdate
from packtrace.lines.service import line_service
from packtrace.models import PackagingLine

router = APIRouter(tags=["Management: packaging lines"])


def line_read(line: PackagingLine) -> LineRead:
    return LineRead(tag=line.tag, name=line.name, created_at=line.created_at)


@router.get("/lines", summary="List the tenant's packaging lines")
def list_lines(user: AnyUser, session: DbSession) -> Envelope[list[LineRead]]:
    lines = line_service.list_all(session, user.tenant_id)
    return Envelope(message="Packaging lines", data=[line_read(line) for line in lines])


@router.post("/lines", summary="Register a packaging line (Support, Administrator)")
def create_line(body: LineCreate, user: SupportUser, session: DbSession) -> Envelope[LineRead]:
    line = line_service.create(session, user.tenant_id, body.tag, body.name, body.reason)
    return Envelope(message="Packaging line created", data=line_read(line))


# ``:path`` so that a tag holding an encoded "/" still reaches the endpoint whole.
@router.patch("/lines/{tag:path}", summary="Rename a packaging line (Support, Administrator)")
def update_line(tag: LineTag, body: LineUpdate, user: SupportUser, session: DbSession) -> Envelope[LineRead]:
    """Only the name changes; the tag is the line's identity."""
    line = line_service.rename(
        session, line_service.get_for_change(session, user.tenant_id, tag), body.name, body.reason
    )
    return Envelope(message="Packaging line updated", data=line_read(line))


@router.delete("/lines/{tag:path}", summary="Delete a packaging line (Support, Administrator)")
def delete_line(tag: LineTag, user: SupportUser, session: DbSession, reason: ReasonQuery = None) -> Envelope[LineRead]:
    """Refused while any packaging order names the line."""
    line = line_service.get_for_change(session, user.tenant_id, tag)
    data = line_read(line)
    line_service.delete(session, line, reason)
    return Envelope(message="Packaging line deleted", data=data)
