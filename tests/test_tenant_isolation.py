"""Tenant isolation, walked over every route: each operation of the OpenAPI document and each page and form
of the admin UI is called with tenant B's credentials and tenant A's identifiers. Nothing of A may be read
(no identifier or private text of A in an answer, unless the request itself carried it) or changed (A's
rows are the same afterwards), a request aimed at one of A's objects is refused (4xx), and nothing answers
5xx.

The requests are generated from the route lists, so a new route is walked without being named here; a new
path parameter fails the test until ``identifiers`` says which of A's values it takes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from starlette.routing import Mount

from packtrace.admin.mount import ADMIN_PATH
from packtrace.app import create_app
from packtrace.auth.service import api_key_service, channel_service, tenant_service, user_service
from packtrace.config import Settings
from packtrace.demo import DEMO_API_KEY_NAME, DemoCredentials
from packtrace.kit.db import Database
from packtrace.models import EpcisEvent, PackagingLine, PackagingOrder
from packtrace.models.base import Base
from packtrace.models.enums import ReportKind, Role
from packtrace.reporting.outbox import batch_stream, enqueue
from tests.admin.support import AdminUI
from tests.aggregation.support import PREFIX
from tests.shipments.support import acknowledge
from tests.support import ORDERS, V2, sample_order

PASSWORD = "Str0ng-Passw0rd!"
A_ORDER = "isolation-A-order-1"
A_PARTNER_GLN = "4012345000009"
A_SHIPMENT = "isolation-A-shipment-1"
# Texts only A has and no request of B carries: their appearance in B's answers is a leak.
A_PRIVATE = ("isolation-A-private-description", "isolation-A-private-product")
# Path parameters that name no object of a tenant (the same for all tenants).
SHARED_PARAMETERS = {"market", "action", "schema_name"}
UNAUTHENTICATED = {"/health", "/v1/api_auth", "/api/login"}


@dataclass
class TenantA:
    values: dict[str, Any] = field(default_factory=dict)

    def markers(self) -> list[str]:
        found: list[str] = list(A_PRIVATE)
        for name, value in self.values.items():
            if name in SHARED_PARAMETERS:
                continue
            found += [str(v) for v in (value if isinstance(value, list) else [value])]
        return [m for m in found if len(m) >= 4]


@dataclass
class TenantB:
    api_headers: dict[str, str]
    user_headers: dict[str, str]
    ui: AdminUI


def _ok(response: Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _make_a(client: TestClient, demo: DemoCredentials, database: Database) -> TenantA:
    """Tenant A (the demo) with one of everything: an order in progress, packs, a container, a label order."""
    api = {"x-access-token": demo.static_token, "x-channel-key": demo.channel_key}
    login = client.post("/api/login", json={"email": demo.admin_email, "password": demo.admin_password})
    user = {"Authorization": f"Bearer {_ok(login)['token']}"}
    _ok(client.patch(f"/api/products/{demo.product_code}", json={"name": A_PRIVATE[1]}, headers=user))
    order = sample_order(
        order_id=A_ORDER, order_description=A_PRIVATE[0], quantity=3, extra_percentage=0, expiry_date="351115"
    )
    _ok(client.post(ORDERS, json=order, headers=api))
    _ok(client.patch(f"{ORDERS}/release", json={"order_id": A_ORDER}, headers=api))
    _ok(client.patch(f"{ORDERS}/status", json={"order_id": A_ORDER, "status": "In progress"}, headers=api))
    serials = _ok(client.get(f"{ORDERS}/serials", params={"order_id": A_ORDER}, headers=api))["serials"]
    serials = [s if isinstance(s, str) else s["serial"] for s in serials]
    packed = {"product_code": demo.product_code, "product_code_schema": "GTIN", "order_id": A_ORDER}
    _ok(
        client.post(
            f"{V2}/serials/commission",
            json={**packed, "batch": "BATCH111", "expiry_date": "351115", "serials": serials},
            headers=api,
        )
    )
    ssccs = _ok(
        client.post(
            f"{V2}/ssccs/request", json={"quantity": 1, "extension_digit": 3, "gs1_company_prefix": PREFIX}, headers=api
        )
    )
    sscc = ssccs["ssccs"][0]
    items = [{"product_code": demo.product_code, "serial": s} for s in serials[:2]]
    _ok(client.post(f"{V2}/aggregate/container", json={"sscc": sscc, "trade_items": items}, headers=api))
    label = _ok(client.post(f"{V2}/label_orders/", json={"order_id": A_ORDER, "format": "zpl"}, headers=api))
    dock = f"https://id.gs1.org/414/{A_PARTNER_GLN}"
    partner = {"name": "A partner", "gln": A_PARTNER_GLN, "locations": [{"sgln": dock, "name": "A dock"}]}
    _ok(client.post("/api/partners", json=partner, headers=user))
    acknowledge(database)  # the EU Hub took batch BATCH111: it may leave
    loose = [{"product_code": demo.product_code, "serial": serials[2]}]
    _ok(
        client.post(
            f"{V2}/shipments", json={"shipment_id": A_SHIPMENT, "ship_to": dock, "trade_items": loose}, headers=api
        )
    )
    empty_capture = {"@context": [], "type": "EPCISDocument", "schemaVersion": "2.0", "epcisBody": {"eventList": []}}
    captured = client.post("/epcis/capture", json=empty_capture, headers=api)
    assert captured.status_code == 202, captured.text
    with database.unit_of_work() as s:
        tenant = tenant_service.get_by_name(s, demo.tenant)
        order_pk = s.scalar(select(PackagingOrder.id).where(PackagingOrder.order_id == A_ORDER))
        line_id = s.scalar(select(PackagingLine.id).where(PackagingLine.tenant_id == tenant.id))
        admin = user_service.authenticate(s, demo.admin_email, demo.admin_password)
        assert admin is not None
        key = next(k for k in api_key_service.list_all(s, tenant.id) if k.name == DEMO_API_KEY_NAME)
        channel = channel_service.list_all(s, tenant.id)[0]
        event_id = s.scalar(select(EpcisEvent.event_id).where(EpcisEvent.tenant_id == tenant.id).limit(1))
        report = enqueue(
            s,
            tenant_id=tenant.id,
            market="EU",
            kind=ReportKind.EU_BATCH_UPLOAD,
            stream=batch_stream(demo.product_code, "BATCH111"),
            subject=A_PRIVATE[0],
            media_type="application/json",
            document=b'{"batch": "BATCH111"}',
        )
    return TenantA(
        {
            "prefix": "1234512",
            "event_id": event_id,
            "epc": f"https://id.gs1.org/01/{demo.product_code}/21/{serials[0]}",
            "capture_id": captured.json()["captureID"],
            "report_id": report.id,
            "order_id": A_ORDER,
            "order_ids": [A_ORDER],
            "pk": order_pk,
            "code": demo.product_code,
            "product_code": demo.product_code,
            "tag": demo.packaging_line_tag,
            "packaging_line_tag": demo.packaging_line_tag,
            "line_id": line_id,
            "serial": serials[0],
            "serials": serials,
            "sscc": sscc,
            "ssccs": [sscc],
            "label_order_id": label["id"],
            "public_id": label["id"],
            "user_id": admin.id,
            "key_id": key.id,
            "api_key_name": key.name,
            "channel_id": channel.id,
            "channel_name": channel.name,
            "market": "EU",
            "action": "release",
            "gln": A_PARTNER_GLN,
            "shipment_id": A_SHIPMENT,
            "schema_name": "eu-batch-upload.schema.json",
        }
    )


def _make_b(settings: Settings, database: Database) -> tuple[dict[str, str], str]:
    key = settings.signing_key()
    with database.unit_of_work() as s:
        tenant = tenant_service.create(s, "isolation-b")
        api_key = api_key_service.create(s, key, tenant.id, "b-erp", "Other-secret-1!").api_key
        token = api_key_service.generate_static_token(s, key, api_key).token
        channel_key = channel_service.create(s, key, tenant.id, "b-line").key
        user_service.create(s, tenant.id, "b-admin@b.example", PASSWORD, Role.ADMINISTRATOR, "B admin")
    return {"x-access-token": token, "x-channel-key": channel_key}, "b-admin@b.example"


@pytest.fixture
def tenants(
    settings: Settings, database: Database, demo: DemoCredentials
) -> Iterator[tuple[FastAPI, TestClient, TenantA, TenantB]]:
    app = create_app(settings.model_copy(update={"auth_failure_limit": 10**6}), database=database)
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        TestClient(app, raise_server_exceptions=False) as browser,
    ):
        a = _make_a(client, demo, database)
        api_headers, email = _make_b(settings, database)
        login = client.post("/api/login", json={"email": email, "password": PASSWORD})
        ui = AdminUI(browser)
        assert ui.sign_in(email, PASSWORD).status_code == 303
        yield app, client, a, TenantB(api_headers, {"Authorization": f"Bearer {_ok(login)['token']}"}, ui)


def _snapshot(database: Database, tenant_id: int) -> dict[str, list[str]]:
    """Every row of the tenant, in every table that has a tenant."""
    rows: dict[str, list[str]] = {}
    with database.session_factory() as s:
        for table in Base.metadata.sorted_tables:
            if "tenant_id" in table.c:
                found = s.execute(select(table).where(table.c.tenant_id == tenant_id)).all()
                rows[table.name] = sorted(repr(tuple(r)) for r in found)
    return rows


def _value(name: str, path: str, a: TenantA) -> Any:
    if name == "name":  # api keys and channels are addressed by name
        owner = "channel" if "channel" in path else "api_key" if "api_key" in path else None
        return a.values[f"{owner}_name"] if owner else None
    return a.values.get(name)


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for alternative in schema.get("anyOf", []):
        if alternative.get("type") != "null":
            return _resolve(alternative, document)
    return schema


def _example(schema: dict[str, Any], document: dict[str, Any], name: str, path: str, a: TenantA) -> Any:
    """A value for a field: A's own where the name says which, else the simplest valid-looking one."""
    known = _value(name, path, a)
    schema = _resolve(schema, document)
    if known is not None:
        return known if schema.get("type") != "array" or isinstance(known, list) else [known]
    if "const" in schema or "enum" in schema:
        return schema.get("const", (schema.get("enum") or [None])[0])
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", []))
        return {
            prop: _example(sub, document, prop, path, a)
            for prop, sub in schema.get("properties", {}).items()
            if prop in required or _value(prop, path, a) is not None
        }
    if kind == "array":
        return [_example(schema.get("items", {}), document, name, path, a)]
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    return "351115" if schema.get("pattern") == "^[0-9]{6}$" else "x"


