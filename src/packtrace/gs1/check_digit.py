"""GS1 mod-10 check digit (GTIN-8/12/13/14, GLN, SSCC)."""

from packtrace.gs1.errors import GS1Error

_DIGITS = frozenset("0123456789")


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts e.g. Arabic-Indic and superscript digits.
    return bool(text) and set(text) <= _DIGITS


def compute_check_digit(payload: str) -> str:
    """Return the check digit for `payload` (the digits without the check digit)."""
    if not _is_ascii_digits(payload):
        raise GS1Error(f"check digit payload must be one or more digits 0-9, got {payload!r}")
    # Weights run from the right so that leading zeros (GTIN-8 padded to
    # GTIN-14) never change the result.
    odd = sum(map(int, payload[-1::-2]))
    even = sum(map(int, payload[-2::-2]))
    return str((10 - (3 * odd + even) % 10) % 10)


def has_valid_check_digit(number: str) -> bool:
    """Whether the last digit of `number` is the GS1 check digit of the rest."""
    if len(number) < 2 or not _is_ascii_digits(number):
        return False
    return compute_check_digit(number[:-1]) == number[-1]
