"""Debtor rights and service quality (DR): validation information, disputes, the debtor's own record
and export, complaints, statistics, vulnerable debtors, notices before outsourcing, preferences,
identity before disclosure and the numbers debtors are given to call.

Each check builds its situation in its own sandbox and reads the answer from what the debtor or a
supervisor can observe: decisions, lists, the debtor's record — not from the service's own claims.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .._context import CheckContext
from .._registry import check
from ._support import parse_ts, problem_document, validate_against

#: A Thursday with no public holiday in any profile: the local day the contact scenarios run on.
_DAY = "2026-03-05"
_AMOUNTS = ("amount_on_itemization_date", "interest", "fees", "payments", "credits")


def _at_local(ctx: CheckContext, hour: int, day: str = _DAY) -> str:
    """``hour``:00 on ``day`` on the debtor's wall clock, as an RFC 3339 UTC instant."""
    return ctx.local_instant(day, f"{hour:02d}:00")


def _point(debtor: dict[str, Any], kind: str) -> str:
    return str(next(p["id"] for p in debtor["contact_points"] if p["kind"] == kind))


def _contact(
    ctx: CheckContext,
    debtor: dict[str, Any],
    debt: dict[str, Any] | None,
    channel: str,
    purpose: str = "collection",
    kind: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """checkContact for ``debtor`` on ``channel`` now; the decision document."""
    kind = kind or {"email": "email", "letter": "address", "visit": "address"}.get(channel, "phone")
    body = {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]] if debt else [],
        "contact_point_id": _point(debtor, kind),
        "channel": channel,
        "purpose": purpose,
        **extra,
    }
    decision = ctx.expect(ctx.request("POST", "/contact-decisions", json=body), 200, what=f"checkContact {channel}")
    return dict(decision)


def _attempt(
    ctx: CheckContext,
    debtor: dict[str, Any],
    debt: dict[str, Any],
    channel: str,
    kind: str,
    purpose: str = "collection",
) -> Any:
    body: dict[str, Any] = {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "contact_point_id": _point(debtor, kind),
        "channel": channel,
        "purpose": purpose,
        "content": "Please contact us about your account.",
    }
    if channel in ("call", "ai_voice", "ringless_voicemail"):
        body["outcome"] = "no_answer"
    return ctx.request("POST", "/contact-attempts", json=body)


def _event(
    ctx: CheckContext,
    debtor: dict[str, Any],
    kind: str,
    details: dict[str, Any] | None = None,
    debt: dict[str, Any] | None = None,
    role: str = "collector",
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "source": "collector" if role != "debtor" else "debtor"}
    if details is not None:
        body["details"] = details
    if debt is not None:
        body["debt_id"] = debt["id"]
    token = debtor["token"] if role == "debtor" else None
    event = ctx.expect(
        ctx.request("POST", f"/debtors/{debtor['id']}/events", role, json=body, token=token),
        201,
        what=f"recordEvent {kind}",
    )
    return dict(event)


def _debtor(ctx: CheckContext) -> dict[str, Any]:
    """A new debtor plus ``pii``: the personal-data values the harness submitted for it, in clear."""
    debtor = ctx.new_debtor()
    name = next(c for c in reversed(ctx.canaries) if c.startswith("Canary Name "))
    national_id = next(c for c in reversed(ctx.canaries) if c.startswith("ID"))
    points = [str(p.get("value") or p.get("address", {}).get("lines", [""])[0]) for p in debtor["contact_points"]]
    debtor["pii"] = [name, national_id, *(p for p in points if "*" not in p)]
    debtor["clear_name"] = name
    return debtor


def _denies(decision: dict[str, Any], reason: str) -> bool:
    return decision.get("decision") == "deny" and reason in decision.get("reasons", [])


