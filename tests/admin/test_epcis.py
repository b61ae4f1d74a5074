"""EPCIS in the admin UI: pack and SSCC histories link each fact to its EPCIS event, served as JSON to the
signed-in user of its tenant only; the Commissioning tab captures an EPCIS document (the capture of
``POST /epcis/capture``), with its outcome and each refused event's reason, for Administrators and
Support users only, behind the CSRF check of every form."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import unquote

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import identifiers as ids
from packtrace.epcis.events import Where, document, lot_ilmd, object_event
from tests.admin.support import AdminUI, field_error
from tests.admin.test_roles import every_tab
from tests.aggregation.support import aggregate, item, request_ssccs
from tests.aggregation.support import ok as api_ok
from tests.auth.people import Person
from tests.packs.support import COMMISSION, commission_body, database_state, pack_statuses, start_order

AT = datetime(2026, 12, 1, 8, 0, 0, 250_000, tzinfo=UTC)
EVENT_LINK = re.compile(r'<a class="mono" href="/admin(/pool/events/[^"]+)" title="([^"]+)">([^<]+)</a>')


def _links(page: str, section_id: str) -> list[tuple[str, str, str]]:
    """(path, label, event id) of each event link in the page's section titled ``section_id``."""
    section = page[page.index(f'id="{section_id}"') :]
    return [(unescape(p), unescape(label), unescape(i)) for p, label, i in EVENT_LINK.findall(section)]


def _commissioning(serials: list[str], batch: str = "EP-1") -> dict[str, Any]:
    epcs = [ids.sgtin(DEMO_PRODUCT_CODE, s) for s in serials]
    return object_event(AT, Where(), epcs, "ADD", "commissioning", "active", lot_ilmd(batch, "351115", AT))


def _file(events: list[dict[str, Any]]) -> bytes:
    return json.dumps(document(events, AT)).encode()


def _upload(
    ui: AdminUI, content: bytes, name: str = "events.jsonld", media: str = "", behaviour: str = "rollback", **kw: Any
) -> Response:
    files = {"epcis_file": (name, content, media or "application/octet-stream")}
    return ui.post("/commissioning/epcis", {"behaviour": behaviour}, files=files, **kw)


# -- histories link their facts' events -------------------------------------------------------------------


def test_pack_and_sscc_histories_link_each_fact_to_its_event_as_json(
    admin_ui: AdminUI, client: TestClient, api_headers: dict[str, str]
) -> None:
    order = start_order(client, api_headers, "UI-EPCIS-1")
    serials = order.serials[:2]
    api_ok(client.post(COMMISSION, json=commission_body(serials, order_id="UI-EPCIS-1"), headers=api_headers))
    (case,) = request_ssccs(client, api_headers, 1)
    api_ok(aggregate(client, api_headers, sscc=case, trade_items=[item(s) for s in serials]))

    page = admin_ui.get("/pool/history", params={"product_code": DEMO_PRODUCT_CODE, "serial": serials[0]}).text
    links = _links(page, "pack-history-title")
    assert [label for _, label, _ in links] == ["ObjectEvent ADD commissioning", "AggregationEvent ADD packing"]
    for path, _, event_id in links:
        assert unquote(path) == f"/pool/events/{event_id}"
        served = admin_ui.get(path)
        assert served.status_code == 200 and served.headers["content-type"].startswith("application/ld+json")
        assert served.json()["eventID"] == event_id
        assert served.headers["GS1-EPCIS-Version"]
        # The same event the EPCIS interface serves.
        standard = client.get(f"/epcis/events/{path.rsplit('/', 1)[1]}", headers=api_headers)
        assert standard.json() == served.json()

    sscc_page = admin_ui.get(f"/pool/ssccs/{case}").text
    labels = [label for _, label, _ in _links(sscc_page, "history-title")]
    # The first use of the SSCC as a parent commissions it, in the same instant as the packing.
    assert sorted(labels) == ["AggregationEvent ADD packing", "ObjectEvent ADD commissioning"]


