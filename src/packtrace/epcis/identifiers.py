"""Identifiers and vocabulary in the form EPCIS 2.0 events carry them: GS1 Digital Link URIs on
https://id.gs1.org and CBV web URIs. Also the canonical forms the event hash is computed on, so that an
event sent with EPC URNs (``urn:epc:id:sgtin:...``) or CBV URNs hashes as its Digital Link twin."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, unquote

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.gs1.epc import parse_sgtin_urn, parse_sscc_urn
from packtrace.gs1.errors import GS1Error

ID_BASE = "https://id.gs1.org"
CBV_BASE = "https://ref.gs1.org/cbv/"
_CBV_URN = {"BizStep": "bizstep", "Disp": "disp", "BTT": "btt", "SDT": "sdt"}
CANONICAL_PREFIX = ID_BASE + "/"  # what canonical_identifier leaves unchanged
_DIGITAL_LINK = re.compile(r"^https?://[^/]+(/.*)?/(01|00|414|417|8003|8004)/(.+)$")


def sgtin(gtin: str, serial: str) -> str:
    """A pack: ``https://id.gs1.org/01/{gtin}/21/{serial}`` (the serial percent-encoded)."""
    # Most serials are letters and digits, which need no encoding: quote() costs a quarter second a
    # 100,000-serial event.
    encoded = serial if serial.isalnum() and serial.isascii() else quote(serial, safe="")
    return f"{ID_BASE}/01/{gtin}/21/{encoded}"


def sgtins(gtin: str, serials: Sequence[str]) -> list[str]:
    """``sgtin`` of each serial of one product. When no serial needs encoding (checked once, on all of
    them together) each URI is one concatenation: 100,000 serials in 0.02 s instead of 0.14 s."""
    joined = "".join(serials)
    if not (joined.isalnum() and joined.isascii()):
        return [sgtin(gtin, serial) for serial in serials]
    prefix = f"{ID_BASE}/01/{gtin}/21/"
    return [prefix + serial for serial in serials]


def sscc(code: str) -> str:
    return f"{ID_BASE}/00/{code}"


def location(gln: str, extension: str | None) -> str:
    """A site or line: ``/414/{gln}`` with ``/254/{extension}`` when it has one."""
    return f"{ID_BASE}/414/{gln}" + (f"/254/{quote(extension, safe='')}" if extension else "")


def vocabulary(kind: str, term: str) -> str:
    """``https://ref.gs1.org/cbv/{kind}-{term}``: a CBV term in its 2.0 web form."""
    return f"{CBV_BASE}{kind}-{term}"


def canonical_vocabulary(kind: str, value: str) -> str:
    """A CBV term as the event hash takes it: bare terms and CBV 1.x URNs become web URIs; anything
    else (a user vocabulary) stays as it is."""
    urn = f"urn:epcglobal:cbv:{_CBV_URN[kind]}:"
    if value.startswith(urn):
        return vocabulary(kind, value[len(urn) :])
    if ":" not in value:
        return vocabulary(kind, value)
    return value


def _class_parts(body: str, total: int) -> tuple[str, str]:
    company_prefix, reference = body.split(".", 1)
    payload = (reference[0] + company_prefix + reference[1:]) if total in (13, 17) else company_prefix + reference
    if not payload.isdigit() or len(payload) != total:
        raise GS1Error(f"not a GS1 key: {body!r}")
    return payload, payload + compute_check_digit(payload)


def canonical_identifier(value: str) -> str:
    """An EPC, class, location or party as the event hash takes it: a Digital Link URI on
    https://id.gs1.org. EPC URNs we do not know, and other URIs, stay as they are."""
    if value.startswith(CANONICAL_PREFIX):  # what we write: the common case, first
        return value
    try:
        if value.startswith("urn:epc:id:sgtin:"):
            gtin, serial = parse_sgtin_urn(value)
            return sgtin(gtin, serial)
        if value.startswith("urn:epc:id:sscc:"):
            return sscc(parse_sscc_urn(value))
        if value.startswith("urn:epc:id:sgln:"):
            company_prefix, reference, extension = value[len("urn:epc:id:sgln:") :].split(".", 2)
            payload = company_prefix + reference
            gln = payload + compute_check_digit(payload)
            return location(gln, None if extension == "0" else unquote(extension))
        if value.startswith("urn:epc:id:pgln:"):
            company_prefix, reference = value[len("urn:epc:id:pgln:") :].split(".", 1)
            payload = company_prefix + reference
            return f"{ID_BASE}/417/{payload + compute_check_digit(payload)}"
        if value.startswith("urn:epc:class:lgtin:"):
            body, lot = value[len("urn:epc:class:lgtin:") :].rsplit(".", 1)
            _, gtin = _class_parts(body, 13)
            return f"{ID_BASE}/01/{gtin}/10/{quote(unquote(lot), safe='')}"
        if value.startswith("urn:epc:idpat:sgtin:") and value.endswith(".*"):
            _, gtin = _class_parts(value[len("urn:epc:idpat:sgtin:") : -2], 13)
            return f"{ID_BASE}/01/{gtin}"
    except (GS1Error, ValueError, IndexError):
        return value
    match = _DIGITAL_LINK.match(value)
    if match:
        return f"{ID_BASE}/{match.group(2)}/{match.group(3)}"
    return value
