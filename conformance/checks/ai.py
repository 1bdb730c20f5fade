"""Artificial intelligence (AI): what AI agents must tell the debtor, and the consent an AI voice needs.

Decided from what went out (the sandbox outbox) and from the contact decisions, not from what the
service says about itself.
"""

from __future__ import annotations

import re
from typing import Any

from .._context import CheckContext
from .._outcomes import CheckSkipped
from .._registry import check
from ._support import problem_document

#: Words that say the counterpart is an AI system, in the languages the profiles use.
_AI_STATEMENT = re.compile(
    r"\bAI\b|artificial intelligence|automated (AI |virtual )?(assistant|agent|system)|"
    r"virtual assistant|人工智能|智能(语音)?(助手|客服|机器人)|机器人",
    re.IGNORECASE,
)
_TEXT = "Please contact us about your account."
_TEXT_ZH = "请就您的账户与我们联系。"


def _setup(ctx: CheckContext) -> tuple[dict[str, Any], dict[str, Any]]:
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    ctx.set_clock(ctx.local_instant("2026-03-05", "11:00"))  # a Thursday morning where the debtor lives
    return debtor, debt


def _consent(ctx: CheckContext, debtor: dict[str, Any], kind: str, purpose: str = "ai_voice") -> None:
    details: dict[str, Any] = {"purpose": purpose}
    if kind == "consent_given":
        details["scope"] = {"contact_point_ids": [debtor["phone_point"]]}
    ctx.expect(
        ctx.request(
            "POST", f"/debtors/{debtor['id']}/events", json={"type": kind, "source": "debtor", "details": details}
        ),
        201,
        what=f"recordEvent {kind} ({purpose})",
    )
    ctx.advance_clock("PT1M")


@check("AI-09")
def ai_contacts_disclose_ai(ctx: CheckContext) -> None:
    """Where ai_disclosure_required is true, every outbox item sent on ai_text or ai_voice has ai_generated
    true and content that states the counterpart is an AI system before any collection content."""
    if not ctx.param("ai_disclosure_required"):
        raise CheckSkipped(f"ai_disclosure_required is false in profile {ctx.profile.id}: no disclosure is required")
    debtor, debt = _setup(ctx)
    zh = debtor.get("language", "").startswith("zh") or ctx.profile.jurisdiction == "cn"
    text = _TEXT_ZH if zh else _TEXT
    _consent(ctx, debtor, "consent_given")
    base = {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "contact_point_id": debtor["phone_point"],
        "purpose": "collection",
        "content": text,
    }
    for channel, extra in (("ai_text", {}), ("ai_voice", {"outcome": "conversation", "duration_seconds": 60})):
        ctx.expect(
            ctx.request("POST", "/contact-attempts", json={**base, "channel": channel, **extra}),
            201,
            what=f"createContactAttempt on {channel}",
        )
    messages = [m for m in ctx.outbox(debtor_id=debtor["id"]) if m.get("channel") in ("ai_text", "ai_voice")]
    ctx.require(
        {m.get("channel") for m in messages} == {"ai_text", "ai_voice"},
        "the outbox lacks the ai_text message or the ai_voice call that were sent",
    )
    for message in messages:
        channel, content = str(message.get("channel")), str(message.get("content") or "")
        ctx.require(
            message.get("ai_generated") is True,
            f"the outbox item on {channel} has ai_generated {message.get('ai_generated')!r}, not true",
        )
        found = _AI_STATEMENT.search(content)
        ctx.require(
            found is not None,
            f"the outbox item on {channel} does not say that the counterpart is an AI system: {content[:160]!r}",
        )
        assert found is not None  # noqa: S101 - narrowed by require
        start = content.find(text.rstrip(".。"))
        ctx.require(
            start < 0 or found.start() < start,
            f"the outbox item on {channel} states that it is an AI only after the collection content: "
            f"{content[:160]!r}",
        )


@check("AI-10")
def ai_voice_needs_consent(ctx: CheckContext) -> None:
    """Without the debtor's unrevoked consent to AI voice for the contact point, checkContact on ai_voice denies
    with ai_voice_consent_missing and createContactAttempt is refused with 409 and that code; consent lifts the
    reason, a consent for another purpose does not, and revocation brings it back."""
    debtor, debt = _setup(ctx)
    request = {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "contact_point_id": debtor["phone_point"],
        "channel": "ai_voice",
        "purpose": "collection",
    }

    def reasons(step: str) -> list[str]:
        body = ctx.expect(ctx.request("POST", "/contact-decisions", json=request), 200, what=f"checkContact {step}")
        found = list(body.get("reasons") or [])
        if "ai_voice_consent_missing" in found:
            ctx.require(
                body.get("decision") == "deny",
                f"checkContact {step} reports ai_voice_consent_missing but decides {body.get('decision')}",
            )
        return found

    ctx.require(
        "ai_voice_consent_missing" in reasons("without consent"),
        "checkContact on ai_voice without the debtor's consent was not denied with ai_voice_consent_missing",
    )
    refused = ctx.request("POST", "/contact-attempts", json={**request, "outcome": "conversation"})
    ctx.require(
        refused.status_code == 409,
        f"createContactAttempt on ai_voice without consent answered {refused.status_code}, not 409",
    )
    ctx.require(
        "ai_voice_consent_missing" in (problem_document(ctx, refused).get("reasons") or []),
        "the 409 refusal of an ai_voice attempt without consent lacks ai_voice_consent_missing",
    )
    _consent(ctx, debtor, "consent_given", purpose="telephone_calls")
    ctx.require(
        "ai_voice_consent_missing" in reasons("with consent to ordinary calls only"),
        "a consent to telephone calls lifted ai_voice_consent_missing; it must cover AI voice",
    )
    _consent(ctx, debtor, "consent_given")
    ctx.require(
        "ai_voice_consent_missing" not in reasons("after consent"),
        "checkContact still reports ai_voice_consent_missing after the debtor consented to AI voice",
    )
    _consent(ctx, debtor, "consent_revoked")
    ctx.require(
        "ai_voice_consent_missing" in reasons("after revocation"),
        "checkContact no longer reports ai_voice_consent_missing after the consent was revoked",
    )
