"""Management API of the outbox: market destinations (PATCH /api/markets/{market}) and reports
(list, show, document, retry, cancel), with their roles and refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.kit.db import Database
from packtrace.kit.security import decrypt_secret
from packtrace.markets.destination import AUTH_PURPOSE
from packtrace.models import AuditRecord, MarketProfile
from tests.auth.people import Person, expect_error, expect_ok
from tests.reporting.receiver import running
from tests.reporting.support import KEY, add_report, http, set_destination, worker

pytestmark = pytest.mark.usefixtures("seeded_reports_cancelled")

HTTP = {"kind": "http", "url": "https://hub.example/upload", "auth_header": "Authorization: Bearer s3cret"}


def patch(client: TestClient, person: Person, body: object, market: str = "EU") -> object:
    return client.patch(f"/api/markets/{market}", json=body, headers=person.headers)


@pytest.fixture
def folder_client(settings: Settings, database: Database, tmp_path: Path) -> Iterator[TestClient]:
    """The app with a report root (PACKTRACE_REPORT_DIR) at ``tmp_path / "root"``."""
    (tmp_path / "root").mkdir()
    app = create_app(settings.model_copy(update={"report_dir": tmp_path / "root"}), database=database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_http_destination_keeps_its_auth_header_encrypted_and_unshown(
    client: TestClient, support: Person, plain_user: Person, database: Database
) -> None:
    shown = expect_ok(patch(client, support, {"destination": HTTP, "reason": "EU Hub go-live"}))
    assert shown["destination"] == {"kind": "http", "url": HTTP["url"], "path": None, "auth_header": "set"}
    listed = {m["market"]: m for m in expect_ok(client.get("/api/markets", headers=plain_user.headers))}
    assert listed["EU"]["destination"]["auth_header"] == "set" and listed["US"]["destination"] is None
    assert "s3cret" not in client.get("/api/markets", headers=support.headers).text
    with database.unit_of_work() as session:
        profile = session.scalars(
            select(MarketProfile).where(MarketProfile.tenant_id == support.tenant_id, MarketProfile.market == "EU")
        ).one()
        stored = profile.destination_auth_encrypted or ""
        audit = session.scalars(
            select(AuditRecord).where(AuditRecord.entity == "market", AuditRecord.action == "updated")
        ).one()
    assert "s3cret" not in stored
    assert decrypt_secret(KEY, AUTH_PURPOSE, stored) == "Authorization: Bearer s3cret"
    assert decrypt_secret(b"another-server-key-0123456789abcdef", AUTH_PURPOSE, stored) is None
    assert "s3cret" not in audit.changes and stored not in audit.changes and audit.reason == "EU Hub go-live"
    removed = expect_ok(patch(client, support, {"destination": None}))
    assert removed["destination"] is None


@pytest.mark.parametrize(
    ("destination", "field"),
    [
        ({"kind": "http", "url": "ftp://hub.example/x"}, "destination.url"),
        ({"kind": "http", "url": "file:///etc/passwd"}, "destination.url"),
        ({"kind": "http", "url": "https://hub.example", "auth_header": "no colon"}, "destination.auth_header"),
        (
            {"kind": "http", "url": "https://hub.example", "auth_header": "Idempotency-Key: 1"},
            "destination.auth_header",
        ),
        ({"kind": "folder", "path": "eu"}, "destination.path"),  # no report root on this server
    ],
)
def test_bad_destinations_are_refused_naming_the_field(
    client: TestClient, support: Person, destination: dict[str, str], field: str
) -> None:
    body = expect_error(patch(client, support, {"destination": destination}), 400, "ValidationError")
    assert body["error"]["details"][0]["field"] == field
    assert expect_ok(client.get("/api/markets", headers=support.headers))[1]["destination"] is None


def test_folder_destinations_stay_under_the_report_root(
    folder_client: TestClient, support: Person, tmp_path: Path
) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "root" / "escape").symlink_to(tmp_path / "outside")
    for path in ("../outside", "/tmp/x", "eu/../../outside", "escape", "escape/deeper"):
        refused = patch(folder_client, support, {"destination": {"kind": "folder", "path": path}})
        assert expect_error(refused, 400, "ValidationError")["error"]["details"][0]["field"] == "destination.path"
    shown = expect_ok(patch(folder_client, support, {"destination": {"kind": "folder", "path": "eu/hub"}}))
    assert shown["destination"] == {"kind": "folder", "url": None, "path": "eu/hub", "auth_header": None}


def test_only_support_and_administrators_set_destinations(client: TestClient, plain_user: Person) -> None:
    expect_error(patch(client, plain_user, {"destination": HTTP}), 403, "PermissionDeniedError")


def test_reports_listed_shown_downloaded(
    client: TestClient, plain_user: Person, outsider: Person, database: Database
) -> None:
    tenant = plain_user.tenant_id
    first = add_report(database, tenant, "B1", document=b'{"n": 1}')
    add_report(database, tenant, "B2", market="US")
    third = add_report(database, tenant, "B3")
    with running(lambda request, duplicate: (409, "duplicate batch")) as receiver:
        set_destination(database, tenant, http(receiver.url))
        worker(database).run_once()
    page = expect_ok(client.get("/api/reports?market=EU&limit=1", headers=plain_user.headers))
    assert [r["id"] for r in page["reports"]] == [third]
    rest = expect_ok(client.get(f"/api/reports?market=EU&cursor={page['next_cursor']}", headers=plain_user.headers))
    # Older: the demo product's master data, which seeding enqueued and the fixture cancelled.
    assert [r["id"] for r in rest["reports"] if r["state"] != "Cancelled"] == [first] and rest["next_cursor"] is None
    rejected = expect_ok(client.get("/api/reports?state=Rejected", headers=plain_user.headers))["reports"]
    assert {r["id"] for r in rejected} == {first, third}
    shown = expect_ok(client.get(f"/api/reports/{first}", headers=plain_user.headers))
    assert shown["state"] == "Rejected" and shown["last_error"] == "duplicate batch"
    assert [(a["outcome"], a["http_status"], a["answer"]) for a in shown["attempt_log"]] == [
        ("Rejected", 409, "duplicate batch")
    ]
    document = client.get(f"/api/reports/{first}/document", headers=plain_user.headers)
    assert document.status_code == 200 and document.content == b'{"n": 1}'
    assert document.headers["content-type"] == "application/json"
    assert document.headers["content-disposition"].startswith('attachment; filename="eu-batch-upload-batch-B1')
    expect_error(client.get(f"/api/reports/{first}", headers=outsider.headers), 404, "NotFoundError")
    expect_error(client.get(f"/api/reports/{first}/document", headers=outsider.headers), 404, "NotFoundError")
    bad = expect_error(client.get("/api/reports?state=Lost", headers=plain_user.headers), 400, "ValidationError")
    assert bad["error"]["details"][0]["field"] == "state"


def test_retry_and_cancel_follow_the_states_and_roles(
    client: TestClient, support: Person, plain_user: Person, outsider: Person, database: Database
) -> None:
    pending = add_report(database, support.tenant_id)
    expect_error(client.post(f"/api/reports/{pending}/retry", headers=plain_user.headers), 403, "PermissionDeniedError")
    expect_error(client.post(f"/api/reports/{pending}/cancel", headers=outsider.headers), 404, "NotFoundError")
    never_tried = expect_error(
        client.post(f"/api/reports/{pending}/retry", headers=support.headers), 409, "ConflictError"
    )
    assert never_tried["error"]["details"][0]["field"] == "id"
    cancel = client.post(f"/api/reports/{pending}/cancel", json={"reason": "sent by hand"}, headers=support.headers)
    assert expect_ok(cancel)["state"] == "Cancelled"
    expect_error(client.post(f"/api/reports/{pending}/cancel", headers=support.headers), 409, "ConflictError")
    with database.unit_of_work() as session:
        audit = session.scalars(select(AuditRecord).where(AuditRecord.entity == "report")).one()
    assert (audit.action, audit.reason, audit.entity_id) == ("cancelled", "sent by hand", str(pending))
    delivered = add_report(database, support.tenant_id, "B9")
    with running() as receiver:
        set_destination(database, support.tenant_id, http(receiver.url))
        worker(database).run_once()
    expect_error(client.post(f"/api/reports/{delivered}/cancel", headers=support.headers), 409, "ConflictError")
