"""Rules from a mapping of profile values, and from the real spec profiles when they exist."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from icss.reference.conduct import CONDUCT_PARAMETERS, Rules, decide

from ._support import SHANGHAI, US_VALUES, ask, at, call, days, facts

SPEC_PROFILES = Path(__file__).resolve().parents[3] / "spec" / "profiles"


def test_from_mapping_parses_profile_values() -> None:
    rules = Rules.from_mapping({**US_VALUES, "contact_blocked_days": ["Sunday", "public_holiday"]}, "us-federal")
    assert (rules.contact_window_start, rules.contact_window_end) == (time(8), time(21))
    assert rules.contact_blocked_days == frozenset({"sunday", "public_holiday"})
    assert rules.call_attempts_per_7d == 7
    assert rules.public_holidays == "us-federal"


def test_silence_is_read_strictly() -> None:
    rules = Rules.from_mapping({})
    # A cap the profile does not set is not enforced ...
    assert rules.call_attempts_per_7d is None
    assert rules.contact_window_start is None
    # ... an allowance it does not grant is zero.
    assert rules.third_party_location_contacts_max == 0
    assert rules.medium_optout_confirmations_max == 0
    assert rules.public_holidays == "none"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"contact_window_start": "8 am"}, "contact_window_start"),
        ({"call_attempts_per_7d": -1}, "call_attempts_per_7d"),
        ({"call_attempts_per_7d": True}, "call_attempts_per_7d"),
        ({"contact_blocked_days": ["funday"]}, "contact_blocked_days"),
        ({"contact_blocked_days": "sunday"}, "contact_blocked_days"),
    ],
)
def test_bad_values_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Rules.from_mapping(values)


def test_unknown_calendar_is_refused() -> None:
    with pytest.raises(ValueError, match="calendar"):
        Rules.from_mapping({}, "mars")


@pytest.mark.skipif(
    not ((SPEC_PROFILES / "us.yaml").exists() and (SPEC_PROFILES / "cn.yaml").exists()),
    reason="spec/profiles/us.yaml and cn.yaml are not written yet",
)
def test_rules_from_the_real_us_and_cn_profiles() -> None:
    from icss.spec import load_catalogue

    catalogue = load_catalogue()
    for profile in catalogue.profiles.values():
        rules = Rules.from_profile(profile)  # every profile parses
        assert rules.public_holidays == (profile.public_holidays or "none")
        missing = [name for name in CONDUCT_PARAMETERS if name not in catalogue.parameters]
        assert not missing, f"parameters.yaml lacks {missing}"

    us = Rules.from_profile(catalogue.profile("us"))
    assert (us.contact_window_start, us.contact_window_end) == (time(8), time(21))
    assert (us.call_attempts_per_7d, us.post_conversation_block_days, us.public_holidays) == (7, 7, "us-federal")
    e1 = [call(at("2020-04-01", "10:00"), "limited_content_message")] + [
        call(at(d, "10:00")) for d in days("2020-04-02", 6)
    ]
    assert decide(facts(attempts=e1), ask(at("2020-04-07", "15:00")), us).reasons == ("call_cap_7d",)
    assert decide(facts(), ask(at("2026-03-10", "21:00")), us).reasons == ("outside_contact_window",)

    cn = Rules.from_profile(catalogue.profile("cn"))
    assert (cn.contact_window_start, cn.contact_window_end) == (time(8), time(22))
    assert cn.unanswered_calls_per_number_per_day == 6
    debtor = facts(zones=(SHANGHAI,), attempts=[call(at("2026-03-10", f"{h:02d}:00", SHANGHAI)) for h in range(9, 15)])
    assert decide(debtor, ask(at("2026-03-10", "21:59", SHANGHAI)), cn).reasons == ("daily_unanswered_cap",)
    assert decide(debtor, ask(at("2026-03-10", "21:59", SHANGHAI), cp="landline"), cn).allowed
    assert decide(debtor, ask(at("2026-03-10", "22:00", SHANGHAI), cp="landline"), cn).reasons == (
        "outside_contact_window",
    )
