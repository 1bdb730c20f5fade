"""A profile's parameter values, parsed once into the typed shape the rules read.

Rules are built from a plain mapping (parameter name -> value, as written in
``spec/profiles/*.yaml``) so that tests and the service feed the engine the same way.

Two readings fill the gaps a profile may leave: a *cap* the profile does not set is not
enforced (None), while an *allowance* the profile does not grant is zero (no opt-out
confirmations, no third-party location contacts). Both are the strict side of silence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import TYPE_CHECKING, Any

from ._calendar import require_calendar
from ._vocabulary import BLOCKABLE_DAYS

if TYPE_CHECKING:
    from icss.spec import Profile

#: The parameters of spec/parameters.yaml this engine reads.
CONDUCT_PARAMETERS: tuple[str, ...] = (
    "contact_window_start",
    "contact_window_end",
    "contact_blocked_days",
    "call_attempts_per_7d",
    "post_conversation_block_days",
    "consent_exclusion_days",
    "unanswered_calls_per_number_per_day",
    "connected_calls_per_day",
    "third_party_location_contacts_max",
    "medium_optout_confirmations_max",
    "validation_notice_days",
    "validation_period_days",
    "assumed_receipt_business_days",
    "electronic_messages_per_7d",
)


def _time(name: str, value: Any) -> time | None:
    if value is None:
        return None
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{name} must be a time 'HH:MM', got {value!r}")


def _int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return value


def _days(value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"contact_blocked_days must be a list, got {value!r}")
    days = frozenset(str(v).lower() for v in value)
    unknown = days - BLOCKABLE_DAYS
    if unknown:
        raise ValueError(f"contact_blocked_days has unknown values {sorted(unknown)}")
    return days


@dataclass(frozen=True, slots=True)
class Rules:
    """The conduct parameters of one profile. None means the profile sets no such limit."""

    contact_window_start: time | None = None
    contact_window_end: time | None = None
    contact_blocked_days: frozenset[str] = frozenset()
    call_attempts_per_7d: int | None = None
    post_conversation_block_days: int = 0
    consent_exclusion_days: int = 0
    unanswered_calls_per_number_per_day: int | None = None
    connected_calls_per_day: int | None = None
    third_party_location_contacts_max: int = 0
    medium_optout_confirmations_max: int = 0
    validation_notice_days: int | None = None
    validation_period_days: int | None = None
    assumed_receipt_business_days: int | None = None
    electronic_messages_per_7d: int | None = None
    public_holidays: str = "none"

    def __post_init__(self) -> None:
        require_calendar(self.public_holidays)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], public_holidays: str | None = "none") -> Rules:
        """Build rules from ``{parameter name: value}``; names this engine does not read are ignored."""

        def get(name: str) -> Any:
            return values.get(name)

        def count(name: str, default: int) -> int:
            parsed = _int(name, get(name))
            return default if parsed is None else parsed

        return cls(
            contact_window_start=_time("contact_window_start", get("contact_window_start")),
            contact_window_end=_time("contact_window_end", get("contact_window_end")),
            contact_blocked_days=_days(get("contact_blocked_days")),
            call_attempts_per_7d=_int("call_attempts_per_7d", get("call_attempts_per_7d")),
            post_conversation_block_days=count("post_conversation_block_days", 0),
            consent_exclusion_days=count("consent_exclusion_days", 0),
            unanswered_calls_per_number_per_day=_int(
                "unanswered_calls_per_number_per_day", get("unanswered_calls_per_number_per_day")
            ),
            connected_calls_per_day=_int("connected_calls_per_day", get("connected_calls_per_day")),
            third_party_location_contacts_max=count("third_party_location_contacts_max", 0),
            medium_optout_confirmations_max=count("medium_optout_confirmations_max", 0),
            validation_notice_days=_int("validation_notice_days", get("validation_notice_days")),
            validation_period_days=_int("validation_period_days", get("validation_period_days")),
            assumed_receipt_business_days=_int("assumed_receipt_business_days", get("assumed_receipt_business_days")),
            electronic_messages_per_7d=_int("electronic_messages_per_7d", get("electronic_messages_per_7d")),
            public_holidays=public_holidays or "none",
        )

    @classmethod
    def from_profile(cls, profile: Profile) -> Rules:
        """Build rules from a loaded :class:`icss.spec.Profile` (its merged values and holiday calendar)."""
        values = {name: profile.value(name) for name in CONDUCT_PARAMETERS if name in profile.parameters}
        return cls.from_mapping(values, profile.public_holidays)
