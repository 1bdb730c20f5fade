"""Mutants of the CP area (contact and conduct): each drops one rule of the reference's conduct.

All are fault switches of the reference's test mode (see ``icss.reference._faults``); most drop one
deny reason from the conduct engine's decision in the contact handler, the others falsify the facts
the engine is given (time zones, call outcomes, the source of a consent) or the message as sent.
"""

from __future__ import annotations

from . import mutant

# Mutants above level 1 run the CP area alone: the reference claims level 1 only (OP-05 fails above it).
CP = frozenset(f"CP-{n:02d}" for n in range(1, 17))

mutant(
    "cp_window_ignored_for_messages",
    {"CP-01"},
    faults={"cp_window_ignored_for_messages"},
    note="SMS and e-mail go out before the contact window opens",
)
mutant(
    "cp_blocked_day_ignored",
    {"CP-01"},
    profile="ie",
    faults={"cp_blocked_day_ignored"},
    note="ie: calls on a Sunday and on St Patrick's Day are allowed",
)
mutant(
    "cp_home_zone_only",
    {"CP-02"},
    level=2,
    only=CP,
    faults={"cp_home_zone_only"},
    note="the Pacific-time address of an Eastern-time debtor is ignored",
)
mutant(
    "cp_inconvenient_time_ignored",
    {"CP-03"},
    level=2,
    only=CP,
    faults={"cp_inconvenient_time_ignored"},
    note="times the debtor designated as inconvenient are not honoured",
)
mutant(
    "cp_call_cap_ignored",
    {"CP-04"},
    faults={"cp_call_cap_ignored"},
    note="an eighth call within seven days goes through",
)
mutant(
    "cp_post_conversation_block_ignored",
    {"CP-05"},
    faults={"cp_post_conversation_block_ignored"},
    note="calls are allowed the day after a conversation",
)
mutant(
    "cp_unconnected_calls_counted",
    {"CP-06"},
    level=2,
    only=CP,
    faults={"cp_unconnected_calls_counted"},
    note="busy and not-in-service calls count toward the call frequencies",
)
mutant(
    "cp_daily_unanswered_cap_ignored",
    {"CP-07"},
    profile="cn",
    faults={"cp_daily_unanswered_cap_ignored"},
    note="cn: a seventh unanswered call to one number in a day goes through",
)
mutant(
    "cp_daily_connected_cap_ignored",
    {"CP-07"},
    faults={"cp_daily_connected_cap_ignored"},
    note="us: a second connected call in a day goes through",
)
mutant(
    "cp_cease_ignored",
    {"CP-08"},
    faults={"cp_cease_ignored"},
    note="collection goes on after a cease-communication request",
)
mutant(
    "cp_optout_confirmations_unlimited",
    {"CP-09"},
    faults={"cp_optout_confirmations_unlimited"},
    note="any number of 'confirmations' go through an opted-out medium",
)
mutant(
    "cp_attorney_ignored",
    {"CP-10"},
    faults={"cp_attorney_ignored"},
    note="a debtor represented by an attorney is called directly",
)
mutant(
    "cp_workplace_visits",
    {"CP-11"},
    level=2,
    only=CP,
    faults={"cp_workplace_visits"},
    note="visits to a workplace that prohibits contact are allowed",
)
mutant(
    "cp_third_party_limit_ignored",
    {"CP-12"},
    faults={"cp_third_party_limit_ignored"},
    note="a third party is asked for location information again and again",
)
mutant(
    "cp_consent_from_anyone",
    {"CP-13"},
    level=2,
    only=CP,
    faults={"cp_consent_from_anyone"},
    note="consent relayed by the creditor stops calls from counting",
)
mutant(
    "cp_validation_notice_missing_ignored",
    {"CP-14"},
    faults={"cp_validation_notice_missing_ignored"},
    note="collection goes on although the validation notice is overdue",
)
mutant(
    "cp_validation_due_date_late",
    {"CP-14"},
    faults={"cp_validation_due_date_late"},
    note="getValidationNotice reports due_date one day after the true due date",
)
mutant(
    "cp_no_opt_out", {"CP-15"}, faults={"cp_no_opt_out"}, note="SMS and e-mail go out without an opt-out instruction"
)
mutant(
    "cp_electronic_cap_ignored",
    {"CP-16"},
    level=3,
    only=CP,
    faults={"cp_electronic_cap_ignored"},
    note="an eighth collection message within seven days goes out",
)
