"""Prerequisites: outsourcing/transfer notice (CN, EU), validation notice (TV-10c), AI voice consent, content flags."""

from __future__ import annotations

from icss.reference.conduct import Debt, Rules, decide

from ._support import CN, SHANGHAI, US, ask, at, event, facts

# --- Outsourcing (CBIRC Order 2022 No. 9 art. 41) and transfer (Directive 2021/2167 art. 10(2)) ----


def test_cn13_agency_collection_needs_a_prior_outsourcing_notice() -> None:
    assigned = event("external_agency_assigned", at("2026-03-01", "10:00", SHANGHAI), source="creditor", debt="D1")
    monday = at("2026-03-09", "10:00", SHANGHAI)
    debtor = facts(events=[assigned], zones=(SHANGHAI,))
    assert decide(debtor, ask(monday), CN).reasons == ("outsourcing_notice_missing",)
    told = facts(
        events=[event("outsourcing_notice_sent", at("2026-02-25", "10:00", SHANGHAI), source="creditor"), assigned],
        zones=(SHANGHAI,),
    )
    assert decide(told, ask(monday), CN).allowed


def test_eu2_transfer_notice_before_the_first_collection() -> None:
    assigned = event("external_agency_assigned", at("2026-03-01"), source="creditor")
    notice = event("transfer_notice_sent", at("2026-03-05"), source="creditor")
    assert decide(facts(events=[assigned]), ask(at("2026-03-04", "10:00")), US).reasons == (
        "outsourcing_notice_missing",
    )
    assert decide(facts(events=[assigned, notice]), ask(at("2026-03-06", "10:00")), US).allowed


def test_reassignment_needs_a_new_notice() -> None:
    events = [
        event("outsourcing_notice_sent", at("2026-02-01"), source="creditor"),
        event("external_agency_assigned", at("2026-02-02"), source="creditor"),
        event("external_agency_assigned", at("2026-03-02"), source="creditor"),
    ]
    assert decide(facts(events=events), ask(at("2026-03-04", "10:00")), US).reasons == ("outsourcing_notice_missing",)


# --- Validation notice: Reg F 1006.34(a)(1), TV-10(c) ------------------------------------------


def test_tv10c_collection_stops_when_the_validation_notice_is_late() -> None:
    initial = event("initial_communication", at("2025-06-02", "10:00"), source="collector", debt="D1", oral=True)
    debtor = facts(events=[initial])
    assert decide(debtor, ask(at("2025-06-07", "10:00")), US).allowed  # day 5, still in time
    assert decide(debtor, ask(at("2025-06-09", "10:00")), US).reasons == ("validation_notice_missing",)
    late_notice = ask(at("2025-06-09", "10:00"), "letter", cp="home", purpose="validation_notice")
    assert decide(debtor, late_notice, US).allowed  # sending the notice itself is never blocked
    sent = facts(events=[initial, event("validation_notice_sent", at("2025-06-05"), source="collector", debt="D1")])
    assert decide(sent, ask(at("2025-06-09", "10:00")), US).allowed


# --- AI voice: TCPA / FCC 24-17 ------------------------------------------------------------------


def test_us30_ai_voice_needs_the_debtors_own_consent() -> None:
    request = ask(at("2026-03-10", "10:00"), "ai_voice")
    assert decide(facts(), request, US).reasons == ("ai_voice_consent_missing",)
    via_creditor = facts(events=[event("consent_given", at("2026-03-01"), source="creditor", purpose="ai_voice")])
    assert decide(via_creditor, request, US).reasons == ("ai_voice_consent_missing",)
    for_calls = facts(events=[event("consent_given", at("2026-03-01"), purpose="calls")])
    assert decide(for_calls, request, US).reasons == ("ai_voice_consent_missing",)
    given = facts(events=[event("consent_given", at("2026-03-01"), purpose="ai_voice")])
    assert decide(given, request, US).allowed
    revoked = facts(
        events=[
            event("consent_given", at("2026-03-01"), purpose="ai_voice"),
            event("consent_revoked", at("2026-03-05")),
        ]
    )
    assert decide(revoked, request, US).reasons == ("ai_voice_consent_missing",)


# --- Content flags -------------------------------------------------------------------------------


def test_us11_electronic_message_without_opt_out_denied() -> None:
    assert decide(
        facts(), ask(at("2026-03-10", "10:00"), "email", cp="email", has_opt_out_notice=False), US
    ).reasons == ("missing_opt_out",)
    assert decide(facts(), ask(at("2026-03-10", "10:00"), "email", cp="email", has_opt_out_notice=True), US).allowed


def test_us20_no_litigation_language_on_a_time_barred_debt() -> None:
    debtor = facts(debts=(Debt("D1", time_barred=True), Debt("D2")))
    threat = ask(at("2026-03-10", "10:00"), "letter", cp="home", mentions_litigation=True)
    assert decide(debtor, threat, US).reasons == ("time_barred",)
    assert decide(debtor, ask(at("2026-03-10", "10:00"), "letter", cp="home"), US).allowed
    other = ask(at("2026-03-10", "10:00"), "letter", cp="home", debt="D2", mentions_litigation=True)
    assert decide(debtor, other, US).allowed


def test_validation_hold_only_when_the_profile_has_a_deadline() -> None:
    initial = event("initial_communication", at("2025-06-02"), source="collector", debt="D1")
    no_deadline = Rules.from_mapping({"contact_window_start": "08:00", "contact_window_end": "21:00"})
    assert decide(facts(events=[initial]), ask(at("2025-07-01", "10:00")), no_deadline).allowed


def test_eu_zero_day_deadline_means_with_the_first_contact() -> None:
    rules = Rules.from_mapping({"validation_notice_days": 0})
    initial = event("initial_communication", at("2026-03-02", "10:00"), source="collector", debt="D1")
    assert decide(facts(events=[initial]), ask(at("2026-03-02", "10:00")), rules).allowed
    assert decide(facts(events=[initial]), ask(at("2026-03-02", "11:00")), rules).reasons == (
        "validation_notice_missing",
    )
    with_notice = facts(
        events=[initial, event("validation_notice_sent", at("2026-03-02", "10:00"), source="collector")]
    )
    assert decide(with_notice, ask(at("2026-03-02", "11:00")), rules).allowed
