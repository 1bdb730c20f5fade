"""Standing holds: cease (E12, TV-9), medium opt-out, attorney, bankruptcy, dispute, vulnerability."""

from __future__ import annotations

from icss.reference.conduct import Event, Preferences, decide

from ._support import UK, US, ask, at, call, event, facts, message

# --- Cease communication: Reg F 1006.6(c) ----------------------------------------------------


def _cease() -> list[Event]:
    # Mailed on 08-03, received on 08-06: complete on receipt (comment 6(c)(1)-1).
    return [event("cease_request", at("2020-08-06", "11:00"), mailed_on="2020-08-03")]


def test_e12_email_before_the_cease_notice_is_received_is_allowed() -> None:
    decision = decide(facts(events=_cease()), ask(at("2020-08-04", "10:00"), "email", cp="email"), US)
    assert decision.reasons == ("allowed",)


def test_tv9a_collection_sms_after_receipt_denied() -> None:
    decision = decide(facts(events=_cease()), ask(at("2020-08-07", "10:00"), "sms"), US)
    assert decision.reasons == ("cease_communication",)


def test_tv9b_termination_notice_after_cease_allowed() -> None:
    letter = ask(at("2020-08-07", "10:00"), "letter", cp="home", purpose="cease_termination_notice")
    assert decide(facts(events=_cease()), letter, US).reasons == ("cease_exception",)
    remedy = ask(at("2020-08-07", "10:00"), "letter", cp="home", purpose="cease_remedy_notice")
    assert decide(facts(events=_cease()), remedy, US).reasons == ("cease_exception",)


def test_cease_has_only_its_three_exceptions() -> None:
    debtor = facts(events=_cease())
    for purpose in ("collection", "validation_notice", "reply_to_debtor", "legally_required", "opt_out_confirmation"):
        request = ask(at("2020-08-07", "10:00"), "letter", cp="home", purpose=purpose)
        assert decide(debtor, request, US).reasons == ("cease_communication",), purpose


def test_cease_for_one_debt_leaves_another_debt() -> None:
    debtor = facts(events=[event("cease_request", at("2020-08-06"), debt="D1")])
    assert not decide(debtor, ask(at("2020-08-07", "10:00"), debt="D1"), US).allowed
    assert decide(debtor, ask(at("2020-08-07", "10:00"), debt="D2"), US).allowed


# --- Medium opt-out: Reg F 1006.14(h) -----------------------------------------------------------


def _stop() -> list[Event]:
    return [event("medium_opt_out", at("2020-08-10", "10:00"), medium="sms", said="STOP")]


def test_tv9c_one_confirmation_then_sms_blocked() -> None:
    debtor = facts(events=_stop())
    confirm = ask(at("2020-08-10", "10:01"), "sms", purpose="opt_out_confirmation")
    assert decide(debtor, confirm, US).reasons == ("opt_out_confirmation",)
    confirmed = facts(events=_stop(), attempts=[message(at("2020-08-10", "10:01"), purpose="opt_out_confirmation")])
    assert decide(confirmed, ask(at("2020-08-10", "10:05"), "sms"), US).reasons == ("medium_opted_out",)
    again = ask(at("2020-08-10", "10:03"), "sms", purpose="opt_out_confirmation")
    assert decide(confirmed, again, US).reasons == ("medium_opted_out",)
    # Opting out of texts leaves calls and e-mail.
    assert decide(confirmed, ask(at("2020-08-10", "10:05")), US).allowed
    assert decide(confirmed, ask(at("2020-08-10", "10:05"), "email", cp="email"), US).allowed


def test_stop_calling_covers_ringless_voicemail_and_ai_voice() -> None:
    stop = event("medium_opt_out", at("2020-08-10", "10:00"), medium="call")
    consent = event("consent_given", at("2020-08-01"), purpose="ai_voice")
    debtor = facts(events=[stop, consent])
    for channel in ("call", "ringless_voicemail", "ai_voice"):
        assert decide(debtor, ask(at("2020-08-11", "10:00"), channel), US).reasons == ("medium_opted_out",)
    assert decide(debtor, ask(at("2020-08-11", "10:00"), "sms"), US).allowed


def test_opt_out_of_one_address_only() -> None:
    stop = event("medium_opt_out", at("2020-08-10"), medium="email", contact_point_id="email")
    debtor = facts(events=[stop])
    assert decide(debtor, ask(at("2020-08-11", "10:00"), "email", cp="email"), US).reasons == ("medium_opted_out",)
    assert decide(debtor, ask(at("2020-08-11", "10:00")), US).allowed


def test_opted_out_medium_one_reply_when_the_debtor_writes_through_it() -> None:
    inbound = message(at("2020-08-11", "09:00"), "sms", consumer_initiated=True)
    debtor = facts(events=_stop(), attempts=[inbound])
    reply = ask(at("2020-08-11", "09:30"), "sms", purpose="reply_to_debtor")
    assert decide(debtor, reply, US).reasons == ("consumer_initiated_reply",)
    replied = facts(events=_stop(), attempts=[inbound, message(at("2020-08-11", "09:30"), purpose="reply_to_debtor")])
    assert decide(replied, ask(at("2020-08-11", "09:45"), "sms", purpose="reply_to_debtor"), US).reasons == (
        "medium_opted_out",
    )


