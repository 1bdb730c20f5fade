"""Repayment-capacity scoring, debt-stress diagnosis, plan proposals, decisions, reviews and model cards.

The models are the pure functions of :mod:`icss.reference.intelligence`; this module records what
they decided (with the model id and version, AI-06), evidence-logs each decision, and keeps the
debtor's rights over it: an explanation (AI-03) and a human review that suspends the decision until
a supervisor records the outcome (AI-04). A debtor reaches only its own decisions.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from .. import _evidence
from .._problems import Problem
from .._routing import Call, Reply, handles, tenant_scoped
from .._tables import AutomatedDecision, Case, Debt, Debtor, Event
from ..intelligence import MODELS, PlanLimits, assess, band_of, diagnose, explain, propose, stress_level
from ._common import add_duration, iso, limit_of, new_id, profile_of, receipt_url
from .parties import load_debt, load_debtor

_DECISIONS = "/icss/v1/decisions/"


# -- decisions --------------------------------------------------------------------------------------


#: Declared figures beyond these are refused (422): no household earns a trillion a month or is
#: 100 000 payments behind, and the arithmetic of the models stays exact below them.
_MAX_AMOUNT = Decimal(10) ** 12
_MAX_COUNT = 100_000


def _check_bounds(doc: dict[str, Any], pointer: str = "") -> None:
    """Refuse amounts (decimal strings) and counts (integers) beyond what the models are built for."""
    errors = []
    for key, value in doc.items():
        where = f"{pointer}/{key}"
        if isinstance(value, dict):
            _check_bounds(value, where)
        elif isinstance(value, str) and key not in ("debtor_id", "currency", "frequency", "start_date"):
            try:
                too_big = Decimal(value) >= _MAX_AMOUNT
            except ArithmeticError:
                continue
            if too_big:
                errors.append({"pointer": where, "message": f"amounts are below {_MAX_AMOUNT:,.0f}"})
        elif isinstance(value, int) and not isinstance(value, bool) and value > _MAX_COUNT:
            errors.append({"pointer": where, "message": f"counts are at most {_MAX_COUNT}"})
    if errors:
        raise Problem("validation-failed", "a declared figure is out of range", errors=errors)


def _debts_of(call: Call, debtor: Debtor, debt_ids: list[str]) -> list[Debt]:
    debts = [load_debt(call, debt_id) for debt_id in debt_ids]
    for i, debt in enumerate(debts):
        if debt.debtor_id != debtor.id:
            raise Problem(
                "validation-failed",
                "every debt must belong to the debtor assessed",
                errors=[{"pointer": f"/debt_ids/{i}", "message": "another debtor's debt"}],
            )
    return debts


def _record(
    call: Call,
    debtor: Debtor,
    kind: str,
    model_id: str,
    *,
    debt_ids: list[str],
    inputs: dict[str, Any],
    result: dict[str, Any],
    automated_only: bool = True,
) -> AutomatedDecision:
    """Store a decision and append it to the evidence log (model id and version, never the inputs)."""
    now = call.now()
    model = MODELS[model_id]
    row = AutomatedDecision(
        id=new_id("dec"),
        tenant_id=call.tenant_id,
        debtor_id=debtor.id,
        kind=kind,
        debt_ids=debt_ids,
        model_id=model.model_id,
        model_version=model.version,
        automated_only=automated_only,
        decided_at=now,
        inputs_sealed=call.ctx.cipher.seal(inputs, tenant=call.tenant_id, field="decision.inputs"),
        result=result,
        explanation_status="not_requested",
        human_review_status="not_requested",
    )
    call.session.add(row)
    call.session.flush()
    row.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "decision",
        {
            "decision_id": row.id,
            "kind": kind,
            "model_id": row.model_id,
            "model_version": row.model_version,
            "automated_only": automated_only,
            **{k: v for k, v in result.items() if k in ("score", "band", "reason_codes", "stress_level", "status")},
        },
        debtor_id=debtor.id,
        at=now,
    )
    return row


def _review_case(call: Call, row: AutomatedDecision) -> Case | None:
    return call.session.get(Case, row.review_case_id) if row.review_case_id else None


def decision_view(call: Call, row: AutomatedDecision, *, stored: bool = False) -> dict[str, Any]:
    """decision.schema.json of a stored decision (``stored``: as getDecision reads it back)."""
    result = row.result
    reasons = list(result.get("reason_codes", [])) if row.kind == "repayment_capacity" else []
    if stored and call.ctx.fault("ai_decision_record_differs"):  # test mode: the record loses the reasons' order
        reasons.reverse()
    version = row.model_version
    if stored and call.ctx.fault("ai_decision_version_drift"):  # test mode: reads report whatever runs now
        version = "latest"
    case = _review_case(call, row)
    review = None
    if case is not None:
        review = {
            "request_id": case.id,
            "requested_at": iso(case.received_at),
            "status": row.human_review_status,
            "reviewer": case.data.get("reviewer"),
            "reviewer_role": case.data.get("reviewer_role"),
            "reviewed_at": iso(case.responded_at),
            "new_decision_id": case.data.get("new_decision_id"),
        }
    inputs = call.ctx.cipher.open(row.inputs_sealed, tenant=row.tenant_id, field="decision.inputs")
    return {
        "decision_id": row.id,
        "kind": row.kind,
        "debtor_id": row.debtor_id,
        "debt_ids": list(row.debt_ids),
        "score": result.get("score"),
        "band": result.get("band"),
        "reason_codes": reasons,
        "model_id": row.model_id,
        "model_version": version,
        "automated_only": row.automated_only,
        "decided_at": iso(row.decided_at),
        "inputs_summary": inputs.get("features", inputs),
        "explanation_status": row.explanation_status,
        "human_review_status": row.human_review_status,
        "suspended": row.human_review_status in ("requested", "in_review"),
        "human_review": review,
        "superseded_by": row.superseded_by,
        "evidence_index": row.evidence_index,
        "receipt_url": receipt_url(row.evidence_index),
    }


def load_decision(call: Call, decision_id: str) -> AutomatedDecision:
    """The tenant's decision ``decision_id``; a debtor reaches only its own (404 otherwise)."""
    row: AutomatedDecision = tenant_scoped(call.session, AutomatedDecision, call.tenant_id, decision_id)
    if not call.who.may_see_debtor(row.debtor_id):
        raise Problem("not-found")
    return row


