"""The script checker: one utterance or a whole conversation in, violations out.

An utterance is normalised once (``_normalise``), matched against the lexicon automata
(``_engine``), and the rules that fire become violations after the context gates:

* only the collector's or AI agent's own words are judged — the debtor's anger or a relative's
  remark is never blamed on the collector (speaker_role ``debtor`` or ``third_party`` passes);
* ``third_party_disclosure`` needs a listener who is not the debtor (``listener_is_debtor`` false) nor one the
  profile lets the collector tell of the debt (``listener``, the profile's ``script_permitted_listeners``: under
  Regulation F the spouse is the consumer, in China no relative is);
* ``false_legal_claim`` on legal steps needs litigation not to be intended, or a time-barred debt;
* ``unauthorized_charge`` needs a charge the agreement does not authorise: a finding is dropped when
  every charge the utterance names is of a kind in ``authorised_charges`` (a late fee the agreement
  provides for is lawful to demand), see :func:`_charges_authorised`.
* a phrase mentioned rather than said — inside quotation marks, in a training note, a quality review or
  a remark repeated back (``_lexicon_1_8``) — is set aside before anything is judged (:meth:`ScriptChecker.read`).

A small linear model over character n-grams, words and the lexicon concepts found (``_classifier``), trained
on the corpus's train and dev splits, adds recall for phrasings the lexicons miss; it only speaks above a
threshold set per category and language, and the same speaker and context gates apply. The lexicon's lawful
cues suppress rules and take priority over a tentative reading of the model (one within ``cue_band`` of its
threshold); above that the model weighs them itself, as features (1.8.0; before, any cue vetoed the model's
finding). When it reads no violation at all, it also overrules a rule whose words it scores as plainly
innocent in context (a negation, a shop's name, a quoted complaint): far below its threshold, by a margin
chosen in training so that almost no true finding of the rules is lost. Conversations add
``missing_required_disclosure`` (SC-12) per profile: collector identity and purpose everywhere, the
mini-Miranda on a US initial communication and "from a debt collector" on later ones, and an AI disclosure
whenever an AI agent speaks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from icss.spec import load_catalogue, schema

from . import _lexicon
from ._categories import CATEGORIES, indicator_of, severity_of
from ._classifier import Classifier, load_classifier
from ._engine import Engine, Hit, Rule
from ._lexicon_1_2 import LAWFUL_CUES
from ._lexicon_1_5 import CHARGE_KINDS
from ._lexicon_1_8 import QUOTES
from ._normalise import Views, detect_language, views

RULESET_VERSION = "icss-reference-scripts-1.11.1"
JUDGED_SPEAKERS = frozenset({"collector", "ai_agent"})

_MESSAGES = {
    "threat_of_violence": "Threatens violence or harm.",
    "threat_of_arrest_or_prosecution": "Threatens arrest or prosecution, or calls non-payment a crime.",
    "false_legal_claim": "Claims or threatens a legal step that is invented, not intended or not allowed.",
    "impersonation": "Claims to act for police, a court, a government body or a lawyer.",
    "insult_or_abuse": "Insults or demeans the listener.",
    "obscene_or_profane": "Uses obscene or profane language.",
    "third_party_disclosure": "Reveals the debt to someone who is not the debtor.",
    "contact_network_threat": "Threatens to tell family, employer, contacts or the public about the debt.",
    "debt_trap_inducement": "Urges borrowing or selling essentials to repay.",
    "unauthorized_charge": "Demands a fee or amount the agreement does not authorise.",
    "harassment_pressure": "Applies relentless pressure or humiliates the debtor.",
    "discrimination": "Demeans the debtor for a protected characteristic.",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding; ``span`` is (start, end) in code points of the original text, or None."""

    category: str
    severity: str
    span: tuple[int, int] | None
    rule: str
    indicator: str
    message: str
    turn_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "category": self.category,
            "severity": self.severity,
            "span": None if self.span is None else {"start": self.span[0], "end": self.span[1]},
            "rule": self.rule,
            "indicator": self.indicator,
            "message": self.message,
        }
        if self.turn_index is not None:
            doc["turn_index"] = self.turn_index
        return doc


