"""GLNs and SGLNs (a GLN with an optional AI 254 extension) as GS1 Digital Link URIs:
``https://id.gs1.org/414/{gln}`` or ``.../414/{gln}/254/{extension}``.

Written by hand: gs1/ is standard library only. The tests check GLNs against biip."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from packtrace.gs1.charset import is_set82
from packtrace.gs1.check_digit import has_valid_check_digit
from packtrace.gs1.errors import GS1Error

DEFAULT_RESOLVER = "https://id.gs1.org"
MAX_EXTENSION = 20  # GS1 AI 254


def validate_gln(gln: str) -> str:
    if not (len(gln) == 13 and gln.isascii() and gln.isdigit() and has_valid_check_digit(gln)):
        raise GS1Error(f"a GLN is 13 digits with a valid check digit, got {gln!r}")
    return gln


def validate_extension(extension: str) -> str:
    if not (1 <= len(extension) <= MAX_EXTENSION and is_set82(extension)):
        raise GS1Error(f"a GLN extension (AI 254) is 1-20 characters of GS1 character set 82, got {extension!r}")
    return extension


def sgln_uri(gln: str, extension: str | None, resolver: str = DEFAULT_RESOLVER) -> str:
    """The location as a Digital Link URI, the form EPCIS 2.0 events name it by."""
    tail = f"/254/{quote(extension, safe='')}" if extension else ""
    return f"{resolver.rstrip('/')}/414/{gln}{tail}"


def parse_sgln(uri: str) -> tuple[str, str | None]:
    """(GLN, extension or None) of ``https://{host}/414/{gln}[/254/{extension}]``."""
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise GS1Error(f"an SGLN is a GS1 Digital Link URI https://id.gs1.org/414/{{gln}}[/254/{{ext}}], got {uri!r}")
    segments = parts.path.split("/")
    if len(segments) >= 5 and segments[-2] == "254":
        extension: str | None = validate_extension(unquote(segments[-1]))
        segments = segments[:-2]
    else:
        extension = None
    if len(segments) < 3 or segments[-2] != "414":
        raise GS1Error(f"an SGLN's path ends with /414/{{gln}} or /414/{{gln}}/254/{{extension}}, got {parts.path!r}")
    return validate_gln(segments[-1]), extension
