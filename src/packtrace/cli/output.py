"""What commands print: with ``--json`` one JSON document on stdout and nothing else there; otherwise
Rich tables. Values go into tables as plain ``Text``, so a name like ``[red]`` is shown, not rendered."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

Row = Mapping[str, Any]

# Columns never broken across lines in tables (as well as the first one).
IDENTIFIERS = frozenset({"code", "tag", "market", "email", "key_hint"})

# The longest word of a value kept whole when a table must fit a narrow terminal.
_FOLDED_WORD = 12

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def print_json(data: Row | Sequence[Row]) -> None:
    typer.echo(json.dumps(data, default=_json_default, indent=2, ensure_ascii=False))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


# Words of field names that are written in capitals (GS1's own spelling).
_CAPITALS = {"gs1": "GS1", "gtin": "GTIN", "sscc": "SSCC", "ssccs": "SSCCs", "url": "URL", "api": "API", "id": "ID"}


def heading(key: str) -> str:
    words = [_CAPITALS.get(word, word) for word in key.split("_")]
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 pack``, ``2 packs``, ``1,000 serials``."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def _print(renderable: Table, min_width: int = 0) -> None:
    # At least as wide as the widest value, so that a key or token is never folded (it must stay
    # copyable; a narrower terminal wraps the line itself), and without the padding Rich adds to the
    # right, which a narrow terminal would wrap into blank lines.
    console = Console(width=max(Console().width, min_width), highlight=False)
    with console.capture() as captured:
        console.print(renderable)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def print_table(rows: Sequence[Row], title: str, columns: Sequence[str] | None = None, empty: str = "") -> None:
    if not rows:
        typer.echo(empty or f"No {title.lower()}.")
        return
    keys = list(columns or rows[0].keys())
    cells = [[cell(row.get(key)) for key in keys] for row in rows]
    names = [heading(key) for key in keys]
    # A narrow terminal wraps headings between their words, never inside one, and values too while the
    # columns still fit (only a word longer than _FOLDED_WORD is folded); else values are folded.
    heading_mins = [max(map(len, name.split())) for name in names]
    value_mins = [
        max([least, *(min(len(word), _FOLDED_WORD) for values in cells for word in values[position].split())])
        for position, least in enumerate(heading_mins)
    ]
    padding = 3 * len(keys) + 1
    mins = value_mins if sum(value_mins) + padding <= Console().width else heading_mins
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    for position, key in enumerate(keys):
        # Identifiers stay whole, to be copied; the rest is folded, never cut short with an ellipsis.
        whole = position == 0 or key in IDENTIFIERS
        table.add_column(names[position], no_wrap=whole, overflow="fold", min_width=mins[position])
    for values in cells:
        table.add_row(*(Text(value) for value in values))
    _print(table, min_width=sum(heading_mins) + padding)


def print_record(row: Row, title: str) -> None:
    """One object as a two-column table, field and value; values are never folded."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_header=False)
    table.add_column("Field", style="bold", no_wrap=True)
    table.add_column("Value", no_wrap=True)
    values = {heading(key): cell(value) for key, value in row.items()}
    for key, value in values.items():
        table.add_row(Text(key), Text(value))
    widest = max(map(len, values), default=0) + max(map(len, values.values()), default=0)
    _print(table, min_width=widest + 8)


def emit(data: Row | Sequence[Row], as_json: bool, title: str, columns: Sequence[str] | None = None) -> None:
    """``data`` as JSON or as a table (a list) or record (one object)."""
    if as_json:
        print_json(data)
    elif isinstance(data, Mapping):
        print_record(data, title)
    else:
        print_table(data, title, columns)


def print_secret(label: str, value: str, as_json: bool) -> None:
    """A key or token shown once: on its own line so it can be copied, with the warning beside it. With
    ``--json`` the value is in the JSON document and the warning goes to stderr."""
    warning = f"Store the {label} now: it is not shown again (only its hash is kept)."
    if as_json:
        typer.echo(f"warning: {warning}", err=True)
        return
    typer.echo(f"\n{label[0].upper()}{label[1:]}:\n\n    {value}\n")
    typer.echo(typer.style(f"warning: {warning}", fg="yellow", bold=True))


def print_message(message: str, as_json: bool, data: Row) -> None:
    """A command that changes something and has nothing else to show: a sentence, or ``data`` as JSON."""
    if as_json:
        print_json(data)
    else:
        typer.echo(message)
