"""AI 17 expiry dates (YYMMDD)."""

import calendar
import datetime

from packtrace.gs1.errors import GS1Error

_DIGITS = frozenset("0123456789")


def resolve_year(yy: int, today: datetime.date) -> int:
    """Four-digit year for two-digit `yy`, within -49..+50 years of `today`.

    GS1 General Specifications 7.12: the year is placed in the previous
    century if it is 51-99 ahead of the current two-digit year, in the next
    century if it is 50-99 behind, otherwise in the current century.
    """
    if not 0 <= yy <= 99:
        raise GS1Error(f"two-digit year must be 0 to 99, got {yy}")
    century = today.year - today.year % 100
    diff = yy - today.year % 100
    if diff >= 51:
        return century - 100 + yy
    if diff <= -50:
        return century + 100 + yy
    return century + yy


def parse_expiry(yymmdd: str, today: datetime.date | None = None) -> datetime.date:
    """Parse an AI 17 value; day 00 means the last day of the month."""
    return parse_yymmdd(yymmdd, today, what="expiry")


def parse_yymmdd(yymmdd: str, today: datetime.date | None = None, *, what: str = "expiry") -> datetime.date:
    """Parse any GS1 YYMMDD date whose day may be 00 (AI 11, 13, 15, 16, 17).

    `what` names the date in error messages, e.g. "production" for AI 11.
    """
    if len(yymmdd) != 6 or not set(yymmdd) <= _DIGITS:
        raise GS1Error(f"{what} date must be exactly 6 digits YYMMDD, got {yymmdd!r}")
    if today is None:
        # UTC so that the century window does not depend on the server's zone.
        today = datetime.datetime.now(datetime.UTC).date()
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if not 1 <= month <= 12:
        raise GS1Error(f"{what} month must be 01 to 12, got {month:02d} in {yymmdd!r}")
    year = resolve_year(yy, today)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise GS1Error(f"{what} year {year} of {yymmdd!r} is outside 1-9999")
    last_day = calendar.monthrange(year, month)[1]
    if day == 0:
        day = last_day
    elif day > last_day:
        raise GS1Error(
            f"{what} day {day:02d} does not exist in {year}-{month:02d} "
            f"(last day {last_day}; use 00 for the last day), got {yymmdd!r}"
        )
    return datetime.date(year, month, day)
