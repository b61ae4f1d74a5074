"""PostgreSQL only: concurrent changes never fork a tenant's chain, and the server's role may add and
read audit records but neither change nor remove them, whatever the triggers."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from packtrace.audit.service import audit_service
from packtrace.auth.service import tenant_service
from packtrace.kit.db import Database, make_engine
from packtrace.lines.service import line_service

WRITERS = 12
CHANGES_EACH = 5


def test_concurrent_writers_never_fork_the_chain(committed_demo_schema: str) -> None:
    database = Database(committed_demo_schema)
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for change in range(CHANGES_EACH):
                with database.unit_of_work() as session:
                    tenant_id = tenant_service.get_by_name(session, "demo").id
                    line_service.create(session, tenant_id, f"line-{writer}-{change}")
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        with database.unit_of_work() as session:
            tenant_id = tenant_service.get_by_name(session, "demo").id
            report = audit_service.verify_tenant(session, tenant_id)
            lines = session.execute(
                text("SELECT count(*) FROM audit_records WHERE tenant_id = :t AND entity = 'line'"), {"t": tenant_id}
            ).scalar_one()
        assert report.broken is None
        assert lines >= WRITERS * CHANGES_EACH
    finally:
        database.dispose()


@pytest.fixture
def server_role(committed_demo_schema: str) -> Iterator[tuple[str, str]]:
    """A login role granted what the server needs by ``audit grant-roles``: the URL to connect as it."""
    name, password = f"packtrace_server_{secrets.token_hex(4)}", secrets.token_hex(16)
    owner = make_engine(committed_demo_schema)
    try:
        with owner.begin() as conn:
            conn.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
        database = Database(committed_demo_schema, engine=owner)
        with database.unit_of_work() as session:
            audit_service.grant_roles(session, name)
        url = make_url(database.url).set(username=name, password=password)
        yield committed_demo_schema, url.render_as_string(hide_password=False)
    finally:
        with owner.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))
        owner.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_records SET reason = 'forged'",
        "DELETE FROM audit_records",
        "TRUNCATE audit_records",
        "ALTER TABLE audit_records DISABLE TRIGGER USER",
    ],
)
def test_the_server_role_changes_data_but_cannot_alter_the_trail(server_role: tuple[str, str], statement: str) -> None:
    _, url = server_role
    database = Database(url)
    try:
        with database.unit_of_work() as session:
            assert session.execute(text("SELECT current_user")).scalar_one().startswith("packtrace_server_")
            tenant_id = tenant_service.get_by_name(session, "demo").id
            line_service.create(session, tenant_id, "made-by-the-server-role", reason="the server may write")
        with pytest.raises(DatabaseError, match=r"permission denied|must be owner"), database.unit_of_work() as session:
            session.execute(text(statement))
        with database.unit_of_work() as session:
            assert audit_service.verify_tenant(session, tenant_id).broken is None
    finally:
        database.dispose()
