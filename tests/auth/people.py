"""Signed-in people for management API tests: users of each role in the demo tenant, and an administrator
of a second tenant. Each directory's conftest imports the fixtures it needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from packtrace.auth.service import tenant_service, user_service
from packtrace.config import Settings
from packtrace.demo import DemoCredentials
from packtrace.kit.db import Database
from packtrace.lines.service import line_service
from packtrace.models.enums import Role
from packtrace.products.service import ProductSettings, product_service
from tests.support import register_prefixes

PASSWORD = "Str0ng-Passw0rd!"
OTHER_PRODUCT_CODE = "04006381333931"
OTHER_LINE_TAG = "other-line-1"


@dataclass(frozen=True)
class Person:
    user_id: int
    tenant_id: int
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_person(database: Database, settings: Settings, tenant_id: int, email: str, role: Role) -> Person:
    with database.unit_of_work() as s:
        user = user_service.create(s, tenant_id, email, PASSWORD, role, f"{role.value} person")
        token = user_service.issue_token(settings.signing_key(), user, 1).token
        return Person(user.id, tenant_id, user.email, role, token)


def demo_tenant_id(database: Database) -> int:
    with database.unit_of_work() as s:
        return tenant_service.get_by_name(s, "demo").id


@pytest.fixture
def admin(database: Database, settings: Settings, demo: DemoCredentials) -> Person:
    return make_person(database, settings, demo_tenant_id(database), "admin@a.example", Role.ADMINISTRATOR)


@pytest.fixture
def support(database: Database, settings: Settings, demo: DemoCredentials) -> Person:
    return make_person(database, settings, demo_tenant_id(database), "support@a.example", Role.SUPPORT)


@pytest.fixture
def plain_user(database: Database, settings: Settings, demo: DemoCredentials) -> Person:
    return make_person(database, settings, demo_tenant_id(database), "user@a.example", Role.USER)


@pytest.fixture
def outsider(database: Database, settings: Settings, demo: DemoCredentials) -> Person:
    """The administrator of tenant B, which has a product and a line of its own."""
    with database.unit_of_work() as s:
        tenant_id = tenant_service.create(s, "tenant-b").id
        register_prefixes(s, tenant_id)
        product_service.create(
            s, tenant_id, OTHER_PRODUCT_CODE, ProductSettings(name="B's product", company_prefix_length=7)
        )
        line_service.create(s, tenant_id, OTHER_LINE_TAG, "B's line")
    return make_person(database, settings, tenant_id, "admin@b.example", Role.ADMINISTRATOR)


# -- request helpers -----------------------------------------------------------------------------------

V2 = "/v1/manufacturer/v2/api"


def expect_ok(response: Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def expect_error(response: Response, status: int, error_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    assert body["error"]["type"] == error_type
    return body


def create_order(client: TestClient, api_headers: dict[str, str], order_id: str, market: str = "EU") -> None:
    """An Open order of the demo product for ``market`` on the demo line, through the Manufacturer V2 API."""
    body = {
        "order_id": order_id,
        "product_code_schema": "GTIN",
        "product_code": "01234512345901",
        "market": market,
        "packaging_line_tag": "test-packaging-line-1",
        "quantity": 5,
        "serialized": True,
    }
    data = expect_ok(client.post(f"{V2}/packaging_order", json=body, headers=api_headers))
    assert data["status"] == "Open"


def order_details(client: TestClient, api_headers: dict[str, str], order_id: str) -> Any:
    return expect_ok(client.get(f"{V2}/packaging_order/details", params={"order_id": order_id}, headers=api_headers))
