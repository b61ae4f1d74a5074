"""The admin UI's Audit tab: Administrators and Support read the trail with filters and download it as
CSV; the User role does not see it."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from packtrace.demo import DemoCredentials
from packtrace.models import ApiKey
from tests.admin.support import AdminUI
from tests.audit.support import last
from tests.auth.people import Person


def _rename_product(client: TestClient, person: Person, code: str, name: str, reason: str) -> None:
    response = client.patch(f"/api/products/{code}", json={"name": name, "reason": reason}, headers=person.headers)
    assert response.status_code == 200, response.text


def test_the_tab_lists_changes_with_their_values_and_reason(
    admin_ui: AdminUI, client: TestClient, support: Person, demo: DemoCredentials
) -> None:
    _rename_product(client, support, demo.product_code, "Tablets <b>20 mg</b>", "CC-7: strength in the name")
    page = admin_ui.get("/audit?entity=product")
    assert page.status_code == 200
    assert f"user:{support.email}" in page.text and "CC-7: strength in the name" in page.text
    assert "Tablets &lt;b&gt;20 mg&lt;/b&gt;" in page.text  # escaped, never rendered as markup
    assert 'href="/admin/audit"' in admin_ui.get("/products").text  # in the navigation


def test_filters_narrow_the_list(admin_ui: AdminUI, client: TestClient, support: Person, admin: Person) -> None:
    client.patch("/api/tenant", json={"automatic_release": True}, headers=admin.headers)
    by_admin = admin_ui.get(f"/audit?actor={admin.email}").text
    assert "automatic_release" in by_admin and f"user:{support.email}" not in by_admin
    assert "No record matches." in admin_ui.get("/audit?entity=product&from=2999-01-01T00:00").text


def test_a_bad_time_filter_is_a_400_page_naming_the_field(admin_ui: AdminUI) -> None:
    page = admin_ui.get("/audit?from=not-a-time")
    assert page.status_code == 400 and "from: not a date and time" in page.text


def test_support_reads_and_exports_csv(
    support_ui: AdminUI, client: TestClient, support: Person, demo: DemoCredentials
) -> None:
    _rename_product(client, support, demo.product_code, "Renamed", '=HYPERLINK("http://x")')
    response = support_ui.get("/audit/export.csv?entity=product")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and {r["entity"] for r in rows} == {"product"}
    renamed = rows[-1]
    assert json.loads(renamed["changes"])["name"]["new"] == "Renamed"
    assert renamed["reason"] == '\'=HYPERLINK("http://x")'  # a spreadsheet must not run it


def test_the_user_role_does_not_see_the_tab(user_ui: AdminUI) -> None:
    assert user_ui.get("/audit").status_code == 403
    assert 'href="/admin/audit"' not in user_ui.get("/products").text


def test_ui_forms_send_their_reason_to_the_trail(
    admin_ui: AdminUI, session: Session, admin: Person, support: Person, demo: DemoCredentials
) -> None:
    page = admin_ui.get(f"/products/{demo.product_code}").text
    assert 'name="reason"' in page
    form = {"name": "Renamed in the UI", "company_prefix_length": "7", "reason": "CC-9: label text"}
    assert admin_ui.post(f"/products/{demo.product_code}", form).status_code == 303
    assert last(session, admin.tenant_id, "product").reason == "CC-9: label text"
    users = admin_ui.get("/tenant/users").text
    assert f'aria-label="Reason for the change of {support.email}"' in users
    assert (
        admin_ui.post(f"/tenant/users/{support.user_id}/role", {"role": "User", "reason": "left QA"}).status_code == 303
    )
    entry = last(session, admin.tenant_id, "user")
    assert (entry.changes, entry.reason) == ({"role": {"old": "Support", "new": "User"}}, "left QA")
    key_id = session.scalars(select(ApiKey.id).where(ApiKey.name == "demo-erp")).one()
    assert admin_ui.post(f"/tenant/api-keys/{key_id}/static-token", {"reason": "leaked"}).status_code == 200
    assert last(session, admin.tenant_id, "api_key").reason == "leaked"
    assert admin_ui.post("/settings/release", {"automatic_release": "on", "reason": "go live"}).status_code == 303
    assert last(session, admin.tenant_id, "tenant").reason == "go live"
