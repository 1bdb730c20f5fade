"""Validation-notice dates (Reg F 1006.34), used by getValidationNotice and the notice hold.

Two different day counts meet here and must not be confused: the deadline to *provide* the
validation information is counted in calendar days (1006.34(a)(1)(i)(B) says "within five
days", with no exclusions), while the *assumed receipt* skips Saturdays, Sundays and legal
public holidays (1006.34(b)(5)).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ._calendar import is_business_day
from ._rules import Rules

# Reg F defaults, used when a profile does not set the parameter.
_NOTICE_DAYS = 5  # 1006.34(a)(1)(i)(B)
_RECEIPT_BUSINESS_DAYS = 5  # 1006.34(b)(5)
_PERIOD_DAYS = 30  # 1006.34(b)(5)


def validation_dates(provided_on: date, rules: Rules) -> tuple[date, date]:
    """Return ``(assumed_receipt, validation_end)`` for information provided on ``provided_on``.

    Reg F 1006.34(b)(5): the consumer is assumed to receive the information on any date at
    least five days (excluding legal public holidays of 5 U.S.C. 6103(a), Saturdays and
    Sundays) after it is provided; the earliest such date is returned. The validation period
    ends 30 days after that receipt. Holidays come from ``rules.public_holidays``.
    """
    business_days = rules.assumed_receipt_business_days
    if business_days is None:
        business_days = _RECEIPT_BUSINESS_DAYS
    period = rules.validation_period_days
    if period is None:
        period = _PERIOD_DAYS
    receipt = provided_on
    counted = 0
    while counted < business_days:
        receipt += timedelta(days=1)
        if is_business_day(rules.public_holidays, receipt):
            counted += 1
    return receipt, receipt + timedelta(days=period)


def validation_notice_due(initial_communication_on: date, rules: Rules | None = None) -> date:
    """The last day on which the validation information may be provided.

    Reg F 1006.34(a)(1)(i)(B): within five days after the initial communication, counted in
    calendar days (no weekend or holiday exclusion, unlike 1006.34(b)(5)). A profile may set
    another count in ``validation_notice_days``.
    """
    days = rules.validation_notice_days if rules is not None else None
    return initial_communication_on + timedelta(days=_NOTICE_DAYS if days is None else days)


def validation_notice_due_date(initial_communication_at: datetime, zones: Iterable[str], rules: Rules) -> date:
    """The due date getValidationNotice reports (CP-14): the earliest over the debtor's zones.

    The deadline runs from the debtor-local date of the initial communication, so an evening call
    in New York (already the next day in UTC) counts from its New York date. With several zones
    the debtor may be in, the earliest due date is reported: the one the notice hold honours first.
    """
    days = [initial_communication_at.astimezone(ZoneInfo(zone)).date() for zone in dict.fromkeys(zones)]
    if not days:
        raise ValueError("the debtor has no time zone to date the initial communication in")
    return validation_notice_due(min(days), rules)
