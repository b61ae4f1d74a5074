"""Commissioning tab: the CSV import with its per-row results and the download of the failed rows,
commissioning a batch to the market, the batches list; role rules and tenant isolation."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from httpx2 import Response
from sqlalchemy.orm import Session

from packtrace.admin.views.commissioning_import import field_chunks
from packtrace.config import Settings
from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.kit.db import Database
from packtrace.products.service import ProductSettings, product_service
from tests.admin.support import AdminUI, field_error
from tests.admin.test_roles import every_tab
from tests.auth.people import OTHER_PRODUCT_CODE, Person
from tests.packs.support import database_state, pack_events, pack_statuses

HEADER = "SerialNumber,GTIN,Batch,ExpirationDate,ManufacturingDate"
BAD_GTIN = "01234512345900"  # the demo product's code with a wrong check digit
REASON_HEADER = ["SerialNumber", "GTIN", "Batch", "ExpirationDate", "ManufacturingDate", "Reason"]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\r\n".join([header, *rows]) + "\r\n"


def upload(ui: AdminUI, text: str | bytes, name: str = "packs.csv", **kwargs: Any) -> Response:
    content = text.encode() if isinstance(text, str) else text
    return ui.post("/commissioning/import", files={"file": (name, content, "text/csv")}, **kwargs)


def hidden_fields(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)]


def download(ui: AdminUI, page: str) -> Response:
    """What the "Download failed rows" button of a result page sends."""
    data = {"failed_csv": hidden_fields(page, "failed_csv"), "file_name": hidden_fields(page, "file_name")[0]}
    return ui.post("/commissioning/failed-rows", data, files={"unused": ("", b"")})


def failed_table(page: str) -> list[list[str]]:
    """The failed rows' table: per row, its number, its values and its reason."""
    table = re.search(r'<table class="list compact failed-rows">(.*?)</table>', page, re.S)
    assert table, "no table of failed rows"
    bodies = re.findall(r"<tbody>(.*?)</tbody>", table.group(1), re.S)
    return [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)] for body in bodies]


def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def figures(page: str) -> dict[str, str]:
    found = re.findall(r'<span class="figure">([^<]*)</span><span class="label">([^<]*)</span>', page)
    return {label: value for value, label in found}


def good_rows(prefix: str, count: int, batch: str = "CSV-B1") -> list[str]:
    return [f"{prefix}-{n:03d},{DEMO_PRODUCT_CODE},{batch},281231,260101" for n in range(1, count + 1)]


# -- the import -----------------------------------------------------------------------------------------


def test_an_upload_commits_the_good_rows_and_lists_the_bad_one_with_its_reason(
    admin_ui: AdminUI, session: Session
) -> None:
    bad = f"BAD-1,{BAD_GTIN},CSV-B1,281231,"
    text = csv_text(*good_rows("UP", 3), bad, f"UP-900,{DEMO_PRODUCT_CODE},CSV-B2,290600,")
    response = upload(admin_ui, text, name="line 4 packs.csv")
    assert response.status_code == 200, response.text
    page = response.text
    assert "4 packs commissioned, 1 row failed." in page
    assert figures(page) == {
        "Rows": "5",
        "Commissioned": "4",
        "Already active": "0",
        "Joined the pool": "4",
        "Failed": "1",
    }
    assert "CSV-B1" in page and "CSV-B2" in page and "290600" in page
    [row] = failed_table(page)
    assert row[:6] == ["5", "BAD-1", BAD_GTIN, "CSV-B1", "281231", ""]
    assert "check digit" in row[6]
    assert pack_statuses(session) == {"UP-001": "Active", "UP-002": "Active", "UP-003": "Active", "UP-900": "Active"}
    assert pack_events(session, "UP-001")[0][0] == "Commissioned"

    # The same file again: the good rows are there already, nothing changes.
    again = upload(admin_ui, text)
    assert figures(again.text)["Already active"] == "4" and figures(again.text)["Commissioned"] == "0"


def test_the_failed_rows_download_holds_the_header_and_the_bad_rows_with_their_reasons(admin_ui: AdminUI) -> None:
    text = csv_text(
        *good_rows("DL", 2),
        f"DL-BAD-1,{BAD_GTIN},CSV-B1,281231,",
        f'"DL,BAD,2",{DEMO_PRODUCT_CODE},CSV-B1,281232,',
        f"DL-BAD-3,{DEMO_PRODUCT_CODE}",
    )
    page = upload(admin_ui, text, name="C:\\exports\\week 12.csv").text
    response = download(admin_ui, page)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="week_12-failed.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == REASON_HEADER
    assert [r[:5] for r in rows[1:]] == [
        ["DL-BAD-1", BAD_GTIN, "CSV-B1", "281231", ""],
        ["DL,BAD,2", DEMO_PRODUCT_CODE, "CSV-B1", "281232", ""],
        ["DL-BAD-3", DEMO_PRODUCT_CODE, "", "", ""],  # a short row is padded: Reason stays in its column
    ]
    assert "check digit" in rows[1][5] and "expiry day 32" in rows[2][5] and "has 2 fields" in rows[3][5]
    assert response.text.endswith("\r\n") and "\r\n\r\n" not in response.text


