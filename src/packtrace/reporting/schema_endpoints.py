"""The JSON Schemas of PackTrace's JSON reports (EU, China, Indonesia), served read-only at
``/api/reports/schemas/{schema_name}`` so that a receiver can check what it is sent. They are the files of
``reporting/schemas/``, the same the tests validate every produced document against."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Path

from packtrace.auth.principal import AnyUser
from packtrace.kit.errors import NotFoundError

router = APIRouter(tags=["Management: reports"])
SCHEMA_SUFFIX = ".schema.json"


@cache
def schemas() -> dict[str, dict[str, Any]]:
    """Every published schema by file name."""
    folder = resources.files("packtrace.reporting") / "schemas"
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(SCHEMA_SUFFIX)
    }


@router.get("/reports/schemas", summary="The names of the report documents' JSON Schemas")
def list_report_schemas(user: AnyUser) -> list[str]:
    return sorted(schemas())


@router.get("/reports/schemas/{schema_name}", summary="One report document's JSON Schema")
def report_schema(
    schema_name: Annotated[str, Path(max_length=64, description="e.g. eu-batch-upload.schema.json")],
    user: AnyUser,
) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) a JSON report document follows; its `$id` is the document's
    `$schema`."""
    found = schemas().get(schema_name)
    if found is None:
        raise NotFoundError.on_field("schema_name", f"no report schema {schema_name}; see GET /api/reports/schemas")
    return found