def _created(call: Call, doc: dict[str, Any], decision_id: str) -> Reply:
    return Reply(201, doc, headers={"Location": _DECISIONS + decision_id}, resource_id=decision_id)


@handles("assessRepaymentCapacity")
def assess_repayment_capacity(call: Call) -> Reply:
    body = call.body
    _check_bounds(body)
    debtor = load_debtor(call, body["debtor_id"])
    debt_ids = list(body.get("debt_ids") or [])
    _debts_of(call, debtor, debt_ids)
    outcome = assess(body["features"])
    result = {"score": outcome.score, "band": outcome.band, "reason_codes": list(outcome.reason_codes)}
    row = _record(
        call, debtor, "repayment_capacity", "rc-scorecard", debt_ids=debt_ids, inputs=dict(body), result=result
    )
    return _created(call, decision_view(call, row), row.id)


@handles("diagnoseDebtStress")
def diagnose_debt_stress(call: Call) -> Reply:
    body = call.body
    _check_bounds(body)
    debtor = load_debtor(call, body["debtor_id"])
    percent = Decimal(str(profile_of(call, debtor.profile).value("debt_service_stress_percent")))
    indicators = diagnose(body, percent, strict=call.ctx.fault("ai_stress_threshold_strict"))
    level = stress_level(indicators)
    result = {"stress_level": level, "indicators": [i.as_json() for i in indicators]}
    row = _record(call, debtor, "debt_stress", "stress-rules", debt_ids=[], inputs=dict(body), result=result)
    doc = {
        "decision_id": row.id,
        **result,
        "model_id": row.model_id,
        "model_version": row.model_version,
        "automated_only": True,
        "evaluated_at": iso(row.decided_at),
        "evidence_index": row.evidence_index,
    }
    return _created(call, doc, row.id)


def _in_hardship(call: Call, debtor: Debtor, now: datetime) -> bool:
    found = call.session.execute(
        select(Event.id)
        .where(
            Event.tenant_id == call.tenant_id,
            Event.debtor_id == debtor.id,
            Event.type == "hardship",
            Event.effective_at <= now,
        )
        .limit(1)
    ).first()
    return found is not None


