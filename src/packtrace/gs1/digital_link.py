"""GS1 Digital Link URIs (URI syntax 1.x) for packs (GTIN + serial) and SSCCs.

Written by hand: gs1/ is standard library only. The tests check it against
biip's Digital Link parser.
"""

import re
import string
from urllib.parse import quote, unquote, urlsplit

from packtrace.gs1.element_string import Pair, pack_pairs, validate_value
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import normalize_gtin
from packtrace.gs1.sscc import validate_sscc

DEFAULT_RESOLVER = "https://id.gs1.org"

# Primary keys we read, each with its key qualifiers in the order the standard
# requires them in the path (01 may also have 22 and 235 first, which we do
# not support and refuse).
_QUALIFIERS = {"01": ("10", "21"), "00": ()}
_QUALIFIER_KEYS = frozenset(q for qs in _QUALIFIERS.values() for q in qs)
# Characters RFC 3986 allows anywhere in a URI; anything else (space, '"',
# '<', '>', non-ASCII, ...) must have been percent-encoded.
_URI_CHARS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _encode(value: str) -> str:
    # Every character outside the unreserved set A-Z a-z 0-9 - . _ ~ is
    # percent-encoded, as GS1 Digital Link requires for path segments.
    return quote(value, safe="")


def _resolver(resolver: str) -> str:
    parts = urlsplit(resolver)
    if (
        not resolver.startswith(("https://", "http://"))
        or not parts.netloc
        or "?" in resolver
        or "#" in resolver
        or not set(resolver) <= _URI_CHARS
        or _BAD_ESCAPE.search(resolver)
    ):
        raise GS1Error(
            f"resolver must be an https:// or http:// URL with a host and no query or fragment, got {resolver!r}"
        )
    return resolver.rstrip("/")


def pack_uri(
    gtin: str,
    serial: str,
    batch: str | None = None,
    expiry: str | None = None,
    resolver: str = DEFAULT_RESOLVER,
) -> str:
    """`{resolver}/01/{gtin14}/10/{batch}/21/{serial}?17={YYMMDD}` for a pack."""
    base = _resolver(resolver)
    pack_pairs(gtin, serial, batch, expiry)  # validates every value
    path = f"/01/{gtin}"
    if batch is not None:
        path += f"/10/{_encode(batch)}"
    path += f"/21/{_encode(serial)}"
    query = f"?17={expiry}" if expiry is not None else ""
    return base + path + query


def sscc_uri(sscc: str, resolver: str = DEFAULT_RESOLVER) -> str:
    """`{resolver}/00/{sscc}` for a logistic unit."""
    return f"{_resolver(resolver)}/00/{validate_sscc(sscc)}"


def _decode(raw: str, uri: str) -> str:
    if _BAD_ESCAPE.search(raw):
        raise GS1Error(f"malformed percent-encoding in {raw!r} of {uri!r}")
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise GS1Error(f"percent-encoding in {raw!r} of {uri!r} is not UTF-8") from None


def parse_uri(uri: str) -> list[Pair]:
    """The AI pairs of a Digital Link URI: the path's, then numeric query parameters'.

    Non-numeric query parameters (e.g. linkType) are ignored; a numeric one
    that is not a supported AI is refused.
    """
    if not set(uri) <= _URI_CHARS:
        bad = sorted(set(uri) - _URI_CHARS)
        raise GS1Error(f"URI has characters that must be percent-encoded: {', '.join(map(repr, bad))} in {uri!r}")
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("https", "http") or not parts.netloc:
        raise GS1Error(f"a GS1 Digital Link URI must be an https:// or http:// URL with a host, got {uri!r}")
    segments = parts.path.split("/")
    # Read from the right: the path may start with any prefix of the resolver's.
    end = len(segments)
    qualifiers: list[tuple[str, str]] = []
    while end >= 3 and segments[end - 2] in _QUALIFIER_KEYS:
        qualifiers.insert(0, (segments[end - 2], segments[end - 1]))
        end -= 2
    if end < 3 or segments[end - 2] not in _QUALIFIERS:
        raise GS1Error(
            "the path of a GS1 Digital Link URI must end with /01/{gtin}[/10/{batch}][/21/{serial}] "
            f"or /00/{{sscc}}, got {parts.path!r}"
        )
    primary, raw_key = segments[end - 2], segments[end - 1]
    allowed = _QUALIFIERS[primary]
    keys = [key for key, _ in qualifiers]
    if keys != [q for q in allowed if q in keys]:
        raise GS1Error(
            f"after /{primary}/ the path may have only the qualifiers {', '.join(allowed) or '(none)'}, "
            f"each once and in that order; got {', '.join(keys)} in {parts.path!r}"
        )
    key_value = _decode(raw_key, uri)
    if primary == "01":
        try:
            key_value = normalize_gtin(key_value)
        except GS1Error as exc:
            raise GS1Error(f"AI 01 (GTIN): {exc}") from None
    else:
        validate_value(primary, key_value)
    pairs: list[Pair] = [(primary, key_value)]
    for key, raw in qualifiers:
        value = _decode(raw, uri)
        validate_value(key, value)
        pairs.append((key, value))
    in_path = {primary, *allowed, *_QUALIFIERS}
    seen = {ai for ai, _ in pairs}
    for param in parts.query.split("&") if parts.query else ():
        key, _, raw = param.partition("=")
        if not key.isascii() or not key.isdigit():
            continue
        if key in in_path:
            raise GS1Error(f"AI {key} belongs in the path of a Digital Link URI, not the query: {uri!r}")
        if key in seen:
            raise GS1Error(f"AI {key} appears more than once in {uri!r}")
        value = _decode(raw, uri)
        validate_value(key, value)
        seen.add(key)
        pairs.append((key, value))
    return pairs
