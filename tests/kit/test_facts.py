from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from packtrace.kit import facts
from packtrace.kit.clock import transaction_time


@dataclass(frozen=True)
class Thing(facts.Fact):
    name: str


@dataclass(frozen=True)
class SpecialThing(Thing):
    pass


def test_publish_reaches_handlers_of_the_type_and_its_bases_in_order(session: Session) -> None:
    seen: list[str] = []
    facts.subscribe(Thing, lambda _s, f: seen.append(f"thing:{f.name}"))
    facts.subscribe(SpecialThing, lambda _s, f: seen.append(f"special:{f.name}"))
    try:
        facts.publish(session, SpecialThing("a"))
        facts.publish(session, Thing("b"))
    finally:
        facts._subscribers.pop(Thing)
        facts._subscribers.pop(SpecialThing)
    assert seen == ["thing:a", "special:a", "thing:b"]


def test_a_failing_handler_stops_the_publisher(session: Session) -> None:
    def refuse(_session: Session, _fact: Thing) -> None:
        raise RuntimeError("consequence failed")

    facts.subscribe(Thing, refuse)
    try:
        with pytest.raises(RuntimeError, match="consequence failed"):
            facts.publish(session, Thing("x"))
    finally:
        facts._subscribers.pop(Thing)


def test_one_instant_per_transaction(session: Session) -> None:
    first = transaction_time(session)
    session.execute(text("SELECT 1"))
    assert transaction_time(session) == first
    session.commit()
    assert transaction_time(session) >= first
    assert transaction_time(session) is not first
