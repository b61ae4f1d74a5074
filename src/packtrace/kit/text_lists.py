"""A list of strings as ONE bound parameter, read back as rows by the database: the way the bulk paths
(commissioning 100,000 serials, an event's 100,000 EPCs) hand a list to a set-based statement.

PostgreSQL: one text of the values joined by a separator none of them contains, split by the server
(``string_to_array``). Handing psycopg a Python list of 100,000 strings for an array parameter took
0.24-0.32 s of client CPU per list (it adapts element by element); joining them and splitting in the
server takes 0.07 s. SQLite: a JSON array, read with ``json_each``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

from packtrace.kit.db import on_postgres

# Tried in turn: the first that no value contains separates them (a newline for every GS1 serial or URI).
_SEPARATORS = "\n" + "".join(chr(code) for code in range(1, 32) if code != 10)


def joined(values: Sequence[str]) -> str:
    """The values behind a leading separator: ``(string_to_array(t, left(t, 1)))[2:]`` gives them back,
    an empty list and a list of one empty string included."""
    if not values:
        return ""
    for separator in _SEPARATORS:
        text = separator + separator.join(values)
        if text.count(separator) == len(values):
            return text
    raise ValueError("the values contain every control character: no separator is left")


def text_list_param(connection: Connection, values: Sequence[str]) -> str:
    """The bound value for the ``:name`` parameter of :func:`text_list_source`."""
    return joined(values) if on_postgres(connection) else json.dumps(list(values))


def text_list_source(connection: Connection, name: str, column: str) -> str:
    """A FROM item ``q`` with one text column ``column``: the values of the ``:name`` parameter."""
    if on_postgres(connection):
        return f"unnest((string_to_array(CAST(:{name} AS text), left(CAST(:{name} AS text), 1)))[2:]) AS q({column})"
    return f"(SELECT value AS {column} FROM json_each(:{name})) AS q"  # noqa: S608 - names are constants


def copy_text(values: Sequence[str], prefix: str, suffix: str) -> str | None:
    """Rows in COPY's text format that differ only in one value (``prefix`` + value + ``suffix`` each),
    built by one join: writing 100,000 rows one by one (psycopg's ``write_row``) cost 0.2 s of client CPU.
    None when a value holds a character the text format would need escaped (never a GS1 serial or an EPC
    we write: set 82 and URIs have no backslash, tab or line break)."""
    body = "\n".join(values)
    if "\\" in body or "\t" in body or "\r" in body or body.count("\n") != len(values) - 1:
        return None
    return prefix + (suffix + "\n" + prefix).join(values) + suffix + "\n"
