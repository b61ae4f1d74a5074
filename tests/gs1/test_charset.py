import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from packtrace.gs1.charset import SET_82, invalid_set82_characters, is_set82

SYMBOLS = "!\"%&'()*+,-./:;<=>?_"


def test_set82_content() -> None:
    assert len(SET_82) == 82
    assert len(set(SET_82)) == 82
    assert string.digits + string.ascii_uppercase + string.ascii_lowercase + SYMBOLS == SET_82


@pytest.mark.parametrize("char", [" ", "#", "$", "@", "\x1d", "é", "`", "~", "\\"])
def test_forbidden_characters(char: str) -> None:
    assert not is_set82(f"AB{char}1")
    assert invalid_set82_characters(f"AB{char}1") == [char]


def test_invalid_characters_distinct_in_order() -> None:
    assert invalid_set82_characters("A#B #@#") == ["#", " ", "@"]
    assert invalid_set82_characters("ABC") == []
    assert is_set82("")


@given(st.text())
def test_membership_matches_definition(text: str) -> None:
    allowed = set(string.digits + string.ascii_letters + SYMBOLS)
    assert is_set82(text) == all(c in allowed for c in text)
    bad = invalid_set82_characters(text)
    assert bad == [c for i, c in enumerate(text) if c not in allowed and c not in text[:i]]


@given(st.text(alphabet=SET_82))
def test_set82_text_accepted(text: str) -> None:
    assert is_set82(text)
    assert invalid_set82_characters(text) == []
