import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from packtrace.gs1.check_digit import compute_check_digit, has_valid_check_digit
from packtrace.gs1.errors import GS1Error

# GTIN-8/12/13/14 and SSCC payloads (GLN shares the GTIN-13 length).
payloads = st.sampled_from([7, 11, 12, 13, 17]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))


def test_standards_file_example() -> None:
    assert compute_check_digit("629104150021") == "3"


def test_spec_sample_gtin14() -> None:
    assert has_valid_check_digit("01234512345901")
    assert compute_check_digit("0123451234590") == "1"
    assert not has_valid_check_digit("01234512345900")


@pytest.mark.parametrize("payload", ["", "12a4", "12 4", "\u0661\u0662\u0663", "\u00b2"])
def test_rejects_non_ascii_digit_payload(payload: str) -> None:
    with pytest.raises(GS1Error, match="digits 0-9"):
        compute_check_digit(payload)


@pytest.mark.parametrize("number", ["", "5", "1234567x", "\u0660" * 8])
def test_malformed_numbers_are_invalid(number: str) -> None:
    assert not has_valid_check_digit(number)


@given(payloads)
def test_matches_stdnum(payload: str) -> None:
    assert compute_check_digit(payload) == ean.calc_check_digit(payload)


@given(payloads)
def test_validity_matches_stdnum(payload: str) -> None:
    number = payload + ean.calc_check_digit(payload)
    assert has_valid_check_digit(number)
    if len(number) in (8, 12, 13, 14):  # stdnum's ean only knows GTIN lengths
        assert ean.is_valid(number)


@given(payloads, st.data())
def test_single_digit_change_is_detected(payload: str, data: st.DataObject) -> None:
    number = payload + compute_check_digit(payload)
    pos = data.draw(st.integers(0, len(number) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != number[pos]]))
    altered = number[:pos] + new + number[pos + 1 :]
    assert not has_valid_check_digit(altered)
    if len(altered) in (8, 12, 13, 14):
        assert not ean.is_valid(altered)


@given(payloads)
def test_leading_zeros_do_not_change_check_digit(payload: str) -> None:
    assert compute_check_digit("000" + payload) == compute_check_digit(payload)
