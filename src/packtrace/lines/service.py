"""Rules for packaging lines. A line's tag is its identity in the API, so it does not change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change, snapshot
from packtrace.epcis.service import epcis_service
from packtrace.kit.errors import ConflictError, NotFoundError, ValidationError
from packtrace.kit.validation import identifier_problem
from packtrace.lines import repository
from packtrace.models import PackagingLine, Tenant


def _check_name(name: str) -> str:
    name = name.strip()
    if len(name) > 255:
        raise ValidationError.on_field("name", "must be at most 255 characters")
    return name


def _check_tag(tag: str) -> str:
    problem = identifier_problem(tag)
    if problem:
        raise ValidationError.on_field("tag", problem)
    return tag


# What the audit trail records of a line, and of the site (where the tenant's EPCIS events happen).
AUDITED = ("tag", "name", "gln", "gln_extension")
SITE_AUDITED = ("gln", "gln_extension", "time_zone_offset")


class LineService:
    def create(
        self, session: Session, tenant_id: int, tag: str, name: str = "", reason: str | None = None
    ) -> PackagingLine:
        tag = _check_tag(tag)
        if repository.by_tag(session, tenant_id, tag) is not None:
            raise ConflictError.on_field("tag", f"a packaging line tagged {tag!r} exists already")
        line = PackagingLine(tenant_id=tenant_id, tag=tag, name=_check_name(name))
        session.add(line)
        session.flush()
        publish_change(session, tenant_id, "line", tag, "created", None, snapshot(line, AUDITED), reason=reason)
        return line

    def get(self, session: Session, tenant_id: int, tag: str) -> PackagingLine:
        line = repository.by_tag(session, tenant_id, tag)
        if line is None:
            raise NotFoundError.on_field("tag", f"no packaging line tagged {tag!r}")
        return line

    def get_for_change(self, session: Session, tenant_id: int, tag: str) -> PackagingLine:
        """``get``, with the line's row locked: the loser of a concurrent change or delete finds what the
        winner left (the renamed line, or none: 404), never a row gone from under it."""
        line = repository.by_tag_for_update(session, tenant_id, tag)
        if line is None:
            raise NotFoundError.on_field("tag", f"no packaging line tagged {tag!r}")
        return line

    def find(self, session: Session, tenant_id: int, tag: str) -> PackagingLine | None:
        return repository.by_tag(session, tenant_id, tag)

    def list_all(self, session: Session, tenant_id: int) -> list[PackagingLine]:
        return list(repository.all_lines(session, tenant_id))

    def rename(self, session: Session, line: PackagingLine, name: str, reason: str | None = None) -> PackagingLine:
        before = snapshot(line, AUDITED)
        line.name = _check_name(name)
        session.flush()
        after = snapshot(line, AUDITED)
        publish_change(session, line.tenant_id, "line", line.tag, "changed", before, after, reason=reason)
        return line

    def set_location(
        self, session: Session, line: PackagingLine, gln: str | None, extension: str | None, reason: str | None = None
    ) -> PackagingLine:
        """The line's GLN (+ extension), the readPoint of its EPCIS events: a GLN sent comes with its
        extension (none if left out), an empty GLN removes both, an extension alone joins the current GLN."""
        if gln is None:
            if line.gln is None:
                raise ValidationError.on_field("gln_extension", "set a GLN first: an extension belongs to one")
            gln = line.gln
        before = snapshot(line, AUDITED)
        epcis_service.set_line_location(session, line, gln, extension)
        after = snapshot(line, AUDITED)
        publish_change(session, line.tenant_id, "line", line.tag, "changed", before, after, reason=reason)
        return line

    def delete(self, session: Session, line: PackagingLine, reason: str | None = None) -> None:
        before = snapshot(line, AUDITED)
        used = repository.orders_using(session, line.tenant_id, line.id)
        if used:
            raise ConflictError.on_field("tag", f"{used} packaging order(s) use line {line.tag!r}; it stays")
        session.delete(line)
        session.flush()
        publish_change(session, line.tenant_id, "line", line.tag, "deleted", before, None, reason=reason)


class SiteService:
    """Where the tenant's EPCIS events happen: the site's GLN (+ extension), their bizLocation, and the
    time-zone offset of their eventTime."""

    def set_site(
        self,
        session: Session,
        tenant: Tenant,
        gln: str | None,
        extension: str | None,
        offset: str | None,
        reason: str | None = None,
    ) -> Tenant:
        before = snapshot(tenant, SITE_AUDITED)
        epcis_service.set_site(session, tenant, gln, extension, offset)
        after = snapshot(tenant, SITE_AUDITED)
        publish_change(session, tenant.id, "site", tenant.name, "changed", before, after, reason=reason)
        return tenant


line_service = LineService()
site_service = SiteService()
