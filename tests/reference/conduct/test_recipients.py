"""Who may be contacted: workplace (1006.6(b)(3)), third parties (1006.6(d), 1006.10), wrong numbers."""

from __future__ import annotations

from icss.reference.conduct import decide

from ._support import CN, IE, SHANGHAI, US, ask, at, call, event, facts


def test_us5_workplace_contact_prohibited() -> None:
    debtor = facts(events=[event("workplace_contact_prohibited", at("2026-03-01"), said="no personal calls at work")])
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="work"), US).reasons == ("workplace_prohibited",)
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="mobile"), US).allowed
    assert decide(facts(), ask(at("2026-03-10", "10:00"), cp="work"), US).allowed


def test_us8_third_party_never_for_collection() -> None:
    request = ask(at("2026-03-10", "10:00"), cp="neighbour")
    assert decide(facts(), request, US).reasons == ("third_party_not_permitted",)


def test_us9_third_party_location_contact_only_once() -> None:
    request = ask(at("2026-03-10", "10:00"), cp="neighbour", purpose="location_information", debt=None)
    assert decide(facts(), request, US).allowed
    spoken = facts(
        attempts=[call(at("2026-03-01", "10:00"), "conversation", cp="neighbour", purpose="location_information")]
    )
    assert decide(spoken, request, US).reasons == ("third_party_contact_limit",)
    # A day later the seven-day conversation block for that person applies as well.
    yesterday = facts(
        attempts=[call(at("2026-03-09", "10:00"), "conversation", cp="neighbour", purpose="location_information")]
    )
    assert decide(yesterday, request, US).reasons == ("post_conversation_block", "third_party_contact_limit")
    # An unanswered call did not communicate anything, so it does not use the one contact up.
    rang = facts(
        attempts=[call(at("2026-03-09", "10:00"), "no_answer", cp="neighbour", purpose="location_information")]
    )
    assert decide(rang, request, US).allowed


def test_third_party_window_is_the_third_partys_own() -> None:
    request = ask(at("2026-03-10", "07:30"), cp="neighbour", purpose="location_information", debt=None)
    assert decide(facts(), request, US).reasons == ("outside_contact_window",)


def test_cn_no_collection_from_unrelated_third_persons() -> None:
    debtor = facts(zones=(SHANGHAI,))
    request = ask(at("2026-03-10", "10:00", SHANGHAI), cp="neighbour", purpose="location_information", debt=None)
    assert decide(debtor, request, CN).reasons == ("third_party_not_permitted",)


def test_ireland_no_contact_with_family_or_employer() -> None:
    debtor = facts(zones=("Europe/Dublin",))
    request = ask(at("2026-03-10", "10:00", "Europe/Dublin"), cp="neighbour", purpose="location_information", debt=None)
    assert decide(debtor, request, IE).reasons == ("third_party_not_permitted",)


def test_us15_wrong_number_is_not_called_again() -> None:
    debtor = facts(events=[event("wrong_number", at("2026-03-09"), source="collector", contact_point_id="landline")])
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="landline"), US).reasons == ("wrong_number",)
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="mobile"), US).allowed