def _check(response: Response, sent: str, aims_at_a: bool, what: str, a: TenantA) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:300])
    # B is signed in everywhere: a refusal of B's credentials would prove nothing about A's data.
    assert response.status_code != 401 and "/login" not in response.headers.get("location", ""), what
    if aims_at_a:
        assert 400 <= response.status_code < 500, (what, response.status_code, response.text[:300])
    leaked = [m for m in a.markers() if m in response.text and m not in sent]
    assert not leaked, (what, leaked, response.text[:300])


def _api_requests(document: dict[str, Any], a: TenantA) -> Iterator[tuple[str, str, dict[str, Any], Any, bool]]:
    for path, item in document["paths"].items():
        if path in UNAUTHENTICATED:
            continue
        for method, op in item.items():
            url, params, aims = path, {}, False
            for parameter in op.get("parameters", []):
                name, where = parameter["name"], parameter["in"]
                value = _value(name, path, a)
                if where == "path":
                    assert value is not None, f"{method} {path}: which of A's values does {{{name}}} take?"
                    url = url.replace("{" + name + "}", str(value))
                    aims = aims or name not in SHARED_PARAMETERS
                elif where == "query" and value is not None:
                    params[name] = value
                    aims = aims or (parameter.get("required", False) and method == "get")
            body = None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _example(content["application/json"]["schema"], document, "", path, a)
            elif "text/csv" in content:  # a file of A's packs
                code, serial = a.values["product_code"], a.values["serial"]
                body = f"SerialNumber,GTIN,Batch,ExpirationDate\n{serial},{code},BATCH111,351115\n"
            yield method, url, params, body, aims


