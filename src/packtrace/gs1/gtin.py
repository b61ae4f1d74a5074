"""GTIN validation and normalisation to GTIN-14."""

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.gs1.errors import GS1Error

GTIN_LENGTHS = (8, 12, 13, 14)
_DIGITS = frozenset("0123456789")


def normalize_gtin(code: str) -> str:
    """Validate a GTIN-8, -12, -13 or -14 and return it as a GTIN-14."""
    # Separators and whitespace are refused rather than stripped: a scanned or
    # stored GTIN that contains them is a data problem the caller must see.
    if not set(code) <= _DIGITS:
        raise GS1Error(f"GTIN must contain only digits 0-9, got {code!r}")
    if len(code) not in GTIN_LENGTHS:
        raise GS1Error(f"GTIN must have 8, 12, 13 or 14 digits, got {len(code)}")
    expected = compute_check_digit(code[:-1])
    if code[-1] != expected:
        raise GS1Error(f"GTIN {code} has check digit {code[-1]}, expected {expected}")
    return code.zfill(14)


def company_prefix_length_is_valid(length: int) -> bool:
    """Whether `length` is a possible GS1 Company Prefix length (6 to 12)."""
    return 6 <= length <= 12
