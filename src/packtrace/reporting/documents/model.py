"""The data the report documents are made of: plain, frozen, no database."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from packtrace.gs1.errors import GS1Error
from packtrace.gs1.expiry import parse_expiry

SCHEMA_BASE = "https://packtrace.dev/schemas/reports/"


@dataclass(frozen=True)
class ProductData:
    """A product's identity and regulatory master data (products/regulatory.py)."""

    code: str  # GTIN-14
    code_scheme: str  # "GTIN"
    company_prefix_length: int
    name: str
    markets: tuple[str, ...] = ()
    common_name: str | None = None
    pharmaceutical_form: str | None = None
    dosage_form: str | None = None
    strength: str | None = None
    pack_type: str | None = None
    pack_size: int | None = None
    mah_name: str | None = None
    mah_id: str | None = None
    target_markets: tuple[str, ...] = ()
    ndc: str | None = None
    nie: str | None = None


@dataclass(frozen=True)
class Sender:
    """The tenant as a report's sender."""

    name: str
    gln: str | None = None
    gln_extension: str | None = None
    company_prefixes: tuple[str, ...] = ()  # the tenant's and partners' GS1 company prefixes


@dataclass(frozen=True)
class Node:
    """A container of an aggregation hierarchy: its SSCC, its parent's, and what it directly holds."""

    sscc: str
    parent: str | None
    child_ssccs: tuple[str, ...] = ()
    packs: tuple[tuple[str, str], ...] = ()  # (product code, serial)


@dataclass(frozen=True)
class Header:
    """What every document starts with."""

    created: dt.datetime
    sender: Sender
    document_id: str = field(default_factory=lambda: uuid.uuid4().hex)


def iso_time(at: dt.datetime) -> str:
    """UTC with milliseconds and Z, as JSON Schema's date-time and xsd:dateTime both take it."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def expiry_iso(yymmdd: str) -> str:
    """The printed YYMMDD expiry as an ISO date (day 00: the month's last day)."""
    try:
        return parse_expiry(yymmdd).isoformat()
    except GS1Error:
        return yymmdd


def element_string(product_code: str, serial: str) -> str:
    """A pack's GS1 element string in human-readable form: (01) GTIN (21) serial."""
    return f"(01){product_code}(21){serial}"


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_array(items: Iterator[object], chunk: int = 5000) -> Iterator[str]:
    """A JSON array written ``chunk`` items at a time (one ``json.dumps`` per chunk, not per item: ten
    times faster for a batch's serials, and still never the whole list at once)."""
    yield "["
    first = True
    while part := list(islice(items, chunk)):
        yield dumps(part)[1:-1] if first else "," + dumps(part)[1:-1]
        first = False
    yield "]"


def header_fields(schema: str, header: Header) -> dict[str, object]:
    sender: dict[str, object] = {"name": header.sender.name}
    if header.sender.gln:
        sender["gln"] = header.sender.gln
    return {
        "$schema": SCHEMA_BASE + schema,
        "document_id": header.document_id,
        "created": iso_time(header.created),
        "sender": sender,
    }


def product_fields(product: ProductData, *names: str) -> dict[str, object]:
    """The product's code with the named master data fields that are set."""
    fields: dict[str, object] = {"product_code": product.code, "product_code_scheme": product.code_scheme}
    for name in names:
        value = getattr(product, name)
        if value not in (None, ()):
            fields[name] = list(value) if isinstance(value, tuple) else value
    return fields


def encode(chunks: Iterator[str]) -> bytes:
    """The document's bytes: chunks encoded as they come, joined once."""
    return b"".join(chunk.encode() for chunk in chunks)


def open_object(fields: dict[str, object]) -> str:
    """A JSON object's opening and its small fields, to be continued with further members."""
    return dumps(fields)[:-1]
