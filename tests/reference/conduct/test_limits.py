"""Frequency rules: Reg F 1006.14(b) worked examples (research 1.3) and vectors TV-1..TV-7, CN, Massachusetts."""

from __future__ import annotations

from icss.reference.conduct import Attempt, Rules, call_frequency, decide

from ._support import CN, CN_VALUES, MA, SHANGHAI, US, US_VALUES, ask, at, call, days, event, facts, message

# --- Reg F worked examples -------------------------------------------------------------


def _e1_ledger() -> list[Attempt]:
    # 04-01 a limited-content message, then one unanswered call on each of 04-02 .. 04-07.
    return [call(at("2020-04-01", "10:00"), "limited_content_message")] + [
        call(at(d, "10:00")) for d in days("2020-04-02", 6)
    ]


def test_e1_seven_calls_in_seven_days_compliant() -> None:
    debtor = facts(attempts=_e1_ledger())
    ledger = call_frequency(debtor, "D1", at("2020-04-07", "23:00"), US)
    assert ledger.counted_calls == 7
    assert ledger.presumption == "compliant"
    # TV-1: the 04-01 call has left the window by 04-08.
    assert decide(debtor, ask(at("2020-04-08", "10:00")), US).allowed


def test_tv1_eighth_call_on_day_seven_denied() -> None:
    decision = decide(facts(attempts=_e1_ledger()), ask(at("2020-04-07", "15:00")), US)
    assert not decision.allowed
    assert decision.reasons == ("call_cap_7d",)


def test_e2_consumer_initiated_conversation_blocks_seven_days() -> None:
    inbound = call(at("2020-08-13", "11:00"), "conversation", consumer_initiated=True)
    debtor = facts(attempts=[inbound])
    assert decide(debtor, ask(at("2020-08-19", "11:00")), US).reasons == ("post_conversation_block",)
    assert decide(debtor, ask(at("2020-08-20", "11:00")), US).reasons == ("allowed",)


def test_tv4_inbound_call_not_counted_toward_seven_in_seven() -> None:
    inbound = call(at("2020-08-13", "11:00"), "conversation", consumer_initiated=True)
    ledger = call_frequency(facts(attempts=[inbound]), "D1", at("2020-08-13", "20:00"), US)
    assert ledger.counted_calls == 0
    assert [e.exclusion for e in ledger.excluded] == ["consumer_initiated"]
    assert ledger.conversation_block_until is not None
    assert ledger.conversation_block_until.isoformat() == "2020-08-19"


def test_tv4_inbound_conversation_event_blocks_like_an_inbound_call() -> None:
    debtor = facts(events=[event("inbound_conversation", at("2020-08-13", "11:00"), debt="D1")])
    assert decide(debtor, ask(at("2020-08-19", "11:00")), US).reasons == ("post_conversation_block",)
    assert decide(debtor, ask(at("2020-08-20", "11:00")), US).allowed


def test_e3_third_party_location_calls_compliant() -> None:
    # Oct 6-12, 2020: up to seven unanswered location calls to one third party.
    calls = [
        call(at(d, "10:00"), cp="neighbour", purpose="location_information", debts=()) for d in days("2020-10-06", 6)
    ]
    debtor = facts(attempts=calls)
    seventh = ask(at("2020-10-12", "10:00"), cp="neighbour", purpose="location_information", debt=None)
    assert decide(debtor, seventh, US).allowed  # unanswered calls are not communications (1006.10(c))
    eighth = facts(attempts=[*calls, call(at("2020-10-12", "10:00"), cp="neighbour", purpose="location_information")])
    later = ask(at("2020-10-12", "11:00"), cp="neighbour", purpose="location_information", debt=None)
    assert decide(eighth, later, US).reasons == ("call_cap_7d",)


def _e4_ledger() -> list[Attempt]:
    ledger = [call(at("2020-04-01", "09:00"), "limited_content_message", debts=("M1",))]
    for d in ("2020-04-02", "2020-04-03", "2020-04-06"):
        ledger += [call(at(d, "10:00"), debts=("M1",)), call(at(d, "16:00"), debts=("M1",))]
    return ledger


