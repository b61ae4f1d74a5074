"""Keyset pagination: an opaque cursor carries the last id seen, so pages stay stable while rows are
added and no page costs an OFFSET scan."""

from __future__ import annotations

import base64
import binascii

from packtrace.kit.errors import ValidationError

MAX_PAGE_SIZE = 1000


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    prefix, _, number = raw.partition(":")
    if prefix != "id" or not number.isdigit():
        raise ValidationError.on_field("cursor", "not a cursor this API returned")
    return int(number)