def test_a_file_with_many_failed_rows_lists_the_first_hundred_and_downloads_them_all(admin_ui: AdminUI) -> None:
    rows = [f"MANY-{n:03d},{BAD_GTIN},CSV-B1,281231," for n in range(1, 131)]
    page = upload(admin_ui, csv_text(*rows)).text
    assert figures(page)["Failed"] == "130"
    listed = failed_table(page)
    assert len(listed) == 100 and listed[0][1] == "MANY-001" and listed[-1][1] == "MANY-100"
    assert "The first 100 of 130 failed rows are shown; the download has them all." in page
    downloaded = list(csv.reader(io.StringIO(download(admin_ui, page).text)))
    assert len(downloaded) == 131 and downloaded[-1][0] == "MANY-130"


def test_a_file_with_no_failed_row_offers_no_download(admin_ui: AdminUI) -> None:
    page = upload(admin_ui, csv_text(*good_rows("ALL", 2))).text
    assert "Every row was committed." in page
    assert "Download failed rows" not in page and 'name="failed_csv"' not in page


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("SerialNumber,GTIN,Batch,ExpirationDate\r\n\u00e9".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (b"SerialNumber,GTIN,Batch\r\nA,B,C\r\n", "missing columns: ExpirationDate"),
        (b"Serial,GTIN,Batch,ExpirationDate\r\n", "unknown columns 'Serial'"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole_next_to_the_file_field(
    admin_ui: AdminUI, session: Session, content: bytes, expected: str
) -> None:
    before = database_state(session)
    response = upload(admin_ui, content)
    assert response.status_code == 400
    assert expected in html.unescape(field_error(response.text, "file") or ""), response.text
    assert 'aria-describedby="e-file"' in response.text
    assert database_state(session) == before


def test_no_file_or_a_file_over_the_limit_is_refused_next_to_the_file_field(
    admin_ui: AdminUI, session: Session
) -> None:
    before = database_state(session)
    response = admin_ui.post("/commissioning/import", files={"file": ("", b"", "application/octet-stream")})
    assert response.status_code == 400
    assert field_error(response.text, "file") == "choose a CSV file to upload"
    limit = int(re.search(r"\(([\d,]+) bytes\)", response.text).group(1).replace(",", ""))  # type: ignore[union-attr]
    big = (csv_text(*good_rows("BIG", 1)) + "x" * limit)[: limit + 1]
    response = upload(admin_ui, big)
    assert response.status_code == 400
    assert "larger than the limit" in (field_error(response.text, "file") or "")
    assert database_state(session) == before


def test_a_body_over_the_servers_limit_gets_a_page_not_json(admin_ui: AdminUI, settings: Settings) -> None:
    too_big = "x" * (settings.max_body_bytes + 1)
    response = upload(admin_ui, csv_text(*good_rows("HUGE", 1)) + too_big)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html") and "<h1>Refused</h1>" in response.text
    assert f"{settings.max_body_bytes:,}" in response.text or str(settings.max_body_bytes) in response.text


def test_an_upload_needs_the_csrf_token_of_the_session(admin_ui: AdminUI, session: Session) -> None:
    before = database_state(session)
    text = csv_text(*good_rows("CSRF", 1))
    response = upload(admin_ui, text, csrf=False)
    assert response.status_code == 403 and "Form expired" in response.text
    response = admin_ui.post(
        "/commissioning/import",
        {"csrf_token": "not-the-token"},
        csrf=False,
        files={"file": ("packs.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 403
    assert database_state(session) == before
    # The token is read from the multipart form, as from any form; htmx would send it as a header.
    assert upload(admin_ui, text).status_code == 200
    assert upload(admin_ui, text, csrf=False, headers={"X-CSRF-Token": admin_ui.csrf_token}).status_code == 200
    assert pack_statuses(session) == {"CSRF-001": "Active"}


@pytest.mark.parametrize(
    "failed_csv",
    [
        "",
        "<html><script>alert(1)</script></html>",
        "SerialNumber,GTIN,Batch,ExpirationDate\r\nA,B,C,D\r\n",  # no Reason column
        "Name,Reason\r\nA,B\r\n",  # not the import's columns
    ],
)
def test_the_download_answers_only_failed_rows(admin_ui: AdminUI, failed_csv: str) -> None:
    response = admin_ui.post("/commissioning/failed-rows", {"failed_csv": failed_csv, "file_name": "x.csv"})
    assert response.status_code == 400
    assert "Not the failed rows" in response.text
    assert "attachment" not in response.headers.get("content-disposition", "")


def test_the_failed_rows_are_cut_into_form_fields_at_line_ends() -> None:
    text = "".join(f"ROW-{n},{'x' * (n % 7)}\r\n" for n in range(2_000))
    pieces = field_chunks(text, size=1_000)
    assert "".join(pieces) == text and len(pieces) > 20
    assert all(p.endswith("\r\n") and len(p) <= 1_000 for p in pieces)
    # With no CRLF to cut after, a piece never ends between a CR and what follows it.
    assert field_chunks("abc\rdef", size=4) == ["abc", "\rdef"]


# -- commissioning to the market -------------------------------------------------------------------------


def test_a_batch_is_commissioned_to_the_market_with_a_flash(admin_ui: AdminUI, session: Session) -> None:
    upload(admin_ui, csv_text(*good_rows("MK", 3, batch="MK-B1"), *good_rows("MX", 1, batch="MK-B2")))
    form = {"product_code": DEMO_PRODUCT_CODE, "batch": "MK-B1", "market": "EU"}
    response = admin_ui.post("/commissioning/market", form)
    assert response.status_code == 303 and response.headers["location"] == "/admin/commissioning"
    page = admin_ui.get("/commissioning").text
    assert f"Batch MK-B1 of {DEMO_PRODUCT_CODE}: 3 packs commissioned to the market EU." in page
    statuses = pack_statuses(session)
    assert [statuses[f"MK-{n:03d}"] for n in (1, 2, 3)] == ["Commissioned"] * 3
    assert statuses["MX-001"] == "Active"
    assert pack_events(session, "MK-001")[-1] == ("Market commissioned", "batch MK-B1, market EU")
    # Again: nothing left to commission, and it says so.
    admin_ui.post("/commissioning/market", form)
    assert "MK-B1 of 01234512345901: no Active pack left to commission." in admin_ui.get("/commissioning").text


def test_market_commissioning_errors_are_shown_next_to_their_field(
    admin_ui: AdminUI, session: Session, database: Database, admin: Person, outsider: Person
) -> None:
    upload(admin_ui, csv_text(*good_rows("ME", 1, batch="ME-B1")))
    with database.unit_of_work() as s:
        product_service.create(
            s,
            admin.tenant_id,
            "04006381333931",
            ProductSettings(name="EU only", markets=["EU"], company_prefix_length=7),
        )
    before = database_state(session)
    cases = [
        ({"batch": "ME-B1"}, 400, "product_code", "choose a product"),
        ({"product_code": DEMO_PRODUCT_CODE}, 400, "batch", "the batch is required"),
        ({"product_code": DEMO_PRODUCT_CODE, "batch": "NO-SUCH"}, 404, "batch", "no packs of"),
        ({"product_code": DEMO_PRODUCT_CODE, "batch": "ME-B1", "market": "MARS"}, 400, "market", "not a market"),
        ({"product_code": "04006381333931", "batch": "ME-B1", "market": "US"}, 400, "market", "not registered for US"),
        ({"product_code": "12345", "batch": "ME-B1"}, 400, "product_code", ""),
    ]
    for form, status, field, text in cases:
        response = admin_ui.post("/commissioning/market", form)
        assert response.status_code == status, (form, response.text)
        assert text in (field_error(response.text, field) or "-"), (form, response.text)
        # What was typed is shown again.
        if form.get("batch"):
            assert f'value="{form["batch"]}"' in response.text
    assert database_state(session) == before


def test_a_batch_link_fills_in_the_market_form(admin_ui: AdminUI) -> None:
    upload(admin_ui, csv_text(*good_rows("LN", 2, batch="LINK-B1")))
    page = admin_ui.get("/commissioning").text
    link = re.search(r'href="(/admin/commissioning\?[^"#]*batch=LINK-B1)#market"', page)
    assert link, page
    form = admin_ui.client.get(html.unescape(link.group(1))).text
    assert 'id="f-batch" name="batch" type="text" value="LINK-B1"' in form
    assert f'<option value="{DEMO_PRODUCT_CODE}" selected>' in form


# -- the batches -----------------------------------------------------------------------------------------


def batch_cells(page: str) -> list[str]:
    return re.findall(r'<td class="mono nowrap">([^<]*)</td>', page)


def test_the_batches_are_paged_sorted_and_filtered(admin_ui: AdminUI) -> None:
    rows = [f"PG-{n:03d},{DEMO_PRODUCT_CODE},PG-B{n:02d},281231," for n in range(1, 31)]
    rows += [f"PG-X{n},{DEMO_PRODUCT_CODE},PG-B07,281231," for n in range(1, 4)]
    upload(admin_ui, csv_text(*rows))
    admin_ui.post("/commissioning/market", {"product_code": DEMO_PRODUCT_CODE, "batch": "PG-B30"})

    first = admin_ui.get("/commissioning").text  # most Active packs first
    assert batch_cells(first)[0] == "PG-B07" and len(batch_cells(first)) == 25
    assert "1\u201325 of 30 batches" in first
    second = admin_ui.get("/commissioning?page=2").text
    assert len(batch_cells(second)) == 5
    by_batch = admin_ui.get("/commissioning?sort=batch&dir=desc").text
    assert batch_cells(by_batch)[:2] == ["PG-B30", "PG-B29"]
    assert batch_cells(admin_ui.get("/commissioning?q=pg-b1").text) == [f"PG-B{n}" for n in range(10, 20)]
    done = admin_ui.get("/commissioning?state=done").text
    assert batch_cells(done) == ["PG-B30"]
    assert "PG-B30" not in batch_cells(admin_ui.get("/commissioning?state=active&sort=batch").text)
    partial = admin_ui.get("/commissioning?q=PG-B07", headers={"HX-Request": "true", "HX-Target": "results"}).text
    assert "<table" in partial and "<h1" not in partial and batch_cells(partial) == ["PG-B07"]
    # A stale or hand-edited link still shows a list.
    assert admin_ui.get("/commissioning?sort=nope&page=99").status_code == 200


# -- roles and tenants -----------------------------------------------------------------------------------


def test_a_user_has_no_commissioning_even_by_url(user_ui: AdminUI, session: Session) -> None:
    assert ">Commissioning</a>" not in user_ui.get("/products").text
    assert user_ui.get("/commissioning").status_code == 403
    before = database_state(session)
    refused = [
        upload(user_ui, csv_text(*good_rows("USR", 1))),
        user_ui.post("/commissioning/market", {"product_code": DEMO_PRODUCT_CODE, "batch": "CSV-B1"}),
        user_ui.post("/commissioning/failed-rows", {"failed_csv": f"{HEADER},Reason\r\n", "file_name": "x.csv"}),
    ]
    assert [r.status_code for r in refused] == [403] * 3
    assert all("Not allowed" in r.text for r in refused)
    assert database_state(session) == before


def test_support_commissions_by_default_and_only_sees_when_given_view(
    support_ui: AdminUI, admin_ui: AdminUI, session: Session
) -> None:
    page = support_ui.get("/commissioning").text
    assert "Upload and commission" in page and "Commission to market" in page
    assert upload(support_ui, csv_text(*good_rows("SUP", 1))).status_code == 200

    permissions = every_tab("change") | {"Support:commissioning": "view", "User:commissioning": "none"}
    assert admin_ui.post("/settings/permissions", permissions).status_code == 303
    page = support_ui.get("/commissioning").text
    assert "CSV-B1" in page  # the batches, without the forms
    assert "Upload and commission" not in page and "Commission…" not in page
    before = database_state(session)
    refused = [
        upload(support_ui, csv_text(*good_rows("SUP2", 1))),
        support_ui.post("/commissioning/market", {"product_code": DEMO_PRODUCT_CODE, "batch": "CSV-B1"}),
    ]
    assert [r.status_code for r in refused] == [403, 403]
    assert database_state(session) == before


def test_a_tenant_sees_and_commissions_only_its_own_packs(
    admin_ui: AdminUI, ui_for: Callable[[Person], AdminUI], outsider: Person, session: Session
) -> None:
    theirs = ui_for(outsider)
    response = upload(theirs, csv_text(f"B-0001,{OTHER_PRODUCT_CODE},THEIR-BATCH,281231,"))
    assert figures(response.text)["Commissioned"] == "1"
    # Tenant B's product code is not one of ours: our row fails; our batches are not theirs.
    mine = upload(admin_ui, csv_text(f"A-0001,{OTHER_PRODUCT_CODE},MY-BATCH,281231,"))
    assert "not a product code registered by you" in failed_table(mine.text)[0][-1]
    assert "THEIR-BATCH" not in admin_ui.get("/commissioning").text
    assert "THEIR-BATCH" in theirs.get("/commissioning").text
    assert OTHER_PRODUCT_CODE not in admin_ui.get("/commissioning").text
    before = database_state(session)
    response = admin_ui.post("/commissioning/market", {"product_code": OTHER_PRODUCT_CODE, "batch": "THEIR-BATCH"})
    assert response.status_code == 404
    assert "no product" in (field_error(response.text, "product_code") or "")
    assert database_state(session) == before
    assert pack_statuses(session)["B-0001"] == "Active"