def test_e4_eight_calls_presumed_violation() -> None:
    ledger = [*_e4_ledger(), call(at("2020-04-07", "10:00"), debts=("M1",))]
    summary = call_frequency(facts(attempts=ledger), "M1", at("2020-04-07", "23:00"), US)
    assert summary.counted_calls == 8
    assert summary.presumption == "presumed_violation"
    assert summary.violations == ("call_cap_7d",)


def test_tv2_pre_dial_check_for_the_eighth_call_denied() -> None:
    decision = decide(facts(attempts=_e4_ledger()), ask(at("2020-04-07", "10:00"), debt="M1"), US)
    assert decision.reasons == ("call_cap_7d",)


def test_e5_post_conversation_block_until_day_eight() -> None:
    ledger = [call(at("2020-08-11", "10:00")), call(at("2020-08-14", "10:00"), "conversation")]
    debtor = facts(attempts=ledger)
    assert decide(debtor, ask(at("2020-08-14", "17:00")), US).reasons == ("post_conversation_block",)  # day 1
    # TV-3
    assert decide(debtor, ask(at("2020-08-20", "10:00")), US).reasons == ("post_conversation_block",)
    assert decide(debtor, ask(at("2020-08-21", "10:00")), US).reasons == ("allowed",)


def test_e5_call_inside_the_block_is_a_presumed_violation() -> None:
    ledger = [
        call(at("2020-08-11", "10:00")),
        call(at("2020-08-14", "10:00"), "conversation"),
        call(at("2020-08-17", "10:00")),
    ]
    summary = call_frequency(facts(attempts=ledger), "D1", at("2020-08-17", "20:00"), US)
    assert summary.presumption == "presumed_violation"
    assert summary.violations == ("post_conversation_block",)


def test_e6_concentrated_calls_still_presumed_compliant() -> None:
    ledger = [call(at("2020-04-01", "10:00"))] + [call(at("2020-04-03", f"{h:02d}:00")) for h in range(10, 16)]
    summary = call_frequency(facts(attempts=ledger), "D1", at("2020-04-07", "12:00"), US)
    # Comment 14(b)(2)(i)-2.i: compliant; the concentration is a rebuttal factor for a human, not a count.
    assert summary.counted_calls == 7
    assert summary.presumption == "compliant"


def test_e7_consent_to_call_back_monday_excludes_the_call() -> None:
    talk = call(at("2020-04-03", "10:00"), "conversation")
    consent = event("consent_given", at("2020-04-03", "10:05"), debt="D1", purpose="calls")
    decision = decide(facts(attempts=[talk], events=[consent]), ask(at("2020-04-06", "10:00")), US)
    assert decision.allowed
    assert decision.reasons == ("consent_exclusion",)


def test_e7_tv6a_conversation_under_consent_ends_the_consent() -> None:
    talk = call(at("2020-04-03", "10:00"), "conversation")
    consent = event("consent_given", at("2020-04-03", "10:05"), debt="D1")
    callback = call(at("2020-04-06", "10:00"), "conversation")
    debtor = facts(attempts=[talk, callback], events=[consent])
    assert decide(debtor, ask(at("2020-04-08", "10:00")), US).reasons == ("post_conversation_block",)


def test_e8_tv5_consent_by_email_excludes_seven_days_only() -> None:
    early = [call(at(d, "10:00")) for d in days("2020-06-01", 3)]
    consent = event("consent_given", at("2020-06-04", "09:30"), debt="D1")
    excluded = [call(at(d, f"{h}:00")) for d in days("2020-06-08", 3) for h in (10, 13, 16)][:8]
    debtor = facts(attempts=[*early, *excluded], events=[consent])
    summary = call_frequency(debtor, "D1", at("2020-06-10", "23:00"), US)
    assert summary.presumption == "compliant"
    assert [e.exclusion for e in summary.excluded] == ["consent"] * 8
    assert summary.counted_calls == 0  # the window is 06-04..06-10; the 06-01..06-03 calls are out
    assert decide(debtor, ask(at("2020-06-10", "18:00")), US).reasons == ("consent_exclusion",)
    # 06-11: the window 06-05..06-11 holds no counted call and no conversation.
    on_11 = decide(debtor, ask(at("2020-06-11", "10:00")), US)
    assert on_11.reasons == ("allowed",)
    later = facts(attempts=[*early, *excluded, call(at("2020-06-11", "10:00"))], events=[consent])
    assert call_frequency(later, "D1", at("2020-06-11", "23:00"), US).counted_calls == 1


