"""Plain-language explanations of decisions, in the debtor's language (AI-03; PIPL art. 24(3)).

An explanation names the principal reasons with a sentence each, the inputs used, the logic in
one line, whether a person took part, the model and version, and how to ask for a human review.
Chinese for debtors whose language tag starts with ``zh``, English otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "high_debt_service_ratio": "Your debt payments take a high share of your income.",
        "recent_missed_payments": "Payments were missed in the last 12 months.",
        "high_essential_expenses": "Your essential expenses take a high share of your income.",
        "high_credit_utilisation": "Most of your available revolving credit is in use.",
        "short_employment": "Your current employment is short.",
        "low_income_stability": "Your income varies a lot from month to month.",
        "income_drop_reported": "You told us your income has fallen.",
        "many_open_commitments": "You have many open credit commitments.",
        "insufficient_history": "There is little credit history to go on.",
        "plan_unaffordable": "No repayment plan fits what you can afford within the longest term allowed.",
        "debt_service_ratio": "Your debt payments reach the share of your income that signals debt stress.",
        "arrears": "You are two or more payments behind.",
        "residual_income": "Your income does not cover your debt payments and essential expenses.",
    },
    "zh": {
        "high_debt_service_ratio": "您的月还款支出占收入的比例较高。",
        "recent_missed_payments": "过去 12 个月内有逾期未还的款项。",
        "high_essential_expenses": "您的必要生活支出占收入的比例较高。",
        "high_credit_utilisation": "您的循环授信额度大部分已被使用。",
        "short_employment": "您目前的工作年限较短。",
        "low_income_stability": "您的月收入波动较大。",
        "income_drop_reported": "您告知我们收入已下降。",
        "many_open_commitments": "您尚未结清的信贷较多。",
        "insufficient_history": "可供参考的信用记录较少。",
        "plan_unaffordable": "在允许的最长期限内，没有您可负担的还款方案。",
        "debt_service_ratio": "您的月还款支出占收入的比例已达到偿债压力阈值。",
        "arrears": "您已拖欠两期及以上。",
        "residual_income": "您的收入不足以支付月还款和必要生活支出。",
    },
}

_FRAMES: dict[str, dict[str, str]] = {
    "en": {
        "score": "Your repayment-capacity score is {score} (band {band}).",
        "none": "No adverse factor was found.",
        "main": "The main factors were: {reasons}.",
        "automated": "This decision was made by automated means only, by the model {model} version {version}.",
        "human": "A person took part in this decision, which used the model {model} version {version}.",
        "logic": "The score is 1000 minus the points each factor takes; the points are published on the model "
        "card at /icss/v1/models/{model}/card.",
        "contest": "You can ask for a person to review this decision: POST /icss/v1/decisions/{decision}/"
        "human-review-requests. The decision is suspended until the review is done.",
    },
    "zh": {
        "score": "您的还款能力评分为 {score} 分（等级 {band}）。",
        "none": "未发现不利因素。",
        "main": "主要原因：{reasons}。",
        "automated": "本决定仅通过自动化方式作出，所用模型为 {model}，版本 {version}。",
        "human": "本决定有人工参与，所用模型为 {model}，版本 {version}。",
        "logic": "评分为 1000 分减去各因素扣减的分数；扣分规则公布于模型卡 /icss/v1/models/{model}/card。",
        "contest": "您可以要求人工复核本决定：POST /icss/v1/decisions/{decision}/human-review-requests。"
        "复核完成前，本决定暂停执行。",
    },
}


def language_of(tag: str | None) -> str:
    return "zh" if (tag or "").lower().startswith("zh") else "en"


def reason_text(code: str, language: str) -> str:
    return _TEXTS[language_of(language)].get(code, code)


def explain(
    decision: Mapping[str, Any], inputs: Sequence[str], language: str, reasons: Sequence[str] | None = None
) -> dict[str, Any]:
    """The ``explanation`` object of explanation-request.schema.json for a stored decision view.

    ``reasons`` replaces the decision's reason codes for decisions that have none of the scorecard's:
    the stress indicators that fired, or why no plan was offered.
    """
    lang = language_of(language)
    frame = _FRAMES[lang]
    codes = list(decision.get("reason_codes") or []) if reasons is None else list(reasons)
    texts = [{"code": code, "text": reason_text(code, lang)} for code in codes]
    joined = ("；" if lang == "zh" else "; ").join(t["text"].rstrip(".。") for t in texts)
    parts = []
    if decision.get("score") is not None:
        parts.append(frame["score"].format(score=decision["score"], band=decision["band"]))
    parts.append(frame["main"].format(reasons=joined) if codes else frame["none"])
    who = "automated" if decision.get("automated_only") else "human"
    model = {"model": decision["model_id"], "version": decision["model_version"]}
    parts.append(frame[who].format(**model))
    return {
        "summary": (" " if lang == "en" else "").join(parts),
        "principal_reasons": texts,
        "main_inputs": list(inputs),
        "logic": frame["logic"].format(**model),
        "automated_only": bool(decision.get("automated_only")),
        "model_id": decision["model_id"],
        "model_version": decision["model_version"],
        "language": lang,
        "how_to_contest": frame["contest"].format(decision=decision["decision_id"]),
    }


__all__ = ["explain", "language_of", "reason_text"]
