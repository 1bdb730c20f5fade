"""Public-holiday calendars, by the ids profiles use in ``public_holidays``.

One registry maps a calendar id to a function building the holidays of a year, so a new
jurisdiction is one entry. The `holidays` package supplies the dates; years are built lazily
and cached because a decision asks about one or two dates at a time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Final

import holidays


def _us_federal(year: int) -> frozenset[date]:
    # 5 U.S.C. 6103(a) names the legal public holidays. The "observed" weekdays of 6103(b) are
    # also treated as non-business days: counting them can only move an assumed-receipt date
    # later, which is the safe side of Reg F 1006.34(b)(5) (the collector may pick a later date).
    return frozenset(holidays.country_holidays("US", years=year, observed=True).keys())


def _cn_statutory(year: int) -> frozenset[date]:
    # 《全国年节及纪念日放假办法》: the statutory days off, as published for each year.
    return frozenset(holidays.country_holidays("CN", years=year).keys())


def _ie(year: int) -> frozenset[date]:
    # Organisation of Working Time Act 1997, Schedule 2 (public holidays), as amended.
    return frozenset(holidays.country_holidays("IE", years=year).keys())


def _uk_england_wales(year: int) -> frozenset[date]:
    # Banking and Financial Dealings Act 1971, Schedule 1: bank holidays in England and Wales.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def _none(year: int) -> frozenset[date]:
    return frozenset()


_CALENDARS: Final[dict[str, Callable[[int], frozenset[date]]]] = {
    "us-federal": _us_federal,
    "cn-statutory": _cn_statutory,
    "ie": _ie,
    "uk-england-wales": _uk_england_wales,
    "none": _none,
}

#: The calendar ids a profile may name in ``public_holidays``.
CALENDAR_IDS: Final[tuple[str, ...]] = tuple(_CALENDARS)


def require_calendar(calendar_id: str) -> None:
    """Raise ValueError unless ``calendar_id`` is a known calendar."""
    if calendar_id not in _CALENDARS:
        raise ValueError(f"unknown public-holiday calendar {calendar_id!r} (known: {', '.join(CALENDAR_IDS)})")


@functools.cache
def _year(calendar_id: str, year: int) -> frozenset[date]:
    return _CALENDARS[calendar_id](year)


def is_public_holiday(calendar_id: str, day: date) -> bool:
    """Whether ``day`` is a public holiday in the calendar ``calendar_id``."""
    require_calendar(calendar_id)
    return day in _year(calendar_id, day.year)


def is_business_day(calendar_id: str, day: date) -> bool:
    """Not a Saturday, Sunday or public holiday (Reg F 1006.34(b)(5))."""
    return day.weekday() < 5 and not is_public_holiday(calendar_id, day)