def _admin_requests(admin: Any, a: TenantA) -> Iterator[tuple[str, str, dict[str, Any], Any, bool]]:
    pages = get_openapi(title="admin", version="1", routes=admin.routes)["paths"]
    form = {name: _value(name, "", a) for name in ("order_id", "code", "product_code", "tag", "sscc", "serial")}
    for path, item in pages.items():
        if path in ("/login", "/logout"):
            continue  # signing in or out reaches no tenant's data
        for method, op in item.items():
            url, aims = path, False
            for parameter in op.get("parameters", []):
                if parameter["in"] == "path":
                    name = parameter["name"]
                    value = _value(name, path, a)
                    assert value is not None, f"admin {method} {path}: which of A's values does {{{name}}} take?"
                    url = re.sub(r"\{" + name + r"(:[a-z]+)?\}", str(value), url)
                    aims = aims or name not in SHARED_PARAMETERS
            yield method, url, {}, form, aims


def test_tenant_b_reaches_nothing_of_tenant_a(
    tenants: tuple[FastAPI, TestClient, TenantA, TenantB], database: Database
) -> None:
    app, client, a, b = tenants
    with database.session_factory() as s:
        a_tenant = tenant_service.get_by_name(s, "demo").id
    before = _snapshot(database, a_tenant)
    assert before["packaging_orders"] and before["containers"] and before["packs"]

    document = app.openapi()
    requests = [("api", *request) for request in _api_requests(document, a)]
    operations = sum(len(item) for path, item in document["paths"].items() if path not in UNAUTHENTICATED)
    assert len(requests) == operations
    admin = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == ADMIN_PATH)
    requests += [("admin", *request) for request in _admin_requests(admin, a)]
    assert len(requests) > operations + 40
    # Requests aimed at A's objects first: the others may create B's own objects under A's identifiers
    # (legitimately), which a later request aimed at A would then find.
    sent = ""
    for kind, method, url, params, body, aims in sorted(requests, key=lambda r: not r[-1]):
        what = f"{kind} {method.upper()} {url}"
        if kind == "api":
            headers = b.user_headers if url.startswith("/api/") else b.api_headers
            if isinstance(body, str):
                headers = {**headers, "Content-Type": "text/csv"}
                response = client.request(method, url, params=params, content=body, headers=headers)
            else:
                response = client.request(method, url, params=params, json=body, headers=headers)
        elif method == "get":
            response = b.ui.get(url, follow_redirects=False)
        else:
            response = b.ui.post(url, data=body)
        # What B sent may come back from B's own data: only what B never sent counts as A's.
        sent += f" {url} {params} {json.dumps(body)}"
        _check(response, sent, aims, what, a)

    assert _snapshot(database, a_tenant) == before
