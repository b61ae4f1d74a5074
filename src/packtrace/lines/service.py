"""Rules for packaging lines. A line's tag is its identity in the API, so it does not change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from packtrace.audit.facts import publish_change, snapshot
from packtrace.kit.errors import ConflictError, NotFoundError, ValidationError
from packtrace.kit.validation import identifier_problem
from packtrace.lines import repository
from packtrace.models import PackagingLine


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


# What the audit trail records of a line.
AUDITED = ("tag", "name")


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

    def delete(self, session: Session, line: PackagingLine, reason: str | None = None) -> None:
        before = snapshot(line, AUDITED)
        used = repository.orders_using(session, line.tenant_id, line.id)
        if used:
            raise ConflictError.on_field("tag", f"{used} packaging order(s) use line {line.tag!r}; it stays")
        session.delete(line)
        session.flush()
        publish_change(session, line.tenant_id, "line", line.tag, "deleted", before, None, reason=reason)


line_service = LineService()
