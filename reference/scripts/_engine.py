"""The rule engine: concepts matched with Aho-Corasick automata, rules as ordered concept chains.

A *concept* is a named set of terms (``THREAT_VERB_ZH``). Terms with Chinese characters are matched
in the compact view; Latin terms in the word view between token boundaries (a trailing ``*`` makes
a prefix term: ``garnish*`` matches "garnished"). Two automata hold every term of every concept, so
one pass over each view finds all concept hits of an utterance.

A *rule* is a chain of concepts, written ``A ~12 B & C``: B must start after A ends, within 12
characters and in the same clause (``~`` without a number: anywhere later in the clause), and C
anywhere in the utterance. ``[term|term]`` inlines an anonymous concept. A chain is cancelled when
a negation cue (``NEG``) sits shortly before or inside it in the same clause, and the rule is
suppressed when any of its ``unless`` concepts occurs in the utterance. Context gates (listener,
litigation, time bar) and the speaker are applied by the checker, not here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick  # type: ignore[import-not-found,import-untyped,unused-ignore]

from ._normalise import Views

_TOKEN = re.compile(r"\[[^\]]*\]|~\d*|&|[A-Z][A-Z0-9_]*")
#: How far before a chain (original characters) a negation cue still cancels it.
NEG_WINDOW_ZH = 10
NEG_WINDOW_EN = 24


@dataclass(frozen=True, slots=True)
class Rule:
    """One detection rule (see the module docstring for the pattern syntax)."""

    id: str
    category: str
    pattern: str
    gate: str = ""
    unless: tuple[str, ...] = ()
    negatable: bool = True


@dataclass(frozen=True, slots=True)
class _Step:
    concept: int
    op: str  # "" for the first step, "~" ordered within the clause, "&" anywhere
    gap: int  # for "~": maximum characters between the previous hit's end and this hit's start


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    steps: tuple[_Step, ...]
    unless: tuple[int, ...]
    needs: frozenset[int]


class Hit(NamedTuple):
    """One occurrence of a concept (a named tuple: the hot path creates dozens per utterance)."""

    concept: int
    start: int  # original offsets, end exclusive
    end: int
    clause: int
    cjk: bool


#: Builds a Hit without the named tuple's Python-level ``__new__`` (a third of the cost, and hits() makes dozens).
_new_hit = tuple.__new__


class Match(NamedTuple):
    """A rule that fired, with the span of its chain (a named tuple, built on the hot path)."""

    rule: Rule
    start: int
    end: int


def _is_cjk_term(term: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in term)


class Engine:
    """Compiled concepts and rules; :meth:`match` is the hot path."""

    def __init__(self, concepts: Mapping[str, Iterable[str]], rules: Sequence[Rule]) -> None:
        self._names: list[str] = []
        self._ids: dict[str, int] = {}
        terms: dict[str, set[str]] = {}
        for name, words in concepts.items():
            terms[name] = set(words)
        compiled: list[CompiledRule] = []
        anon = 0
        for rule in rules:
            steps: list[_Step] = []
            op, gap = "", 0
            for part in _TOKEN.findall(rule.pattern):
                if part == "&":
                    op, gap = "&", 0
                    continue
                if part.startswith("~"):
                    op, gap = "~", int(part[1:]) if len(part) > 1 else 10_000
                    continue
                if part.startswith("["):
                    anon += 1
                    name = f"_anon{anon}"
                    terms[name] = {t.strip() for t in part[1:-1].split("|") if t.strip()}
                else:
                    name = part
                    if name not in terms:
                        raise KeyError(f"rule {rule.id} names unknown concept {name}")
                steps.append(_Step(self._id(name), op, gap))
                op, gap = "", 0
            if not steps or steps[0].op:
                raise ValueError(f"rule {rule.id}: bad pattern {rule.pattern!r}")
            unless = tuple(self._id(u) for u in rule.unless)
            compiled.append(CompiledRule(rule, tuple(steps), unless, frozenset(s.concept for s in steps)))
        for name in terms:
            self._id(name)
        self._neg = self._id("NEG") if "NEG" in terms else -1
        self._safe = self._id("SAFE") if "SAFE" in terms else -1
        self.rules = tuple(compiled)
        #: Concept id -> name, for the named concepts only (inline ``[a|b]`` concepts are left out).
        self._named = {i: name for i, name in enumerate(self._names) if not name.startswith("_anon")}
        self._by_anchor: dict[int, list[CompiledRule]] = {}
        for cr in compiled:
            self._by_anchor.setdefault(cr.steps[0].concept, []).append(cr)
        self._zh = ahocorasick.Automaton()
        self._en = ahocorasick.Automaton()
        zh_terms: dict[str, list[int]] = {}
        en_terms: dict[str, list[int]] = {}
        for name, words in terms.items():
            cid = self._ids[name]
            for word in words:
                w = word.lower()
                if _is_cjk_term(w):
                    zh_terms.setdefault(re.sub(r"\W", "", w), []).append(cid)
                else:
                    key = " " + " ".join(w[:-1].split()) if w.endswith("*") else " " + " ".join(w.split()) + " "
                    en_terms.setdefault(key, []).append(cid)
        for key, ids in zh_terms.items():
            self._zh.add_word(key, (len(key), tuple(sorted(set(ids)))))
        for key, ids in en_terms.items():
            self._en.add_word(key, (len(key), tuple(sorted(set(ids)))))
        self._zh.make_automaton()
        self._en.make_automaton()

    def _id(self, name: str) -> int:
        if name not in self._ids:
            self._ids[name] = len(self._names)
            self._names.append(name)
        return self._ids[name]

    def concept_name(self, concept: int) -> str:
        return self._names[concept]

    def concept_id(self, name: str) -> int:
        """The id of a named concept, or -1 when the engine has none of that name."""
        return self._ids.get(name, -1)

    def concept_names(self, found: Mapping[int, object]) -> list[str]:
        """Names of the named concepts among ``found`` (inline ``[a|b]`` concepts are left out)."""
        named = self._named
        return [named[c] for c in found if c in named]

    def hits(self, v: Views) -> dict[int, list[Hit]]:
        """All concept hits of an utterance, by concept, in original offsets."""
        found: dict[int, list[Hit]] = {}
        add = found.setdefault
        breaks = v.breaks
        # Every Chinese-view term holds a Chinese character, every word-view term a character that is not one:
        # an utterance without the one or the other cannot match that automaton, which is then not walked.
        if v.cjk_chars:
            cmap = v.compact_map
            for end, (length, ids) in self._zh.iter(v.compact):
                s, e = cmap[end - length + 1], cmap[end] + 1
                c = bisect_right(breaks, s) if breaks else 0  # the clause, as Views.clause
                for cid in ids:
                    add(cid, []).append(_new_hit(Hit, (cid, s, e, c, True)))
        wmap = v.words_map
        words = v.words
        for end, (length, ids) in self._en.iter(words) if v.latin_chars else ():
            first = end - length + 2  # skip the leading boundary space
            last = end - 1 if words[end] == " " else end
            if last < first:
                continue
            s, e = wmap[first], wmap[last] + 1
            c = bisect_right(breaks, s) if breaks else 0
            for cid in ids:
                add(cid, []).append(_new_hit(Hit, (cid, s, e, c, False)))
        safe = found.pop(self._safe, None)
        if safe:  # drop hits inside innocent words (操作, 靠谱, Scunthorpe)
            for cid, hs in list(found.items()):
                kept = [h for h in hs if not any(z.start <= h.start and h.end <= z.end for z in safe)]
                if kept:
                    found[cid] = kept
                else:
                    del found[cid]
        return found

    def match(self, v: Views, found: dict[int, list[Hit]] | None = None) -> list[Match]:
        """Rules that fire on ``v``."""
        if found is None:
            found = self.hits(v)
        if not found:
            return []
        present = found.keys()
        negs = found.get(self._neg, ())
        out: list[Match] = []
        for anchor in present:
            for cr in self._by_anchor.get(anchor, ()):
                if not cr.needs <= present:
                    continue
                if any(u in present for u in cr.unless):
                    continue
                chain = self._chain(cr, found, negs)
                if chain is not None:
                    out.append(Match(cr.rule, chain[0], chain[1]))
        return out

    def _chain(self, cr: CompiledRule, found: dict[int, list[Hit]], negs: Sequence[Hit]) -> tuple[int, int] | None:
        steps = cr.steps

        def extend(i: int, prev: Hit, first: Hit, lo: int, hi: int) -> tuple[int, int] | None:
            if i == len(steps):
                if cr.rule.negatable and negs and _negated(first, prev, negs):
                    return None
                return lo, hi
            step = steps[i]
            for h in found[step.concept]:
                if step.op == "~":
                    # Gaps are in original characters; a Latin word carries about a third of a Chinese one's meaning.
                    gap = step.gap if h.cjk else step.gap * 5 // 2
                    if h.start < prev.end or h.clause != prev.clause or h.start - prev.end > gap:
                        continue
                    got = extend(i + 1, h, first, min(lo, h.start), max(hi, h.end))
                else:  # "&": anywhere; ordered steps after it chain from this hit
                    got = extend(
                        i + 1,
                        h if i + 1 < len(steps) and steps[i + 1].op == "~" else prev,
                        first,
                        min(lo, h.start),
                        max(hi, h.end),
                    )
                if got is not None:
                    return got
            return None

        for h in found[steps[0].concept]:
            got = extend(1, h, h, h.start, h.end)
            if got is not None:
                return got
        return None


def _negated(first: Hit, last: Hit, negs: Sequence[Hit]) -> bool:
    window = NEG_WINDOW_ZH if first.cjk else NEG_WINDOW_EN
    for n in negs:
        if n.clause not in (first.clause, last.clause):
            continue
        if (
            first.start - window <= n.start
            and n.end <= max(last.start, first.end)
            and not (n.start >= first.start and n.end <= first.end)
        ):
            return True
    return False
