"""Management API (``/api/``) for packaging lines: everyone reads them, Support and Administrators change
them. A tag may hold any printable text: send it percent-encoded in the path (``/`` as ``%2F``)."""

from __future__ import annotations

from fastapi import APIRouter

from packtrace.audit.schemas import ReasonQuery
from packtrace.auth.principal import AdminUser, AnyUser, SupportUser
from packtrace.auth.service import tenant_service
from packtrace.kit.deps import DbSession
from packtrace.kit.envelope import Envelope
from packtrace.lines.schemas import LineCreate, LineRead, LineTag, LineUpdate, SiteRead, SiteUpdate
from packtrace.lines.service import line_service, site_service
from packtrace.models import PackagingLine, Tenant

router = APIRouter(tags=["Management: packaging lines"])


def line_read(line: PackagingLine) -> LineRead:
    return LineRead(
        tag=line.tag, name=line.name, gln=line.gln, gln_extension=line.gln_extension, created_at=line.created_at
    )


def site_read(tenant: Tenant) -> SiteRead:
    return SiteRead(gln=tenant.gln, gln_extension=tenant.gln_extension, time_zone_offset=tenant.time_zone_offset)


@router.get("/site", summary="Where the tenant's EPCIS events happen: site GLN and time-zone offset")
def get_site(user: AnyUser, session: DbSession) -> Envelope[SiteRead]:
    return Envelope(message="Site", data=site_read(tenant_service.get(session, user.tenant_id)))


@router.patch("/site", summary="Change the site's GLN or time-zone offset (Administrator)")
def update_site(body: SiteUpdate, admin: AdminUser, session: DbSession) -> Envelope[SiteRead]:
    """`gln` (an empty string removes it and its extension) is the bizLocation of the events written from
    now on, `time_zone_offset` their eventTimeZoneOffset; events already written stay as they are."""
    tenant = site_service.set_site(
        session,
        tenant_service.get(session, admin.tenant_id),
        body.gln,
        body.gln_extension,
        body.time_zone_offset,
        body.reason,
    )
    return Envelope(message="Site updated", data=site_read(tenant))


@router.get("/lines", summary="List the tenant's packaging lines")
def list_lines(user: AnyUser, session: DbSession) -> Envelope[list[LineRead]]:
    lines = line_service.list_all(session, user.tenant_id)
    return Envelope(message="Packaging lines", data=[line_read(line) for line in lines])


@router.post("/lines", summary="Register a packaging line (Support, Administrator)")
def create_line(body: LineCreate, user: SupportUser, session: DbSession) -> Envelope[LineRead]:
    line = line_service.create(session, user.tenant_id, body.tag, body.name, body.reason)
    return Envelope(message="Packaging line created", data=line_read(line))


# ``:path`` so that a tag holding an encoded "/" still reaches the endpoint whole.
@router.patch("/lines/{tag:path}", summary="Rename a packaging line or set its GLN (Support, Administrator)")
def update_line(tag: LineTag, body: LineUpdate, user: SupportUser, session: DbSession) -> Envelope[LineRead]:
    """The name and the GLN (+ extension: the readPoint of the EPCIS events of its orders) change; the tag
    is the line's identity. An extension sent alone applies to the line's current GLN."""
    line = line_service.get_for_change(session, user.tenant_id, tag)
    if body.name is not None:
        line = line_service.rename(session, line, body.name, body.reason)
    if body.gln is not None or body.gln_extension is not None:
        line = line_service.set_location(session, line, body.gln, body.gln_extension, body.reason)
    return Envelope(message="Packaging line updated", data=line_read(line))


@router.delete("/lines/{tag:path}", summary="Delete a packaging line (Support, Administrator)")
def delete_line(tag: LineTag, user: SupportUser, session: DbSession, reason: ReasonQuery = None) -> Envelope[LineRead]:
    """Refused while any packaging order names the line."""
    line = line_service.get_for_change(session, user.tenant_id, tag)
    data = line_read(line)
    line_service.delete(session, line, reason)
    return Envelope(message="Packaging line deleted", data=data)
