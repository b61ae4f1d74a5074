"""Where a market's reports go, checked: an http(s) URL with an optional auth header, or a drop folder
under the operator's report root. Used when a destination is set and again by the worker at delivery, since
the folder tree may have changed in between (a symlink placed since)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from packtrace.kit.errors import ValidationError

AUTH_PURPOSE = "market-destination-auth"
# RFC 9110 token characters: what a header name may be made of.
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers the worker sets itself: a configured one must not replace them.
_RESERVED = {"content-type", "content-length", "idempotency-key", "host", "transfer-encoding", "connection"}


def check_url(url: str, field: str = "destination.url") -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValidationError.on_field(field, "must be an http:// or https:// URL with a host")
    if any(c in url for c in "\r\n\t ") or len(url) > 2048:
        raise ValidationError.on_field(field, "must be a URL of at most 2048 characters, without spaces")
    return url


def parse_auth_header(value: str, field: str = "destination.auth_header") -> tuple[str, str]:
    """``"Name: value"`` (e.g. ``"Authorization: Bearer abc"``) as its name and value."""
    name, colon, rest = value.partition(":")
    name, rest = name.strip(), rest.strip()
    if not colon or not _HEADER_NAME.match(name) or not rest:
        raise ValidationError.on_field(field, "must be 'Header-Name: value', e.g. 'Authorization: Bearer <token>'")
    if name.lower() in _RESERVED:
        raise ValidationError.on_field(field, f"{name} is set by the outbox itself")
    if any(ord(c) < 32 or ord(c) == 127 for c in rest):
        raise ValidationError.on_field(field, "the value must not contain control characters (line breaks)")
    return name, rest


def folder_under(root: Path | None, relative: str, field: str = "destination.path") -> Path:
    """The drop folder ``relative`` names under ``root``, resolved: refused when no root is set, when the
    path is absolute or climbs out (``..``), or when a symlink on the way leads outside the root."""
    if root is None:
        raise ValidationError.on_field(
            field, "folder destinations need a report root: set PACKTRACE_REPORT_DIR on the server"
        )
    posix = PurePosixPath(relative.replace("\\", "/"))
    if not relative.strip() or posix.is_absolute() or re.match(r"^[A-Za-z]:", relative):
        raise ValidationError.on_field(field, "must be a folder relative to the report root, not an absolute path")
    if ".." in posix.parts or "\x00" in relative:
        raise ValidationError.on_field(field, "must not climb out of the report root ('..')")
    base = root.resolve()
    target = (base / Path(*posix.parts)).resolve()
    if target != base and base not in target.parents:
        raise ValidationError.on_field(field, "leads outside the report root (through a symbolic link)")
    return target