def test_opted_out_medium_legally_required_message_allowed() -> None:
    required = ask(at("2020-08-11", "10:00"), "sms", purpose="legally_required")
    assert decide(facts(events=_stop()), required, US).allowed


def test_self_service_channel_preferences_act_as_opt_out() -> None:
    debtor = facts(preferences=Preferences(channels=("email", "letter")))
    assert decide(debtor, ask(at("2020-08-11", "10:00")), US).reasons == ("medium_opted_out",)
    assert decide(debtor, ask(at("2020-08-11", "10:00"), "email", cp="email"), US).allowed


# --- Attorney representation: Reg F 1006.6(b)(2) ----------------------------------------------


def test_us4_attorney_represented_debtor_is_not_contacted_directly() -> None:
    debtor = facts(events=[event("attorney_representation", at("2020-08-01"), source="attorney")])
    assert decide(debtor, ask(at("2020-08-11", "10:00")), US).reasons == ("attorney_represented",)
    assert decide(debtor, ask(at("2020-08-11", "10:00"), cp="lawyer"), US).allowed
    consented = facts(
        events=[
            event("attorney_representation", at("2020-08-01"), source="attorney"),
            event("consent_given", at("2020-08-05"), source="attorney", purpose="direct_contact"),
        ]
    )
    assert decide(consented, ask(at("2020-08-11", "10:00")), US).allowed


# --- Dispute: Reg F 1006.38(d)(2) ---------------------------------------------------------------


def test_us25_dispute_holds_collection_until_verification_sent() -> None:
    dispute = event("dispute", at("2020-08-01"), debt="D1")
    debtor = facts(events=[dispute])
    assert decide(debtor, ask(at("2020-08-11", "10:00")), US).reasons == ("dispute_pending",)
    assert decide(debtor, ask(at("2020-08-11", "10:00"), debt="D2"), US).allowed
    # Sending the verification itself is not collection.
    assert decide(debtor, ask(at("2020-08-11", "10:00"), "letter", cp="home", purpose="legally_required"), US).allowed
    verified = facts(events=[dispute, event("verification_sent", at("2020-08-10"), source="collector", debt="D1")])
    assert decide(verified, ask(at("2020-08-11", "10:00")), US).allowed
    named = facts(
        events=[dispute, event("original_creditor_info_sent", at("2020-08-10"), source="collector", debt="D1")]
    )
    assert decide(named, ask(at("2020-08-11", "10:00")), US).allowed


def test_verification_for_another_debt_does_not_lift_the_hold() -> None:
    debtor = facts(
        events=[event("dispute", at("2020-08-01"), debt="D1"), event("verification_sent", at("2020-08-05"), debt="D2")]
    )
    assert decide(debtor, ask(at("2020-08-11", "10:00")), US).reasons == ("dispute_pending",)


# --- Bankruptcy ---------------------------------------------------------------------------------


def test_bankruptcy_stops_collection_but_not_a_termination_notice() -> None:
    debtor = facts(events=[event("bankruptcy", at("2020-08-01"), source="court")])
    assert decide(debtor, ask(at("2020-08-11", "10:00")), US).reasons == ("bankruptcy",)
    notice = ask(at("2020-08-11", "10:00"), "letter", cp="home", purpose="cease_termination_notice")
    assert decide(debtor, notice, US).allowed


# --- Vulnerability: FCA FG21/1 --------------------------------------------------------------------


def test_uk_vulnerable_debtor_gets_no_ai_channel() -> None:
    consent = event("consent_given", at("2026-03-01"), purpose="ai_voice")
    debtor = facts(
        events=[consent, event("vulnerability", at("2026-03-02"), source="collector")], zones=("Europe/London",)
    )
    monday = at("2026-03-09", "12:00", "Europe/London")
    assert decide(debtor, ask(monday, "ai_voice"), UK).reasons == ("vulnerable_debtor",)
    assert decide(debtor, ask(monday, "ai_text"), UK).reasons == ("vulnerable_debtor",)
    assert decide(debtor, ask(monday, "call"), UK).allowed


def test_every_applicable_deny_reason_is_returned_in_vocabulary_order() -> None:
    debtor = facts(
        events=[
            event("cease_request", at("2020-08-01")),
            event("dispute", at("2020-08-01"), debt="D1"),
            event("bankruptcy", at("2020-08-01"), source="court"),
        ],
        attempts=[call(at("2020-08-10", "10:00"), "conversation")],
    )
    decision = decide(debtor, ask(at("2020-08-10", "22:00")), US)
    assert decision.reasons == (
        "outside_contact_window",
        "post_conversation_block",
        "cease_communication",
        "dispute_pending",
        "bankruptcy",
    )
    assert len(decision.notes) == 5
