"""Hypothesis strategies for pack identities, shared by the gs1 tests."""

import calendar
import datetime
from dataclasses import dataclass

from hypothesis import strategies as st

from packtrace.gs1.charset import SET_82
from packtrace.gs1.check_digit import compute_check_digit

NATIONAL_AIS = ("710", "711", "712", "713", "714", "715", "716")


def utc_today() -> datetime.date:
    # biip reads two-digit years around the current UTC year, as we do.
    return datetime.datetime.now(datetime.UTC).date()


def with_check_digit(payload: str) -> str:
    return payload + compute_check_digit(payload)


digits13 = st.text("0123456789", min_size=13, max_size=13)
gtin14s = digits13.map(with_check_digit)
ssccs = st.text("0123456789", min_size=17, max_size=17).map(with_check_digit)
set82_values = st.text(SET_82, min_size=1, max_size=20)


@st.composite
def yymmdds(draw: st.DrawFn) -> str:
    """A valid YYMMDD within the century window of today, day 00 included."""
    year = utc_today().year
    date = draw(st.dates(datetime.date(year - 49, 1, 1), datetime.date(year + 50, 12, 31)))
    if draw(st.booleans()):
        return f"{date:%y%m}00"
    return f"{date:%y%m%d}"


def yymmdd_date(value: str) -> datetime.date:
    """The calendar date of a YYMMDD from `yymmdds` (day 00 = last day of the month)."""
    year = utc_today().year
    yy, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    full = next(y for y in range(year - 49, year + 51) if y % 100 == yy)
    return datetime.date(full, month, day or calendar.monthrange(full, month)[1])


@dataclass(frozen=True)
class Pack:
    gtin: str
    serial: str
    batch: str | None
    expiry: str | None
    national: tuple[tuple[str, str], ...]


@st.composite
def packs(draw: st.DrawFn, values: st.SearchStrategy[str] = set82_values) -> Pack:
    ais = draw(st.lists(st.sampled_from(NATIONAL_AIS), max_size=2, unique=True))
    return Pack(
        gtin=draw(gtin14s),
        serial=draw(values),
        batch=draw(st.none() | values),
        expiry=draw(st.none() | yymmdds()),
        national=tuple((ai, draw(values)) for ai in ais),
    )
