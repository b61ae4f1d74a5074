import pytest
from biip.gtin import Gtin
from hypothesis import given
from hypothesis import strategies as st

from packtrace.gs1.check_digit import compute_check_digit
from packtrace.gs1.errors import GS1Error
from packtrace.gs1.gtin import company_prefix_length_is_valid, normalize_gtin


@pytest.mark.parametrize(
    ("code", "gtin14"),
    [
        ("96385074", "00000096385074"),  # GTIN-8
        ("614141000036", "00614141000036"),  # GTIN-12
        ("6291041500213", "06291041500213"),  # GTIN-13
        ("01234512345901", "01234512345901"),  # GTIN-14
    ],
)
def test_pads_to_gtin14(code: str, gtin14: str) -> None:
    assert normalize_gtin(code) == gtin14


def test_check_digit_message_names_expected_digit() -> None:
    with pytest.raises(GS1Error) as exc:
        normalize_gtin("01234512345900")
    assert str(exc.value) == "GTIN 01234512345900 has check digit 0, expected 1"


def test_check_digit_message_for_short_gtin() -> None:
    with pytest.raises(GS1Error, match="has check digit 2, expected 3"):
        normalize_gtin("6291041500212")


@pytest.mark.parametrize("length", [0, 1, 7, 9, 10, 11, 15, 18])
def test_wrong_length(length: int) -> None:
    with pytest.raises(GS1Error) as exc:
        normalize_gtin("1" * length)
    assert str(exc.value) == (f"GTIN must have 8, 12, 13 or 14 digits, got {length}")


@pytest.mark.parametrize(
    "code",
    ["9638507A", " 96385074", "9638-5074", "962385074\n", "\u0669\u0666\u0663\u0668\u0665\u0660\u0667\u0664"],
)
def test_non_digits(code: str) -> None:
    with pytest.raises(GS1Error, match="only digits 0-9"):
        normalize_gtin(code)


def test_company_prefix_length() -> None:
    assert [n for n in range(0, 20) if company_prefix_length_is_valid(n)] == list(range(6, 13))


@st.composite
def valid_gtins(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([8, 12, 13, 14]))
    payload = draw(st.text("0123456789", min_size=length - 1, max_size=length - 1))
    return payload + compute_check_digit(payload)


@given(valid_gtins())
def test_agrees_with_biip(code: str) -> None:
    # biip checks the check digit itself, so this also cross-checks ours.
    assert normalize_gtin(code) == Gtin.parse(code).as_gtin_14()


@given(valid_gtins(), st.data())
def test_wrong_check_digit_refused_like_biip(code: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != code[-1]]))
    with pytest.raises(GS1Error, match=f"expected {code[-1]}$"):
        normalize_gtin(code[:-1] + wrong)
