"""Who may be contacted: the workplace, third parties and numbers that reach someone else."""

from __future__ import annotations

from ._context import Context
from ._registry import Finding, deny, rule
from ._vocabulary import TELEPHONE_CALLS, Purpose

# A call conveys information to a third party only when someone (or a machine) took a message.
_COMMUNICATED = frozenset({"conversation", "voicemail", "ringless_voicemail", None})
# Reg F 1006.10 and CN-11/CN-14: a third party may only be asked where the debtor is, never to pay.
_THIRD_PARTY_PURPOSES: frozenset[Purpose] = frozenset({"location_information", "opt_out_confirmation"})


@rule("workplace_prohibited")
def workplace_prohibited(ctx: Context) -> Finding | None:
    """Reg F 1006.6(b)(3): no contact at work once the collector knows the employer prohibits it."""
    if not (ctx.to_debtor and ctx.target.is_workplace) or not ctx.history.of("workplace_contact_prohibited"):
        return None
    return deny("workplace_prohibited", f"{ctx.target.id} is a workplace contact point and work contact is prohibited")


@rule("third_party_not_permitted", "third_party_contact_limit")
def third_party(ctx: Context) -> Finding | None:
    """Reg F 1006.6(d), 1006.10(c): third parties only for location information, each at most N times.

    The debtor's attorney, a CRA, the creditor and the attorneys involved are not "third
    parties" in this sense (1006.6(d)(1)). A profile whose third_party_location_contacts_max
    is 0 (CN: no collection from unrelated third persons) allows no third-party contact.
    """
    if ctx.to_debtor or ctx.exempt_recipient:
        return None
    purpose = ctx.request.purpose
    if purpose not in _THIRD_PARTY_PURPOSES:
        return deny("third_party_not_permitted", f"{purpose} with a third party is not permitted")
    if purpose != "location_information":
        return None
    limit = ctx.rules.third_party_location_contacts_max
    if limit == 0:
        return deny("third_party_not_permitted", "this profile allows no third-party location contact")
    made = sum(
        1
        for a in ctx.history.attempts
        if a.contact_point_id == ctx.target.id
        and a.purpose == "location_information"
        and not a.consumer_initiated
        and (a.channel not in TELEPHONE_CALLS or a.outcome in _COMMUNICATED)
    )
    if made >= limit:
        return deny("third_party_contact_limit", f"{made} location communications with {ctx.target.id} already")
    return None


@rule("wrong_number")
def wrong_number(ctx: Context) -> Finding | None:
    """Reg F comment 14(b)(2)(i)-3: a number known to reach someone else is not the debtor's."""
    if ctx.target.id not in ctx.history.wrong_numbers:
        return None
    return deny("wrong_number", f"{ctx.target.id} was reported as a wrong number")
