from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ORDERS = "/v1/manufacturer/v2/api/packaging_order"

SAMPLE_REQUEST: dict[str, Any] = {
    "batch": "BATCH111",
    "expiry_date": "221115",
    "extra_percentage": 10,
    "market": "EU",
    "order_description": "Packaging Order 130",
    "order_id": "Order130",
    "packaging_line_tag": "test-packaging-line-1",
    "product_code_schema": "GTIN",
    "product_code": "01234512345901",
    "quantity": 10,
    "serialized": True,
}

SAMPLE_RESPONSE_DATA: dict[str, Any] = {
    "order_id": "Order130",
    "order_description": "Packaging Order 130",
    "product_code": "01234512345901",
    "product_code_schema": "GTIN",
    "batch": "BATCH111",
    "expiry_date": "221115",
    "quantity": 10,
    "extra_percentage": 10,
    "serialized": True,
    "packaging_line_tag": "test-packaging-line-1",
    "market": "EU",
    "status": "Open",
}


def test_sample_request_gives_sample_response(client: TestClient, api_headers: dict[str, str]) -> None:
    response = client.post(ORDERS, json=SAMPLE_REQUEST, headers=api_headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Packaging order created"
    for field, value in SAMPLE_RESPONSE_DATA.items():
        assert body["data"][field] == value, field
        assert type(body["data"][field]) is type(value), field
    assert body["data"]["serial_count"] == 11
    assert response.headers["x-request-id"]
