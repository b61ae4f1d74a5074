"""One clock per transaction: what one request writes carries one instant, so events stay in causal order
and ``updated_at`` never precedes ``created_at``."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.models import Container, ContainerEvent
from tests.aggregation.support import LIST, ok, request_ssccs
from tests.auth.people import Person
from tests.support import ORDERS, sample_order


def test_an_sscc_made_on_request_is_generated_no_later_than_it_is_assigned(
    client: TestClient, api_headers: dict[str, str], support: Person, session: Session
) -> None:
    ssccs = request_ssccs(client, api_headers, 3)  # the pool is empty: generated, then assigned
    session.expire_all()
    for code in ssccs:
        events = session.execute(
            select(ContainerEvent.event, ContainerEvent.at)
            .join(Container, Container.id == ContainerEvent.container_id)
            .where(Container.sscc == code)
            .order_by(ContainerEvent.id)
        ).all()
        assert [event for event, _ in events] == ["Generated", "Assigned"]
        assert events[0].at == events[1].at
    listed = ok(client.get(LIST, params={"limit": 100}, headers=support.headers))["ssccs"]
    assert len(listed) == 3
    for row in listed:
        assert datetime.fromisoformat(row["updated_at"]) == datetime.fromisoformat(row["created_at"])


def test_an_order_created_with_its_serials_has_one_instant(client: TestClient, api_headers: dict[str, str]) -> None:
    created = ok(client.post(ORDERS, json=sample_order(), headers=api_headers))
    assert created["updated_at"] == created["created_at"]
    details = ok(client.get(f"{ORDERS}/details", params={"order_id": "Order130"}, headers=api_headers))
    assert [e["at"] for e in details["history"]] == [created["created_at"]]
    released = ok(client.patch(f"{ORDERS}/release", json={"order_id": "Order130"}, headers=api_headers))
    assert released["created_at"] == created["created_at"] and released["updated_at"] > released["created_at"]
