"""Validation-notice dates: Reg F 1006.34(a)(1) and (b)(5), TV-10."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icss.reference.conduct import Rules, validation_dates, validation_notice_due, validation_notice_due_date

from ._support import US


def test_tv10a_assumed_receipt_and_validation_end() -> None:
    assert validation_dates(date(2025, 6, 3), US) == (date(2025, 6, 10), date(2025, 7, 10))


def test_tv10b_thanksgiving_is_excluded_the_day_after_is_not() -> None:
    assert validation_dates(date(2025, 11, 26), US) == (date(2025, 12, 4), date(2026, 1, 3))


def test_tv10c_notice_due_five_calendar_days_after_initial_communication() -> None:
    assert validation_notice_due(date(2025, 6, 2)) == date(2025, 6, 7)
    assert validation_notice_due(date(2025, 6, 2), US) == date(2025, 6, 7)


def test_observed_holiday_is_also_skipped() -> None:
    # 2026-07-04 is a Saturday; Friday 07-03 is its observed weekday (the safe side of 1006.34(b)(5)).
    receipt, _ = validation_dates(date(2026, 7, 2), US)
    assert receipt == date(2026, 7, 10)


def test_without_a_holiday_calendar_only_weekends_are_skipped() -> None:
    rules = Rules.from_mapping({"assumed_receipt_business_days": 5, "validation_period_days": 30})
    assert validation_dates(date(2025, 11, 26), rules) == (date(2025, 12, 3), date(2026, 1, 2))


def test_due_date_counts_from_the_debtor_local_date() -> None:
    # 22:30 on Wednesday 1 April 2020 in New York is 02:30 on the 2nd in UTC.
    evening = datetime(2020, 4, 2, 2, 30, tzinfo=UTC)
    assert validation_notice_due_date(evening, ["America/New_York"], US) == date(2020, 4, 6)
    assert validation_notice_due_date(evening, ["Asia/Shanghai"], US) == date(2020, 4, 7)
    # With several zones the earliest due date is the one reported.
    assert validation_notice_due_date(evening, ["Asia/Shanghai", "America/New_York"], US) == date(2020, 4, 6)


def test_due_date_of_zero_days_is_the_day_itself() -> None:
    rules = Rules.from_mapping({"validation_notice_days": 0})
    assert validation_notice_due_date(datetime(2026, 1, 4, 23, 30, tzinfo=UTC), ["Europe/Berlin"], rules) == date(
        2026, 1, 5
    )
