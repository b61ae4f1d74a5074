"""Pack URIs made for a whole list at once are exactly those made one by one."""

from __future__ import annotations

import pytest

from packtrace.epcis import identifiers as ids

GTIN = "01234512345901"


@pytest.mark.parametrize(
    "serials",
    [
        [],
        ["A1", "B2", "0000000000000000000Z"],
        ["A1", "A/B", "x y"],  # one that needs percent-encoding sends the whole list the slow way
        ["A1", "%41", "\u00c41"],
        ["A1", "a-b", "C.D"],  # set 82 symbols are not letters or digits: encoded
    ],
)
def test_sgtins_are_the_one_by_one_uris(serials: list[str]) -> None:
    assert ids.sgtins(GTIN, serials) == [ids.sgtin(GTIN, serial) for serial in serials]


def test_a_plain_serial_is_not_encoded_and_a_slash_is() -> None:
    assert ids.sgtins(GTIN, ["AB12", "A/B"]) == [
        f"https://id.gs1.org/01/{GTIN}/21/AB12",
        f"https://id.gs1.org/01/{GTIN}/21/A%2FB",
    ]