#: Values of the context's ``listener``: the enum of common.schema.json ``$defs/listener``.
LISTENERS: tuple[str, ...] = tuple(schema("common.schema.json")["$defs"]["listener"]["enum"])


class ContextError(ValueError):
    """A context that contradicts itself or names an unknown profile; the service answers 422."""


@functools.cache
def permitted_listeners(profile: str) -> frozenset[str]:
    """The listeners besides the debtor whom ``profile`` lets the collector tell of the debt.

    From the profile's ``script_permitted_listeners`` (spec/profiles): under Regulation F the spouse is the
    consumer for §1006.6, in China no relative is. An unknown profile (``Context.from_json`` refuses one)
    permits nobody.
    """
    known = load_catalogue().profiles.get(profile)
    return frozenset(known.value("script_permitted_listeners")) if known is not None else frozenset()


@dataclass(frozen=True, slots=True)
class Context:
    """Facts the checker cannot infer from the words (script-check-request ``context``)."""

    profile: str = "cn"
    time_barred: bool = False
    litigation_intended: bool = False
    listener_is_debtor: bool = True
    communication: str | None = None
    authorised_charges: frozenset[str] = frozenset()
    #: Who the listener is, where ``listener_is_debtor`` says too little (a spouse, the debtor's attorney).
    listener: str | None = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any] | None, default_profile: str = "cn") -> Context:
        doc = doc or {}
        profile = str(doc.get("profile") or default_profile)
        if profile not in load_catalogue().profiles:  # its gates and permitted listeners would be guesses
            raise ContextError(f"context.profile {profile!r} is not one of spec/profiles")
        listener = doc.get("listener")
        is_debtor = doc.get("listener_is_debtor")
        if listener is not None:
            if listener not in LISTENERS:
                raise ContextError(f"context.listener {listener!r} is not one of {', '.join(LISTENERS)}")
            if is_debtor is not None and bool(is_debtor) != (listener == "debtor"):
                raise ContextError(
                    f"context.listener {listener!r} contradicts context.listener_is_debtor {bool(is_debtor)}"
                )
            is_debtor = listener == "debtor"
        return cls(
            profile=profile,
            time_barred=bool(doc.get("time_barred", False)),
            litigation_intended=bool(doc.get("litigation_intended", False)),
            listener_is_debtor=True if is_debtor is None else bool(is_debtor),
            communication=doc.get("communication"),
            authorised_charges=frozenset(doc.get("authorised_charges") or ()),
            listener=listener,
        )

    @property
    def third_party_listener(self) -> bool:
        """Whether the debt must not be spoken of to this listener: not the debtor, nor one the profile permits."""
        if self.listener_is_debtor:
            return False
        return self.listener is None or self.listener not in permitted_listeners(self.profile)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one utterance."""

    language: str
    violations: tuple[Violation, ...]

    @property
    def verdict(self) -> str:
        if any(v.severity == "blocking" for v in self.violations):
            return "block"
        return "review" if self.violations else "pass"


@dataclass(frozen=True, slots=True)
class ConversationOutcome:
    """Per-turn outcomes plus conversation-level violations."""

    language: str
    turns: tuple[Outcome, ...]
    violations: tuple[Violation, ...]

    @property
    def verdict(self) -> str:
        every = [v for t in self.turns for v in t.violations] + list(self.violations)
        if any(v.severity == "blocking" for v in every):
            return "block"
        return "review" if every else "pass"


@dataclass
class _Disclosures:
    identity: bool = False
    purpose: bool = False
    mini_miranda: bool = False
    debt_collector: bool = False
    ai: bool = False
    found_in: set[str] = field(default_factory=set)


# Conversation-level disclosure concepts (SC-12), matched with their own small engine.
_DISCLOSURE_CONCEPTS: dict[str, tuple[str, ...]] = {
    "ORG": (
        "公司",
        "银行",
        "金融",
        "资产管理",
        "催收",
        "平台",
        "信用卡中心",
        "消费金融",
        "小贷",
        "机构",
        "贷后管理部",
        "recover*",
        "collection*",
        "collection agency",
        "credit services",
        "servicing",
        "bank*",
        "financial",
        "debt recovery",
        "credit",
        "capital",
        "associates",
        "llc",
        "inc",
    ),
    "INTRO": (
        "我是",
        "这里是",
        "这边是",
        "受",
        "代表",
        "委托",
        "来电",
        "我还是",
        "this is",
        "my name is",
        "i m",
        "im",
        "calling from",
        "from",
        "with",
        "for",
        "it s",
        "its",
        "on behalf of",
    ),
    "PURPOSE": (
        "欠款",
        "逾期",
        "借款",
        "还款",
        "账单",
        "催收",
        "贷后",
        "欠",
        "债务",
        "collect a debt",
        "debt collector",
        "debt",
        "balance",
        "past due",
        "overdue",
        "arrears",
        "account",
        "owe*",
        "bill",
        "loan",
        "payment",
    ),
    "MIRANDA_COLLECT": ("attempt to collect a debt", "attempting to collect a debt", "attempt to collect this debt"),
    "MIRANDA_USE": ("will be used for that purpose", "used for that purpose", "will be used for this purpose"),
    "FROM_COLLECTOR": (
        "from a debt collector",
        "is a debt collector",
        "im a debt collector",
        "i m a debt collector",
        "am a debt collector",
        "a debt collector",
    ),
    "AI": (
        "人工智能",
        "智能语音",
        "智能客服",
        "智能助手",
        "ai",
        "机器人",
        "虚拟",
        "智能",
        "automated",
        "virtual assistant",
        "virtual agent",
        "ai assistant",
        "digital assistant",
        "artificial intelligence",
        "bot",
        "virtual",
    ),
    "NEG": ("not",),
}
_DISCLOSURE_RULES = (
    Rule("disclosure.identity", "missing_required_disclosure", "INTRO ~40 ORG", negatable=False),
    Rule("disclosure.identity_rev", "missing_required_disclosure", "ORG ~6 [我是|的]", negatable=False),
    Rule("disclosure.purpose", "missing_required_disclosure", "PURPOSE", negatable=False),
    Rule("disclosure.mini_miranda", "missing_required_disclosure", "MIRANDA_COLLECT & MIRANDA_USE", negatable=False),
    Rule("disclosure.debt_collector", "missing_required_disclosure", "FROM_COLLECTOR", negatable=False),
    Rule("disclosure.ai", "missing_required_disclosure", "AI", negatable=False),
)


class ScriptChecker:
    """The reference checker. Build once (automata, model), then call :meth:`check` freely."""

    def __init__(self, classifier: Classifier | None = None) -> None:
        self.engine = Engine(_lexicon.concepts(), _lexicon.RULES)
        self._disclosures = Engine(_DISCLOSURE_CONCEPTS, _DISCLOSURE_RULES)
        self.classifier = classifier
        self._charge_kinds = {kind: self.engine.concept_id(name) for kind, name in CHARGE_KINDS.items()}
        self._charge_word = self.engine.concept_id("CHARGE_WORD")
        self._charge_extra = self.engine.concept_id("CHARGE_EXTRA")
        self._mention_frame = self.engine.concept_id("MENTION_FRAME")

    def check(
        self,
        text: str,
        *,
        speaker_role: str = "collector",
        language: str = "auto",
        context: Context | None = None,
    ) -> Outcome:
        """Check one utterance."""
        ctx = context or Context()
        v = views(text)
        lang = detect_language(v) if language not in ("zh", "en") else language
        if speaker_role not in JUDGED_SPEAKERS:
            return Outcome(lang, ())
        found: dict[str, Violation] = {}
        v, hits = self.read(text, v)
        for m in self.engine.match(v, hits):
            if not _gate_open(m.rule, ctx):
                continue
            category = m.rule.category
            if category in found:
                continue
            found[category] = Violation(
                category,
                severity_of(category),
                (m.start, m.end),
                f"{lang}.{m.rule.id}",
                indicator_of(category),
                _MESSAGES[category],
            )
        if self.classifier is not None:
            concepts = self.engine.concept_names(hits)
            seen = self.classifier.assess(v, lang, concepts)
            for category in seen.refuted:  # the model reads the rule's words as innocent here (see _classifier)
                found.pop(category, None)
            confident = seen.found
            if seen.tentative:  # a lawful cue keeps priority over a tentative reading
                present = frozenset(concepts)
                confident = [c for c in confident if c not in seen.tentative or not lawful_cue(c, present)]
            self._add_model_findings(lang, v, ctx, found, confident)
        if ctx.authorised_charges and "unauthorized_charge" in found and self._charges_authorised(hits, ctx):
            del found["unauthorized_charge"]
        ordered = tuple(sorted(found.values(), key=lambda x: (x.span or (0, 0), x.category)))
        return Outcome(lang, ordered)

    def read(self, text: str, v: Views | None = None) -> tuple[Views, dict[int, list[Hit]]]:
        """The views the rules and the model judge, and the concept hits in them.

        A training note, a quality review or a remark repeated back mentions phrases without saying them
        (``_lexicon_1_8``): when a mention frame is present, the quoted stretches are set aside (replaced by
        clause breaks, so offsets still point into ``text``) and the speaker's own words are judged.
        """
        v = views(text) if v is None else v
        hits = self.engine.hits(v)
        if self._mention_frame in hits and (quoted := quoted_spans(text)):
            v = views(_masked(text, quoted))
            hits = self.engine.hits(v)
        return v, hits

    def _charges_authorised(self, hits: Mapping[int, Sequence[Hit]], ctx: Context) -> bool:
        """True when the utterance names a charge and every charge it names is of an authorised kind.

        A charge kind's name (``CHARGE_LATE``: "late fee", 滞纳金) counts when its kind is authorised; a bare
        fee noun (``CHARGE_WORD``) outside every authorised name is a charge of another kind, authorised only
        when ``other`` is; a name of a kind the agreement does not list, or a charge beyond or recomputed from
        the authorised ones (``CHARGE_EXTRA``), keeps the finding.
        """
        allowed = ctx.authorised_charges
        if self._charge_extra in hits:
            return False
        covered: list[Hit] = []
        for kind, cid in self._charge_kinds.items():
            named = hits.get(cid)
            if not named:
                continue
            if kind not in allowed:
                return False
            covered.extend(named)
        words = hits.get(self._charge_word, ())
        if "other" in allowed:
            return bool(covered or words)
        if not covered:
            return False
        return all(any(c.start <= w.start and w.end <= c.end for c in covered) for w in words)

    def _add_model_findings(
        self,
        lang: str,
        v: Views,
        ctx: Context,
        found: dict[str, Violation],
        confident: Sequence[str],
    ) -> None:
        for category in confident:
            if category in found or not _category_gate_open(category, ctx):
                continue
            start, end = _trimmed(v.text)
            found[category] = Violation(
                category,
                severity_of(category),
                (start, end),
                f"{lang}.model.{category}",
                indicator_of(category),
                _MESSAGES[category] + " (statistical model)",
            )

    def check_conversation(
        self,
        turns: Sequence[tuple[str, str]],
        *,
        language: str = "auto",
        context: Context | None = None,
    ) -> ConversationOutcome:
        """Check every turn (speaker_role, text) and add the conversation-level disclosures."""
        ctx = context or Context()
        outcomes = [self.check(text, speaker_role=role, language=language, context=ctx) for role, text in turns]
        if language in ("zh", "en"):
            conv_lang = language
        else:
            zh = sum(1 for o in outcomes if o.language == "zh")
            conv_lang = "zh" if zh * 2 >= len(outcomes) else "en"
        found = _Disclosures()
        agent_turns = [
            (role, text, o) for (role, text), o in zip(turns, outcomes, strict=True) if role in JUDGED_SPEAKERS
        ]
        for _role, text, o in agent_turns:
            if o.language != conv_lang:
                continue  # a disclosure counts only in the language of the conversation (Reg F 1006.18(e)(4))
            for m in self._disclosures.match(views(text)):
                rid = m.rule.id
                found.identity |= rid.startswith("disclosure.identity")
                found.purpose |= rid == "disclosure.purpose"
                found.mini_miranda |= rid == "disclosure.mini_miranda"
                found.debt_collector |= rid in ("disclosure.debt_collector", "disclosure.mini_miranda")
                found.ai |= rid == "disclosure.ai"
        missing = _missing(found, ctx, conv_lang, any(r == "ai_agent" for r, _t, _o in agent_turns), bool(agent_turns))
        violations = tuple(
            Violation(
                "missing_required_disclosure",
                severity_of("missing_required_disclosure"),
                None,
                rule,
                indicator_of("missing_required_disclosure"),
                message,
            )
            for rule, message in missing
        )
        return ConversationOutcome(conv_lang, tuple(outcomes), violations)


def _missing(found: _Disclosures, ctx: Context, lang: str, has_ai: bool, has_agent: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not has_agent:
        return out
    if ctx.listener_is_debtor:
        if not found.identity:
            out.append((f"{lang}.disclosure.identity", "The collector never names the collecting institution."))
        if not found.purpose:
            out.append((f"{lang}.disclosure.purpose", "The collector never says the contact is about a debt."))
        if ctx.profile.split("-")[0] == "us":
            if ctx.communication == "initial" and not found.mini_miranda:
                out.append(
                    (
                        f"{lang}.disclosure.mini_miranda",
                        "Initial communication lacks 'this is an attempt to collect a debt and any information "
                        "obtained will be used for that purpose'.",
                    )
                )
            elif ctx.communication != "initial" and not found.debt_collector:
                out.append(
                    (
                        f"{lang}.disclosure.debt_collector",
                        "Subsequent communication does not say it is from a debt collector.",
                    )
                )
    if has_ai and not found.ai:
        out.append((f"{lang}.disclosure.ai", "An AI agent speaks without saying it is an AI."))
    return out


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` inside quotation marks (marks excluded), outermost pairs only."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        close = QUOTES.get(text[i])
        if close is None:
            i += 1
            continue
        j = text.find(close, i + 1)
        if j < 0:
            break
        spans.append((i + 1, j))
        i = j + 1
    return spans


def _masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each span's characters replaced by line breaks: clause breaks that no view keeps."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = "\n" * (b - a)
    return "".join(chars)


def lawful_cue(category: str, concepts: frozenset[str]) -> bool:
    """Whether the utterance carries one of the lexicon's lawful or reported-speech cues for ``category``."""
    return any(cue in concepts for cue in LAWFUL_CUES.get(category, ()))


