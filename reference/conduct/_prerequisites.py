"""What must have happened, or must be in the message, before a contact may be made.

Notices that must precede collection (outsourcing/transfer, validation), consent an AI voice
needs, and the two content flags the request carries (opt-out notice, litigation language).
"""

from __future__ import annotations

from ._context import Context
from ._history import local_date
from ._registry import Finding, deny, rule
from ._validation import validation_notice_due
from ._vocabulary import COLLECTION_PURPOSES, ELECTRONIC


@rule("outsourcing_notice_missing")
def outsourcing_notice_missing(ctx: Context) -> Finding | None:
    """CBIRC Order 2022 No. 9 art. 41; Directive 2021/2167 art. 10(2): tell the debtor before an agency collects.

    Each assignment to an external agency needs an outsourcing or transfer notice sent after the
    previous assignment and before the contact; the first assignment may rely on any earlier notice.
    """
    if ctx.request.purpose not in COLLECTION_PURPOSES:
        return None
    assignments = ctx.history.of("external_agency_assigned", ctx.debt_id)
    if not assignments:
        return None
    previous = assignments[-2].effective_at if len(assignments) > 1 else None
    notices = (
        *ctx.history.of("outsourcing_notice_sent", ctx.debt_id),
        *ctx.history.of("transfer_notice_sent", ctx.debt_id),
    )
    if any(previous is None or n.effective_at > previous for n in notices):
        return None
    return deny(
        "outsourcing_notice_missing", f"assigned to an external agency on {assignments[-1].effective_at.isoformat()}"
    )


@rule("validation_notice_missing")
def validation_notice_missing(ctx: Context) -> Finding | None:
    """Reg F 1006.34(a)(1): validation information within validation_notice_days of the initial communication.

    Once that deadline has passed without a validation_notice_sent event, collection stops
    until the notice is sent; sending the notice itself stays allowed.
    """
    if ctx.rules.validation_notice_days is None or ctx.request.purpose not in COLLECTION_PURPOSES:
        return None
    initial = ctx.history.of("initial_communication", ctx.debt_id)
    if not initial or ctx.history.of("validation_notice_sent", ctx.debt_id):
        return None
    if ctx.rules.validation_notice_days == 0:
        # A deadline of 0 days (EU Directive 2021/2167 art. 10(2) as the eu profile reads it): the
        # information comes with the initial communication at the latest, never afterwards.
        if ctx.at > initial[0].effective_at:
            return deny("validation_notice_missing", "validation information was due with the initial communication")
        return None
    for zone in ctx.zones:
        due = validation_notice_due(local_date(initial[0].effective_at, zone), ctx.rules)
        if local_date(ctx.at, zone) > due:
            return deny("validation_notice_missing", f"validation information was due by {due.isoformat()}")
    return None


@rule("ai_voice_consent_missing")
def ai_voice_consent_missing(ctx: Context) -> Finding | None:
    """TCPA 47 U.S.C. 227(b) and FCC 24-17: an AI voice is an artificial voice and needs the called person's consent.

    The consent must come from the debtor directly (source "debtor", details purpose "ai_voice")
    and not have been revoked since; a third party's consent cannot be recorded, so AI voice
    never reaches a third party.
    """
    if ctx.request.channel != "ai_voice":
        return None
    if ctx.to_debtor:
        for consent in ctx.history.of("consent_given", ctx.debt_id):
            if consent.source != "debtor" or consent.detail("purpose") != "ai_voice":
                continue
            revoked = any(
                r.effective_at >= consent.effective_at and r.detail("purpose") in (None, "ai_voice")
                for r in ctx.history.of("consent_revoked", ctx.debt_id)
            )
            if not revoked:
                return None
    return deny("ai_voice_consent_missing", "no unrevoked consent to AI voice calls from the debtor")


@rule("missing_opt_out")
def missing_opt_out(ctx: Context) -> Finding | None:
    """Reg F 1006.6(e): every e-mail, text or other electronic message carries a simple opt-out."""
    if ctx.request.channel not in ELECTRONIC or ctx.request.has_opt_out_notice is not False:
        return None
    return deny("missing_opt_out", "the electronic message has no opt-out instructions")


@rule("time_barred")
def time_barred(ctx: Context) -> Finding | None:
    """Reg F 1006.26(b): never sue or threaten to sue on a time-barred debt."""
    if not ctx.request.mentions_litigation:
        return None
    barred = [d.id for d in ctx.history.facts.debts if d.time_barred and (ctx.debt_id is None or d.id == ctx.debt_id)]
    return deny("time_barred", f"litigation language about time-barred debt {barred[0]}") if barred else None