def test_e8_consent_through_the_creditor_is_ignored() -> None:
    early = [call(at(d, "10:00")) for d in days("2020-06-04", 7)]
    consent = event("consent_given", at("2020-06-04", "09:30"), source="creditor", debt="D1")
    decision = decide(facts(attempts=early, events=[consent]), ask(at("2020-06-10", "18:00")), US)
    assert decision.reasons == ("call_cap_7d",)


def test_consent_revocation_ends_the_exclusion() -> None:
    consent = event("consent_given", at("2020-06-04", "09:30"), debt="D1")
    revoke = event("consent_revoked", at("2020-06-05", "09:00"), debt="D1")
    calls = [call(at("2020-06-05", f"{h}:00")) for h in range(10, 17)]
    decision = decide(facts(attempts=calls, events=[consent, revoke]), ask(at("2020-06-05", "18:00")), US)
    assert decision.reasons == ("call_cap_7d",)


def test_e9_tv6b_counting_is_per_debt() -> None:
    ledger = [
        call(at(d, f"{9 + i:02d}:00"), debts=(debt,))
        for d in days("2020-04-01", 7)
        for i, debt in enumerate(("MED", "CC-A", "CC-B"))
    ]
    debtor = facts(attempts=ledger)
    for debt in ("MED", "CC-A", "CC-B"):
        summary = call_frequency(debtor, debt, at("2020-04-07", "23:00"), US)
        assert (summary.counted_calls, summary.presumption) == (7, "compliant")
        assert decide(debtor, ask(at("2020-04-07", "15:00"), debt=debt), US).reasons == ("call_cap_7d",)
    assert decide(debtor, ask(at("2020-04-07", "15:00"), debt="OTHER"), US).allowed


def test_e9_conversation_about_several_debts_counts_for_each() -> None:
    talk = call(at("2020-04-01", "10:00"), "conversation", debts=("CC-A", "CC-B"))
    debtor = facts(attempts=[talk])
    for debt in ("CC-A", "CC-B"):
        assert decide(debtor, ask(at("2020-04-02", "10:00"), debt=debt), US).reasons == ("post_conversation_block",)
    assert decide(debtor, ask(at("2020-04-02", "10:00"), debt="MED"), US).allowed


def test_e10_calls_to_a_misdirected_number_are_not_counted() -> None:
    mon, wed = call(at("2020-04-06", "10:00"), cp="landline"), call(at("2020-04-08", "10:00"), cp="landline")
    learnt = event("wrong_number", at("2020-04-09", "09:00"), source="collector", contact_point_id="landline")
    debtor = facts(attempts=[mon, wed], events=[learnt])
    before = call_frequency(debtor, "D1", at("2020-04-08", "23:00"), US)
    assert before.counted_calls == 2  # not yet known on Wednesday
    after = call_frequency(debtor, "D1", at("2020-04-09", "12:00"), US)
    assert after.counted_calls == 0
    assert [e.exclusion for e in after.excluded] == ["wrong_number", "wrong_number"]


def test_e13_electronic_messages_capped_beside_compliant_calls() -> None:
    rules = Rules.from_mapping({**US_VALUES, "electronic_messages_per_7d": 3}, "us-federal")
    calls = [call(at(d, "10:00")) for d in days("2020-04-01", 7)]
    emails = [message(at(d, "11:00"), "email", cp="email") for d in days("2020-04-05", 3)]
    debtor = facts(attempts=[*calls, *emails])
    assert call_frequency(debtor, "D1", at("2020-04-07", "23:00"), rules).presumption == "compliant"
    decision = decide(debtor, ask(at("2020-04-07", "15:00"), "email", cp="email"), rules)
    assert decision.reasons == ("electronic_message_cap",)
    # A confirmation of an opt-out is never refused for volume.
    confirm = ask(at("2020-04-07", "15:00"), "email", cp="email", purpose="opt_out_confirmation")
    assert decide(debtor, confirm, rules).allowed


# --- TV-7: which outcomes count ------------------------------------------------------------


