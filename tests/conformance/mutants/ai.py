"""Mutants of the AI area (disclosure by AI agents, consent to AI voice, the intelligent services)."""

from __future__ import annotations

import json
from typing import Any

from . import mutant
from ._rewrite import read_body, replay_request

mutant(
    "ai_disclosure_missing",
    {"AI-09"},
    faults={"ai_disclosure_missing"},
    note="AI text and AI voice contacts go out without saying they come from an AI",
)
mutant(
    "ai_voice_consent_ignored",
    {"AI-10"},
    level=2,
    only={"AI-09", "AI-10", "EV-01", "OP-01"},
    faults={"ai_voice_consent_ignored"},
    note="AI voice calls need no consent",
)


# -- intelligent services (levels 2 and 3: each run is limited to the indicators it concerns) --------

_AI_ONLY = {"AI-01", "AI-02", "AI-03", "AI-04", "AI-05", "AI-06", "AI-07", "AI-08", "DR-08", "OP-01"}
_ASSESS = "/icss/v1/assessments/repayment-capacity"


def _sex_weighs_on_the_score(app: Any) -> Any:
    """An ASGI wrapper: the assessment accepts ``features.sex`` and takes 60 points from women (AI-02)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != _ASSESS:
            await app(scope, receive, send)
            return
        raw = await read_body(receive)
        try:
            body = json.loads(raw)
            sex = body.get("features", {}).pop("sex", None)
        except (ValueError, AttributeError):
            body, sex = None, None
        if body is not None and sex is not None:
            raw = json.dumps(body).encode()
        scope, replay = replay_request(scope, raw)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            out = b"".join(chunks)
            if start.get("status") == 201 and sex == "female":
                doc = json.loads(out)
                doc["score"] = max(0, int(doc["score"]) - 60)
                out = json.dumps(doc).encode()
            kept = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            await send({**start, "headers": [*kept, (b"content-length", str(len(out)).encode())]})
            await send({"type": "http.response.body", "body": out})

        await app(scope, replay, capture)

    return wrapped


mutant(
    "ai_decision_record_differs",
    {"AI-01"},
    level=2,
    only=_AI_ONLY,
    faults={"ai_decision_record_differs"},
    note="getDecision returns the reason codes in another order than the assessment gave them",
)
mutant(
    "ai_protected_attribute_scored",
    {"AI-02"},
    level=3,
    only=_AI_ONLY,
    wrap=_sex_weighs_on_the_score,
    note="the assessment accepts the debtor's sex and scores women 60 points lower",
)
mutant(
    "ai_explanation_not_recorded",
    {"AI-03"},
    level=2,
    only=_AI_ONLY,
    faults={"ai_explanation_not_recorded"},
    note="after an explanation getDecision still shows explanation_status requested",
)
mutant(
    "ai_review_auto_completed",
    {"AI-04"},
    level=2,
    only=_AI_ONLY,
    faults={"ai_review_auto_completed"},
    note="requestHumanReview upholds the decision itself, within the request",
)
mutant(
    "ai_model_unlisted",
    {"AI-05"},
    level=2,
    only=_AI_ONLY,
    faults={"ai_model_unlisted"},
    note="listModels omits the debt-stress model that diagnoseDebtStress uses",
)
mutant(
    "ai_decision_version_drift",
    {"AI-06"},
    level=3,
    only=_AI_ONLY,
    faults={"ai_decision_version_drift"},
    note="getDecision reports model_version 'latest' instead of the version that decided",
)
mutant(
    "ai_stress_threshold_strict",
    {"AI-07"},
    level=3,
    only=_AI_ONLY,
    faults={"ai_stress_threshold_strict"},
    note="debt_service_ratio fires only above debt_service_stress_percent, not at it",
)
mutant(
    "ai_plan_share_ignored",
    {"AI-08"},
    level=2,
    only=_AI_ONLY,
    faults={"ai_plan_share_ignored"},
    note="plan instalments may take the whole declared surplus",
)
mutant(
    "ai_plan_term_ignored",
    {"AI-08"},
    level=2,
    only=_AI_ONLY,
    faults={"ai_plan_term_ignored"},
    note="plans may run longer than plan_max_term_months",
)
mutant(
    "ai_explanation_language_ignored",
    {"AI-03"},
    profile="cn",
    level=2,
    only=_AI_ONLY,
    faults={"ai_explanation_language_ignored"},
    note="a Chinese-speaking debtor gets its explanation in English",
)
