"""Checking produced report documents against what they promise: JSON reports against the JSON Schemas we
publish (jsonschema, draft 2020-12, formats checked), DSCSA XML against GS1's EPCIS 1.2 XSD (lxml)."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

import jsonschema
from lxml import etree

from packtrace.reporting.documents.model import SCHEMA_BASE, Header, ProductData, Sender
from packtrace.reporting.schema_endpoints import schemas
from tests.support import standards

AT = dt.datetime(2026, 12, 3, 10, 30, 15, 123456, tzinfo=dt.UTC)
SENDER = Sender("PackTrace Pharma", "4006381000017", None, ("4006381", "0123451", "030001", "039999"))
PRODUCT = ProductData(
    code="04006381333931",
    code_scheme="GTIN",
    company_prefix_length=7,
    name="Epcistra 100 mg",
    markets=("EU", "CHN", "IDN"),
    common_name="epcistrazole",
    pharmaceutical_form="Film-coated tablet",
    strength="100 mg",
    pack_type="Blister",
    pack_size=30,
    mah_name="PackTrace Pharma GmbH",
    target_markets=("AT", "DE"),
    nie="DKL2012345678A1",
)


def header() -> Header:
    return Header(created=AT, sender=SENDER)


def valid_json(document: bytes) -> dict[str, Any]:
    """The document parsed, after validating it against the schema its ``$schema`` names."""
    body: dict[str, Any] = json.loads(document)
    name = body["$schema"].removeprefix(SCHEMA_BASE)
    schema = schemas()[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return body


@cache
def _epcis_12() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(standards("epcis", "xsd-1.2", "EPCglobal-epcis-1_2.xsd"))))


def valid_epcis_12(document: bytes) -> etree._Element:
    """The document's root, after validating it against the EPCIS 1.2 XSD (which imports the SBDH's)."""
    root = etree.fromstring(document)
    schema = _epcis_12()
    assert schema.validate(root), [str(e) for e in list(schema.error_log)[:5]]
    return root
