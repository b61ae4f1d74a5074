"""GS1 AI encodable character set 82 (GS1 General Specifications, 7.11)."""

# Order: digits, upper case, lower case, then the 20 symbols in ASCII order.
# Space, '#', '$' and '@' are deliberately absent: they are not in set 82.
SET_82 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!\"%&'()*+,-./:;<=>?_"

_SET_82_CHARS = frozenset(SET_82)


def is_set82(text: str) -> bool:
    """Whether every character of `text` is in set 82 (true for "")."""
    return set(text) <= _SET_82_CHARS


def invalid_set82_characters(text: str) -> list[str]:
    """Distinct characters of `text` outside set 82, in order of first appearance."""
    return list(dict.fromkeys(c for c in text if c not in _SET_82_CHARS))
