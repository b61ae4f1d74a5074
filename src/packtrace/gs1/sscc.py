"""SSCC (AI 00): building and validating Serial Shipping Container Codes."""

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import company_prefix_length_is_valid

SSCC_LENGTH = 18
_DIGITS = frozenset("0123456789")


def _check_company_prefix(company_prefix: str) -> None:
    if not (set(company_prefix) <= _DIGITS and company_prefix_length_is_valid(len(company_prefix))):
        raise GS1Error(f"GS1 Company Prefix must be 6 to 12 digits 0-9, got {company_prefix!r}")


def serial_reference_capacity(company_prefix: str) -> int:
    """How many serial references fit after `company_prefix` in an SSCC."""
    _check_company_prefix(company_prefix)
    capacity: int = 10 ** (16 - len(company_prefix))
    return capacity


def build_sscc(extension_digit: int, company_prefix: str, serial_reference: int) -> str:
    """The 18-digit SSCC: extension digit, company prefix, serial reference, check digit."""
    if isinstance(extension_digit, bool) or not isinstance(extension_digit, int) or not 0 <= extension_digit <= 9:
        raise GS1Error(f"SSCC extension digit must be 0 to 9, got {extension_digit!r}")
    capacity = serial_reference_capacity(company_prefix)
    if isinstance(serial_reference, bool) or not isinstance(serial_reference, int):
        raise GS1Error(f"SSCC serial reference must be an integer, got {serial_reference!r}")
    if not 0 <= serial_reference < capacity:
        width = 16 - len(company_prefix)
        raise GS1Error(
            f"SSCC serial reference {serial_reference} does not fit: with the {len(company_prefix)}-digit "
            f"company prefix {company_prefix} it must be 0 to {capacity - 1} ({width} digits)"
        )
    payload = f"{extension_digit}{company_prefix}{serial_reference:0{16 - len(company_prefix)}d}"
    return payload + compute_check_digit(payload)


def validate_sscc(sscc: str) -> str:
    """Return `sscc` if it is 18 digits with a valid check digit, else raise GS1Error."""
    if len(sscc) != SSCC_LENGTH or not set(sscc) <= _DIGITS:
        raise GS1Error(f"SSCC must be exactly 18 digits 0-9, got {sscc!r}")
    expected = compute_check_digit(sscc[:-1])
    if sscc[-1] != expected:
        raise GS1Error(f"SSCC {sscc} has check digit {sscc[-1]}, expected {expected}")
    return sscc
