"""The trail is written with the change or not at all, refuses UPDATE and DELETE in the database, and
``verify`` names the first link a tampered row breaks."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from packtrace.audit.facts import act_as
from packtrace.audit.service import audit_service, hash_of
from packtrace.auth.service import tenant_service, user_service
from packtrace.kit.db import Database, on_postgres
from packtrace.lines.service import line_service
from packtrace.models import AuditRecord, PackagingLine
from packtrace.models.enums import Role
from tests.audit.support import trail

PASSWORD = "Str0ng-Passw0rd!"


class Boom(Exception):
    pass


def test_a_change_and_its_audit_record_roll_back_together(database: Database, session: Session) -> None:
    with database.unit_of_work() as s:
        tenant_id = tenant_service.create(s, "rollback-tenant").id
    before = trail(session, tenant_id)
    with pytest.raises(Boom), database.unit_of_work() as s:
        line_service.create(s, tenant_id, "line-that-never-was", "x")
        assert [e.entity_id for e in trail(s, tenant_id, "line")] == ["line-that-never-was"]
        raise Boom
    session.expire_all()
    assert session.scalars(select(PackagingLine).where(PackagingLine.tenant_id == tenant_id)).all() == []
    assert trail(session, tenant_id) == before


def test_a_failing_audit_write_undoes_the_change(
    database: Database, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.unit_of_work() as s:
        tenant_id = tenant_service.create(s, "audit-fails-tenant").id

    def refuse(*_: object) -> None:
        raise Boom

    monkeypatch.setattr("packtrace.audit.repository.lock_head", refuse)
    with pytest.raises(Boom), database.unit_of_work() as s:
        line_service.create(s, tenant_id, "unaudited-line", "x")
    session.expire_all()
    assert session.scalars(select(PackagingLine).where(PackagingLine.tenant_id == tenant_id)).all() == []


def test_records_name_the_actor_the_session_acts_as_and_never_a_password(session: Session) -> None:
    tenant_id = tenant_service.create(session, "actor-tenant").id
    act_as(session, "cli:operator")
    user = user_service.create(session, tenant_id, "new@a.example", PASSWORD, Role.USER, "New", reason="hired")
    user_service.update(session, user, password="An0ther-Passw0rd!")
    created, changed = trail(session, tenant_id, "user")
    assert (created.actor, created.action, created.reason) == ("cli:operator", "created", "hired")
    assert created.changes["role"] == {"old": None, "new": "User"}
    assert created.changes["password_hash"] == changed.changes["password_hash"] == {"changed": True}
    assert list(changed.changes) == ["password_hash"]
    assert PASSWORD not in repr(created) and user.password_hash not in repr(trail(session, tenant_id))


def test_each_tenant_has_its_own_chain(session: Session) -> None:
    first = tenant_service.create(session, "chain-a").id
    second = tenant_service.create(session, "chain-b").id
    for tenant_id in (first, second, first):
        line_service.create(session, tenant_id, f"line-{len(trail(session, tenant_id))}")
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.tenant_id == first).order_by(AuditRecord.sequence)
    ).all()
    assert [r.sequence for r in records] == [1, 2, 3]
    assert records[0].previous_hash == "0" * 64
    assert [r.previous_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    reports = audit_service.verify(session, [first, second])
    assert [(r.records, r.broken) for r in reports] == [(3, None), (2, None)]


@pytest.mark.parametrize("statement", ["UPDATE audit_records SET actor = 'x'", "DELETE FROM audit_records"])
def test_the_database_refuses_to_update_or_delete_audit_records(session: Session, statement: str) -> None:
    tenant_id = tenant_service.create(session, "append-only").id
    line_service.create(session, tenant_id, "a-line")
    with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
        session.execute(text(f"{statement} WHERE tenant_id = :t"), {"t": tenant_id})


def test_postgres_refuses_to_truncate_audit_records(session: Session) -> None:
    if not on_postgres(session):
        pytest.skip("TRUNCATE is PostgreSQL's")
    with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
        session.execute(text("TRUNCATE audit_records"))


def _without_triggers(session: Session) -> None:
    """What only the owner of the tables can do (and the test's rollback undoes): switch the guard off."""
    if on_postgres(session):
        session.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_records_no_update"))
        session.execute(text("DROP TRIGGER audit_records_no_delete"))


def _tampered_tenant(session: Session) -> int:
    tenant_id = tenant_service.create(session, "tampered").id
    for tag in ("l1", "l2", "l3", "l4"):
        line_service.create(session, tenant_id, tag)
    assert audit_service.verify_tenant(session, tenant_id).broken is None
    _without_triggers(session)
    return tenant_id


def test_verify_names_the_altered_record(session: Session) -> None:
    tenant_id = _tampered_tenant(session)
    session.execute(
        text("UPDATE audit_records SET actor = 'user:someone-else' WHERE tenant_id = :t AND sequence = 3"),
        {"t": tenant_id},
    )
    session.expire_all()
    broken = audit_service.verify_tenant(session, tenant_id).broken
    assert broken is not None and (broken.sequence, broken.problem) == (
        3,
        "its content does not match its hash: it was altered",
    )


def test_verify_names_where_a_record_was_removed(session: Session) -> None:
    tenant_id = _tampered_tenant(session)
    session.execute(text("DELETE FROM audit_records WHERE tenant_id = :t AND sequence = 2"), {"t": tenant_id})
    session.expire_all()
    broken = audit_service.verify_tenant(session, tenant_id).broken
    assert broken is not None and broken.sequence == 3 and "missing" in broken.problem


def test_verify_names_a_removed_last_record(session: Session) -> None:
    tenant_id = _tampered_tenant(session)
    session.execute(text("DELETE FROM audit_records WHERE tenant_id = :t AND sequence = 5"), {"t": tenant_id})
    session.expire_all()
    broken = audit_service.verify_tenant(session, tenant_id).broken
    assert broken is not None and broken.sequence == 5 and "missing" in broken.problem


def test_verify_names_a_rehashed_record_by_its_successor(session: Session) -> None:
    """Recomputing the altered row's own hash does not help: the next row still names the old one."""
    tenant_id = _tampered_tenant(session)
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.tenant_id == tenant_id, AuditRecord.sequence == 2)
    ).one()
    record.reason = "forged"
    record.hash = hash_of(record)
    session.flush()
    broken = audit_service.verify_tenant(session, tenant_id).broken
    assert broken is not None and broken.sequence == 3 and "previous hash" in broken.problem