@handles("proposeRepaymentPlan")
def propose_repayment_plan(call: Call) -> Reply:
    body = call.body
    _check_bounds(body)
    debts = [load_debt(call, debt_id) for debt_id in body["debt_ids"]]
    owners = {d.debtor_id for d in debts}
    if len(owners) != 1:
        raise Problem(
            "validation-failed",
            "a plan covers debts of one debtor",
            errors=[{"pointer": "/debt_ids", "message": "debts of several debtors"}],
        )
    debtor = load_debtor(call, owners.pop())
    currencies = {str(d.data.get("currency")) for d in debts}
    if currencies != {body["currency"]}:
        raise Problem(
            "validation-failed",
            "the currency must be that of the debts",
            errors=[{"pointer": "/currency", "message": f"the debts are in {', '.join(sorted(currencies))}"}],
        )
    profile = profile_of(call, str(debts[0].data.get("profile") or debtor.profile))
    share = Decimal(str(profile.value("plan_max_surplus_share_percent")))
    if call.ctx.fault("ai_plan_share_ignored"):  # test mode: the whole surplus may go to one instalment
        share = Decimal(100)
    longest = int(profile.value("plan_max_term_months"))
    if call.ctx.fault("ai_plan_term_ignored"):  # test mode: a plan may run for a lifetime
        longest = 12 * 1000
    limits = PlanLimits(share_percent=share, max_term_months=longest)
    balance = sum((Decimal(str(d.data.get("balance") or d.data["itemization"]["current_amount"])) for d in debts),
                  Decimal(0))  # fmt: skip
    if balance >= _MAX_AMOUNT:
        raise Problem("validation-failed", "the balance of these debts is beyond what the plan model handles")
    # Test mode: a declared hardship changes nothing.
    hardship = _in_hardship(call, debtor, call.now()) and not call.ctx.fault("dr_hardship_ignored")
    preferred = body.get("preferred_instalment")
    proposal = propose(
        balance,
        Decimal(body["declared_monthly_income"]),
        Decimal(body["declared_monthly_expenses"]) + Decimal(body.get("other_debt_service") or 0),
        limits=limits,
        frequency=body.get("frequency", "monthly"),
        preferred=Decimal(preferred) if preferred is not None else None,
        hardship=hardship,
    )
    options = proposal.options
    status = "offered" if options else "pending_review"
    reasons = proposal.reason_codes
    if options and call.ctx.fault("dr_proposal_auto_declined"):  # test mode: every proposal is refused
        options, status, reasons = [], "declined", ["plan_unaffordable"]
    first_due = body.get("start_date")
    result = {
        "status": status,
        "reason_codes": reasons,
        "balance": str(balance.quantize(Decimal("0.01"))),
        "monthly_surplus": str(proposal.surplus),
        "max_affordable_instalment": str(proposal.max_instalment),
        "options": [{"option_id": f"opt_{i + 1}", **o.as_json(first_due)} for i, o in enumerate(options)],
        "rejected_options": [o.as_json(first_due) for o in proposal.rejected],
        "hardship_considered": hardship,
    }
    row = _record(
        call, debtor, "repayment_plan", "plan-affordability", debt_ids=[d.id for d in debts], inputs=dict(body),
        result=result,
    )  # fmt: skip
    doc = {
        "decision_id": row.id,
        "currency": body["currency"],
        **result,
        "referral": None
        if options
        else {
            "kind": "human_hardship_review",
            "url": _DECISIONS + row.id,
            "description": "No plan fits what the debtor can afford: the proposal is passed to a person who handles "
            "hardship; the review shows on this decision. / 无可负担的方案：已转由人工处理困难情形，复核进展见该决策。",
        },
        "model_id": row.model_id,
        "model_version": row.model_version,
        "evidence_index": row.evidence_index,
    }
    if not options and status == "pending_review":
        # DR-08: a proposal no option fits goes to a person, not to a final refusal.
        open_review(call, row, debtor, statement=None, requested_by="service")
    return _created(call, doc, row.id)


@handles("getDecision")
def get_decision(call: Call) -> Reply:
    row = load_decision(call, call.params["decisionId"])
    return Reply(200, decision_view(call, row, stored=True), resource_id=row.id)


# -- explanations and human review (the debtor's operations live in the self-service tag) ------------


