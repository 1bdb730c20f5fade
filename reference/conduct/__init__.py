"""The conduct engine of the ICSS reference service: may this contact be made, and why (not)?

A pure policy module. It reads the debtor's contact points, time zones, events and past
attempts, the instant and a profile's parameter values, and returns a decision with reason
codes from a closed vocabulary. It never reads a clock, a database or the network, so the
service (checkContact, createContactAttempt, getCallFrequency, getValidationNotice) and the
tests drive it the same way.
"""

from ._calendar import CALENDAR_IDS, is_business_day, is_public_holiday
from ._counting import ExclusionReason
from ._decide import Decision, decide
from ._facts import Attempt, ContactPoint, ContactRequest, Debt, DebtorFacts, Event, Preferences, WeeklyRange
from ._frequency import CallEntry, CallFrequency, Presumption, call_frequency
from ._registry import RegisteredRule, registered_rules
from ._rules import CONDUCT_PARAMETERS, Rules
from ._validation import validation_dates, validation_notice_due, validation_notice_due_date
from ._vocabulary import (
    ALLOW_REASONS,
    DENY_REASONS,
    AllowReason,
    Channel,
    DenyReason,
    EventType,
    Outcome,
    Purpose,
    Reason,
)

__all__ = [
    # inputs
    "ContactPoint",
    "Event",
    "Attempt",
    "WeeklyRange",
    "Preferences",
    "Debt",
    "DebtorFacts",
    "ContactRequest",
    # profile parameters
    "Rules",
    "CONDUCT_PARAMETERS",
    # the pre-contact decision (checkContact, createContactAttempt)
    "decide",
    "Decision",
    "registered_rules",
    "RegisteredRule",
    # the call ledger (getCallFrequency)
    "call_frequency",
    "CallFrequency",
    "CallEntry",
    "Presumption",
    "ExclusionReason",
    # validation-notice dates (getValidationNotice)
    "validation_dates",
    "validation_notice_due",
    "validation_notice_due_date",
    # holiday calendars
    "CALENDAR_IDS",
    "is_public_holiday",
    "is_business_day",
    # closed vocabularies
    "DENY_REASONS",
    "ALLOW_REASONS",
    "DenyReason",
    "AllowReason",
    "Reason",
    "Channel",
    "Outcome",
    "Purpose",
    "EventType",
]
