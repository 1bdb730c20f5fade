"""Clock rules: contact window (US, CN, IE, UK), ambiguous zones (E11, TV-8), blocked days, designated times, places."""

from __future__ import annotations

from datetime import time

import pytest

from icss.reference.conduct import ContactPoint, Preferences, WeeklyRange, decide

from ._support import CN, DENVER, DUBLIN, IE, LA, LONDON, NY, SHANGHAI, UK, US, ask, at, event, facts, message

# --- Reg F 1006.6(b)(1)(i): 08:00-21:00, half-open ---------------------------------------


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [("07:59", False), ("08:00", True), ("20:59", True), ("21:00", False), ("21:01", False)],
)
def test_us_window_is_half_open(clock: str, allowed: bool) -> None:
    decision = decide(facts(), ask(at("2026-03-10", clock)), US)
    assert decision.allowed is allowed
    assert decision.reasons == (("allowed",) if allowed else ("outside_contact_window",))


def test_local_times_show_the_debtors_wall_clock() -> None:
    decision = decide(facts(), ask(at("2026-03-10", "12:00", LA)), US)
    assert decision.local_times == {NY: "2026-03-10T15:00:00-04:00"}


def _ambiguous(second: ContactPoint) -> tuple[ContactPoint, ...]:
    return (ContactPoint("mobile", "phone", NY), second)


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [("10:59", False), ("11:00", True), ("20:59", True), ("21:01", False)],
)
def test_e11_tv8_eastern_mobile_pacific_address_window_11_to_21_eastern(clock: str, allowed: bool) -> None:
    debtor = facts(zones=(), contact_points=_ambiguous(ContactPoint("home", "address", LA)))
    decision = decide(debtor, ask(at("2020-04-01", clock)), US)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reasons == ("outside_contact_window",)
    assert set(decision.local_times) == {NY, LA}


@pytest.mark.parametrize(("clock", "allowed"), [("09:59", False), ("10:00", True)])
def test_e11_tv8_eastern_mobile_mountain_landline_window_from_10_eastern(clock: str, allowed: bool) -> None:
    debtor = facts(zones=(), contact_points=_ambiguous(ContactPoint("landline", "phone", DENVER)))
    assert decide(debtor, ask(at("2020-04-01", clock)), US).allowed is allowed


def test_tv8_sms_is_timed_when_sent() -> None:
    # Comment 6(b)(1)(i)-1: sent at 10:59 ET is 07:59 PT, whenever it is read.
    debtor = facts(zones=(), contact_points=_ambiguous(ContactPoint("home", "address", LA)))
    assert decide(debtor, ask(at("2020-04-01", "10:59"), "sms"), US).reasons == ("outside_contact_window",)


def test_letters_are_not_timed() -> None:
    assert decide(facts(), ask(at("2026-03-10", "23:30"), "letter", cp="home"), US).allowed


# --- China: CBA 2026 guideline, 08:00-22:00 -----------------------------------------------


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [("21:59", True), ("22:00", False), ("07:59", False), ("08:00", True)],
)
def test_cn_window_08_to_22_debtor_local(clock: str, allowed: bool) -> None:
    debtor = facts(zones=(SHANGHAI,))
    assert decide(debtor, ask(at("2026-03-10", clock, SHANGHAI)), CN).allowed is allowed


def test_cn_window_applies_to_visits_too() -> None:
    debtor = facts(zones=(SHANGHAI,))
    assert decide(debtor, ask(at("2026-03-10", "22:30", SHANGHAI), "visit", cp="home"), CN).reasons == (
        "outside_contact_window",
    )


# --- Ireland: Consumer Credit Act 1995 s.46 -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "clock", "reasons"),
    [
        ("2026-03-08", "10:00", ("blocked_day",)),  # Sunday
        ("2026-03-09", "20:59", ("allowed",)),  # Monday
        ("2026-03-09", "21:00", ("outside_contact_window",)),
        ("2026-03-10", "08:59", ("outside_contact_window",)),
        ("2026-03-17", "10:00", ("blocked_day",)),  # Saint Patrick's Day
        ("2026-03-15", "22:00", ("outside_contact_window", "blocked_day")),  # both, in vocabulary order
    ],
)
def test_ireland_sunday_public_holiday_and_21_00(day: str, clock: str, reasons: tuple[str, ...]) -> None:
    debtor = facts(zones=(DUBLIN,))
    assert decide(debtor, ask(at(day, clock, DUBLIN)), IE).reasons == reasons