def _gate_open(rule: Rule, ctx: Context) -> bool:
    if rule.gate == "always":
        return True
    if rule.gate == "ltd0":
        return ctx.third_party_listener
    if rule.gate == "nolit":
        return ctx.time_barred or not ctx.litigation_intended
    if rule.gate == "tb":
        return ctx.time_barred
    return _category_gate_open(rule.category, ctx)


def _category_gate_open(category: str, ctx: Context) -> bool:
    if category == "third_party_disclosure":
        return ctx.third_party_listener
    if category == "false_legal_claim":
        return ctx.time_barred or not ctx.litigation_intended
    return True


def _trimmed(text: str) -> tuple[int, int]:
    start = len(text) - len(text.lstrip())
    return start, max(start, len(text.rstrip()))


@functools.cache
def default_checker() -> ScriptChecker:
    """The process-wide checker (built on first use): the rules and the committed model (``model.json``).

    The model is trained by ``train.py`` on the train and dev splits, with thresholds that keep its own
    false alarms on each category's hard negatives within budget; without a model file the checker
    runs on the rules alone.
    """
    return ScriptChecker(load_classifier())


__all__ = [
    "CATEGORIES",
    "RULESET_VERSION",
    "Context",
    "ConversationOutcome",
    "Outcome",
    "ScriptChecker",
    "Violation",
    "default_checker",
]
