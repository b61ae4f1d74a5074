"""GS1 element strings: the data of a GS1 DataMatrix or GS1-128, and its HRI.

Written by hand rather than with biip: gs1/ is standard library only, biip
parses but does not build element strings, and we support only the AIs a
pharmaceutical pack carries, so that anything else fails loudly. The tests
check this module against biip.
"""

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from packtrace.gs1.charset import SET_82, invalid_set82_characters
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.expiry import parse_yymmdd
from packtrace.gs1.gtin import normalize_gtin
from packtrace.gs1.sscc import validate_sscc

GS = "\x1d"
Pair = tuple[str, str]

# Scanners prefix the data with these when configured to send the
# symbology identifier: GS1 DataMatrix, GS1-128 and GS1 QR Code.
SYMBOLOGY_IDENTIFIERS = ("]d2", "]C1", "]Q3")
MAX_VARIABLE_LENGTH = 20


class _AIRule(NamedTuple):
    title: str
    kind: str  # "sscc", "gtin", "date", "count" or "set82"
    fixed_length: int | None  # None: variable length, 1 to 20 characters of set 82


_AIS: dict[str, _AIRule] = {
    "00": _AIRule("SSCC", "sscc", 18),
    "01": _AIRule("GTIN", "gtin", 14),
    # 02 and 37 say what a logistic unit of one kind of trade item holds (GS1 logistic label).
    "02": _AIRule("GTIN of contained trade items", "gtin", 14),
    "37": _AIRule("count of trade items", "count", None),
    "11": _AIRule("production date", "date", 6),
    "17": _AIRule("expiry", "date", 6),
    "10": _AIRule("batch", "set82", None),
    "21": _AIRule("serial", "set82", None),
    "710": _AIRule("NHRN Germany PZN", "set82", None),
    "711": _AIRule("NHRN France CIP", "set82", None),
    "712": _AIRule("NHRN Spain CN", "set82", None),
    "713": _AIRule("NHRN Brazil DRN", "set82", None),
    "714": _AIRule("NHRN Portugal AIM", "set82", None),
    "715": _AIRule("NHRN USA NDC", "set82", None),
    "716": _AIRule("NHRN Italy AIC", "set82", None),
}
SUPPORTED_AIS = tuple(_AIS)
NATIONAL_AIS = ("710", "711", "712", "713", "714", "715", "716")
_DATE_WHAT = {"11": "production", "17": "expiry"}
_DIGITS = frozenset("0123456789")
# In the bracketed form "(" followed by 2-4 digits and ")" always opens a new
# AI; a literal "(" in a value may be written "\(" (GS1 Barcode Syntax Engine).
_BRACKETED_AI = re.compile(r"\((\d{2,4})\)")
_ESCAPED_PAREN = "\\("


def _rule(ai: str) -> _AIRule:
    rule = _AIS.get(ai)
    if rule is None:
        raise GS1Error(f"unknown or unsupported AI {ai!r}; supported are {', '.join(SUPPORTED_AIS)}")
    return rule


def is_fixed_length(ai: str) -> bool:
    """Whether `ai` has a predefined length (needs no GS after it)."""
    return _rule(ai).fixed_length is not None


def validate_value(ai: str, value: str) -> None:
    """Raise GS1Error, naming the AI and the rule, unless `value` is valid for `ai`."""
    rule = _rule(ai)
    name = f"AI {ai} ({rule.title})"
    if rule.kind == "set82":
        if not 1 <= len(value) <= MAX_VARIABLE_LENGTH:
            raise GS1Error(f"{name} must be 1 to 20 characters of GS1 set 82; got {len(value)} characters")
        invalid = invalid_set82_characters(value)
        if invalid:
            raise GS1Error(
                f"{name} must be 1 to 20 characters of GS1 set 82; got characters outside set 82: "
                f"{', '.join(map(repr, invalid))} (allowed are {SET_82})"
            )
        return
    if rule.kind == "count":  # N..8
        if not 1 <= len(value) <= 8 or not set(value) <= _DIGITS:
            raise GS1Error(f"{name} must be 1 to 8 digits; got {value!r}")
        return
    if len(value) != rule.fixed_length or not set(value) <= _DIGITS:
        raise GS1Error(f"{name} must be exactly {rule.fixed_length} digits; got {value!r}")
    try:
        if rule.kind == "gtin":
            normalize_gtin(value)
        elif rule.kind == "sscc":
            validate_sscc(value)
        else:
            parse_yymmdd(value, what=_DATE_WHAT[ai])
    except GS1Error as exc:
        raise GS1Error(f"{name}: {exc}") from None


def _checked(pairs: Iterable[Pair]) -> list[Pair]:
    checked = list(pairs)
    if not checked:
        raise GS1Error("an element string needs at least one AI")
    seen: set[str] = set()
    for ai, value in checked:
        validate_value(ai, value)
        if ai in seen:
            # GS1 tolerates an AI repeated with the same value; a pack never
            # needs it, and a repeat with another value is invalid.
            raise GS1Error(f"AI {ai} ({_AIS[ai].title}) appears more than once")
        seen.add(ai)
    return checked