def _dec(ctx: CheckContext, value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        ctx.fail(f"getValidationNotice: {name} is {value!r}, not a decimal amount")
        raise AssertionError("unreachable") from None


# -- DR-01 -----------------------------------------------------------------------------------------


@check("DR-01")
def validation_information_complete(ctx: CheckContext) -> None:
    """getValidationNotice names the collector, the debtor, both creditors and the truncated account, shows
    every itemization amount (0.00 where nothing applies) and the dispute rights by the validation end date,
    and its amounts reconcile exactly: current = itemization-date amount + interest + fees − payments − credits."""
    debtor = _debtor(ctx)
    item = {
        "itemization_date": "2025-11-30",
        "itemization_date_basis": "last_statement",
        "creditor_on_itemization_date": "Harness Original Bank",
        "amount_on_itemization_date": "1234.56",
        "interest": "10.01",
        "fees": "0.00",
        "payments": "200.00",
        "credits": "4.50",
        "current_amount": "1040.07",
    }
    debt = ctx.new_debt(debtor, itemization=item)
    notice = ctx.expect(ctx.request("GET", f"/debts/{debt['id']}/validation-notice"), 200, what="getValidationNotice")
    validate_against(ctx, notice, "validation-notice")
    blank = [
        name
        for name, value in (
            ("debt_collector.name", notice["debt_collector"].get("name")),
            ("debt_collector.mailing_address", notice["debt_collector"].get("mailing_address")),
            ("consumer.name", notice["consumer"].get("name")),
            ("consumer.mailing_address", notice["consumer"].get("mailing_address")),
            ("creditor_on_itemization_date", notice.get("creditor_on_itemization_date")),
            ("account_number_truncated", notice.get("account_number_truncated")),
            ("current_creditor", notice.get("current_creditor")),
            ("validation_end_date", notice.get("validation_end_date")),
            ("dispute_instructions.text", notice["dispute_instructions"].get("text")),
        )
        if value in (None, "", {}, [])
    ]
    ctx.require(not blank, f"getValidationNotice leaves blank: {', '.join(blank)}")
    ctx.require(
        notice["consumer"]["name"] == debtor["clear_name"],
        "getValidationNotice does not name the debtor as recorded by createDebtor",
    )
    ctx.require(
        notice["creditor_on_itemization_date"] == item["creditor_on_itemization_date"],
        "creditor_on_itemization_date differs from the creditor submitted with createDebt",
    )
    ctx.require(notice["current_creditor"] == "Harness Test Bank", "current_creditor differs from the debt's creditor")
    ctx.require(notice["itemization_date"] == item["itemization_date"], "itemization_date differs from the debt's")
    account = [c for c in ctx.canaries if c.startswith("ACCT")][-1]
    shown = str(notice["account_number_truncated"]).lstrip("*xX")
    ctx.require(
        bool(shown) and account.endswith(shown),
        "account_number_truncated does not end with the last characters of the account number, so the "
        "debtor cannot recognise the account",
    )
    ctx.require(
        notice["currency"] == debt["currency"], f"the notice is in {notice['currency']}, the debt in {debt['currency']}"
    )
    for name in _AMOUNTS:
        ctx.require(
            _dec(ctx, notice[name], name) == Decimal(item[name]),
            f"getValidationNotice shows {name} {notice[name]}; the itemization submitted says {item[name]}",
        )
    parts = [_dec(ctx, notice[n], n) for n in _AMOUNTS]
    expected = parts[0] + parts[1] + parts[2] - parts[3] - parts[4]
    ctx.require(
        _dec(ctx, notice["current_amount"], "current_amount") == expected,
        f"current_amount {notice['current_amount']} does not reconcile: itemization-date amount + interest + "
        f"fees - payments - credits = {expected}",
    )
    instructions = notice["dispute_instructions"]
    ctx.require(
        instructions.get("dispute_by") == notice["validation_end_date"],
        "the dispute instructions do not give the validation end date as the date to dispute by",
    )
    ctx.require(
        instructions.get("original_creditor_request") is True,
        "the notice does not state the right to request the original creditor's name and address by the "
        "validation end date (dispute_instructions.original_creditor_request)",
    )


# -- DR-02 -----------------------------------------------------------------------------------------


@check("DR-02")
def dispute_holds_collection(ctx: CheckContext) -> None:
    """A dispute filed through createDispute or recorded by staff holds collection on that debt (checkContact deny
    dispute_pending, createContactAttempt 409) until verification_sent; legally required contacts stay open."""
    ctx.set_clock(_at_local(ctx, 11))
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    before = _contact(ctx, debtor, debt, "email")
    ctx.require("dispute_pending" not in before.get("reasons", []), "dispute_pending appears before any dispute")
    filed = ctx.request(
        "POST",
        "/me/disputes",
        token=debtor["token"],
        json={"debt_id": debt["id"], "reason": "not_mine", "description": "I do not owe this."},
    )
    ctx.expect(filed, 201, what="createDispute")
    held = _contact(ctx, debtor, debt, "email")
    ctx.require(
        _denies(held, "dispute_pending"),
        f"after createDispute, checkContact for collection answered {held.get('decision')} "
        f"{held.get('reasons')}; expected deny with dispute_pending",
    )
    attempt = _attempt(ctx, debtor, debt, "email", "email")
    ctx.require(
        attempt.status_code == 409,
        f"createContactAttempt for collection during a pending dispute answered {attempt.status_code}; expected 409",
    )
    legal = _contact(ctx, debtor, debt, "email", purpose="legally_required")
    ctx.require(
        "dispute_pending" not in legal.get("reasons", []),
        "a legally_required contact (delivering the verification) is blocked with dispute_pending",
    )
    _event(ctx, debtor, "verification_sent", {"method": "letter"}, debt)
    after = _contact(ctx, debtor, debt, "email")
    ctx.require(
        "dispute_pending" not in after.get("reasons", []),
        "dispute_pending still appears after the verification_sent event was recorded",
    )
    ctx.advance_clock("PT1M")
    _event(ctx, debtor, "dispute", {"form": "written", "reason": "amount wrong"}, debt)
    staff = _contact(ctx, debtor, debt, "email")
    ctx.require(
        _denies(staff, "dispute_pending"),
        f"after a dispute recorded by staff (recordEvent type dispute), checkContact answered "
        f"{staff.get('decision')} {staff.get('reasons')}; expected deny with dispute_pending",
    )


# -- DR-03 / DR-04 ---------------------------------------------------------------------------------


def _two_debtors_with_history(ctx: CheckContext) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Debtor A with a debt, an event, a decision, an attempt, a dispute and a complaint; debtor B with a debt
    and an event. Returns (A, B, ids of what was created for A by kind)."""
    ctx.set_clock(_at_local(ctx, 11))
    a, b = _debtor(ctx), _debtor(ctx)
    debt_a = ctx.new_debt(a)
    account = [c for c in ctx.canaries if c.startswith("ACCT")][-1]
    debt_b = ctx.new_debt(b)
    made: dict[str, Any] = {
        "debts": {debt_a["id"]},
        "events": set(),
        "contact_decisions": set(),
        "contact_attempts": set(),
        "disputes": set(),
        "complaints": set(),
        "debt": debt_a,
        "account": account,
    }
    made["events"].add(_event(ctx, a, "hardship", {"description": ctx.canary("Hardship note ")})["id"])
    _event(ctx, b, "hardship", {"description": ctx.canary("Other note ")})
    made["contact_decisions"].add(_contact(ctx, a, debt_a, "email")["decision_id"])
    attempt = ctx.expect(_attempt(ctx, a, debt_a, "email", "email"), 201, what="createContactAttempt e-mail")
    made["contact_attempts"].add(attempt["id"])
    complaint = ctx.expect(
        ctx.request(
            "POST",
            "/me/complaints",
            token=a["token"],
            json={"category": "contact_conduct", "description": ctx.canary("Complaint text "), "debt_id": debt_a["id"]},
        ),
        201,
        what="createComplaint",
    )
    made["complaints"].add(complaint["id"])
    dispute = ctx.expect(
        ctx.request("POST", "/me/disputes", token=a["token"], json={"debt_id": debt_a["id"], "reason": "wrong_amount"}),
        201,
        what="createDispute",
    )
    made["disputes"].add(dispute["id"])
    made["b_debt"] = debt_b
    return a, b, made


def _ids(items: Any, key: str = "id") -> set[str]:
    return {str(i.get(key)) for i in items or [] if isinstance(i, dict)}


@check("DR-03")
def my_record_complete(ctx: CheckContext) -> None:
    """getMyRecord returns every debt, event, contact decision, contact attempt, message, dispute and complaint
    of the calling debtor made before the call, each with its evidence_index and receipt link, and nothing
    about another debtor."""
    a, b, made = _two_debtors_with_history(ctx)
    record = ctx.expect(ctx.request("GET", "/me/record", token=a["token"]), 200, what="getMyRecord")
    validate_against(ctx, record, "my-record")
    keys = {"contact_decisions": "decision_id"}
    for part in ("debts", "events", "contact_decisions", "contact_attempts", "disputes", "complaints"):
        listed = _ids(record.get(part), keys.get(part, "id"))
        missing = made[part] - listed
        ctx.require(
            not missing, f"getMyRecord leaves out {part} created for the debtor before the call: {sorted(missing)}"
        )
    ctx.require(bool(record.get("messages")), "getMyRecord lists no message although an e-mail was sent to the debtor")
    for part in ("debts", "events", "contact_decisions", "contact_attempts", "messages", "disputes", "complaints"):
        for item in record.get(part) or []:
            ctx.require(
                isinstance(item.get("evidence_index"), int), f"an item of {part} in getMyRecord has no evidence_index"
            )
            if part not in ("debts", "messages"):  # the outbox-message schema has no receipt link
                ctx.require(bool(item.get("receipt_url")), f"an item of {part} in getMyRecord has no receipt link")
    text = str(record)
    foreign = [b["id"], made["b_debt"]["id"], *b["pii"]]
    ctx.require(not any(str(v) in text for v in foreign), "getMyRecord includes items concerning another debtor")


@check("DR-04")
def export_complete(ctx: CheckContext) -> None:
    """exportMyData returns an application/json document valid against the export schema that holds every
    personal-data value submitted for the debtor, unmasked, and nothing of another debtor."""
    a, b, made = _two_debtors_with_history(ctx)
    response = ctx.request("GET", "/me/export", token=a["token"])
    doc = ctx.expect(response, 200, what="exportMyData")
    media = response.headers.get("content-type", "").split(";")[0].strip()
    ctx.require(media == "application/json", f"exportMyData answered with media type {media!r}, not application/json")
    validate_against(ctx, doc, "personal-data-export")
    text = str(doc)
    own = [*a["pii"], made["account"]]
    own += [c for c in ctx.canaries if c.startswith(("Hardship note", "Complaint text"))]
    missing = [v for v in own if v and v not in text]
    ctx.require(
        not missing,
        f"exportMyData leaves out or masks {len(missing)} personal-data value(s) submitted for "
        "the debtor (identity, contact points, account number, event details or complaint text)",
    )
    for part in ("debts", "events", "contact_attempts", "disputes", "complaints"):
        missing_ids = made[part] - _ids(doc.get(part))
        ctx.require(not missing_ids, f"exportMyData leaves out {part}: {sorted(missing_ids)}")
    foreign = [*b["pii"], made["b_debt"]["id"]]
    ctx.require(not any(v in text for v in foreign), "exportMyData includes personal data of another debtor")


# -- DR-05 / DR-06 ---------------------------------------------------------------------------------


def _complaint(ctx: CheckContext, debtor: dict[str, Any]) -> dict[str, Any]:
    body = {"category": "contact_conduct", "description": "The calls are too frequent."}
    return dict(
        ctx.expect(ctx.request("POST", "/me/complaints", token=debtor["token"], json=body), 201, what="createComplaint")
    )


def _respond(ctx: CheckContext, complaint: dict[str, Any]) -> dict[str, Any]:
    body = {"text": "We have reviewed your complaint.", "outcome": "upheld", "final": True}
    return dict(
        ctx.expect(
            ctx.request("POST", f"/complaints/{complaint['id']}/responses", "supervisor", json=body),
            201,
            what="respondToComplaint",
        )
    )


@check("DR-05")
def complaint_deadline(ctx: CheckContext) -> None:
    """createComplaint acknowledges at once with due_at = received_at + complaint_response_days calendar days,
    listMyComplaints shows the same due_at, and listComplaints marks a late answer late and an unanswered
    complaint past due_at overdue."""
    days = int(ctx.param("complaint_response_days"))
    debtor = ctx.new_debtor()
    on_time, late, unanswered = _complaint(ctx, debtor), _complaint(ctx, debtor), _complaint(ctx, debtor)
    for complaint in (on_time, late, unanswered):
        validate_against(ctx, complaint, "complaint")
        ctx.require(
            complaint["status"] == "acknowledged",
            f"createComplaint answered status {complaint['status']!r}; expected acknowledged at once",
        )
        due = parse_ts(complaint["received_at"]) + timedelta(days=days)
        ctx.require(
            parse_ts(complaint["due_at"]) == due,
            f"due_at is {complaint['due_at']}; expected received_at + {days} days = {due.isoformat()}",
        )
    mine = ctx.expect(ctx.request("GET", "/me/complaints", token=debtor["token"]), 200, what="listMyComplaints")
    shown = {c["id"]: c.get("due_at") for c in mine.get("items", [])}
    ctx.require(
        shown.get(late["id"]) is not None and parse_ts(shown[late["id"]]) == parse_ts(late["due_at"]),
        "listMyComplaints does not show the debtor the due_at createComplaint returned",
    )
    _respond(ctx, on_time)
    ctx.advance_clock(f"P{days}DT1H")
    answer = _respond(ctx, late)
    listed = ctx.expect(
        ctx.request("GET", "/complaints", "supervisor", params={"limit": 200}), 200, what="listComplaints"
    )
    by_id = {c["id"]: c for c in listed.get("items", [])}
    ctx.require(
        all(i in by_id for i in (on_time["id"], late["id"], unanswered["id"])),
        "listComplaints does not list every complaint of the tenant",
    )
    ctx.require(by_id[on_time["id"]].get("late") is False, "a complaint answered before due_at is marked late")
    ctx.require(
        by_id[late["id"]].get("late") is True and answer.get("late") is not False,
        "a complaint answered after due_at is not marked late in listComplaints",
    )
    overdue = by_id[unanswered["id"]]
    ctx.require(
        overdue.get("late") is True and overdue.get("status") not in ("responded", "closed"),
        f"a complaint still unanswered after due_at shows status {overdue.get('status')!r}, "
        f"late={overdue.get('late')}; expected it flagged overdue (late=true)",
    )


@check("DR-06")
def statistics_reconcile(ctx: CheckContext) -> None:
    """getComplaintStats and getContactStats, for supervisors and auditors, count exactly the complaints,
    contact attempts and denied contact decisions the harness created in a new sandbox tenant."""
    ctx.set_clock(_at_local(ctx, 11))
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    first, _second = _complaint(ctx, debtor), _complaint(ctx, debtor)
    _respond(ctx, first)
    ctx.expect(_attempt(ctx, debtor, debt, "email", "email"), 201, what="createContactAttempt e-mail")
    night = _contact(ctx, debtor, debt, "call", at=_at_local(ctx, 3))
    ctx.require(night.get("decision") == "deny", "a call at 03:00 debtor-local time was allowed")
    now = parse_ts(ctx.expect(ctx.request("GET", "/sandbox/clock", "admin"), 200)["now"])
    period = {"from": (now - timedelta(days=1)).isoformat(), "to": (now + timedelta(days=1)).isoformat()}
    for role in ("supervisor", "auditor"):
        stats = ctx.expect(
            ctx.request("GET", "/stats/complaints", role, params=period), 200, what=f"getComplaintStats as {role}"
        )
        validate_against(ctx, stats, "complaint-stats")
        got = (stats["received"], stats["responded"], stats["late"], stats["open"])
        ctx.require(
            got == (2, 1, 0, 1),
            f"getComplaintStats counts received/responded/late/open {got}; the harness "
            "created 2 complaints and answered 1 on time",
        )
        contacts = ctx.expect(
            ctx.request("GET", "/stats/contacts", role, params=period), 200, what=f"getContactStats as {role}"
        )
        validate_against(ctx, contacts, "contact-stats")
        counted = {k: v for k, v in contacts["attempts_by_channel"].items() if v}
        ctx.require(
            counted == {"email": 1}, f"getContactStats counts attempts {counted}; the harness made exactly one e-mail"
        )
        for reason in night.get("reasons", []):
            ctx.require(
                contacts["denials_by_reason"].get(reason) == 1,
                f"getContactStats counts {contacts['denials_by_reason'].get(reason)} denials for {reason}; "
                "the harness saw exactly one",
            )


# -- DR-07 / DR-09 / DR-10 -------------------------------------------------------------------------


@check("DR-07")
def vulnerable_debtor_routed_to_people(ctx: CheckContext) -> None:
    """Once a vulnerability event is recorded, checkContact denies ai_voice and ai_text with vulnerable_debtor,
    createContactAttempt on them answers 409, other channels get no vulnerable_debtor, and collectors see the
    event in listEvents."""
    ctx.set_clock(_at_local(ctx, 11))
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    before = _contact(ctx, debtor, debt, "ai_text")
    ctx.require(
        "vulnerable_debtor" not in before.get("reasons", []), "vulnerable_debtor appears before any vulnerability event"
    )
    event = _event(ctx, debtor, "vulnerability", {"category": "health"})
    for channel in ("ai_voice", "ai_text"):
        decision = _contact(ctx, debtor, debt, channel)
        ctx.require(
            _denies(decision, "vulnerable_debtor"),
            f"checkContact {channel} for a debtor flagged vulnerable answered {decision.get('decision')} "
            f"{decision.get('reasons')}; expected deny with vulnerable_debtor",
        )
    attempt = _attempt(ctx, debtor, debt, "ai_text", "phone")
    ctx.require(
        attempt.status_code == 409,
        f"createContactAttempt ai_text for a vulnerable debtor answered {attempt.status_code}; expected 409",
    )
    human = _contact(ctx, debtor, debt, "email")
    ctx.require(
        "vulnerable_debtor" not in human.get("reasons", []), "an e-mail by a person is denied with vulnerable_debtor"
    )
    events = ctx.expect(ctx.request("GET", f"/debtors/{debtor['id']}/events"), 200, what="listEvents as collector")
    ctx.require(
        event["id"] in _ids(events.get("items")), "the vulnerability event is not visible to collectors in listEvents"
    )


@check("DR-09")
def outsourcing_notice_before_collection(ctx: CheckContext) -> None:
    """For a debt assigned to an external agency, checkContact for collection denies with
    outsourcing_notice_missing until an outsourcing_notice_sent event is on record; legally required contacts
    are not blocked."""
    ctx.set_clock(_at_local(ctx, 11))
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    _event(ctx, debtor, "external_agency_assigned", {"agency_name": "Harness Agency"}, debt)
    held = _contact(ctx, debtor, debt, "email")
    ctx.require(
        _denies(held, "outsourcing_notice_missing"),
        f"checkContact for a debt assigned to an external agency without notice answered {held.get('decision')} "
        f"{held.get('reasons')}; expected deny with outsourcing_notice_missing",
    )
    legal = _contact(ctx, debtor, debt, "email", purpose="legally_required")
    ctx.require(
        "outsourcing_notice_missing" not in legal.get("reasons", []),
        "a legally_required contact is blocked with outsourcing_notice_missing",
    )
    ctx.advance_clock("PT1M")
    _event(ctx, debtor, "outsourcing_notice_sent", {"agency_name": "Harness Agency", "channel": "letter"}, debt)
    ctx.advance_clock("PT1M")
    after = _contact(ctx, debtor, debt, "email")
    ctx.require(
        "outsourcing_notice_missing" not in after.get("reasons", []),
        "outsourcing_notice_missing still appears after the outsourcing_notice_sent event",
    )


def _message(ctx: CheckContext, debtor: dict[str, Any], debt: dict[str, Any], when: str) -> dict[str, Any]:
    """An e-mail to ``debtor`` now, as the outbox shows it."""
    attempt = ctx.expect(_attempt(ctx, debtor, debt, "email", "email"), 201, what=f"createContactAttempt {when}")
    for message in ctx.outbox(debtor_id=debtor["id"]):
        if message.get("attempt_id") == attempt.get("id") or message.get("id") == attempt.get("outbox_message_id"):
            return dict(message)
    ctx.fail(f"the outbox has no message for the e-mail {when} (attempt {attempt.get('id')})")
    raise AssertionError("unreachable")


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


def _other_language(ctx: CheckContext, current: str) -> tuple[str | None, list[str]]:
    """A language getCapabilities lists other than ``current`` (another primary language first), and the list."""
    capabilities = ctx.capabilities
    if capabilities is None:
        capabilities = ctx.expect(ctx.request("GET", "/capabilities", None), 200, what="getCapabilities")
    listed = [str(t) for t in (capabilities or {}).get("languages") or [] if isinstance(t, str)]
    others = [t for t in listed if _primary(t) != _primary(current)] or [
        t for t in listed if t.lower() != current.lower()
    ]
    return (others[0] if others else None), listed


@check("DR-10")
def preferences_honoured(ctx: CheckContext) -> None:
    """After updatePreferences, checkContact denies a channel not allowed (medium_opted_out), a time in an
    inconvenient range (inconvenient_time) and a contact point at an inconvenient place (inconvenient_place),
    and getPreferences returns the preferences as set. The preferred language is one getCapabilities lists in
    languages other than the one the service wrote the debtor's previous e-mail in, and the next e-mail to the
    debtor is in it (its outbox language). A target that lists no other language passes with a note that the
    language was not tested."""
    ctx.set_clock(_at_local(ctx, 11))
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    before = _message(ctx, debtor, debt, "before updatePreferences")
    current = str(before.get("language") or debtor.get("language") or "")
    language, listed = _other_language(ctx, current)
    prefs: dict[str, list[Any]] = {
        "channels_allowed": ["call", "email", "letter"],
        "inconvenient_times": [{"days": ["thursday"], "start": "15:00", "end": "17:00"}],
        "inconvenient_places": [{"place": "other", "contact_point_id": debtor["phone_point"]}],
    }
    body: dict[str, Any] = {**prefs, "language": language} if language else prefs
    ctx.expect(ctx.request("PUT", "/me/preferences", token=debtor["token"], json=body), 200, what="updatePreferences")
    got = ctx.expect(ctx.request("GET", "/me/preferences", token=debtor["token"]), 200, what="getPreferences")
    for key, value in prefs.items():
        same = (
            sorted(map(str, got.get(key) or [])) == sorted(map(str, value))
            if key == "channels_allowed"
            else len(got.get(key) or []) == len(value)
        )
        ctx.require(same, f"getPreferences returns {key} {got.get(key)!r}; it was set to {value!r}")
    if language:
        ctx.require(
            str(got.get("language", "")).lower() == language.lower(),
            f"getPreferences returns language {got.get('language')!r}; it was set to {language!r}",
        )
    sms = _contact(ctx, debtor, debt, "sms")
    ctx.require(
        _denies(sms, "medium_opted_out"),
        f"an SMS to a debtor who allowed only call, email and letter answered {sms.get('decision')} "
        f"{sms.get('reasons')}; expected deny with medium_opted_out",
    )
    mail = _contact(ctx, debtor, debt, "email", at=_at_local(ctx, 16))
    ctx.require(
        _denies(mail, "inconvenient_time"),
        f"an e-mail at 16:00 on Thursday, inside the debtor's inconvenient range, answered {mail.get('decision')} "
        f"{mail.get('reasons')}; expected deny with inconvenient_time",
    )
    call = _contact(ctx, debtor, debt, "call")
    ctx.require(
        _denies(call, "inconvenient_place"),
        f"a call to the contact point the debtor marked an inconvenient place answered {call.get('decision')} "
        f"{call.get('reasons')}; expected deny with inconvenient_place",
    )
    if language is None:
        ctx.note(
            f"the preferred language was not tested: getCapabilities lists {listed or 'no languages'}, "
            f"none other than {current or 'the language of its messages'}"
        )
        return
    after = _message(ctx, debtor, debt, "after updatePreferences")
    ctx.require(
        str(after.get("language", "")).lower() == language.lower(),
        f"the e-mail after updatePreferences set language {language} (listed in getCapabilities) is in "
        f"{after.get('language', 'an unstated language')!r}, as before ({current!r}); expected {language!r}",
    )


# -- DR-11 / DR-12 ---------------------------------------------------------------------------------


@check("DR-11")
def debt_details_need_identity(ctx: CheckContext) -> None:
    """getDebt and getValidationNotice answer 401 without credentials and 403 or 404 to another debtor, each as a
    problem document without the debt's amount, creditor name or account number (not even its last four)."""
    owner, other = ctx.new_debtor(), ctx.new_debtor()
    creditor = ctx.canary("Creditor ")
    item = {
        "itemization_date": "2025-12-01",
        "itemization_date_basis": "last_statement",
        "amount_on_itemization_date": "8765.43",
        "interest": "0.00",
        "fees": "0.00",
        "payments": "0.00",
        "credits": "0.00",
        "current_amount": "8765.43",
    }
    debt = ctx.new_debt(owner, creditor={"name": creditor}, itemization=item)
    secrets = [creditor, "8765.43", "8765", [c for c in ctx.canaries if c.startswith("ACCT")][-1][-4:]]
    for path in (f"/debts/{debt['id']}", f"/debts/{debt['id']}/validation-notice"):
        for token, role, wanted in ((None, None, (401,)), (other["token"], "debtor", (403, 404))):
            response = ctx.request("GET", path, role, token=token)
            who = "without credentials" if token is None else "with another debtor's credential"
            ctx.require(
                response.status_code in wanted,
                f"GET {path} {who} answered {response.status_code}; expected {' or '.join(map(str, wanted))}",
            )
            problem_document(ctx, response)
            ctx.require(
                not any(s in response.text for s in secrets),
                f"GET {path} {who} discloses the debt's amount, creditor or account number",
            )
    own = ctx.request("GET", f"/debts/{debt['id']}", token=owner["token"])
    ctx.expect(own, 200, what="getDebt with the debtor's own credential")


#: Premium- and special-rate prefixes of national numbering plans (E.164, without '+').
_PREMIUM = re.compile(r"^(449|4487|4470|1900|1976|49900|49137)")


@check("DR-12", sandbox=False)
def no_premium_numbers(ctx: CheckContext) -> None:
    """Every debtor contact number getCapabilities publishes is in E.164 form and not premium- or special-rate
    (e.g. no +44 9 or +44 87 in the United Kingdom, no +1 900)."""
    body = ctx.expect(ctx.request("GET", "/capabilities", None), 200, what="getCapabilities")
    numbers = body.get("debtor_contact_numbers") or []
    for entry in numbers:
        number = str(entry.get("number", ""))
        ctx.require(
            bool(re.fullmatch(r"\+[1-9][0-9]{6,14}", number)),
            f"debtor contact number {number!r} is not E.164",
            severity="minor",
        )
        ctx.require(
            entry.get("kind") != "premium_rate", f"{number} is published for debtors as premium_rate", severity="minor"
        )
        ctx.require(
            not _PREMIUM.match(number[1:]), f"{number} begins with a premium- or special-rate prefix", severity="minor"
        )


@check("DR-08", feature="intelligent_services")
def proposals_and_hardship_get_due_consideration(ctx: CheckContext) -> None:
    """An affordable repayment proposal (a preferred instalment well within the declared surplus and the longest
    term) is answered with at least one plan option or passed to human review (pending_review), never declined
    outright; after the debtor records hardship, the next proposal offers at least one forbearance option."""
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    balance = Decimal(str(debt.get("balance") or debt["itemization"]["current_amount"]))
    months = min(10, int(ctx.param("plan_max_term_months")))
    body = {
        "debt_ids": [debt["id"]],
        "currency": debt["currency"],
        "declared_monthly_income": "2500.00",
        "declared_monthly_expenses": "1500.00",
        # A tenth of the balance a month: 10 % of the surplus here, and ten months.
        "preferred_instalment": str((balance / months).quantize(Decimal("0.01"), rounding="ROUND_CEILING")),
    }

    def propose(what: str) -> dict[str, Any]:
        answer = ctx.expect(
            ctx.request("POST", "/repayment-plans/proposals", token=debtor["token"], json=body), 201, what=what
        )
        validate_against(ctx, answer, "repayment-plan-proposal")
        return dict(answer)

    first = propose("proposeRepaymentPlan by the debtor")
    ctx.require(
        bool(first.get("options")) or first.get("status") == "pending_review",
        f"an affordable proposal got no plan option and was not passed to human review "
        f"(status {first.get('status')!r}, reasons {first.get('reason_codes')})",
    )
    _event(ctx, debtor, "hardship", {"description": ctx.canary("Hardship note ")}, role="debtor")
    ctx.advance_clock("PT1M")
    after = propose("proposeRepaymentPlan after hardship")
    relief = [o for o in after.get("options") or [] if o.get("forbearance")]
    ctx.require(
        bool(relief),
        "after a hardship event the next proposal offers no forbearance option "
        "(longer term, reduced or suspended instalments, suspended interest and charges)",
    )
