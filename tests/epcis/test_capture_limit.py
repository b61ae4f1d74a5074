"""Capture has its own body limit: a document over the API's limit (a 100,000-EPC one is about 6 MB) is
captured, one over capture's own limit is the standard's 413."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from packtrace.app import create_app
from packtrace.config import Settings
from packtrace.demo import DEMO_PRODUCT_CODE
from packtrace.epcis import endpoints
from packtrace.epcis import identifiers as ids
from packtrace.epcis.events import Where, document, lot_ilmd, object_event
from packtrace.kit.db import Database
from tests.epcis.test_capture import AT, CAPTURE, JSONLD

SMALL_API_LIMIT = 1024


@pytest.fixture
def small_limit_client(settings: Settings, database: Database) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"max_body_bytes": SMALL_API_LIMIT}), database=database)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _body(count: int) -> bytes:
    epcs = [ids.sgtin(DEMO_PRODUCT_CODE, f"BIG{n:05d}") for n in range(count)]
    event = object_event(AT, Where(), epcs, "ADD", "commissioning", "active", lot_ilmd("CAP-2", "280630", AT))
    return json.dumps(document([event], AT)).encode()


def test_a_capture_over_the_api_body_limit_is_captured(
    small_limit_client: TestClient, api_headers: dict[str, str], demo: object
) -> None:
    body = _body(40)
    assert len(body) > SMALL_API_LIMIT
    response = small_limit_client.post(CAPTURE, content=body, headers=api_headers | JSONLD)
    assert response.status_code == 202, response.text
    job = small_limit_client.get(response.headers["Location"], headers=api_headers).json()
    assert job["success"] is True, job
    # The rest of the API keeps the API's limit.
    refused = small_limit_client.post("/v1/manufacturer/v2/api/serials/commission", content=body, headers=api_headers)
    assert refused.status_code == 413


def test_a_capture_over_its_own_limit_is_the_standards_413(
    small_limit_client: TestClient, api_headers: dict[str, str], demo: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoints, "CAPTURE_MAX_BYTES", 2048)
    response = small_limit_client.post(CAPTURE, content=_body(80), headers=api_headers | JSONLD)
    assert response.status_code == 413, response.text