def _tv7_ledger(ringless_as_sms: bool = False) -> list[Attempt]:
    ledger = [call(at(d, "10:00"), "no_answer") for d in days("2020-04-01", 6)]
    ledger += [call(at("2020-04-02", "15:00"), "busy") for _ in range(3)]
    ledger += [call(at("2020-04-03", "15:00"), "not_in_service") for _ in range(2)]
    if ringless_as_sms:
        ledger.append(message(at("2020-04-04", "15:00"), "sms"))
    else:
        ledger.append(call(at("2020-04-04", "15:00"), "ringless_voicemail", channel="ringless_voicemail"))
    return ledger


def test_tv7_busy_and_not_in_service_excluded_ringless_voicemail_counted() -> None:
    debtor = facts(attempts=_tv7_ledger())
    summary = call_frequency(debtor, "D1", at("2020-04-06", "23:00"), US)
    assert summary.counted_calls == 7
    assert sorted(e.exclusion or "" for e in summary.excluded) == ["not_connected"] * 5
    assert decide(debtor, ask(at("2020-04-06", "18:00")), US).reasons == ("call_cap_7d",)


def test_tv7_sms_is_not_a_call() -> None:
    debtor = facts(attempts=_tv7_ledger(ringless_as_sms=True))
    assert call_frequency(debtor, "D1", at("2020-04-06", "23:00"), US).counted_calls == 6
    assert decide(debtor, ask(at("2020-04-06", "18:00")), US).allowed


def test_ringless_voicemail_and_ai_voice_requests_are_calls() -> None:
    debtor = facts(attempts=_e1_ledger(), events=[event("consent_given", at("2020-03-01"), purpose="ai_voice")])
    for channel in ("ringless_voicemail", "ai_voice"):
        assert decide(debtor, ask(at("2020-04-07", "15:00"), channel), US).reasons == ("call_cap_7d",)
    assert decide(debtor, ask(at("2020-04-07", "15:00"), "sms"), US).allowed


def test_calls_to_the_debtors_attorney_are_not_limited() -> None:
    debtor = facts(attempts=_e1_ledger())
    assert decide(debtor, ask(at("2020-04-07", "15:00"), cp="lawyer"), US).allowed


# --- China: CBA 2026 guideline ----------------------------------------------------------------


def test_cn_seventh_unanswered_call_to_one_number_denied() -> None:
    calls = [call(at("2026-03-10", f"{h:02d}:00", SHANGHAI)) for h in range(9, 15)]
    debtor = facts(attempts=calls, zones=(SHANGHAI,))
    assert decide(debtor, ask(at("2026-03-10", "16:00", SHANGHAI)), CN).reasons == ("daily_unanswered_cap",)
    # Another number of the same debtor, and the next local day, are fine.
    assert decide(debtor, ask(at("2026-03-10", "16:00", SHANGHAI), cp="landline"), CN).allowed
    assert decide(debtor, ask(at("2026-03-11", "08:00", SHANGHAI)), CN).allowed


def test_cn_fourth_connected_call_in_a_day_denied() -> None:
    calls = [
        call(at("2026-03-10", f"{h:02d}:00", SHANGHAI), "conversation", cp=cp)
        for h, cp in ((9, "mobile"), (11, "landline"), (13, "mobile"))
    ]
    debtor = facts(attempts=calls, zones=(SHANGHAI,))
    assert decide(debtor, ask(at("2026-03-10", "15:00", SHANGHAI), cp="landline"), CN).reasons == (
        "daily_connected_cap",
    )
    assert decide(debtor, ask(at("2026-03-10", "15:00", SHANGHAI), "sms"), CN).allowed


def test_cn_values_mirror_the_guideline() -> None:
    assert (CN_VALUES["unanswered_calls_per_number_per_day"], CN_VALUES["connected_calls_per_day"]) == (6, 3)


# --- Massachusetts: 940 CMR 7.04(1)(f) --------------------------------------------------------


def test_ma_third_call_within_seven_days_denied() -> None:
    debtor = facts(
        attempts=[call(at("2026-05-04", "10:00"), cp="landline"), call(at("2026-05-07", "10:00"), cp="landline")]
    )
    assert decide(debtor, ask(at("2026-05-10", "10:00"), cp="landline"), MA).reasons == ("call_cap_7d",)
    assert decide(debtor, ask(at("2026-05-11", "10:00"), cp="landline"), MA).allowed