def _due_in(call: Call, debtor: Debtor) -> str:
    return f"P{int(profile_of(call, debtor.profile).value('complaint_response_days'))}D"


def review_view(call: Call, case: Case) -> dict[str, Any]:
    data = case.data
    notes = data.get("notes_sealed")
    return {
        "id": case.id,
        "decision_id": data["decision_id"],
        "received_at": iso(case.received_at),
        "due_at": iso(case.due_at),
        "status": case.status,
        "responded_at": iso(case.responded_at),
        "late": (case.responded_at or call.now()) > case.due_at,
        "extension": None,
        "outcome": data.get("outcome", "pending"),
        **({"reviewer_role": data["reviewer_role"]} if data.get("reviewer_role") else {}),
        "reviewer": data.get("reviewer"),
        "reviewed_at": iso(case.responded_at),
        "new_decision_id": data.get("new_decision_id"),
        **({"notes": call.ctx.cipher.open(notes, tenant=case.tenant_id, field="review.notes")} if notes else {}),
    }


def open_review(
    call: Call, row: AutomatedDecision, debtor: Debtor, *, statement: str | None, requested_by: str
) -> Case:
    """Open the human review of ``row``; it stays pending until recordHumanReviewOutcome (AI-04)."""
    now = call.now()
    case = Case(
        id=new_id("hrr"),
        tenant_id=call.tenant_id,
        kind="human_review",
        debtor_id=debtor.id,
        data={"decision_id": row.id, "outcome": "pending", "requested_by": requested_by},
        text_sealed=call.ctx.cipher.seal(statement, tenant=call.tenant_id, field="case.text") if statement else None,
        received_at=now,
        due_at=add_duration(now, _due_in(call, debtor)),
        status="acknowledged",
        responded_at=None,
    )
    call.session.add(case)
    call.session.flush()
    row.review_case_id = case.id
    row.human_review_status = "requested"
    case.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "human_review",
        {"human_review_id": case.id, "decision_id": row.id, "status": "requested", "due_at": iso(case.due_at)},
        debtor_id=debtor.id,
        at=now,
    )
    return case


def close_review(call: Call, row: AutomatedDecision, case: Case, outcome: str, notes: str,
                 new_decision_id: str | None) -> None:  # fmt: skip
    now = call.now()
    reviewer = call.who.client_id
    case.data = {
        **case.data,
        "outcome": outcome,
        "reviewer": reviewer,
        "reviewer_role": call.who.role if call.who.role in ("supervisor", "admin") else None,
        "new_decision_id": new_decision_id,
        "notes_sealed": call.ctx.cipher.seal(notes, tenant=case.tenant_id, field="review.notes"),
    }
    case.status = "responded"
    case.responded_at = now
    row.human_review_status = outcome
    row.superseded_by = new_decision_id
    _evidence.record(
        call.session,
        call.tenant_id,
        "human_review",
        {
            "human_review_id": case.id,
            "decision_id": row.id,
            "status": outcome,
            "reviewer": reviewer,
            "new_decision_id": new_decision_id,
        },
        debtor_id=row.debtor_id,
        at=now,
    )


@handles("recordHumanReviewOutcome")
def record_human_review_outcome(call: Call) -> Reply:
    row = load_decision(call, call.params["decisionId"])
    case = _review_case(call, row)
    if case is None or row.human_review_status not in ("requested", "in_review"):
        raise Problem("conflict", "no human review of this decision is pending")
    body = call.body
    new_id_: str | None = None
    if body["outcome"] == "changed":
        debtor = call.session.get(Debtor, row.debtor_id)
        if debtor is None:  # debtors are never deleted alone, but a missing one must not be a 500
            raise Problem("not-found")
        result = dict(row.result)
        if row.kind == "repayment_capacity":
            result.update(score=body["score"], band=band_of(body["score"]))
        inputs = call.ctx.cipher.open(row.inputs_sealed, tenant=row.tenant_id, field="decision.inputs")
        replacement = _record(
            call, debtor, row.kind, row.model_id, debt_ids=list(row.debt_ids), inputs=inputs, result=result,
            automated_only=False,
        )  # fmt: skip
        new_id_ = replacement.id
    close_review(call, row, case, body["outcome"], body["notes"], new_id_)
    return Reply(
        201, review_view(call, case), headers={"Location": f"{_DECISIONS}{row.id}/human-review-requests"},
        resource_id=case.id,
    )  # fmt: skip


