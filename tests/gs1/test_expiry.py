import calendar
import datetime

import pytest
from biip import ParseError
from biip.gs1_element_strings import GS1ElementString
from hypothesis import given
from hypothesis import strategies as st

from packtrace.gs1.errors import GS1Error
from packtrace.gs1.expiry import parse_expiry, resolve_year

TODAY = datetime.date(2024, 6, 15)


def utc_today() -> datetime.date:
    # biip's century rule reads the current UTC year.
    return datetime.datetime.now(datetime.UTC).date()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("221200", datetime.date(2022, 12, 31)),
        ("240200", datetime.date(2024, 2, 29)),
        ("230200", datetime.date(2023, 2, 28)),
        ("240400", datetime.date(2024, 4, 30)),
        ("240229", datetime.date(2024, 2, 29)),
        ("250101", datetime.date(2025, 1, 1)),
    ],
)
def test_parse(value: str, expected: datetime.date) -> None:
    assert parse_expiry(value, today=TODAY) == expected


def test_century_leap_years() -> None:
    # 2100 is not a leap year, 2000 is.
    assert parse_expiry("000200", today=TODAY) == datetime.date(2000, 2, 29)
    assert parse_expiry("000200", today=datetime.date(2060, 1, 1)) == datetime.date(2100, 2, 28)
    with pytest.raises(GS1Error, match="does not exist in 2100-02"):
        parse_expiry("000229", today=datetime.date(2060, 1, 1))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("230230", "day 30 does not exist in 2023-02"),
        ("230229", "day 29 does not exist in 2023-02"),
        ("240431", "day 31 does not exist in 2024-04"),
        ("240132", "day 32 does not exist in 2024-01"),
        ("241300", "month must be 01 to 12, got 13"),
        ("240000", "month must be 01 to 12, got 00"),
        ("24010", "exactly 6 digits"),
        ("2401011", "exactly 6 digits"),
        ("24-101", "exactly 6 digits"),
        ("\uff12\uff14\uff10\uff11\uff10\uff11", "exactly 6 digits"),
        ("", "exactly 6 digits"),
    ],
)
def test_invalid(value: str, message: str) -> None:
    with pytest.raises(GS1Error, match=message):
        parse_expiry(value, today=TODAY)


@pytest.mark.parametrize(
    ("yy", "today", "year"),
    [
        (73, TODAY, 2073),  # +49
        (74, TODAY, 2074),  # +50, still ahead
        (75, TODAY, 1975),  # +51 goes back a century
        (0, TODAY, 2000),
        (49, datetime.date(2099, 1, 1), 2149),  # -50 goes forward a century
        (50, datetime.date(2099, 1, 1), 2050),  # -49
        (99, datetime.date(2000, 1, 1), 1999),
    ],
)
def test_resolve_year(yy: int, today: datetime.date, year: int) -> None:
    assert resolve_year(yy, today) == year


@given(st.integers(0, 99), st.dates(datetime.date(1900, 1, 1), datetime.date(9000, 12, 31)))
def test_resolve_year_window(yy: int, today: datetime.date) -> None:
    year = resolve_year(yy, today)
    assert year % 100 == yy
    assert today.year - 49 <= year <= today.year + 50


@pytest.mark.parametrize("yy", [-1, 100])
def test_resolve_year_range(yy: int) -> None:
    with pytest.raises(GS1Error):
        resolve_year(yy, TODAY)


def biip_date(value: str) -> datetime.date | None:
    try:
        date = GS1ElementString.parse("17" + value).date
    except ParseError:
        return None
    assert date is not None
    return date


@given(st.integers(0, 999_999).map(lambda n: f"{n:06d}"))
def test_all_yymmdd_agree_with_biip(value: str) -> None:
    today = utc_today()
    try:
        ours: datetime.date | None = parse_expiry(value, today=today)
    except GS1Error:
        ours = None
    assert ours == biip_date(value)


@st.composite
def valid_expiries(draw: st.DrawFn) -> tuple[str, datetime.date]:
    year = utc_today().year
    date = draw(st.dates(datetime.date(year - 49, 1, 1), datetime.date(year + 50, 12, 31)))
    if draw(st.booleans()):
        last = calendar.monthrange(date.year, date.month)[1]
        return f"{date:%y%m}00", date.replace(day=last)
    return f"{date:%y%m%d}", date


@given(valid_expiries())
def test_valid_expiries_agree_with_biip_and_calendar(case: tuple[str, datetime.date]) -> None:
    value, expected = case
    ours = parse_expiry(value, today=utc_today())
    assert ours == expected
    assert ours == biip_date(value)


def test_default_today_is_current() -> None:
    year = utc_today().year
    assert parse_expiry(f"{year % 100:02d}0100").year == year
