"""The check every test gets (``tests/event_check.py``, run from ``tests/conftest.py``): a test that leaves a
broken EPCIS event on its connection fails, and a good event passes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DemoCredentials
from packtrace.epcis import identifiers
from packtrace.epcis.events import Where, object_event
from packtrace.epcis.hashing import event_hash
from packtrace.epcis.service import epcis_service
from tests import event_check

SERIAL_URI = identifiers.sgtin("04012345000009", "CHECK1")


def _event() -> dict[str, Any]:
    at = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    return object_event(at, Where("+00:00", None, None), [SERIAL_URI], "ADD", "commissioning", "active")


def _tenant(session: Session, demo: DemoCredentials) -> int:
    return tenant_service.get_by_name(session, demo.tenant).id


def test_a_standard_event_passes_and_is_counted(
    session: Session, connection: Connection, demo: DemoCredentials
) -> None:
    assert epcis_service.record(session, _tenant(session, demo), _event()) is not None
    session.flush()
    assert event_check.check_new(connection) == 1


# strict: were the hook not run after the test, the test would pass, and a strict xfail that passes fails.
@pytest.mark.xfail(strict=True, raises=AssertionError, reason="the hook must fail a test that wrote a wrong eventID")
def test_an_event_whose_id_is_not_the_reference_hash_fails_its_test(session: Session, demo: DemoCredentials) -> None:
    event = _event()
    wrong = event_hash({**event, "action": "OBSERVE"})
    epcis_service.store(session, _tenant(session, demo), {"type": event["type"], "eventID": wrong, **event}, wrong)
    session.flush()


@pytest.mark.xfail(
    strict=True, raises=AssertionError, reason="the hook must fail a test that wrote a non-standard event"
)
def test_an_event_the_schema_refuses_fails_its_test(session: Session, demo: DemoCredentials) -> None:
    event = {**_event(), "action": "MOVE"}  # not an EPCIS action
    epcis_service.record(session, _tenant(session, demo), event)
    session.flush()


def test_the_check_names_the_broken_event(session: Session, connection: Connection, demo: DemoCredentials) -> None:
    tenant_id = _tenant(session, demo)
    savepoint = session.begin_nested()
    event = {**_event(), "eventTimeZoneOffset": "+25:00"}
    event_id = epcis_service.record(session, tenant_id, event)
    session.flush()
    with pytest.raises(AssertionError) as raised:
        event_check.check_new(connection)
    savepoint.rollback()  # the events are append-only: only the savepoint takes it back
    assert f"event {event_id}" in str(raised.value)
    assert event_check.check_new(connection) == 0
