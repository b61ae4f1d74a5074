import pytest
from biip import ParseError
from biip.sscc import Sscc
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from packtrace.gs1.errors import GS1Error
from packtrace.gs1.sscc import build_sscc, serial_reference_capacity, validate_sscc
from tests.gs1.strategies import ssccs

company_prefixes = st.integers(6, 12).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))


def test_known_sscc() -> None:
    # GS1 General Specifications example: extension 1, prefix 0614141, serial reference 123456789.
    assert build_sscc(1, "0614141", 123456789) == "106141411234567897"
    assert validate_sscc("106141411234567897") == "106141411234567897"
    assert build_sscc(0, "061414", 0) == "006141400000000006"


def test_capacity() -> None:
    assert serial_reference_capacity("0614141") == 10**9
    assert serial_reference_capacity("061414") == 10**10
    assert serial_reference_capacity("061414123456") == 10**4


def test_serial_reference_must_fit() -> None:
    assert build_sscc(9, "061414123456", 9999) == "906141412345699992"
    with pytest.raises(GS1Error, match=r"serial reference 10000 does not fit.*0 to 9999 \(4 digits\)"):
        build_sscc(9, "061414123456", 10_000)
    with pytest.raises(GS1Error, match="does not fit"):
        build_sscc(1, "0614141", -1)


@pytest.mark.parametrize("prefix", ["", "12345", "1234567890123", "06141a1", "٠٦١٤١٤١"])
def test_bad_company_prefix(prefix: str) -> None:
    with pytest.raises(GS1Error, match="Company Prefix must be 6 to 12 digits"):
        build_sscc(1, prefix, 1)
    with pytest.raises(GS1Error, match="Company Prefix must be 6 to 12 digits"):
        serial_reference_capacity(prefix)


@pytest.mark.parametrize("extension", [-1, 10, True])
def test_bad_extension_digit(extension: int) -> None:
    with pytest.raises(GS1Error, match="extension digit must be 0 to 9"):
        build_sscc(extension, "0614141", 1)


def test_validate_names_expected_check_digit() -> None:
    with pytest.raises(GS1Error) as exc:
        validate_sscc("106141411234567890")
    assert str(exc.value) == "SSCC 106141411234567890 has check digit 0, expected 7"


@pytest.mark.parametrize(
    "sscc", ["", "10614141123456789", "1061414112345678970", "10614141123456789X", " 06141411234567897"]
)
def test_validate_shape(sscc: str) -> None:
    with pytest.raises(GS1Error, match="exactly 18 digits"):
        validate_sscc(sscc)


@st.composite
def sscc_parts(draw: st.DrawFn) -> tuple[int, str, int]:
    prefix = draw(company_prefixes)
    return draw(st.integers(0, 9)), prefix, draw(st.integers(0, serial_reference_capacity(prefix) - 1))


@given(sscc_parts())
def test_build_agrees_with_biip_and_stdnum(parts: tuple[int, str, int]) -> None:
    extension, prefix, reference = parts
    sscc = build_sscc(extension, prefix, reference)
    assert len(sscc) == 18
    assert sscc.startswith(f"{extension}{prefix}")
    assert int(sscc[1 + len(prefix) : 17]) == reference
    assert validate_sscc(sscc) == sscc
    parsed = Sscc.parse(sscc)  # checks the check digit independently
    assert parsed.extension_digit == extension
    assert ean.calc_check_digit(sscc[:-1]) == sscc[-1]


@given(ssccs, st.integers(0, 17), st.integers(1, 9))
def test_any_single_digit_error_is_caught_like_biip(sscc: str, position: int, shift: int) -> None:
    altered = sscc[:position] + str((int(sscc[position]) + shift) % 10) + sscc[position + 1 :]
    with pytest.raises(GS1Error, match="has check digit"):
        validate_sscc(altered)
    with pytest.raises(ParseError):
        Sscc.parse(altered)