def test_an_event_is_served_to_its_tenant_s_users_only(
    admin_ui: AdminUI,
    user_ui: AdminUI,
    ui_for: Callable[[Person], AdminUI],
    outsider: Person,
    client: TestClient,
    api_headers: dict[str, str],
) -> None:
    order = start_order(client, api_headers, "UI-EPCIS-2")
    api_ok(client.post(COMMISSION, json=commission_body(order.serials[:1], order_id="UI-EPCIS-2"), headers=api_headers))
    page = user_ui.get("/pool/history", params={"product_code": DEMO_PRODUCT_CODE, "serial": order.serials[0]}).text
    ((path, _, event_id),) = _links(page, "pack-history-title")
    assert user_ui.get(path).json()["eventID"] == event_id  # the User role reads
    refused = ui_for(outsider).get(path)
    assert refused.status_code == 404 and refused.json()["type"] == "epcisException:NoSuchResourceException"
    assert admin_ui.get("/pool/events/ni%3A%2F%2F%2Fsha-256%3Bnone%3Fver%3DCBV2.0").status_code == 404
    signed_out = TestClient(admin_ui.client.app).get(f"/admin{path}", follow_redirects=False)
    assert signed_out.status_code in (302, 303)


# -- the EPCIS upload ---------------------------------------------------------------------------------------


def test_an_uploaded_document_commissions_and_a_second_upload_applies_nothing(
    admin_ui: AdminUI, session: Session
) -> None:
    page = admin_ui.get("/commissioning").text
    assert "Capture an EPCIS document" in page and "Upload and commission" in page  # beside the CSV upload
    content = _file([_commissioning(["EP-001", "EP-002"])])
    response = _upload(admin_ui, content)
    assert response.status_code == 200, response.text
    assert "Captured: 2 events applied" not in response.text  # one event of two packs
    assert "Captured: 1 event applied, 0 already recorded." in response.text
    assert pack_statuses(session) == {"EP-001": "Active", "EP-002": "Active"}
    again = _upload(admin_ui, content, name="again.json", media="application/json")
    assert "Captured: 0 events applied, 1 already recorded." in again.text


def test_refused_events_are_listed_with_their_reason_all_or_nothing_or_left_out(
    support_ui: AdminUI, session: Session
) -> None:
    events = [
        _commissioning(["EP-010"]),
        {**_commissioning(["EP-011"]), "ilmd": {}},  # no lot: refused
        object_event(AT, Where(), [ids.sgtin(DEMO_PRODUCT_CODE, "EP-010")], "OBSERVE", "shipping", "in_transit"),
    ]
    before = database_state(session)
    page = _upload(support_ui, _file(events)).text
    assert "Nothing captured: 2 events were refused" in page
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td class="break">([^<]+)</td></tr>', page)
    assert [number for number, _ in rows] == ["2", "3"]
    assert "cbvmda:lotNumber" in unescape(rows[0][1]) and "does not record ObjectEvent" in unescape(rows[1][1])
    assert pack_statuses(session) == before["packs"] == {}

    page = _upload(support_ui, _file(events), behaviour="proceed").text
    assert "1 event applied, 2 refused and left out." in page
    assert pack_statuses(session) == {"EP-010": "Active"}


def test_a_file_that_is_no_epcis_document_is_refused_next_to_the_file_field(admin_ui: AdminUI) -> None:
    cases = [
        (b"{not json", "events.json", "", "not JSON"),
        (b'{"type": "EPCISQueryDocument"}', "events.json", "", "an EPCISDocument with epcisBody.eventList"),
        (
            b"SerialNumber,GTIN\r\n",
            "packs.csv",
            "text/csv",
            "Content-Type: application/json, application/ld+json, application/xml",
        ),
    ]
    for content, name, media, expected in cases:
        response = _upload(admin_ui, content, name=name, media=media)
        assert response.status_code == 400
        assert expected in unescape(field_error(response.text, "epcis_file") or ""), response.text
        assert field_error(response.text, "file") is None  # the CSV form's field stays clean
    missing = admin_ui.post("/commissioning/epcis", {"behaviour": "rollback"}, files={"unused": ("", b"")})
    assert "choose an EPCIS document" in (field_error(missing.text, "epcis_file") or "")
    odd = _upload(admin_ui, _file([]), behaviour="sometimes")
    assert odd.status_code == 400 and "rollback, proceed" in (field_error(odd.text, "behaviour") or "")


def test_an_xml_file_goes_to_capture_as_xml(admin_ui: AdminUI) -> None:
    """The file's media type is passed on as the browser names it, or from its extension: capture decides
    what it reads (a 415 refusal shows as the file's error)."""
    response = _upload(admin_ui, b"<epcis:EPCISDocument/>", name="events.xml")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        error = unescape(field_error(response.text, "epcis_file") or "")
        assert "application/xml" in error or "XML" in error, error