def request_explanation(call: Call, debtor: Debtor, row: AutomatedDecision) -> Reply:
    """requestExplanation (self-service): the explanation is given at once, in the debtor's language."""
    now = call.now()
    language = call.body.get("language") or debtor.language
    if call.ctx.fault("ai_explanation_language_ignored"):  # test mode: one language for everybody
        language = "en"
    inputs = MODELS[row.model_id].card().get("inputs", [])
    reasons: list[str] | None = None
    if row.kind == "debt_stress":
        reasons = [i["indicator"] for i in row.result.get("indicators", []) if i.get("fired")]
    elif row.kind == "repayment_plan":
        reasons = list(row.result.get("reason_codes", []))
    explanation = explain(decision_view(call, row), inputs, language, reasons)
    case = Case(
        id=new_id("exr"),
        tenant_id=call.tenant_id,
        kind="explanation",
        debtor_id=debtor.id,
        data={"decision_id": row.id, "explanation": explanation},
        text_sealed=call.ctx.cipher.seal(call.body["question"], tenant=call.tenant_id, field="case.text")
        if call.body.get("question")
        else None,
        received_at=now,
        due_at=add_duration(now, _due_in(call, debtor)),
        status="responded",
        responded_at=now,
    )
    call.session.add(case)
    call.session.flush()
    # Test mode: the decision never shows that the explanation was given.
    row.explanation_status = "requested" if call.ctx.fault("ai_explanation_not_recorded") else "provided"
    case.evidence_index = _evidence.record(
        call.session,
        call.tenant_id,
        "explanation",
        {"explanation_id": case.id, "decision_id": row.id, "language": explanation["language"]},
        debtor_id=debtor.id,
        at=now,
    )
    doc = {
        "id": case.id,
        "decision_id": row.id,
        "received_at": iso(now),
        "due_at": iso(case.due_at),
        "status": case.status,
        "responded_at": iso(now),
        "late": False,
        "extension": None,
        "explanation": explanation,
    }
    return Reply(201, doc, headers={"Location": f"{_DECISIONS}{row.id}/explanation-requests"}, resource_id=case.id)


def request_human_review(call: Call, debtor: Debtor, row: AutomatedDecision) -> Reply:
    """requestHumanReview (self-service): recorded and left pending; a supervisor decides (AI-04)."""
    if row.human_review_status in ("requested", "in_review"):
        raise Problem("conflict", "a human review of this decision is already pending")
    if row.superseded_by:
        raise Problem("conflict", "this decision was replaced after a human review; ask about the new one")
    case = open_review(call, row, debtor, statement=call.body.get("statement"), requested_by="debtor")
    if call.ctx.fault("ai_review_auto_completed"):  # test mode: the "review" is decided within the request
        close_review(call, row, case, "upheld", "automatically upheld", None)
    return Reply(
        201, review_view(call, case), headers={"Location": f"{_DECISIONS}{row.id}/human-review-requests"},
        resource_id=case.id,
    )  # fmt: skip


# -- models -----------------------------------------------------------------------------------------


def _listed() -> list[str]:
    return sorted(MODELS)


@handles("listModels")
def list_models(call: Call) -> Reply:
    names = _listed()
    if call.ctx.fault("ai_model_unlisted"):  # test mode: the stress model runs but is not published
        names = [n for n in names if n != "stress-rules"]
    cursor = call.query.get("cursor")
    limit = limit_of(call)
    if cursor and cursor not in names:
        raise Problem("validation-failed", "the cursor is not one this service issued", status=400)
    start = names.index(cursor) + 1 if cursor else 0
    chosen = names[start : start + limit]
    more = start + limit < len(names)
    return Reply(
        200,
        {"items": [MODELS[n].summary() for n in chosen], "next_cursor": chosen[-1] if more and chosen else None},
    )


@handles("getModelCard")
def get_model_card(call: Call) -> Reply:
    model = MODELS.get(call.params["modelId"])
    if model is None:
        raise Problem("not-found")
    return Reply(200, model.card())


__all__ = [
    "decision_view",
    "load_decision",
    "request_explanation",
    "request_human_review",
]
