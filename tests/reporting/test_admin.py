"""The admin UI's Reports tab: reports per market and state, a report's attempts and document, retry and
cancel by role with CSRF, and the per-day chart drawn as inline SVG."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select

from packtrace.kit.db import Database
from packtrace.models import MarketProfile
from tests.admin.conftest import ui_for
from tests.admin.support import AdminUI
from tests.auth.people import Person
from tests.reporting.receiver import running
from tests.reporting.support import add_report, http, report, set_destination, worker

pytestmark = pytest.mark.usefixtures("seeded_reports_cancelled")

__all__ = ["ui_for"]


@pytest.fixture
def rejected_report(database: Database, support: Person) -> int:
    report_id = add_report(database, support.tenant_id, document=b'{"batch": "B1"}')
    with running(lambda request, duplicate: (422, "expiry missing")) as receiver:
        set_destination(database, support.tenant_id, http(receiver.url))
        worker(database).run_once()
    return report_id


def test_the_list_shows_reports_per_market_and_state_with_a_chart(
    ui_for: Callable[[Person], AdminUI], plain_user: Person, database: Database, rejected_report: int
) -> None:
    add_report(database, plain_user.tenant_id, "B2", market="US")
    ui = ui_for(plain_user)
    page = ui.get("/reports?market=EU&state=Rejected")
    assert page.status_code == 200, page.text
    assert f'href="/admin/reports/{rejected_report}"' in page.text and "expiry missing" in page.text
    assert "batch B2" not in page.text
    chart = re.search(r'<svg class="reports-chart".*?</svg>', page.text, re.S)
    assert chart and re.search(r"1 Rejected", chart.group(0))
    assert "<script" not in page.text.split("<main", 1)[-1]
    assert "batch B2" in ui.get("/reports?market=US").text
    assert ui.get("/reports?state=Lost").status_code == 400


def test_a_report_page_shows_attempts_and_its_document(
    ui_for: Callable[[Person], AdminUI], plain_user: Person, rejected_report: int
) -> None:
    ui = ui_for(plain_user)
    page = ui.get(f"/reports/{rejected_report}")
    assert page.status_code == 200 and "expiry missing" in page.text and "422" in page.text
    assert "Retry now" not in page.text  # a User reads only
    document = ui.get(f"/reports/{rejected_report}/document")
    assert document.content == b'{"batch": "B1"}' and document.headers["content-type"] == "application/json"
    assert ui.post(f"/reports/{rejected_report}/retry").status_code == 403


def test_support_retries_and_cancels_with_the_csrf_token(
    ui_for: Callable[[Person], AdminUI], support: Person, database: Database, rejected_report: int
) -> None:
    ui = ui_for(support)
    assert "Retry now" in ui.get(f"/reports/{rejected_report}").text
    assert ui.post(f"/reports/{rejected_report}/retry", csrf=False).status_code == 403
    assert report(database, rejected_report).state == "Rejected"
    done = ui.post(f"/reports/{rejected_report}/retry", {"reason": "fixed"})
    assert done.status_code == 303 and report(database, rejected_report).state == "Pending"
    assert ui.post(f"/reports/{rejected_report}/cancel").status_code == 303
    assert report(database, rejected_report).state == "Cancelled"
    again = ui.post(f"/reports/{rejected_report}/retry")
    assert again.status_code == 409 and "only Rejected or failing Pending" in again.text


def _tenant_profile(database: Database, tenant_id: int, market: str) -> MarketProfile:
    with database.unit_of_work() as session:
        found = session.scalars(
            select(MarketProfile).where(MarketProfile.tenant_id == tenant_id, MarketProfile.market == market)
        ).one()
        session.expunge(found)
        return found


def test_support_sets_a_market_destination_whose_auth_header_is_written_never_shown(
    ui_for: Callable[[Person], AdminUI], support: Person, database: Database
) -> None:
    ui = ui_for(support)
    secret = "Authorization: Bearer very-secret-token"
    form = {"kind": "http", "url": "http://127.0.0.1:9/hub", "auth_header": secret, "reason": "EU Hub go-live"}
    assert ui.post("/reports/destinations/EU", form, csrf=False).status_code == 403
    assert _tenant_profile(database, support.tenant_id, "EU").destination_kind is None
    assert ui.post("/reports/destinations/EU", form).status_code == 303
    page = ui.get("/reports").text
    row = re.search(r'<tr id="destination-EU".*?</tr>', page, re.S)
    assert row and "http://127.0.0.1:9/hub" in row.group(0) and ">set<" in row.group(0)
    assert "very-secret-token" not in page
    stored = _tenant_profile(database, support.tenant_id, "EU")
    assert stored.destination_auth_encrypted and b"very-secret" not in stored.destination_auth_encrypted.encode()
    # The header is delivered with each report, as the API's destination's is.
    with running() as receiver:
        ui.post("/reports/destinations/EU", {"kind": "http", "url": receiver.url})  # empty header: kept
        add_report(database, support.tenant_id)
        assert worker(database).run_once() == 1
        assert receiver.requests[0].headers["authorization"] == "Bearer very-secret-token"
    ui.post("/reports/destinations/EU", {"kind": "http", "url": receiver.url, "remove_auth_header": "on"})
    assert _tenant_profile(database, support.tenant_id, "EU").destination_auth_encrypted is None
    assert ui.post("/reports/destinations/EU", {"kind": "none"}).status_code == 303
    assert _tenant_profile(database, support.tenant_id, "EU").destination_kind is None


def test_a_refused_destination_is_named_on_its_row_and_a_user_may_not_set_one(
    ui_for: Callable[[Person], AdminUI], support: Person, plain_user: Person, database: Database
) -> None:
    ui = ui_for(support)
    bad_url = ui.post("/reports/destinations/US", {"kind": "http", "url": "ftp://hub.example"})
    assert bad_url.status_code == 400 and "must be an http:// or https:// URL" in bad_url.text
    folder = ui.post("/reports/destinations/US", {"kind": "folder", "path": "../etc"})
    assert folder.status_code == 400 and "PACKTRACE_REPORT_DIR" in folder.text
    header = ui.post("/reports/destinations/US", {"kind": "http", "url": "https://x.example", "auth_header": "x"})
    assert header.status_code == 400 and "Header-Name: value" in header.text
    assert ui.post("/reports/destinations/US", {"kind": "ftp"}).status_code == 400
    assert _tenant_profile(database, support.tenant_id, "US").destination_kind is None
    user = ui_for(plain_user)
    assert 'action="/admin/reports/destinations/' not in user.get("/reports").text
    assert user.post("/reports/destinations/US", {"kind": "none"}).status_code == 403
