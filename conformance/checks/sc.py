"""Scripts and communication content (SC): what may be demanded and what every message must say.

Each check is self-contained. SC-01..SC-09 and SC-11 are decided on the public test split of the ICSS
script corpus (spec/corpora/scripts, read through icss.spec): every utterance goes to the target's
checkUtteranceBatch with its recorded language, speaker role and context, and the returned categories
are scored per category and language against the claimed profile's script_recall_min and
script_false_positive_max. The split is read once per process and sent once per run and target: the ten checks
share the verdicts (a deterministic checker gives the same answer to the same question).
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from typing import Any

from icss.spec import once, spec_root

from .._context import CheckContext
from .._outcomes import CheckSkipped
from .._registry import check
from ._support import problem_document

#: checkUtteranceBatch takes at most 1000 items a request (script-check-batch-request.schema.json).
_BATCH_MAX = 1000

#: Reg F 1006.18(e): the mini-Miranda, or in later communications "from a debt collector".
_US_DISCLOSURE = re.compile(r"from a debt collector|attempt(ing)? to collect a debt", re.IGNORECASE)


@check("SC-10")
def unauthorised_charges_refused(ctx: CheckContext) -> None:
    """addDebtCharge refuses a fee kind the debt's agreement does not authorise with 422 unauthorized-charge
    and reason unauthorized_charge, leaves the balance unchanged, and accepts a kind the agreement lists."""
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)  # authorises interest only
    before = ctx.expect(ctx.request("GET", f"/debts/{debt['id']}"), 200, what="getDebt")
    charge = {"kind": "collection_fee", "amount": "25.00", "currency": debt["currency"], "basis": "agreement"}
    refused = ctx.request("POST", f"/debts/{debt['id']}/charges", json=charge)
    ctx.require(
        refused.status_code == 422,
        f"addDebtCharge accepted a collection_fee the agreement does not authorise ({refused.status_code}, not 422)",
        severity="critical",
    )
    problem = problem_document(ctx, refused)
    ctx.require(
        str(problem.get("type", "")).endswith("/unauthorized-charge"),
        f"the refusal has problem type {problem.get('type')!r}, not unauthorized-charge",
    )
    ctx.require(
        "unauthorized_charge" in (problem.get("reasons") or []),
        f"the refusal's reasons {problem.get('reasons')} lack unauthorized_charge",
    )
    after = ctx.expect(ctx.request("GET", f"/debts/{debt['id']}"), 200, what="getDebt")
    ctx.require(
        after.get("balance") == before.get("balance"),
        f"the refused charge changed the balance from {before.get('balance')} to {after.get('balance')}",
    )
    ctx.expect(
        ctx.request("POST", f"/debts/{debt['id']}/charges", json={**charge, "kind": "interest", "amount": "5.00"}),
        201,
        what="addDebtCharge of interest, which the agreement authorises",
    )


def _collection_messages(ctx: CheckContext, debtor: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        m
        for m in ctx.outbox(debtor_id=debtor["id"])
        if m.get("purpose") == "collection" and m.get("channel") in ("sms", "email", "ai_text", "letter")
    ]


@check("SC-12")
def outbox_messages_disclose(ctx: CheckContext) -> None:
    """Every collection message sent by sms, e-mail, ai_text or letter names the collecting institution
    (as the validation information names it) and the creditor whose debt it collects; under a us profile it
    also carries "This communication is from a debt collector" (or the mini-Miranda) — even when the
    submitted content lacks them: the service adds them or refuses with 409 missing_required_disclosure."""
    debtor = ctx.new_debtor()
    debt = ctx.new_debt(debtor)
    notice = ctx.expect(ctx.request("GET", f"/debts/{debt['id']}/validation-notice"), 200, what="getValidationNotice")
    collector = str((notice.get("debt_collector") or {}).get("name") or "")
    ctx.require(bool(collector), "getValidationNotice names no debt collector")
    creditor = str(debt["creditor"]["name"])
    ctx.set_clock(ctx.local_instant("2026-03-05", "11:00"))  # a Thursday morning where the debtor lives
    points = {p["kind"]: p["id"] for p in debtor["contact_points"]}
    sent = 0
    for channel, point in (("email", points["email"]), ("sms", points["phone"]), ("letter", points["address"])):
        response = ctx.request(
            "POST",
            "/contact-attempts",
            json={
                "debtor_id": debtor["id"],
                "debt_ids": [debt["id"]],
                "contact_point_id": point,
                "channel": channel,
                "purpose": "collection",
                "content": "Your balance is due." if ctx.profile.jurisdiction != "cn" else "您的欠款已到期。",
            },
        )
        if response.status_code == 409:
            reasons = problem_document(ctx, response).get("reasons") or []
            ctx.require(
                "missing_required_disclosure" in reasons,
                f"a {channel} without the required disclosures was refused, but not for missing_required_disclosure: "
                f"{reasons}",
            )
            continue
        ctx.expect(response, 201, what=f"createContactAttempt on {channel}")
        sent += 1
    if not sent:
        raise CheckSkipped("every collection message was refused, so no outbox content could be inspected")
    messages = _collection_messages(ctx, debtor)
    ctx.require(len(messages) >= sent, f"{sent} collection messages were sent but the outbox holds {len(messages)}")
    for message in messages:
        content = str(message.get("content") or "")
        ctx.require(
            collector in content and creditor in content,
            f"the {message.get('channel')} collection message does not name the collector ({collector!r}) and the "
            f"creditor ({creditor!r}): {content[:160]!r}",
            severity="critical",
        )
        if ctx.profile.jurisdiction.startswith("us"):
            ctx.require(
                bool(_US_DISCLOSURE.search(content)),
                f"the {message.get('channel')} collection message went out without 'This communication is from a "
                f"debt collector': {content[:160]!r}",
                severity="critical",
            )


# --- SC-01..SC-09, SC-11: the public test split of the script corpus --------------------------------------


_TEST_ROW = re.compile(rb'"split"\s*:\s*"test"')


@once  # the ten corpus checks start together: one reads the file, the others wait for it
def _test_split() -> tuple[dict[str, Any], ...]:
    """The utterances of the corpus's public test split, as shipped with icss.spec (read once per process)."""
    data = (spec_root() / "corpora" / "scripts" / "utterances.jsonl").read_bytes()
    # Only the lines that can be test items are decoded (the split is a tenth of the corpus), found by one scan of
    # the bytes; the decoded row decides. A quote inside a text is escaped, so no text can hold the pattern.
    rows = []
    for m in _TEST_ROW.finditer(data):
        start = data.rfind(b"\n", 0, m.start()) + 1
        end = data.find(b"\n", m.end())
        rows.append(json.loads(data[start : end if end >= 0 else len(data)]))
    return tuple(row for row in rows if row["split"] == "test")


