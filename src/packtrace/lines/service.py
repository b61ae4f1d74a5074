"""Rules for packaging lines. A line's tag is its identity in the API, so it does not change."""

from __future__ import annotations

from sqlalchemy.orm import Session

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


class LineService:
    def create(self, session: Session, tenant_id: int, tag: str, name: str = "") -> PackagingLine:
        tag = _check_tag(tag)
        if repository.by_tag(session, tenant_id, tag) is not None:
            raise ConflictError.on_field("tag", f"a packaging line tagged {tag!r} exists already")
        line = PackagingLine(tenant_id=tenant_id, tag=tag, name=_check_name(name))
        session.add(line)
        session.flush()
        return line

    def get(self, session: Session, tenant_id: int, tag: str) -> PackagingLine:
        line = repository.by_tag(session, tenant_id, tag)
        if line is None:
            raise NotFoundError.on_field("tag", f"no packaging line tagged {tag!r}")
        return line

    def find(self, session: Session, tenant_id: int, tag: str) -> PackagingLine | None:
        return repository.by_tag(session, tenant_id, tag)

    def list_all(self, session: Session, tenant_id: int) -> list[PackagingLine]:
        return list(repository.all_lines(session, tenant_id))

    def rename(self, session: Session, line: PackagingLine, name: str) -> PackagingLine:
        line.name = _check_name(name)
        session.flush()
        return line

    def delete(self, session: Session, line: PackagingLine) -> None:
        used = repository.orders_using(session, line.tenant_id, line.id)
        if used:
            raise ConflictError.on_field("tag", f"{used} packaging order(s) use line {line.tag!r}; it stays")
        session.delete(line)
        session.flush()


line_service = LineService()
