"""EPC pure-identity URNs (GS1 EPC Tag Data Standard) for SGTINs and SSCCs.

Written by hand: gs1/ is standard library only, and the conversion is a few
lines of string work once the company prefix length is known.
"""

import re

from packtrace.gs1.charset import is_set82
from packtrace.gs1.check_digit import compute_check_digit
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import company_prefix_length_is_valid
from packtrace.gs1.serials import MAX_SERIAL_LENGTH
from packtrace.gs1.sscc import validate_sscc

SGTIN_PREFIX = "urn:epc:id:sgtin:"
SSCC_PREFIX = "urn:epc:id:sscc:"

# TDS, GS1 AI encodable character set 82 in URIs: these set-82 characters are
# percent-encoded in a URN component; all others appear literally.
_URN_ESCAPES = {c: f"%{ord(c):02X}" for c in '"%&/<>?'}
_URN_LITERAL = re.compile(r"[A-Za-z0-9!'()*+,\-.:;=_]")
_URN_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_DIGITS = frozenset("0123456789")


def _check_prefix_length(company_prefix_length: int) -> None:
    if isinstance(company_prefix_length, bool) or not (
        isinstance(company_prefix_length, int) and company_prefix_length_is_valid(company_prefix_length)
    ):
        raise GS1Error(f"GS1 Company Prefix length must be 6 to 12, got {company_prefix_length!r}")


def _is_digits(text: str) -> bool:
    return bool(text) and set(text) <= _DIGITS


def escape_serial(serial: str) -> str:
    """A set-82 serial as it appears in an EPC URN."""
    if not (1 <= len(serial) <= MAX_SERIAL_LENGTH and is_set82(serial)):
        raise GS1Error(f"EPC serial must be 1 to 20 characters of GS1 set 82, got {serial!r}")
    return "".join(_URN_ESCAPES.get(c, c) for c in serial)


def unescape_serial(component: str) -> str:
    """The serial of an EPC URN component; GS1Error unless TDS allows the text."""
    chars: list[str] = []
    pos = 0
    while pos < len(component):
        escape = _URN_ESCAPE.match(component, pos)
        if escape:
            chars.append(chr(int(escape.group(1), 16)))
            pos = escape.end()
        elif _URN_LITERAL.match(component, pos):
            chars.append(component[pos])
            pos += 1
        else:
            raise GS1Error(
                f"EPC serial {component!r} has {component[pos]!r} at position {pos}, which must be percent-encoded"
                if component[pos] != "%"
                else f"EPC serial {component!r} has a malformed percent-escape at position {pos}"
            )
    serial = "".join(chars)
    if not (1 <= len(serial) <= MAX_SERIAL_LENGTH and is_set82(serial)):
        raise GS1Error(f"EPC serial must be 1 to 20 characters of GS1 set 82, got {serial!r}")
    return serial


def sgtin_urn(gtin: str, company_prefix_length: int, serial: str) -> str:
    """`urn:epc:id:sgtin:{company prefix}.{indicator + item reference}.{serial}` for a GTIN-14."""
    _check_prefix_length(company_prefix_length)
    if len(gtin) != 14 or not _is_digits(gtin):
        raise GS1Error(f"GTIN must be a GTIN-14 (14 digits 0-9), got {gtin!r}")
    expected = compute_check_digit(gtin[:-1])
    if gtin[-1] != expected:
        raise GS1Error(f"GTIN {gtin} has check digit {gtin[-1]}, expected {expected}")
    company_prefix = gtin[1 : 1 + company_prefix_length]
    item_reference = gtin[0] + gtin[1 + company_prefix_length : 13]
    return f"{SGTIN_PREFIX}{company_prefix}.{item_reference}.{escape_serial(serial)}"


def sscc_urn(sscc: str, company_prefix_length: int) -> str:
    """`urn:epc:id:sscc:{company prefix}.{extension digit + serial reference}` (no check digit)."""
    _check_prefix_length(company_prefix_length)
    validate_sscc(sscc)
    company_prefix = sscc[1 : 1 + company_prefix_length]
    serial_reference = sscc[0] + sscc[1 + company_prefix_length : 17]
    return f"{SSCC_PREFIX}{company_prefix}.{serial_reference}"


def _split(urn: str, prefix: str, parts: int) -> list[str]:
    # "urn" and the namespace "epc" are case-insensitive (RFC 8141); the rest is not.
    namespace = "urn:epc:"
    if urn[: len(namespace)].lower() != namespace or not urn[len(namespace) :].startswith(prefix[len(namespace) :]):
        raise GS1Error(f"expected a URN starting with {prefix!r}, got {urn!r}")
    return urn[len(prefix) :].split(".", parts - 1)


def _numeric_parts(urn: str, company_prefix: str, reference: str, total: int, what: str) -> None:
    if not (_is_digits(company_prefix) and company_prefix_length_is_valid(len(company_prefix))):
        raise GS1Error(f"company prefix in {urn!r} must be 6 to 12 digits, got {company_prefix!r}")
    if not _is_digits(reference) or len(company_prefix) + len(reference) != total:
        raise GS1Error(
            f"{what} in {urn!r} must be digits making {total} digits with the company prefix, "
            f"got {company_prefix!r} + {reference!r}"
        )


def parse_sgtin_urn(urn: str) -> tuple[str, str]:
    """(GTIN-14 with its check digit, serial) of an SGTIN pure-identity URN."""
    parts = _split(urn, SGTIN_PREFIX, 3)
    if len(parts) != 3:
        raise GS1Error(f"an SGTIN URN has three parts, company prefix.item reference.serial; got {urn!r}")
    company_prefix, item_reference, escaped_serial = parts
    _numeric_parts(urn, company_prefix, item_reference, 13, "indicator digit and item reference")
    payload = item_reference[0] + company_prefix + item_reference[1:]
    return payload + compute_check_digit(payload), unescape_serial(escaped_serial)


def parse_sscc_urn(urn: str) -> str:
    """The 18-digit SSCC, check digit included, of an SSCC pure-identity URN."""
    parts = _split(urn, SSCC_PREFIX, 2)
    if len(parts) != 2:
        raise GS1Error(f"an SSCC URN has two parts, company prefix.serial reference; got {urn!r}")
    company_prefix, serial_reference = parts
    _numeric_parts(urn, company_prefix, serial_reference, 17, "extension digit and serial reference")
    payload = serial_reference[0] + company_prefix + serial_reference[1:]
    return payload + compute_check_digit(payload)
