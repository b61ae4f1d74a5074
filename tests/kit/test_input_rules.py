"""Bad input gets a clear error naming the field and the rule: malformed JSON, duplicate keys, the wrong
content type, a token without its scheme, identifiers no one could tell apart, messages without doubled
field names."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from packtrace.auth.service import tenant_service
from packtrace.demo import DEMO_TENANT, DemoCredentials
from packtrace.gs1.sscc import build_sscc
from packtrace.kit.validation import IDENTIFIER_RULE
from packtrace.models import Container, PackagingOrder
from tests.support import ORDERS, V2, assert_error, row_counts, sample_order

JSON = {"content-type": "application/json"}


def test_malformed_json_names_the_body_with_line_and_column(client: TestClient, api_headers: dict[str, str]) -> None:
    body = b'{"order_id": "Order130",\n  "quantity": ,\n}'
    error = assert_error(client.post(ORDERS, content=body, headers=api_headers | JSON), 400, "ValidationError")
    assert error["error"]["details"] == [
        {"field": "body", "message": "is not valid JSON: Expecting value at line 2, column 15"}
    ]
    assert "line 2, column 15" in error["message"]


@pytest.mark.parametrize(
    "body, key",
    [
        (b'{"order_id": "Order130", "quantity": 10, "quantity": 1000}', "quantity"),
        # In a nested object too, and for any JSON endpoint.
        (b'{"order_ids": ["Order130"], "x": {"a": 1, "a": 2}}', "a"),
    ],
)
def test_duplicate_keys_are_refused_naming_the_key(
    client: TestClient, api_headers: dict[str, str], session: Session, body: bytes, key: str
) -> None:
    before = row_counts(session)
    error = assert_error(client.post(ORDERS, content=body, headers=api_headers | JSON), 400, "ValidationError", key)
    assert "more than once" in error["error"]["details"][0]["message"]
    assert row_counts(session) == before


def test_duplicate_keys_are_refused_on_the_management_api(client: TestClient) -> None:
    body = b'{"email": "a@b.example", "password": "x", "email": "c@d.example"}'
    assert_error(client.post("/api/login", content=body, headers=JSON), 400, "ValidationError", "email")


def test_the_same_body_without_duplicates_still_works(client: TestClient, api_headers: dict[str, str]) -> None:
    import json

    body = json.dumps(sample_order(), indent=2).encode()
    assert client.post(ORDERS, content=body, headers=api_headers | JSON).status_code == 200


@pytest.mark.parametrize(
    "content_type, expected",
    [("text/plain", "Content-Type text/plain"), (None, "Content-Type: application/json")],
)
def test_a_wrong_content_type_is_named(
    client: TestClient, api_headers: dict[str, str], content_type: str | None, expected: str
) -> None:
    import json

    headers = api_headers | ({"content-type": content_type} if content_type else {})
    response = client.post(ORDERS, content=json.dumps(sample_order()).encode(), headers=headers)
    error = assert_error(response, 400, "ValidationError", "body")
    assert expected in error["message"]
    assert "JSON object" not in error["message"]


def test_a_token_without_the_bearer_scheme_says_so(client: TestClient, demo: DemoCredentials) -> None:
    headers = {"Authorization": demo.static_token, "x-channel-key": demo.channel_key}
    error = assert_error(client.get(f"{ORDERS}/open", headers=headers), 401, "NoTokenError")
    assert "no scheme" in error["message"] and "Bearer" in error["message"]
    basic = assert_error(client.get("/api/users", headers={"Authorization": "Basic abc"}), 401, "NoTokenError")
    assert "'Basic'" in basic["message"]
    none = assert_error(client.get(f"{ORDERS}/open", headers={"x-channel-key": demo.channel_key}), 401, "NoTokenError")
    assert none["message"] == "No token provided."


@pytest.mark.parametrize("order_id", [" ", "a\nb", " Order130", "Order130 ", "tab\there"])
def test_order_ids_follow_the_identifier_rule_of_line_tags(
    client: TestClient, api_headers: dict[str, str], session: Session, order_id: str
) -> None:
    response = client.post(ORDERS, json=sample_order(order_id=order_id), headers=api_headers)
    error = assert_error(response, 400, "ValidationError", "order_id")
    assert error["error"]["details"][0]["message"] == IDENTIFIER_RULE
    assert session.query(PackagingOrder).count() == 0


def test_line_tags_use_the_same_rule(client: TestClient, demo: DemoCredentials) -> None:
    token = client.post("/api/login", json={"email": demo.admin_email, "password": demo.admin_password}).json()
    headers = {"Authorization": f"Bearer {token['data']['token']}"}
    error = assert_error(client.post("/api/lines", json={"tag": "a\nb"}, headers=headers), 400, "ValidationError")
    assert error["error"]["details"] == [{"field": "tag", "message": IDENTIFIER_RULE}]


def test_a_serialized_order_needs_a_quantity(client: TestClient, api_headers: dict[str, str], session: Session) -> None:
    refused = client.post(ORDERS, json=sample_order(quantity=None), headers=api_headers)
    assert "serialized" in assert_error(refused, 400, "ValidationError", "quantity")["message"]
    assert session.query(PackagingOrder).count() == 0
    unserialized = sample_order(quantity=None, serialized=False)
    assert client.post(ORDERS, json=unserialized, headers=api_headers).status_code == 200
    patched = client.patch(ORDERS, json={"order_id": "Order130", "serialized": True}, headers=api_headers)
    assert_error(patched, 400, "ValidationError", "quantity")
    session.expire_all()
    assert session.query(PackagingOrder).one().serialized is False


def test_label_errors_name_their_field_once(client: TestClient, api_headers: dict[str, str], session: Session) -> None:
    tenant = tenant_service.get_by_name(session, DEMO_TENANT)
    sscc = build_sscc(1, "1234512", 7)
    session.add(Container(tenant_id=tenant.id, sscc=sscc, status="Assigned", source="internal"))
    session.commit()
    tiny = {"template": "case", "ssccs": [sscc], "label_width_mm": 10, "label_height_mm": 10}
    error = assert_error(client.post(f"{V2}/label_orders/", json=tiny, headers=api_headers), 400, "ValidationError")
    detail = error["error"]["details"][0]
    assert detail["field"] in {"label_width_mm", "label_height_mm"}, error
    assert not detail["message"].startswith(detail["field"])
    assert f"{detail['field']}: {detail['field']}" not in error["message"]
    assert "label_size_mm" not in error["message"]
