"""The ``packtrace`` command."""

from __future__ import annotations

import typer

app = typer.Typer(help="PackTrace: serialized manufacturing for pharmaceutical packaging.", no_args_is_help=True)


def main() -> None:
    app()
