"""Standing holds: what the debtor (or a court, or an attorney) said that stops contact until further notice.

Each hold starts when its event becomes effective — on receipt (Reg F comment 6(c)(1)-1) — and
lists the exceptions the law grants, returned as allow reasons so the decision says why a
contact went ahead despite the hold.
"""

from __future__ import annotations

from datetime import datetime

from ._context import Context
from ._facts import Event
from ._registry import Finding, allow, deny, rule
from ._vocabulary import CEASE_EXCEPTIONS, COLLECTION_PURPOSES, MEDIUM_ALIASES, MEDIUM_OF, Medium, Purpose

_ALL_MEDIA: frozenset[Medium] = frozenset(MEDIUM_OF.values())
_BANKRUPTCY_STOPS: frozenset[Purpose] = frozenset({*COLLECTION_PURPOSES, "validation_notice"})


@rule("cease_communication")
def cease_communication(ctx: Context) -> Finding | None:
    """Reg F 1006.6(c): after a cease request only a termination or remedy notice may be sent."""
    if ctx.exempt_recipient:
        return None
    requests = ctx.history.of("cease_request", ctx.debt_id)
    if not requests:
        return None
    received = requests[0].effective_at.isoformat()
    if ctx.request.purpose in CEASE_EXCEPTIONS:
        # 1006.6(c)(2)(i)-(iii): efforts terminated; remedies that may be invoked; a remedy that will be.
        return allow("cease_exception", f"{ctx.request.purpose} is allowed after the cease request of {received}")
    return deny("cease_communication", f"cease request received {received}")


def _media(event: Event) -> frozenset[Medium]:
    # details: {"medium": "call"} or {"media": ["sms", "email"]}; no medium named means every medium.
    named = event.detail("media")
    if named is None and event.detail("medium") is not None:
        named = [event.detail("medium")]
    if not named:
        return _ALL_MEDIA
    media = {MEDIUM_ALIASES.get(str(word).lower()) for word in named}
    # An unrecognised word cannot be honoured selectively, so it is read as every medium.
    return _ALL_MEDIA if None in media else frozenset(m for m in media if m is not None)


def _opted_out_since(ctx: Context) -> tuple[bool, datetime | None]:
    """Whether the target may not be reached through this medium, and since when (None: a standing preference)."""
    for event in ctx.history.of("medium_opt_out"):
        point = event.detail("contact_point_id")
        reaches = ctx.to_debtor if point is None else str(point) == ctx.target.id
        if reaches and ctx.medium in ctx.history.parsed(event, _media):
            return True, event.effective_at
    allowed = ctx.history.facts.preferences.channels
    if ctx.to_debtor and allowed is not None and ctx.request.channel not in allowed:
        return True, None
    return False, None


@rule("medium_opted_out")
def medium_opted_out(ctx: Context) -> Finding | None:
    """Reg F 1006.14(h)(1): a medium the person asked us not to use is not used.

    1006.14(h)(2): exceptions are a confirmation of the opt-out (at most
    medium_optout_confirmations_max of them), one reply to a communication the person starts
    through that medium, and communications the law requires through it.
    """
    opted_out, since = _opted_out_since(ctx)
    if not opted_out:
        return None
    purpose = ctx.request.purpose
    if purpose == "legally_required":
        return Finding(notes=("required by law through this medium (1006.14(h)(1))",))
    if purpose == "opt_out_confirmation":
        sent = sum(
            1
            for a in ctx.history.sent(ch for ch, m in MEDIUM_OF.items() if m == ctx.medium)
            if a.purpose == "opt_out_confirmation"
            and ctx.history.person_of(a.contact_point_id) == ctx.person
            and (since is None or a.at >= since)
        )
        if sent < ctx.rules.medium_optout_confirmations_max:
            return allow(
                "opt_out_confirmation",
                f"opt-out confirmation {sent + 1} of {ctx.rules.medium_optout_confirmations_max}",
            )
    if purpose == "reply_to_debtor":
        for inbound in reversed(ctx.history.inbound()):
            if inbound.medium == ctx.medium and (since is None or inbound.at >= since):
                if ctx.history.replies_after(ctx.medium, inbound.at) == 0:
                    return allow("consumer_initiated_reply", "one reply through the medium the person used")
                break
    return deny("medium_opted_out", f"the person opted out of {ctx.medium}")


@rule("attorney_represented")
def attorney_represented(ctx: Context) -> Finding | None:
    """Reg F 1006.6(b)(2): a debtor represented by an attorney is contacted through the attorney.

    The bar lifts only when the attorney consents to direct contact (a consent_given event
    from source "attorney" after the representation).
    """
    if not ctx.to_debtor:
        return None
    for event in ctx.history.of("attorney_representation", ctx.debt_id):
        consented = any(
            c.source == "attorney" and c.effective_at >= event.effective_at
            for c in ctx.history.of("consent_given", ctx.debt_id)
        )
        if not consented:
            return deny("attorney_represented", f"represented by an attorney since {event.effective_at.isoformat()}")
    return None


@rule("bankruptcy")
def bankruptcy(ctx: Context) -> Finding | None:
    """11 U.S.C. 362(a)(6): the automatic stay forbids any act to collect the debt."""
    if ctx.request.purpose not in _BANKRUPTCY_STOPS or not ctx.history.of("bankruptcy", ctx.debt_id):
        return None
    return deny("bankruptcy", "the debtor is in bankruptcy")


@rule("dispute_pending")
def dispute_pending(ctx: Context) -> Finding | None:
    """Reg F 1006.38(d)(2): a disputed debt is not collected until verification (or the original creditor) is sent.

    Any dispute holds, even one outside the validation period (the strict reading); the hold
    ends for a debt when verification_sent or original_creditor_info_sent follows the dispute.
    """
    if ctx.request.purpose not in COLLECTION_PURPOSES:
        return None
    answers = (*ctx.history.of("verification_sent"), *ctx.history.of("original_creditor_info_sent"))
    for dispute in ctx.history.of("dispute", ctx.debt_id):
        answered = any(
            a.effective_at >= dispute.effective_at and (a.debt_id is None or a.debt_id == dispute.debt_id)
            for a in answers
        )
        if not answered:
            return deny("dispute_pending", f"dispute of {dispute.debt_id or 'every debt'} awaiting verification")
    return None


@rule("vulnerable_debtor")
def vulnerable_debtor(ctx: Context) -> Finding | None:
    """FCA FG21/1: a vulnerable debtor is routed to a human; AI voice and AI text are not used."""
    if ctx.request.channel not in ("ai_voice", "ai_text") or not ctx.history.of("vulnerability"):
        return None
    return deny("vulnerable_debtor", "the debtor is flagged vulnerable; use a human agent")
