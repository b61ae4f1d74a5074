"""The admin UI's Reports tab: reports per market and state, a report's attempts and document, retry and
cancel by role with CSRF, and the per-day chart drawn as inline SVG."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from packtrace.kit.db import Database
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