# --- UK: CONC 7.9 with the MCOB 3A unsocial-hours default -----------------------------------


def test_uk_no_contact_on_sunday_or_before_nine() -> None:
    debtor = facts(zones=(LONDON,))
    assert decide(debtor, ask(at("2026-03-08", "12:00", LONDON)), UK).reasons == ("blocked_day",)
    assert decide(debtor, ask(at("2026-03-09", "08:30", LONDON)), UK).reasons == ("outside_contact_window",)
    assert decide(debtor, ask(at("2026-03-09", "09:00", LONDON)), UK).allowed


# --- Debtor-designated inconvenient times and places (Reg F 1006.6(b)(1)) ---------------------


def _weekday_afternoons() -> Preferences:
    return Preferences(
        inconvenient_times=(
            WeeklyRange(
                start=time(15), end=time(17), weekdays=("monday", "tuesday", "wednesday", "thursday", "friday")
            ),
        )
    )


def test_us3_designated_time_denied_outside_it_allowed() -> None:
    debtor = facts(preferences=_weekday_afternoons())
    assert decide(debtor, ask(at("2026-03-10", "15:30")), US).reasons == ("inconvenient_time",)
    assert decide(debtor, ask(at("2026-03-10", "17:00")), US).allowed
    assert decide(debtor, ask(at("2026-03-14", "15:30")), US).allowed  # Saturday


def test_us3_one_reply_to_a_debtor_initiated_email_at_an_inconvenient_time() -> None:
    inbound = message(at("2026-03-10", "15:05"), "email", cp="email", consumer_initiated=True)
    debtor = facts(attempts=[inbound], preferences=_weekday_afternoons())
    reply = ask(at("2026-03-10", "15:20"), "email", cp="email", purpose="reply_to_debtor")
    assert decide(debtor, reply, US).reasons == ("consumer_initiated_reply",)
    # A call is not "the same medium".
    assert decide(debtor, ask(at("2026-03-10", "15:20"), purpose="reply_to_debtor"), US).reasons == (
        "inconvenient_time",
    )
    replied = facts(
        attempts=[inbound, message(at("2026-03-10", "15:20"), "email", cp="email", purpose="reply_to_debtor")],
        preferences=_weekday_afternoons(),
    )
    second = ask(at("2026-03-10", "15:40"), "email", cp="email", purpose="reply_to_debtor")
    assert decide(replied, second, US).reasons == ("inconvenient_time",)


def test_inconvenient_time_event_with_its_own_zone() -> None:
    busy = event("inconvenient_time", at("2026-03-01"), start="09:00", end="12:00", timezone=LA)
    debtor = facts(events=[busy])
    assert decide(debtor, ask(at("2026-03-10", "13:00")), US).reasons == ("inconvenient_time",)  # 10:00 in LA
    assert decide(debtor, ask(at("2026-03-10", "15:00")), US).allowed


def test_not_at_home_covers_the_home_address_only() -> None:
    not_at_home = event("inconvenient_place", at("2026-03-01"), home=True)
    debtor = facts(events=[not_at_home])
    assert decide(debtor, ask(at("2026-03-10", "10:00"), "visit", cp="home"), US).reasons == ("inconvenient_place",)
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="mobile"), US).allowed
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="work"), US).allowed


def test_inconvenient_place_and_one_reply_from_there() -> None:
    not_at_work = event("inconvenient_place", at("2026-03-01"), workplace=True)
    debtor = facts(events=[not_at_work])
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="work"), US).reasons == ("inconvenient_place",)
    assert decide(debtor, ask(at("2026-03-10", "10:00"), cp="mobile"), US).allowed
    inbound = facts(
        events=[not_at_work], attempts=[message(at("2026-03-10", "09:00"), "sms", cp="work", consumer_initiated=True)]
    )
    reply = ask(at("2026-03-10", "10:00"), "sms", cp="work", purpose="reply_to_debtor")
    assert decide(inbound, reply, US).reasons == ("consumer_initiated_reply",)
