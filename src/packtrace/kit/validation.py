"""Rules for input that hold for every feature."""

from __future__ import annotations

from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it as bad input here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    return value


NoNul = AfterValidator(_no_nul)
"""Add to every text a request carries that reaches the database (bodies, paths and queries)."""
