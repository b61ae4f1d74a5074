"""The commissioning lookup's plan does not depend on statistics: right after a bulk fill, before any
ANALYZE, each serial is found by an index probe, never by hashing all the product's rows (PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE, DemoCredentials
from packtrace.models import SerialNumber, Tenant
from packtrace.packs.repository import commission_lookup_statement
from packtrace.packs.service import pack_service
from packtrace.products.service import product_service
from packtrace.serials.service import serial_service
from tests.packs.support import EXPIRY

# The tables a commissioning request looks serials up in: each must be probed by its key.
LOOKED_UP = {"serial_numbers", "packs", "serial_pool", "order_serials"}


def nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", ()):
        found += nodes(child)
    return found


@pytest.mark.parametrize("for_order", [False, True])
def test_serials_are_probed_by_index_before_any_statistics(
    session: Session, demo: DemoCredentials, for_order: bool
) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite plans its joins by the order written (CROSS JOIN / json_each), with no statistics")
    tenant_id = session.scalar(select(Tenant.id).where(Tenant.name == demo.tenant))
    assert tenant_id is not None
    product = product_service.get(session, tenant_id, DEMO_PRODUCT_CODE)
    serial_service.generate_into_pool(session, product, 3000)  # bulk fills, not analyzed
    produced = [f"P{n:06d}" for n in range(3000)]  # packs of one product and batch, not analyzed
    pack_service.commission(
        session,
        tenant_id,
        product_code=DEMO_PRODUCT_CODE,
        batch="BULK1",
        expiry_date=EXPIRY,
        manufacturing_date=None,
        order_id=None,
        serials=produced,
        actor="test",
    )
    filled = list(session.scalars(select(SerialNumber.serial).where(SerialNumber.product_id == product.id)))
    serials = filled[:120] + produced[:5] + ["NEVER-SEEN-1", "NEVER-SEEN-2"]
    connection = session.connection()
    statement, params = commission_lookup_statement(
        connection, tenant_id, product.id, serials, 1 if for_order else None
    )
    explained = connection.execute(text("EXPLAIN (FORMAT JSON) " + statement.text), params).scalar_one()
    plan = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
    scans = [node for node in nodes(plan) if node.get("Relation Name") in LOOKED_UP]
    assert {node["Relation Name"] for node in scans} == LOOKED_UP
    for node in scans:
        assert node["Node Type"] in ("Index Scan", "Index Only Scan"), json.dumps(plan, indent=1)
        # probed by the serial or its id: a probe of packs by product alone read all 3,000 per serial
        assert "serial" in node["Index Cond"], json.dumps(plan, indent=1)
    assert not any(
        node.get("Parent Relationship") == "SubPlan" and "hashed" in node.get("Subplan Name", "")
        for node in nodes(plan)
    )
