"""Helpers of the pack tests: an order on the line with its serials, requests, and what the database holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import Container, ContainerEvent, Pack, PackEvent
from packtrace.serials.repository import serial_states
from tests.support import ORDERS, V2, fill_pool, row_counts, sample_order

# Each serial with its pool status and order, as the one table used to hold them.
STATES = serial_states()

COMMISSION = f"{V2}/serials/commission"
DECOMMISSION = f"{V2}/serials/decommission"
HISTORY = f"{V2}/pack/history"
RELEASE_SERIALS = f"{V2}/serials/release"
REQUEST_SERIALS = f"{V2}/serials/request"

# Valid GS1 AI 21 serials the pool has never seen: external ones.
EXTERNAL = ["EXT-0001", "ext/0002", "(0003)", "A" * 20]

# A future expiry: a line never packs expired product, so commissioning refuses a date already past.
EXPIRY = "351115"


@dataclass(frozen=True)
class OrderOnLine:
    order_id: str
    serials: list[str]


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def commission_body(serials: list[str], **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_code": DEMO_PRODUCT_CODE,
        "product_code_schema": "GTIN",
        "batch": "BATCH111",
        "expiry_date": EXPIRY,
        "serials": serials,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def decommission_body(serials: list[str], reason: str = "Destroyed", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"product_code": DEMO_PRODUCT_CODE, "serials": serials, "reason": reason}
    body.update(changes)
    return body


def start_order(client: TestClient, headers: dict[str, str], order_id: str = "Order130", **changes: Any) -> OrderOnLine:
    """A serialized order of the demo product (11 serials), released to the line: In progress."""
    changes.setdefault("expiry_date", EXPIRY)
    ok(client.post(ORDERS, json=sample_order(order_id=order_id, **changes), headers=headers))
    released = ok(client.patch(f"{ORDERS}/release", json={"order_id": order_id}, headers=headers))
    assert released["status"] == "In progress"
    page = ok(client.get(f"{ORDERS}/serials", params={"order_id": order_id}, headers=headers))
    return OrderOnLine(order_id, page["serials"])


@pytest.fixture
def in_progress(client: TestClient, api_headers: dict[str, str]) -> OrderOnLine:
    return start_order(client, api_headers)


@pytest.fixture
def pool(database: Database, demo: DemoCredentials) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 20)


def database_state(session: Session) -> dict[str, Any]:
    """Every row count and every serial's and pack's status: what a refused request must leave as it was."""
    counts = row_counts(session)
    for model in (Pack, PackEvent, Container, ContainerEvent):
        counts[model.__tablename__] = session.scalar(select(func.count()).select_from(model)) or 0
    serials = {
        row.serial: (row.status, row.source, row.order_pk)
        for row in session.execute(select(STATES.c.serial, STATES.c.status, STATES.c.source, STATES.c.order_pk))
    }
    packs = {
        row.serial: (row.status, row.batch, row.decommission_reason, row.container_id)
        for row in session.execute(
            select(Pack.serial, Pack.status, Pack.batch, Pack.decommission_reason, Pack.container_id)
        )
    }
    return {"counts": counts, "serials": serials, "packs": packs}


def pack_statuses(session: Session) -> dict[str, str]:
    session.expire_all()
    return {row.serial: row.status for row in session.execute(select(Pack.serial, Pack.status))}


def pack_events(session: Session, serial: str) -> list[tuple[str, str | None]]:
    session.expire_all()
    rows = session.execute(
        select(PackEvent.event, PackEvent.detail)
        .join(Pack, Pack.id == PackEvent.pack_id)
        .where(Pack.serial == serial)
        .order_by(PackEvent.id)
    )
    return [(row.event, row.detail) for row in rows]
