"""Artificial intelligence (AI): what AI agents must tell the debtor, the consent an AI voice needs, and
the intelligent services — scores with specific reasons, fairness, explanations, human review, model
cards, recorded model versions, debt-stress indicators and affordable plans.

Decided from what went out (the sandbox outbox), from the contact decisions and from the decisions
as the debtor and a supervisor read them back, never from the service's description of itself; the
model card is the yardstick the service publishes, and each answer is held against it.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import Any

from .._context import CheckContext
from .._outcomes import CheckSkipped
from .._registry import check
from ._support import problem_document, validate_against

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


# -- intelligent services ---------------------------------------------------------------------------

_FEATURE = "intelligent_services"
#: Reason codes that say nothing specific (Regulation B comment 9(b)(2)-1, -2).
_GENERIC = {"insufficient_score", "internal_policy", "other", "policy", "score_too_low", "unspecified"}
#: AI-02: attributes tested in pairs, with two values each; at least these are protected.
_PAIRS: dict[str, tuple[str, str]] = {
    "sex": ("female", "male"),
    "marital_status": ("married", "single"),
    "ethnicity": ("han", "hui"),
    "nationality": ("CN", "US"),
}
_PROTECTED_WORDS = re.compile(r"sex|gender|marital|ethnic|race|national|religio|age_band|disab", re.IGNORECASE)
#: AI-08: words that press a debtor to borrow or to sell property in order to pay.
_BORROW_OR_SELL = re.compile(r"\bborrow|\bnew loan|\bsell (your|the|some)|借款|借新还旧|变卖|卖房", re.IGNORECASE)
#: An adverse but plausible profile: several factors weigh against it.
_FEATURES: dict[str, Any] = {
    "monthly_income": "3000.00",
    "monthly_debt_service": "1350.00",
    "monthly_essential_expenses": "1300.00",
    "missed_payments_12m": 2,
    "credit_utilisation": 0.85,
    "employment_months": 8,
    "open_commitments": 5,
    "history_months": 60,
}


def _party(ctx: CheckContext) -> tuple[dict[str, Any], dict[str, Any]]:
    debtor = ctx.new_debtor()
    return debtor, ctx.new_debt(debtor)


def _assess(
    ctx: CheckContext,
    debtor: dict[str, Any],
    debt: dict[str, Any],
    features: dict[str, Any] | None = None,
    top: dict[str, Any] | None = None,
) -> Any:
    body = {
        "debtor_id": debtor["id"],
        "debt_ids": [debt["id"]],
        "currency": debt["currency"],
        "features": {**_FEATURES, **(features or {})},
        **(top or {}),
    }
    return ctx.request("POST", "/assessments/repayment-capacity", json=body)


def _decision(ctx: CheckContext, debtor: dict[str, Any], debt: dict[str, Any]) -> dict[str, Any]:
    decision = ctx.expect(_assess(ctx, debtor, debt), 201, what="assessRepaymentCapacity")
    validate_against(ctx, decision, "decision")
    return dict(decision)


def _read_decision(ctx: CheckContext, decision_id: str, role: str = "supervisor", token: str | None = None) -> Any:
    body = ctx.expect(
        ctx.request("GET", f"/decisions/{decision_id}", role, token=token), 200, what=f"getDecision as {role}"
    )
    validate_against(ctx, body, "decision")
    return body


def _models(ctx: CheckContext) -> dict[str, dict[str, Any]]:
    """Every model listModels lists, without credentials (following pages)."""
    found: dict[str, dict[str, Any]] = {}
    cursor: str | None = None
    for _ in range(20):
        params = {"cursor": cursor} if cursor else None
        page = ctx.expect(ctx.request("GET", "/models", None, params=params), 200, what="listModels without a token")
        validate_against(ctx, page, "model-page")
        found.update({str(m["model_id"]): m for m in page.get("items", [])})
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return found


def _card(ctx: CheckContext, model_id: str) -> dict[str, Any]:
    card = ctx.expect(
        ctx.request("GET", f"/models/{model_id}/card", None), 200, what=f"getModelCard {model_id} without a token"
    )
    validate_against(ctx, card, "model-card")
    return dict(card)


def _bands(card: dict[str, Any]) -> set[str]:
    return {str(b.get("band") if isinstance(b, dict) else b) for b in card.get("bands") or []}


@check("AI-01", feature=_FEATURE)
def assessments_give_score_band_and_specific_reasons(ctx: CheckContext) -> None:
    """assessRepaymentCapacity answers with a decision_id, an integer score from 0 to 1000, a band from the model
    card's closed list and one to four reason codes from the card's closed list, each tied to an input the card
    lists and none generic; getDecision returns the same score, band and reason codes in the same order."""
    debtor, debt = _party(ctx)
    decision = _decision(ctx, debtor, debt)
    ctx.require(bool(decision.get("decision_id")), "the assessment carries no decision_id")
    score = decision.get("score")
    ctx.require(
        isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 1000,
        f"the score {score!r} is not an integer from 0 to 1000",
    )
    card = _card(ctx, str(decision["model_id"]))
    bands = _bands(card)
    ctx.require(bool(bands), f"the model card of {decision['model_id']} declares no closed list of bands")
    ctx.require(
        decision.get("band") in bands, f"the band {decision.get('band')!r} is not in the card's {sorted(bands)}"
    )
    reasons = list(decision.get("reason_codes") or [])
    ctx.require(
        1 <= len(reasons) <= 4,
        f"an assessment with several adverse factors gave {len(reasons)} reason codes, not one to four",
    )
    generic = sorted(set(reasons) & _GENERIC)
    ctx.require(not generic, f"the assessment gives generic reason codes {generic}")
    listed = set(card.get("reason_codes") or [])
    unknown = sorted(set(reasons) - listed)
    ctx.require(not unknown, f"the reason codes {unknown} are not in the model card's closed list")
    tied = card.get("reason_code_inputs") or {}
    inputs = set(card.get("inputs") or [])
    for code in reasons:
        named = set(tied.get(code) or [])
        ctx.require(
            bool(named) and named <= inputs,
            f"the model card does not tie the reason code {code} to inputs it lists (reason_code_inputs)",
        )
    stored = _read_decision(ctx, str(decision["decision_id"]))
    for key in ("score", "band", "reason_codes"):
        ctx.require(
            stored.get(key) == decision.get(key),
            f"getDecision gives {key} {stored.get(key)!r}, the assessment gave {decision.get(key)!r}",
        )


@check("AI-02", feature=_FEATURE)
def assessments_ignore_protected_attributes(ctx: CheckContext) -> None:
    """Requests that differ in one protected attribute only (sex, marital status, ethnicity, nationality) are
    either both refused with 422 or scored no more than fairness_tolerance_points apart; no reason code, and no
    input or reason code on the model card, names a protected attribute. The attribute is sent among the
    features and at the top of the request in turn."""
    tolerance = int(ctx.param("fairness_tolerance_points"))
    debtor, debt = _party(ctx)
    decision = _decision(ctx, debtor, debt)
    card = _card(ctx, str(decision["model_id"]))
    for what, names in (("input", card.get("inputs") or []), ("reason code", card.get("reason_codes") or [])):
        named = [n for n in names if _PROTECTED_WORDS.search(str(n))]
        ctx.require(not named, f"the model card lists the protected attribute(s) {named} as {what}s")
    for (attribute, (one, other)), placed in itertools.product(_PAIRS.items(), ("features", "request")):
        answers = [
            _assess(ctx, debtor, debt, top={attribute: value})
            if placed == "request"
            else _assess(ctx, debtor, debt, features={attribute: value})
            for value in (one, other)
        ]
        statuses = [a.status_code for a in answers]
        if statuses == [422, 422]:
            continue  # the attribute is refused whatever its value: it cannot weigh on the score
        ctx.require(
            statuses == [201, 201],
            f"requests differing only in {attribute} ({one}/{other}, in the {placed}) answered "
            f"{statuses[0]} and {statuses[1]}",
        )
        first, second = (a.json() for a in answers)
        for body in (first, second):
            named = [c for c in body.get("reason_codes") or [] if _PROTECTED_WORDS.search(str(c))]
            ctx.require(not named, f"the reason codes {named} name a protected attribute")
        gap = abs(int(first.get("score") or 0) - int(second.get("score") or 0))
        ctx.require(
            gap <= tolerance,
            f"scores of requests differing only in {attribute} ({one}/{other}) are {gap} points apart; "
            f"fairness_tolerance_points is {tolerance}",
        )


def _cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


@check("AI-03", feature=_FEATURE)
def debtors_get_explanations(ctx: CheckContext) -> None:
    """requestExplanation by the debtor answers with an explanation in the debtor's language naming each reason
    code with text, whether the decision was solely automated, the model and version, and how to ask for human
    review; getDecision then shows explanation_status provided. Another debtor is refused with 403 or 404 and
    learns nothing of the decision."""
    debtor, debt = _party(ctx)
    decision = _decision(ctx, debtor, debt)
    path = f"/decisions/{decision['decision_id']}/explanation-requests"
    zh = str(debtor.get("language", "")).startswith("zh")
    intruder = ctx.new_debtor()
    refused = ctx.request("POST", path, token=intruder["token"], json={})
    ctx.require(
        refused.status_code in (403, 404),
        f"another debtor's requestExplanation answered {refused.status_code}, not 403 or 404",
    )
    for secret in [*decision.get("reason_codes", []), str(decision.get("model_version"))]:
        ctx.require(secret not in refused.text, f"the refusal to another debtor reveals {secret!r}")
    answer = ctx.expect(ctx.request("POST", path, token=debtor["token"], json={}), 201, what="requestExplanation")
    validate_against(ctx, answer, "explanation-request")
    explanation = answer.get("explanation")
    ctx.require(isinstance(explanation, dict), "requestExplanation returned no explanation in the response")
    given = {r.get("code"): str(r.get("text") or "") for r in explanation.get("principal_reasons") or []}
    for code in decision.get("reason_codes") or []:
        ctx.require(bool(given.get(code)), f"the explanation does not explain the reason code {code}")
    ctx.require(
        explanation.get("automated_only") == decision.get("automated_only"),
        "the explanation does not say whether the decision was made solely by automated means (automated_only)",
    )
    for key in ("model_id", "model_version"):
        ctx.require(
            explanation.get(key) == decision.get(key),
            f"the explanation gives {key} {explanation.get(key)!r}, the decision {decision.get(key)!r}",
        )
    ctx.require(bool(explanation.get("how_to_contest")), "the explanation does not say how to ask for human review")
    texts = " ".join([str(explanation.get("summary") or ""), *given.values()])
    ctx.require(
        _cjk(texts) if zh else re.search(r"[A-Za-z]{3}", texts) is not None and not _cjk(texts),
        f"the explanation is not in the debtor's language ({debtor.get('language')}): {texts[:120]!r}",
    )
    after = _read_decision(ctx, str(decision["decision_id"]), "debtor", token=debtor["token"])
    ctx.require(
        after.get("explanation_status") == "provided",
        f"after the explanation, getDecision shows explanation_status {after.get('explanation_status')!r}",
    )


@check("AI-04", feature=_FEATURE)
def debtors_get_human_review(ctx: CheckContext) -> None:
    """requestHumanReview is recorded and left pending: getDecision shows review requested or in_review and the
    decision suspended until a supervisor records the outcome, which neither the debtor nor a collector may do;
    the completed review names the reviewer, the time and the outcome."""
    debtor, debt = _party(ctx)
    decision = _decision(ctx, debtor, debt)
    base = f"/decisions/{decision['decision_id']}"
    asked = ctx.expect(
        ctx.request(
            "POST", f"{base}/human-review-requests", token=debtor["token"], json={"statement": "Please check."}
        ),
        201,
        what="requestHumanReview",
    )
    validate_against(ctx, asked, "human-review-request")
    ctx.require(
        asked.get("outcome") == "pending",
        f"requestHumanReview completed the review within the request (outcome {asked.get('outcome')!r})",
    )
    pending = _read_decision(ctx, str(decision["decision_id"]), "debtor", token=debtor["token"])
    ctx.require(
        pending.get("human_review_status") in ("requested", "in_review"),
        f"after requestHumanReview getDecision shows human_review_status {pending.get('human_review_status')!r}",
    )
    ctx.require(pending.get("suspended") is True, "the decision is not suspended while its human review is pending")
    outcome = {"outcome": "upheld", "notes": "Checked against the debtor's statement."}
    for role, token in (("debtor", debtor["token"]), ("collector", None)):
        answer = ctx.request("POST", f"{base}/human-review-outcomes", role, token=token, json=outcome)
        ctx.require(
            answer.status_code in (403, 404),
            f"recordHumanReviewOutcome as {role} answered {answer.status_code}; only a human reviewer may decide",
        )
    done = ctx.expect(
        ctx.request("POST", f"{base}/human-review-outcomes", "supervisor", json=outcome),
        201,
        what="recordHumanReviewOutcome as supervisor",
    )
    validate_against(ctx, done, "human-review-request")
    after = _read_decision(ctx, str(decision["decision_id"]))
    review = after.get("human_review") or {}
    ctx.require(
        after.get("human_review_status") == "upheld" and after.get("suspended") is False,
        f"after the outcome getDecision shows {after.get('human_review_status')!r}, suspended {after.get('suspended')}",
    )
    ctx.require(
        bool(review.get("reviewer")) and bool(review.get("reviewed_at")),
        "the completed review does not name the reviewer and reviewed_at",
    )


@check("AI-05", feature=_FEATURE)
def model_cards_are_published(ctx: CheckContext) -> None:
    """listModels answers without credentials and lists every model_id the intelligent operations return; each
    listed model's card states intended and out-of-scope uses, training and evaluation data, metrics (AUC for
    the scoring model), fairness per protected attribute, limitations, the version and its effective date, and
    the closed lists of bands and reason codes."""
    debtor, debt = _party(ctx)
    used = {str(_decision(ctx, debtor, debt)["model_id"])}
    stress = ctx.expect(
        ctx.request("POST", "/assessments/debt-stress", json=_stress_body(debtor, debt, Decimal(10), 0)),
        201,
        what="diagnoseDebtStress",
    )
    used.add(str(stress.get("model_id")))
    plan = ctx.expect(
        ctx.request("POST", "/repayment-plans/proposals", json=_plan_body(debt, "2000.00", "1500.00")),
        201,
        what="proposeRepaymentPlan",
    )
    used.add(str(plan.get("model_id")))
    models = _models(ctx)
    unlisted = sorted(used - set(models))
    ctx.require(not unlisted, f"listModels does not list the model(s) {unlisted} that made decisions")
    for model_id, summary in sorted(models.items()):
        card = _card(ctx, model_id)
        ctx.require(card.get("version") == summary.get("version"), f"the card of {model_id} is not its current version")
        for key in ("intended_use", "out_of_scope_uses", "training_data", "evaluation_data", "metrics",
                    "limitations", "released_on"):  # fmt: skip
            ctx.require(bool(card.get(key)), f"the model card of {model_id} does not state {key}")
        ctx.require("reason_codes" in card, f"the model card of {model_id} has no closed list of reason codes")
        if summary.get("kind") == "repayment_capacity":
            names = {m.get("name") for m in card.get("metrics") or []}
            ctx.require("auc" in names, f"the scoring model {model_id} reports no AUC")
            ctx.require(bool(card.get("fairness")), f"the scoring model {model_id} reports no fairness metrics")
            ctx.require(bool(_bands(card)), f"the scoring model {model_id} declares no closed list of bands")


@check("AI-06", feature=_FEATURE)
def decisions_record_model_and_version(ctx: CheckContext) -> None:
    """The assessment and every later getDecision carry the same model_id and model_version, and that version
    is the one getModelCard returns a card for."""
    debtor, debt = _party(ctx)
    decision = _decision(ctx, debtor, debt)
    model_id, version = decision.get("model_id"), decision.get("model_version")
    ctx.require(bool(model_id) and bool(version), "the assessment does not carry model_id and model_version")
    for role in ("supervisor", "auditor"):
        stored = _read_decision(ctx, str(decision["decision_id"]), role)
        ctx.require(
            (stored.get("model_id"), stored.get("model_version")) == (model_id, version),
            f"getDecision as {role} gives {stored.get('model_id')} {stored.get('model_version')}, "
            f"the assessment {model_id} {version}",
        )
    card = _card(ctx, str(model_id))
    ctx.require(
        card.get("version") == version, f"getModelCard gives version {card.get('version')}, the decision {version}"
    )


def _stress_body(debtor: dict[str, Any], debt: dict[str, Any], percent: Decimal, behind: int) -> dict[str, Any]:
    income = Decimal("2000.00")
    return {
        "debtor_id": debtor["id"],
        "currency": debt["currency"],
        "monthly_net_income": str(income),
        "monthly_debt_service": str((income * percent / 100).quantize(Decimal("0.01"))),
        "payments_behind": behind,
    }


@check("AI-07", feature=_FEATURE)
def debt_stress_reports_indicators_and_thresholds(ctx: CheckContext) -> None:
    """diagnoseDebtStress reports debt_service_ratio fired at exactly debt_service_stress_percent of income with
    that threshold, and arrears fired at two payments behind; neither is reported fired just below."""
    percent = Decimal(str(ctx.param("debt_service_stress_percent")))
    debtor, debt = _party(ctx)

    def indicators(share: Decimal, behind: int) -> dict[str, dict[str, Any]]:
        body = ctx.expect(
            ctx.request("POST", "/assessments/debt-stress", json=_stress_body(debtor, debt, share, behind)),
            201,
            what="diagnoseDebtStress",
        )
        validate_against(ctx, body, "debt-stress-result")
        found = {str(i["indicator"]): i for i in body.get("indicators") or []}
        if "arrears" not in found and "payments_behind" in found:  # the schema's earlier name of the indicator
            found["arrears"] = found["payments_behind"]
        return found

    at = indicators(percent, 2)
    ratio = at.get("debt_service_ratio")
    ctx.require(
        ratio is not None and ratio.get("fired") is True,
        f"debt_service_ratio is not reported fired at exactly {percent} % of income on debt service",
    )
    assert ratio is not None  # noqa: S101 - narrowed by require
    ctx.require(
        Decimal(str(ratio.get("threshold"))) == percent,
        f"debt_service_ratio reports threshold {ratio.get('threshold')}, the profile's is {percent}",
    )
    ctx.require(
        abs(Decimal(str(ratio.get("value"))) - percent) < 1, f"debt_service_ratio reports value {ratio.get('value')}"
    )
    arrears = at.get("arrears")
    ctx.require(
        arrears is not None and arrears.get("fired") is True, "arrears is not reported fired two payments behind"
    )
    below = indicators(percent - 1, 1)
    for name in ("debt_service_ratio", "arrears"):
        ctx.require(
            below.get(name, {}).get("fired") is not True,
            f"{name} is reported fired when its condition is not met",
        )


def _plan_body(debt: dict[str, Any], income: str, expenses: str, **extra: Any) -> dict[str, Any]:
    return {
        "debt_ids": [debt["id"]],
        "currency": debt["currency"],
        "declared_monthly_income": income,
        "declared_monthly_expenses": expenses,
        **extra,
    }


@check("AI-08", feature=_FEATURE)
def plans_are_affordable_within_the_longest_term(ctx: CheckContext) -> None:
    """Every plan option takes at most plan_max_surplus_share_percent of the declared surplus per instalment,
    lasts at most plan_max_term_months and adds up to the balance plus disclosed charges; when nothing fits, no
    option is offered, the reason is plan_unaffordable and a referral to a person is given; nothing suggests
    borrowing or selling property to pay."""
    share = Decimal(str(ctx.param("plan_max_surplus_share_percent")))
    longest = int(ctx.param("plan_max_term_months"))
    _debtor, debt = _party(ctx)
    balance = Decimal(str(debt.get("balance") or debt["itemization"]["current_amount"]))
    income, expenses = Decimal("2000.00"), Decimal("1700.00")
    proposal = ctx.expect(
        ctx.request("POST", "/repayment-plans/proposals", json=_plan_body(debt, str(income), str(expenses))),
        201,
        what="proposeRepaymentPlan",
    )
    validate_against(ctx, proposal, "repayment-plan-proposal")
    cap = (income - expenses) * share / 100
    per_month = {"monthly": Decimal(1), "fortnightly": Decimal(26) / 12, "weekly": Decimal(52) / 12}
    for option in proposal.get("options") or []:
        instalment = Decimal(str(option["instalment_amount"]))
        monthly = instalment * per_month.get(str(option.get("frequency")), Decimal(1))
        ctx.require(
            monthly <= cap,
            f"an option's instalment {instalment} is above {share} % of the declared surplus ({cap:.2f} a month)",
        )
        ctx.require(int(option["term_months"]) <= longest, f"an option lasts {option['term_months']} months")
        count = int(option["number_of_instalments"])
        last = Decimal(str(option.get("last_instalment_amount") or instalment))
        charges = Decimal(str(option.get("disclosed_charges") or "0"))
        ctx.require(
            instalment * (count - 1) + last == Decimal(str(option["total_payable"])) == balance + charges,
            f"an option's instalments ({count - 1} x {instalment} + {last}) do not add up to the balance {balance} "
            f"plus disclosed charges {charges}",
        )
    ctx.require(not _BORROW_OR_SELL.search(str(proposal)), "the proposal suggests borrowing or selling to pay")
    hopeless = ctx.expect(
        ctx.request("POST", "/repayment-plans/proposals", json=_plan_body(debt, "1000.00", "999.50")),
        201,
        what="proposeRepaymentPlan with a surplus of 0.50 a month",
    )
    validate_against(ctx, hopeless, "repayment-plan-proposal")
    ctx.require(not hopeless.get("options"), "options are offered although none is affordable within the longest term")
    ctx.require(
        "plan_unaffordable" in (hopeless.get("reason_codes") or []),
        "no affordable plan exists, but the reason code plan_unaffordable is not given",
    )
    ctx.require(bool(hopeless.get("referral")), "no affordable plan exists, but no referral to a person is offered")
    ctx.require(not _BORROW_OR_SELL.search(str(hopeless)), "the proposal suggests borrowing or selling to pay")
