"""Rules for input that hold for every feature."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it as bad input here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


NoNul = AfterValidator(_no_nul)
"""Add to every text a request carries that reaches the database (bodies, paths and queries)."""

IDENTIFIER_RULE = "must be 1-255 printable characters without leading or trailing spaces"


def identifier_problem(value: str) -> str | None:
    """Why ``value`` cannot identify something (an order, a packaging line), or None.

    An identifier is typed into ERP screens, printed in lists and matched byte for byte: a blank, a line
    break or a space at either end would make two ids that look alike differ, or one id look like none."""
    if not 1 <= len(value) <= 255 or value != value.strip() or not value.isprintable():
        return IDENTIFIER_RULE
    return None


def _identifier(value: str) -> str:
    problem = identifier_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Identifier = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(_identifier)]
"""The one rule for identifiers the caller chooses (order ids, line tags)."""
