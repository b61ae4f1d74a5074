"""Serial checks of a commissioning request: the list-at-once check agrees with the one-by-one rule."""

from __future__ import annotations

import pytest

from packtrace.gs1.serials import is_valid_serial
from packtrace.kit.errors import Detail
from packtrace.packs.rules import SERIAL_RULE, names, serial_details

VALID = ["A1", "a-b", "x" * 20, "!\"%&'()*+,-./:;<=>?_"]


def test_a_valid_list_has_no_details() -> None:
    assert serial_details(VALID) == []
    assert serial_details([]) == []


@pytest.mark.parametrize("bad", ["", "x" * 21, "A B", "A#1", "\u00c4", "A\n1", "A\t"])
def test_each_invalid_serial_is_named_among_valid_ones(bad: str) -> None:
    assert not is_valid_serial(bad)
    # Named alone, exactly as the one-by-one rule names it; the valid serials around it are not.
    assert serial_details([*VALID, bad, "Z9"]) == [Detail("serials", f"{SERIAL_RULE}: {names([bad])}")]


def test_repeated_serials_are_named() -> None:
    details = serial_details(["A1", "B2", "A1"])
    assert [d.message for d in details] == ["listed more than once: A1"]
