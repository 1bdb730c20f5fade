"""Holiday calendars by profile id."""

from __future__ import annotations

from datetime import date

import pytest

from icss.reference.conduct import CALENDAR_IDS, is_business_day, is_public_holiday


@pytest.mark.parametrize(
    ("calendar", "day", "holiday"),
    [
        ("us-federal", date(2025, 11, 27), True),  # Thanksgiving, 5 U.S.C. 6103(a)
        ("us-federal", date(2025, 11, 28), False),
        ("us-federal", date(2025, 6, 19), True),  # Juneteenth
        ("cn-statutory", date(2025, 10, 1), True),  # 国庆节
        ("ie", date(2026, 3, 17), True),  # Saint Patrick's Day
        ("uk-england-wales", date(2025, 8, 25), True),  # Late Summer Bank Holiday
        ("uk-england-wales", date(2025, 8, 4), False),  # Scottish summer holiday only
        ("none", date(2025, 12, 25), False),
    ],
)
def test_public_holidays(calendar: str, day: date, holiday: bool) -> None:
    assert is_public_holiday(calendar, day) is holiday


def test_weekends_are_not_business_days() -> None:
    assert not is_business_day("none", date(2025, 11, 29))
    assert is_business_day("none", date(2025, 11, 28))


def test_unknown_calendar_is_refused() -> None:
    assert "us-federal" in CALENDAR_IDS
    with pytest.raises(ValueError, match="unknown public-holiday calendar"):
        is_public_holiday("atlantis", date(2025, 1, 1))