#: The target's verdicts on the test split, asked once per run and target: the ten corpus checks ask the
#: same question, and a deterministic checker gives the same answer (keyed by the Target object, so a new
#: run or another target always asks afresh).
_VERDICTS: weakref.WeakKeyDictionary[Any, list[dict[str, Any]]] = weakref.WeakKeyDictionary()
_VERDICTS_LOCK = threading.Lock()


def _verdicts(ctx: CheckContext, items: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """checkUtteranceBatch results for ``items``, in order, in chunks the interface allows."""
    with _VERDICTS_LOCK:
        cached = _VERDICTS.get(ctx.target)
        if cached is None or len(cached) != len(items):
            cached = _VERDICTS[ctx.target] = _ask_verdicts(ctx, items)
        return cached


def _ask_verdicts(ctx: CheckContext, items: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for start in range(0, len(items), _BATCH_MAX):
        chunk = items[start : start + _BATCH_MAX]
        requests = [
            {
                "text": item["text"],
                "language": item["language"],
                "speaker_role": item["speaker_role"],
                "context": item["context"],
                "client_ref": item["id"],
            }
            for item in chunk
        ]
        results.extend(_batch(ctx, requests, "the script corpus test split"))
    return results


def _batch(ctx: CheckContext, requests: list[dict[str, Any]], what: str) -> list[Any]:
    """checkUtteranceBatch's results for ``requests``: one per request, or the check fails."""
    body = ctx.expect(
        ctx.request("POST", "/script-checks/batch", json={"items": requests}),
        200,
        what=f"checkUtteranceBatch on {what}",
    )
    got = body.get("results") if isinstance(body, dict) else None
    ctx.require(
        isinstance(got, list) and len(got) == len(requests),
        f"checkUtteranceBatch answered {len(got) if isinstance(got, list) else 'no'} results for "
        f"{len(requests)} items ({what})",
    )
    assert isinstance(got, list)  # noqa: S101 - narrowed by the require above
    return got


class _EmptyCorpusCell(Exception):  # noqa: N818 - a reason the indicator cannot be decided, reported as error
    """The corpus's test split has no positives or no hard negatives for a category and language.

    Such a cell cannot be measured, so the indicator is undecided: the runner reports an error, never a
    pass. Corpus 1.2.0 fills its test split only from the blind sets (``@split test``), so a build
    without them has an empty test split.
    """


def _empty_cells(items: tuple[dict[str, Any], ...], categories: tuple[str, ...]) -> list[str]:
    empty: list[str] = []
    for category in categories:
        for language in ("zh", "en"):
            mine = [i for i in items if i["language"] == language]
            if not any(label["category"] == category for i in mine for label in i["labels"]):
                empty.append(f"{category} ({language}): no positives")
            if not any(category in i.get("hard_negative_for", ()) for i in mine):
                empty.append(f"{category} ({language}): no hard negatives")
    return empty


def _corpus_indicator(ctx: CheckContext, categories: tuple[str, ...]) -> None:
    """Score the test split for ``categories`` per language; fail naming every cell below its threshold.

    A cell without positives or hard negatives cannot be measured: when no measured cell fails, the
    check ends in an error naming the empty cells (a shortfall elsewhere is a failure all the same).
    """
    recall_min = float(ctx.param("script_recall_min"))
    fpr_max = float(ctx.param("script_false_positive_max"))
    items = _test_split()
    empty = _empty_cells(items, categories)
    if not items:
        raise _EmptyCorpusCell(
            "the script corpus test split has no utterances, so this indicator cannot be decided "
            "(corpus 1.2.0 takes its test split from the blind sets, src/*-blind.txt with @split test)"
        )
    results = _verdicts(ctx, items)
    shortfalls: list[str] = []
    for category in categories:
        for language in ("zh", "en"):
            positives = hits = negatives = alarms = 0
            for item, result in zip(items, results, strict=True):
                if item["language"] != language:
                    continue
                found = [v for v in result.get("violations") or () if v.get("category") == category]
                if any(label["category"] == category for label in item["labels"]):
                    positives += 1
                    hits += any(v.get("severity") == "blocking" for v in found)
                if category in item.get("hard_negative_for", ()):
                    negatives += 1
                    alarms += bool(found)
            if positives and hits / positives < recall_min:
                shortfalls.append(
                    f"{category} ({language}): recall of blocking detections {hits / positives:.3f} "
                    f"({hits} of {positives}) < script_recall_min {recall_min}"
                )
            if negatives and alarms / negatives > fpr_max:
                shortfalls.append(
                    f"{category} ({language}): false-positive rate on hard negatives {alarms / negatives:.3f} "
                    f"({alarms} of {negatives}) > script_false_positive_max {fpr_max}"
                )
    ctx.require(not shortfalls, "on the script corpus test split: " + "; ".join(shortfalls))
    if empty:
        raise _EmptyCorpusCell("the script corpus test split cannot decide this indicator: " + "; ".join(empty))


@check("SC-01")
def violence_threats_recognised(ctx: CheckContext) -> None:
    """The public test split of the script corpus, sent through checkUtteranceBatch with each utterance's
    language, speaker role and context: threat_of_violence is returned as blocking for at least
    script_recall_min of its positives and for at most script_false_positive_max of its hard negatives, in
    Chinese and in English separately."""
    _corpus_indicator(ctx, ("threat_of_violence",))


@check("SC-02")
def arrest_threats_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split (checkUtteranceBatch, recorded language, role and context),
    threat_of_arrest_or_prosecution reaches script_recall_min blocking recall and stays within
    script_false_positive_max on its hard negatives, per language."""
    _corpus_indicator(ctx, ("threat_of_arrest_or_prosecution",))


@check("SC-03")
def false_legal_claims_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, with each item's litigation and time-bar context,
    false_legal_claim reaches script_recall_min blocking recall and stays within script_false_positive_max
    on its hard negatives (the same words with litigation intended), per language."""
    _corpus_indicator(ctx, ("false_legal_claim",))


@check("SC-04")
def impersonation_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, impersonation of police, courts, government or lawyers reaches
    script_recall_min blocking recall and stays within script_false_positive_max on its hard negatives,
    per language."""
    _corpus_indicator(ctx, ("impersonation",))


@check("SC-05")
def insults_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, insult_or_abuse reaches script_recall_min blocking recall and stays
    within script_false_positive_max on its hard negatives (apologies, quoted words, the debtor's own
    anger), per language."""
    _corpus_indicator(ctx, ("insult_or_abuse",))


@check("SC-06")
def profanity_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, obscene_or_profane reaches script_recall_min blocking recall and
    stays within script_false_positive_max on its hard negatives (innocent words containing a sensitive
    string), per language."""
    _corpus_indicator(ctx, ("obscene_or_profane",))


@check("SC-07")
def third_party_disclosure_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, with each item's listener context, third_party_disclosure reaches
    script_recall_min blocking recall and stays within script_false_positive_max on its hard negatives
    (location inquiries, the debtor as listener), per language."""
    _corpus_indicator(ctx, ("third_party_disclosure",))


#: Disclosures of the debt to whoever listens, per language: each is third_party_disclosure to a third party.
_DISCLOSURES = {
    "zh": (
        "李先生的信用卡在我们这里还欠一万二千元，已经逾期两个月了。",
        "我们是催收公司的，王女士的网贷逾期了，欠款八千多还没还。",
        "请转告你哥哥，他在我们平台的借款已经逾期九十天了。",
    ),
    "en": (
        "Mr. Lee still owes 1,240 dollars on his credit card, and the account is sixty days past due.",
        "We are a debt collector calling about Ms. Ortiz's unpaid loan; she is three payments behind.",
        "Please tell your brother his car loan with us is ninety days overdue.",
    ),
}


@check("SC-07")
def permitted_listeners_are_not_third_parties(ctx: CheckContext) -> None:
    """Disclosures of the debt sent with context.listener: those the target reads as third_party_disclosure when
    told to a third party must not be third_party_disclosure when told to a listener of the profile's
    script_permitted_listeners (under Regulation F the spouse or the debtor's attorney, in China a guarantor).
    A context whose listener contradicts listener_is_debtor is refused with a 422 problem. Whether the target
    recognises disclosures at all is decided on the corpus (sc.third_party_disclosure_recognised)."""
    lang = "zh" if ctx.profile.jurisdiction == "cn" else "en"
    permitted = [str(v) for v in ctx.param("script_permitted_listeners")]
    listeners = ["third_party", *permitted]
    pairs = [(text, listener) for text in _DISCLOSURES[lang] for listener in listeners]
    items = [
        {
            "text": text,
            "language": lang,
            "speaker_role": "collector",
            "context": {"profile": ctx.profile.id, "listener": listener, "listener_is_debtor": False},
            "client_ref": f"listener-{n}",
        }
        for n, (text, listener) in enumerate(pairs)
    ]
    results = _batch(ctx, items, "the listener probes")
    found: dict[tuple[str, str], bool] = {}
    for pair, result in zip(pairs, results, strict=True):
        found[pair] = "third_party_disclosure" in _categories(ctx, result, "checkUtteranceBatch")
    told = [text for text in _DISCLOSURES[lang] if found[(text, "third_party")]]
    if not told:
        ctx.note("no listener probe was read as third_party_disclosure even to a third party; nothing to compare")
    wrong = sorted({listener for text in told for listener in permitted if found[(text, listener)]})
    ctx.require(
        not wrong,
        f"third_party_disclosure reported for listener(s) {', '.join(wrong)}, which the {ctx.profile.id} profile's "
        "script_permitted_listeners lets the collector tell of the debt",
    )
    contradiction = items[0] | {
        "context": {"profile": ctx.profile.id, "listener": "debtor", "listener_is_debtor": False}
    }
    response = ctx.request("POST", "/script-checks", json=contradiction)
    ctx.require(
        response.status_code == 422,
        f"a context with listener 'debtor' and listener_is_debtor false answered {response.status_code}, not 422",
    )
    problem_document(ctx, response)


@check("SC-08")
def contact_network_threats_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, contact_network_threat reaches script_recall_min blocking recall and
    stays within script_false_positive_max on its hard negatives (consent questions, lawful credit
    reporting), per language."""
    _corpus_indicator(ctx, ("contact_network_threat",))


@check("SC-09")
def debt_trap_inducement_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, debt_trap_inducement reaches script_recall_min blocking recall and
    stays within script_false_positive_max on its hard negatives (instalment plans, free debt advice), per
    language."""
    _corpus_indicator(ctx, ("debt_trap_inducement",))


@check("SC-11")
def harassment_and_discrimination_recognised(ctx: CheckContext) -> None:
    """On the script corpus test split, harassment_pressure and discrimination each reach script_recall_min
    blocking recall and stay within script_false_positive_max on their hard negatives (due dates stated
    plainly, language preferences), per language."""
    _corpus_indicator(ctx, ("harassment_pressure", "discrimination"))


# --- SC-13: the live-call stream ------------------------------------------------------------------------

_STREAM_PATH = "/script-checks/stream"
_STREAM_SUBPROTOCOL = "icss.script-check.v1"  # x-icss-websocket.subprotocol of spec/openapi.yaml
#: Blatant threats any checker flags as blocking, per language; the first one the target flags is used.
_BLATANT = {
    "zh": ("再不还钱，我找人上门打断你的腿。", "你不还钱，我们会派人去你家砸门，让你全家不得安宁。"),
    "en": (
        "Pay today or I will come round and break your legs.",
        "If you don't pay, someone will hurt you and your family.",
    ),
}


def _categories(ctx: CheckContext, result: Any, what: str) -> list[str]:
    """The categories of one script-check result; a result not shaped like one fails the check (no crash)."""
    violations = result.get("violations") if isinstance(result, dict) else None
    ctx.require(
        isinstance(violations, list) and all(isinstance(v, dict) for v in violations),
        f"{what} answered a result without a list of violations",
    )
    assert isinstance(violations, list)  # noqa: S101 - narrowed by the require above
    return sorted({str(v.get("category")) for v in violations})


@check("SC-13")
def live_stream_blocks_and_escalates(ctx: CheckContext) -> None:
    """streamScriptChecks answers each utterance of a live conversation with one verdict, in order, agreeing
    with checkUtterance; a blocking violation by the collector is marked blocking, raises a supervisor alert
    in the outbox naming the category and indicator, and writes an evidence entry."""
    from .._target import open_stream

    lang = "zh" if ctx.profile.jurisdiction == "cn" else "en"
    context = {
        "profile": ctx.profile.id,
        "listener_is_debtor": True,
        "time_barred": False,
        "litigation_intended": False,
    }
    threat = None
    for text in _BLATANT[lang]:
        single = ctx.expect(
            ctx.request(
                "POST",
                "/script-checks",
                json={"text": text, "language": lang, "speaker_role": "collector", "context": context},
            ),
            200,
            what="checkUtterance",
        )
        if any(v.get("severity") == "blocking" for v in single.get("violations") or []):
            threat = (text, single)
            break
    if threat is None:
        raise CheckSkipped(
            "the target flags none of the blatant threats as blocking (see SC-01), so escalation cannot be exercised"
        )
    lawful = "请于本月底前还款，逾期将按合同计收利息。" if lang == "zh" else "Please pay by the end of the month."
    debtor_line = "你们再打电话我就投诉！" if lang == "zh" else "Stop calling me, I will complain!"
    turns = [("collector", lawful), ("collector", threat[0]), ("debtor", debtor_line)]
    conversation = f"conv-{ctx.sandbox.tenant_id[-8:]}"
    verdicts = []
    with open_stream(ctx.target, _STREAM_PATH, ctx.sandbox.tokens["collector"], _STREAM_SUBPROTOCOL) as stream:
        for n, (role, text) in enumerate(turns):
            stream.send_json(
                {
                    "text": text,
                    "language": lang,
                    "speaker_role": role,
                    "context": context,
                    "conversation_id": conversation,
                    "client_ref": f"turn-{n}",
                }
            )
            verdicts.append(stream.receive_json())
    ctx.require(
        [v.get("client_ref") for v in verdicts] == ["turn-0", "turn-1", "turn-2"],
        f"the stream's verdicts are not one per utterance in order: {[v.get('client_ref') for v in verdicts]}",
    )
    for (role, text), verdict in zip(turns, verdicts, strict=True):
        single = ctx.expect(
            ctx.request(
                "POST",
                "/script-checks",
                json={"text": text, "language": lang, "speaker_role": role, "context": context},
            ),
            200,
            what="checkUtterance",
        )
        streamed, alone = _categories(ctx, verdict, "streamScriptChecks"), _categories(ctx, single, "checkUtterance")
        ctx.require(
            streamed == alone,
            f"for {role} turn {text[:30]!r} the stream found {streamed} but checkUtterance {alone}",
        )
    blocked = verdicts[1]
    ctx.require(
        blocked.get("verdict") == "block",
        f"the threat's verdict is {blocked.get('verdict')!r}, not 'block'",
        severity="critical",
    )
    category = next(v for v in blocked["violations"] if v.get("severity") == "blocking")
    alerts = [m for m in ctx.outbox() if m.get("kind") == "alert"]
    ctx.require(
        any(
            category["category"] in str(m.get("content")) and str(category.get("indicator")) in str(m.get("content"))
            for m in alerts
        ),
        f"no supervisor alert in the outbox names {category['category']} and {category.get('indicator')}",
        severity="critical",
    )
    index = blocked.get("evidence_index")
    ctx.require(isinstance(index, int), "the blocking verdict carries no evidence_index")
    entry = ctx.expect(ctx.request("GET", f"/evidence/entries/{index}", "supervisor"), 200, what="getEvidenceEntry")
    ctx.require(
        str(entry.get("entry", {}).get("kind", "")).startswith("script"),
        f"evidence entry {index} is a {entry.get('entry', {}).get('kind')!r}, not a script alert",
    )
