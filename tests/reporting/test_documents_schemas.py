"""The published JSON Schemas: valid draft 2020-12, one per JSON report kind, served read-only."""

from __future__ import annotations

import jsonschema
from fastapi.testclient import TestClient

from packtrace.models.enums import ReportKind
from packtrace.reporting.documents.model import SCHEMA_BASE
from packtrace.reporting.schema_endpoints import schemas
from tests.auth.people import Person
from tests.support import assert_error


def test_every_json_report_kind_has_a_valid_schema_whose_id_is_its_address() -> None:
    found = schemas()
    json_kinds = {k.value for k in ReportKind if k is not ReportKind.US_DSCSA_SHIPMENT}
    assert {s["properties"]["report"]["const"] for s in found.values()} == json_kinds
    for name, schema in found.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"] == SCHEMA_BASE + name == schema["properties"]["$schema"]["const"]


def test_schemas_are_served_read_only(client: TestClient, support: Person) -> None:
    listed = client.get("/api/reports/schemas", headers=support.headers)
    assert listed.status_code == 200 and listed.json() == sorted(schemas())
    response = client.get("/api/reports/schemas/eu-batch-upload.schema.json", headers=support.headers)
    assert response.status_code == 200 and response.json() == schemas()["eu-batch-upload.schema.json"]
    missing = client.get("/api/reports/schemas/nope.schema.json", headers=support.headers)
    assert_error(missing, 404, "NotFoundError", "schema_name")
    assert client.post("/api/reports/schemas/eu-batch-upload.schema.json", headers=support.headers).status_code == 405
