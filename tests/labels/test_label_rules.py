"""What a pack label must carry and when it must not be printed: EU labels need batch and expiry (the
order's market, or every market of the product when the order names none); expired product is never
labelled. Refusals name what is missing and print nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_PRODUCT_CODE, DEMO_TENANT
from packtrace.kit.db import Database
from packtrace.models import LabelOrder
from packtrace.products.service import ProductSettings, product_service
from tests.support import ORDERS, V2, assert_error, fill_pool, sample_order

LABELS = f"{V2}/label_orders/"
FUTURE = "351115"
US_ONLY = "09506000134352"


def _label_orders(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(LabelOrder)) or 0


def _yymmdd(days_from_today: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days_from_today)).strftime("%y%m%d")


@pytest.mark.parametrize(
    ("missing", "changes"),
    [("batch", {"batch": None}), ("expiry_date", {"expiry_date": None}), ("batch", {"batch": None, "market": None})],
)
def test_eu_order_labels_without_batch_or_expiry_are_refused(
    client: TestClient, api_headers: dict[str, str], session: Session, missing: str, changes: dict[str, Any]
) -> None:
    order = sample_order(**{"expiry_date": FUTURE, **changes})
    assert client.post(ORDERS, json=order, headers=api_headers).status_code == 200
    response = client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers)
    body = assert_error(response, 400, "ValidationError", "order_id")
    assert f"no {missing}" in body["message"] and "EU" in body["message"]
    assert _label_orders(session) == 0


def test_labels_from_the_pool_for_an_eu_product_need_batch_and_expiry(
    client: TestClient, api_headers: dict[str, str], database: Database
) -> None:
    fill_pool(database, DEMO_TENANT, DEMO_PRODUCT_CODE, 5)
    body = {"product_code": DEMO_PRODUCT_CODE, "quantity": 1, "format": "zpl"}
    error = assert_error(client.post(LABELS, json=body, headers=api_headers), 400, "ValidationError", "batch")
    assert "expiry_date" in [d["field"] for d in error["error"]["details"]]


def test_a_product_of_no_eu_market_prints_without_batch_and_expiry(
    client: TestClient, api_headers: dict[str, str], database: Database
) -> None:
    with database.unit_of_work() as s:
        tenant_id = tenant_service.get_by_name(s, DEMO_TENANT).id
        product_service.create(
            s, tenant_id, US_ONLY, ProductSettings(name="US", markets=["US"], company_prefix_length=7)
        )
    fill_pool(database, DEMO_TENANT, US_ONLY, 5)
    body = {"product_code": US_ONLY, "quantity": 1, "format": "zpl"}
    assert client.post(LABELS, json=body, headers=api_headers).status_code == 200


def test_an_order_for_the_us_prints_without_batch(client: TestClient, api_headers: dict[str, str]) -> None:
    order = sample_order(expiry_date=FUTURE, batch=None, market="US")
    assert client.post(ORDERS, json=order, headers=api_headers).status_code == 200
    response = client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("days", [-1, -400])
def test_expired_product_is_never_labelled(
    client: TestClient, api_headers: dict[str, str], session: Session, days: int
) -> None:
    # Created and released with a past expiry (as the spec's own sample is): only labelling refuses it.
    assert client.post(ORDERS, json=sample_order(expiry_date=_yymmdd(days)), headers=api_headers).status_code == 200
    assert client.patch(f"{ORDERS}/release", json={"order_id": "Order130"}, headers=api_headers).status_code == 200
    response = client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers)
    assert "has passed" in assert_error(response, 400, "ValidationError", "order_id")["message"]
    assert _label_orders(session) == 0


def test_product_expiring_today_is_still_labelled(client: TestClient, api_headers: dict[str, str]) -> None:
    assert client.post(ORDERS, json=sample_order(expiry_date=_yymmdd(0)), headers=api_headers).status_code == 200
    response = client.post(LABELS, json={"order_id": "Order130", "format": "zpl"}, headers=api_headers)
    assert response.status_code == 200, response.text


def test_the_spec_sample_with_its_past_expiry_is_still_created(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=sample_order(), headers=api_headers)
    assert response.status_code == 200 and response.json()["data"]["expiry_date"] == "221115"