def pack_pairs(
    gtin: str,
    serial: str,
    batch: str | None = None,
    expiry: str | None = None,
    national: Sequence[Pair] = (),
) -> list[Pair]:
    """The AI pairs of a pack in the usual order: (01) (17) (10) (21), then national AIs."""
    pairs: list[Pair] = [("01", gtin)]
    if expiry is not None:
        pairs.append(("17", expiry))
    if batch is not None:
        pairs.append(("10", batch))
    pairs.append(("21", serial))
    for ai, value in national:
        if ai not in NATIONAL_AIS:
            raise GS1Error(f"national number AI must be one of {', '.join(NATIONAL_AIS)}, got {ai!r}")
        pairs.append((ai, value))
    return _checked(pairs)


def ordered_for_encoding(pairs: Iterable[Pair]) -> list[Pair]:
    """Fixed-length AIs first, then variable-length ones, each group in the given order."""
    checked = _checked(pairs)
    return [p for p in checked if is_fixed_length(p[0])] + [p for p in checked if not is_fixed_length(p[0])]


def to_raw(pairs: Iterable[Pair]) -> str:
    """Barcode data after the leading FNC1: GS ends each variable-length field but the last."""
    ordered = ordered_for_encoding(pairs)
    parts: list[str] = []
    for index, (ai, value) in enumerate(ordered):
        parts.append(ai + value)
        if not is_fixed_length(ai) and index < len(ordered) - 1:
            parts.append(GS)
    return "".join(parts)


def to_human(pairs: Iterable[Pair]) -> str:
    """The HRI printed under a barcode, "(01)...(17)...(10)...(21)...", in the given order.

    Values are printed as they are. A value containing "(" + 2-4 digits + ")"
    makes the text ambiguous to a reader and to `parse`; `to_bracketed`
    escapes it for machines.
    """
    return "".join(f"({ai}){value}" for ai, value in _checked(pairs))


def to_bracketed(pairs: Iterable[Pair]) -> str:
    """Like `to_human`, with each "(" in a value escaped as "\\(", so that `parse` reads it back exactly."""
    return "".join(f"({ai}){value.replace('(', _ESCAPED_PAREN)}" for ai, value in _checked(pairs))


def parse(text: str) -> list[Pair]:
    """Parse the bracketed form or raw barcode data (GS separators, optional ]d2/]C1/]Q3 and leading GS)."""
    if text.startswith("("):
        return _checked(_parse_bracketed(text))
    return _checked(_parse_raw(text))


def _parse_bracketed(text: str) -> list[Pair]:
    pairs: list[Pair] = []
    pos = 0
    while pos < len(text):
        match = _BRACKETED_AI.match(text, pos)
        if match is None:
            raise GS1Error(f"expected an AI in parentheses at position {pos} of {text!r}")
        ai = match.group(1)
        _rule(ai)
        pos = match.end()
        value: list[str] = []
        while pos < len(text):
            if text.startswith(_ESCAPED_PAREN, pos):
                value.append("(")
                pos += 2
            elif _BRACKETED_AI.match(text, pos):
                break
            else:
                value.append(text[pos])
                pos += 1
        pairs.append((ai, "".join(value)))
    return pairs


def _parse_raw(text: str) -> list[Pair]:
    data = text
    if data.startswith("]"):
        if data[:3] not in SYMBOLOGY_IDENTIFIERS:
            raise GS1Error(
                f"unsupported symbology identifier {data[:3]!r}; expected one of {', '.join(SYMBOLOGY_IDENTIFIERS)}"
            )
        data = data[3:]
    data = data.removeprefix(GS)
    if not data:
        raise GS1Error(f"no element string in {text!r}")
    if data.endswith(GS):
        raise GS1Error(f"element string must not end with a GS separator: {text!r}")
    pairs: list[Pair] = []
    pos = 0
    while pos < len(data):
        if data[pos] == GS:
            raise GS1Error(f"empty field: two GS separators in a row at position {pos} of {text!r}")
        ai = next((data[pos : pos + n] for n in (2, 3, 4) if data[pos : pos + n] in _AIS), None)
        if ai is None:
            raise GS1Error(
                f"unknown or unsupported AI at position {pos} of {text!r} ({data[pos : pos + 4]!r}...); "
                f"supported are {', '.join(SUPPORTED_AIS)}"
            )
        start = pos + len(ai)
        length = _AIS[ai].fixed_length
        if length is not None:
            end = start + length
            pos = end + 1 if data.startswith(GS, end) else end  # a GS after a fixed field is tolerated
        else:
            gs = data.find(GS, start)
            end = len(data) if gs < 0 else gs
            pos = end + 1
        pairs.append((ai, data[start:end]))
    return pairs
