"""Helpers of the aggregation tests: packs made directly (commissioning is another feature's), SSCCs of the
demo company prefix, the API's paths, and a snapshot of everything aggregation may write."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.gs1.sscc import build_sscc
from packtrace.kit.db import Database
from packtrace.models import Container, ContainerEvent, Pack, PackEvent
from packtrace.products.service import product_service
from tests.support import V2

PREFIX = "0123451"  # the demo product's company prefix (length 7)
EXTENSION = 3
CONTAINER = f"{V2}/aggregate/container"
TRADE_ITEM = f"{V2}/aggregate/trade_item"
HISTORY = f"{V2}/sscc/history"
REQUEST = f"{V2}/ssccs/request"
RELEASE = f"{V2}/ssccs/release"
GENERATE = "/api/ssccs/generate"
LIST = "/api/ssccs"


def sscc(reference: int, extension: int = EXTENSION, prefix: str = PREFIX) -> str:
    return build_sscc(extension, prefix, reference)


def item(serial: str, product_code: str = DEMO_PRODUCT_CODE) -> dict[str, str]:
    return {"product_code": product_code, "serial": serial}


def add_packs(
    database: Database,
    serials: list[str],
    status: str = "Active",
    product_code: str = DEMO_PRODUCT_CODE,
    tenant: str = DEMO_TENANT,
    order_pk: int | None = None,
) -> None:
    """Pack rows as commissioning leaves them, committed."""
    with database.unit_of_work() as s:
        tenant_id = tenant_service.get_by_name(s, tenant).id
        product = product_service.get(s, tenant_id, product_code)
        s.add_all(
            Pack(
                tenant_id=tenant_id,
                product_id=product.id,
                serial=serial,
                status=status,
                batch="BATCH111",
                expiry_date="271231",
                order_pk=order_pk,
                decommission_reason="Destroyed" if status == "Decommissioned" else None,
            )
            for serial in serials
        )


def snapshot(session: Session) -> dict[str, Any]:
    """Every row aggregation writes, to show that a refused request wrote nothing."""
    session.expire_all()
    containers = session.execute(select(Container.sscc, Container.status, Container.source, Container.parent_id))
    packs = session.execute(select(Pack.serial, Pack.status, Pack.container_id, Pack.parent_pack_id))
    return {
        "containers": {row.sscc: tuple(row) for row in containers},
        "packs": {row.serial: tuple(row) for row in packs},
        "container_events": session.scalar(select(func.count()).select_from(ContainerEvent)),
        "pack_events": session.scalar(select(func.count()).select_from(PackEvent)),
    }


def ok(response: Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is True
    data: dict[str, Any] = body["data"]
    return data


def aggregate(client: TestClient, headers: dict[str, str], **body: Any) -> Response:
    return client.post(CONTAINER, json=body, headers=headers)


def disaggregate(client: TestClient, headers: dict[str, str], **body: Any) -> Response:
    return client.request("DELETE", CONTAINER, json=body, headers=headers)


def history(client: TestClient, headers: dict[str, str], code: str) -> dict[str, Any]:
    return ok(client.get(HISTORY, params={"sscc": code}, headers=headers))


def request_ssccs(client: TestClient, headers: dict[str, str], quantity: int) -> list[str]:
    body = {"quantity": quantity, "extension_digit": EXTENSION, "gs1_company_prefix": PREFIX}
    ssccs: list[str] = ok(client.post(REQUEST, json=body, headers=headers))["ssccs"]
    return ssccs