def test_the_upload_needs_the_csrf_token(admin_ui: AdminUI, session: Session) -> None:
    content = _file([_commissioning(["EP-CSRF"])])
    response = _upload(admin_ui, content, csrf=False)
    assert response.status_code == 403 and "Form expired" in response.text
    assert pack_statuses(session) == {}
    assert _upload(admin_ui, content, csrf=False, headers={"X-CSRF-Token": admin_ui.csrf_token}).status_code == 200
    assert pack_statuses(session) == {"EP-CSRF": "Active"}


def test_a_user_never_captures_even_with_the_tab_s_change_access(
    admin_ui: AdminUI, user_ui: AdminUI, support_ui: AdminUI, session: Session
) -> None:
    content = _file([_commissioning(["EP-USR"])])
    assert _upload(user_ui, content).status_code == 403  # no Commissioning tab by default
    assert admin_ui.post("/settings/permissions", every_tab("change")).status_code == 303
    page = user_ui.get("/commissioning").text
    assert "Upload and commission" in page and "Capture an EPCIS document" not in page
    refused = _upload(user_ui, content)
    assert refused.status_code == 403 and "Only Administrators and Support users" in refused.text
    # Support with view access only: neither form, and no capture by URL.
    assert (
        admin_ui.post("/settings/permissions", every_tab("change") | {"Support:commissioning": "view"}).status_code
        == 303
    )
    assert "Capture an EPCIS document" not in support_ui.get("/commissioning").text
    assert _upload(support_ui, content).status_code == 403
    assert pack_statuses(session) == {}


# -- where events happen: the site (Settings) and each line's GLN (Packaging lines) ------------------------


def test_the_administrator_sets_the_site_in_settings_and_errors_show_at_their_field(
    admin_ui: AdminUI, support_ui: AdminUI, client: TestClient, api_headers: dict[str, str]
) -> None:
    form = {"gln": "4012345000009", "gln_extension": "Hall-2", "time_zone_offset": "+01:00", "reason": "new site"}
    assert admin_ui.post("/settings/site", form).status_code == 303
    page = admin_ui.get("/settings").text
    assert 'value="4012345000009"' in page and 'value="Hall-2"' in page and 'value="+01:00"' in page
    order = start_order(client, api_headers, "UI-SITE-1")
    api_ok(client.post(COMMISSION, json=commission_body(order.serials[:1], order_id="UI-SITE-1"), headers=api_headers))
    event = client.get("/epcis/events", params={"EQ_bizStep": "commissioning"}, headers=api_headers).json()
    (written,) = event["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert written["bizLocation"]["id"] == "https://id.gs1.org/414/4012345000009/254/Hall-2"
    assert written["eventTimeZoneOffset"] == "+01:00"

    refused = admin_ui.post("/settings/site", form | {"gln": "4012345000008"})
    assert refused.status_code == 400 and "check digit" in (field_error(refused.text, "gln") or "")
    assert 'value="4012345000008"' in refused.text  # the typed value is shown again
    refused = admin_ui.post("/settings/site", form | {"time_zone_offset": "-13:00"})
    assert refused.status_code == 400 and "-12:00 to +14:00" in (field_error(refused.text, "time_zone_offset") or "")
    assert admin_ui.post("/settings/site", form, csrf=False).status_code == 403
    assert support_ui.post("/settings/site", form | {"gln": ""}).status_code == 403
    assert 'value="4012345000009"' in admin_ui.get("/settings").text


def test_a_line_s_gln_is_set_on_the_lines_page(admin_ui: AdminUI, user_ui: AdminUI) -> None:
    page = admin_ui.get("/packaging/lines").text
    line_id = re.search(r'/packaging/lines/(\d+)/location"', page)
    assert line_id
    path = f"/packaging/lines/{line_id.group(1)}/location"
    assert admin_ui.post(path, {"gln": "9521234000013", "gln_extension": "L1"}).status_code == 303
    page = admin_ui.get("/packaging/lines").text
    assert 'value="9521234000013"' in page and 'value="L1"' in page
    refused = admin_ui.post(path, {"gln": "9521234000013", "gln_extension": "a b"})
    assert refused.status_code == 400 and "set 82" in refused.text
    assert user_ui.post(path, {"gln": ""}).status_code == 403  # the User role sees lines only
    assert "9521234000013 / L1" in user_ui.get("/packaging/lines").text
    assert admin_ui.post(path, {"gln": "", "gln_extension": ""}).status_code == 303
    assert 'value="9521234000013"' not in admin_ui.get("/packaging/lines").text
