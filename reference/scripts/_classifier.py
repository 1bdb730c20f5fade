"""A small linear model over n-grams and lexicon concepts, trained on the corpus's train and dev splits.

The rules catch what their lexicons name; this model adds recall for phrasings they miss. It is one
logistic regression per category (one-vs-rest) over binary features of four kinds:

* ``g:`` character 1- to 3-grams of the compact view that contain a Chinese character (Chinese words
  without a segmenter: jieba's dictionary would cost a segmentation pass per utterance, while the
  n-grams cost one automaton pass);
* ``w:`` the Latin words of the word view (word pairs were tried and cost recall on held-out folds);
* ``l:`` (since model version 3) the first three to five characters of each Latin word of the word view,
  with the space before it: stems that survive inflection and spellings nobody listed ("deadb", "kil",
  "haras"); after a short word the gram runs into the next one (" a lo", " u r"), so short word pairs are
  read too. Every 3- to 5-gram was tried as well: three points more recall on held-out new phrasings, but
  five times the grams per English utterance, and the model's scoring cost three times as much;
* ``c:`` the lexicon concepts the rule engine found in the utterance (``THREAT_VERB``, ``NETWORK``,
  ``NEG`` …) — so the model learns how the project's own vocabulary combines, not only surface strings.

Since model version 4 the Latin words read by ``w:`` and ``l:`` features carry their negation: the
``NEGATION_SCOPE`` words after "not", "never", "won't" … are marked with a leading ``~`` (``model_words``),
as in sentiment classifiers since Das and Chen (2001). A bag of words cannot tell "you will be arrested"
from "you will not be arrested"; with ``~arrested`` a word of its own, a reassurance no longer borrows the
threat's weight. On the 1.5.0 blind items it bought about one point of recall at a lower false-alarm rate;
a scope of six words (to the end of most clauses: "not be arrested or jailed") beat three on false alarms.
Since model version 6 articles, "to", forms of "be" and "going" (``SCOPE_FILLERS``) are marked but do not use
up the scope: "No one is going to call the police over this account" negates "police", which it did not (a
lawful reassurance the model read as a threat of arrest). On the retired 1.10.0 blind items, with the model
trained without them, recall 0.975 and FPR 0.015 against 0.979 and 0.013 before: a few items either way, kept
for the reassurance it reads right.

Each category keeps its strongest weights and is stored as JSON (``model.json``, written by
``train.py``): no pickle, no download, about 1.5 MB. At run time the kept character n-grams
sit in two Aho-Corasick automata (Chinese grams over the compact view, Latin grams over the word view),
so scoring costs one pass over each view and a look-up per word.
A category is reported only when its score clears a threshold per language, chosen on out-of-fold scores
so that rules and model together stay within a false-alarm budget on that category's hard negatives;
the checker applies the same speaker and context gates to the model as to the rules.

Since model version 4 the model also answers for the rules' words in context: a lexicon term fires on
"never mention arrest", on a shop called "Lazy Dog" or on 屌丝烧烤 as surely as on a threat or an insult,
while the model, trained with such look-alikes as hard negatives, scores them far below its threshold. A
rule finding is dropped when the model finds no violation at all in the utterance and its score for the
rule's category lies more than ``rule_veto`` (per language) below the threshold: a margin chosen on
out-of-fold scores so that almost no true finding of the rules is lost (``train.py``). Only a quiet model
overrules: one that reads a threat in "I'll have the sheriff pick you up, you deadbeat" may well score
the insult low, because the corpus labels many such lines with their main category only.

Since model version 5 a finding within ``cue_band`` above its threshold is *tentative*: the checker drops it
when the utterance carries a lawful cue of its category (before, any cue vetoed any finding of the model,
and some cues are common words). The thresholds are chosen without that drop, so it can only lower the
false alarms the thresholds were chosen for.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import ahocorasick  # type: ignore[import-not-found,import-untyped,unused-ignore]
import numpy as np

from ._normalise import Views

MODEL_PATH = Path(__file__).with_name("model.json")
#: Words after which the next ``NEGATION_SCOPE`` Latin words are read as negated (the word view drops
#: apostrophes, so "won't" is "wont").
NEGATIONS = frozenset(
    {
        *("not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "without", "cannot"),
        *("dont", "doesnt", "didnt", "wont", "cant", "isnt", "arent", "wasnt", "werent"),
        *("wouldnt", "shouldnt", "couldnt"),
    }
)
NEGATION_SCOPE = 6
#: Words that do not use up the negation's scope (model version 6): "no one is going to call the police" negates
#: "police", the third word of weight after "no" but the seventh in all.
SCOPE_FILLERS = frozenset(
    {"a", "an", "the", "to", "is", "are", "be", "been", "being", "am", "was", "were", "going", "gonna", "of", "any"}
)
_SECOND = operator.itemgetter(1)
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")  # as _normalise counts Chinese characters
MODEL_VERSION = 6
#: The precision of every number ``model.json`` stores (``train.py`` rounds to four decimals).
QUANTUM = 1e-4
#: Character n-gram lengths of the compact view.
NGRAMS = (1, 2, 3)
#: Lengths, the leading space included, of the word-initial grams of the word view's Latin text.
LATIN_NGRAMS = (4, 5, 6)


def features(v: Views, concepts: Iterable[str]) -> Iterator[str]:
    """Every feature of an utterance (training reads them all; scoring looks up only the kept ones)."""
    c = v.compact
    for n in NGRAMS:
        for i in range(len(c) - n + 1):
            gram = c[i : i + n]
            # Latin text is read as words; its letter n-grams cost time, not recall. Only grams with a Chinese
            # character: the scorer walks the compact view only when it holds one (a Polish "ł" is no reason).
            if _CJK.search(gram):
                yield "g:" + gram
    w = model_words(v.words)
    yield from _word_features(w)
    if v.latin_chars:
        for n in LATIN_NGRAMS:
            for i in range(len(w) - n + 1):
                gram = w[i : i + n]
                if gram[0] == " " and gram.isascii() and " " not in gram[1:2]:
                    yield "l:" + gram
    for name in concepts:
        yield "c:" + name


def _word_features(words: str) -> Iterator[str]:
    for w in words.split():
        if w.isascii():
            yield "w:" + w


def model_words(words: str) -> str:
    """The word view as the model reads it: the Latin words after a negation marked ``~``, up to ``NEGATION_SCOPE``
    of them not counting ``SCOPE_FILLERS``.

    Text without a negation (most of it) is returned as it is.
    """
    return _read_words(words)[0]


def _read_words(words: str) -> tuple[str, list[str]]:
    """:func:`model_words` and its tokens: the scorer looks the tokens up as words and walks the string for grams."""
    tokens = words.split()
    if NEGATIONS.isdisjoint(tokens):
        return words, tokens
    tokens = _negated(tokens)
    return " " + " ".join(tokens) + " ", tokens


def _negated(tokens: list[str]) -> list[str]:
    """``tokens`` with the Latin words in each negation's scope marked ``~`` (see :func:`model_words`)."""
    out: list[str] = []
    left = 0
    for w in tokens:
        if w in NEGATIONS:
            left = NEGATION_SCOPE
        elif left and w.isascii():
            w = "~" + w
            if w[1:] not in SCOPE_FILLERS:
                left -= 1
        out.append(w)
    return out


class Assessment(NamedTuple):
    """What the model reads in one utterance."""

    found: list[str]  # categories at or above their threshold
    tentative: list[str]  # of those, the ones within ``cue_band`` of it: a lawful cue of the category drops them
    refuted: list[str]  # categories whose rule findings are dropped (see ``rule_veto``)


class Classifier:
    """Scores utterances with the pruned weights of ``model.json``."""

    def __init__(self, doc: dict[str, Any]) -> None:
        if doc.get("version") != MODEL_VERSION:
            raise ValueError(f"model.json version {doc.get('version')}, expected {MODEL_VERSION}: retrain")
        self.categories: list[str] = list(doc["categories"])
        self.bias: list[float] = [float(b) for b in doc["bias"]]
        self.thresholds: dict[str, list[float]] = {
            lang: [float(t) for t in ts] for lang, ts in doc["thresholds"].items()
        }
        # Bias, weights, thresholds and margins are stored with four decimals, so an exact score is a multiple of
        # QUANTUM and so is every limit: compared half a quantum off, a score that sums exactly to its threshold
        # reaches it whatever the order (and float noise) of the summation.
        self._reach = {lang: [t - QUANTUM / 2 for t in ts] for lang, ts in self.thresholds.items()}
        # A finding scoring less than ``cue_band`` above its threshold is tentative: a lawful cue in the utterance keeps
        # priority over such a reading (model 5; the checker drops it), not over a sure one (train.CUE_BAND).
        self.cue_band = float(doc["cue_band"])
        self._sure = {lang: [t + self.cue_band - QUANTUM / 2 for t in ts] for lang, ts in self.thresholds.items()}
        # A rule finding whose category scores below its threshold minus the language's margin is dropped.
        self._refute = {
            lang: [t - float(doc["rule_veto"][lang]) - QUANTUM / 2 for t in ts] for lang, ts in self.thresholds.items()
        }
        # One dense row of weights (one per category, 0.0 where the feature does not weigh) per kept feature:
        # ``scores`` gathers the rows of the features present and sums them in NumPy, which beats summing the
        # transposed rows in Python twofold (and a loop over sparse (category, weight) pairs sixfold).
        rows: list[list[float]] = []
        self._word_index: dict[str, int] = {}  # word features by the bare word
        self._concept_index: dict[str, int] = {}  # concept features by bare concept name
        self._grams = ahocorasick.Automaton()
        self._latin = ahocorasick.Automaton()
        for feat, pairs in doc["weights"].items():
            row = [0.0] * len(self.categories)
            for k, w in pairs:
                row[int(k)] += float(w)
            rows.append(row)
            if feat.startswith("g:"):
                self._grams.add_word(feat[2:], len(rows) - 1)
            elif feat.startswith("l:"):
                self._latin.add_word(feat[2:], len(rows) - 1)
            elif feat.startswith("c:"):
                self._concept_index[feat[2:]] = len(rows) - 1
            elif feat.startswith("w:"):
                self._word_index[feat[2:]] = len(rows) - 1
            else:
                raise ValueError(f"model.json: unknown feature kind {feat!r}")
        self._weights = np.array(rows, dtype=np.float64).reshape(len(rows), len(self.categories))
        self._bias = np.array(self.bias, dtype=np.float64)
        if len(self._grams):
            self._grams.make_automaton()
        if len(self._latin):
            self._latin.make_automaton()

    def scores(self, v: Views, concepts: Iterable[str] = ()) -> list[float]:
        """The raw linear score (log-odds) of each category."""
        # Binary features: each kept feature counts once, however often it occurs. Everything here runs
        # in C (map, itemgetter, set.update); a word or concept the model does not keep maps to None.
        present: set[int | None] = set()
        if v.cjk_chars and len(self._grams):  # the kept n-grams all contain a Chinese character
            present.update(map(_SECOND, self._grams.iter(v.compact)))
        words, tokens = _read_words(v.words)
        if v.latin_chars and len(self._latin):
            present.update(map(_SECOND, self._latin.iter(words)))
        present.update(map(self._word_index.get, tokens))
        present.update(map(self._concept_index.get, concepts))
        present.discard(None)
        if not present:
            return list(self.bias)
        index = np.fromiter(present, dtype=np.intp, count=len(present))  # None was discarded above
        total: list[float] = (self._weights.take(index, axis=0).sum(axis=0) + self._bias).tolist()
        return total

    def assess(self, v: Views, lang: str, concepts: Iterable[str] = ()) -> Assessment:
        """The categories the model finds (and which of them tentatively), and those it refutes."""
        limits = self._reach.get(lang) or self._reach["en"]
        scores = self.scores(v, concepts)
        cats = self.categories
        found = [k for k, (s, t) in enumerate(zip(scores, limits, strict=True)) if s >= t]
        if found:  # the model reads a violation here: it overrules nothing (its categories may be too few)
            sure = self._sure.get(lang) or self._sure["en"]
            return Assessment([cats[k] for k in found], [cats[k] for k in found if scores[k] < sure[k]], [])
        floors = self._refute.get(lang) or self._refute["en"]
        return Assessment([], [], [cats[k] for k, (s, f) in enumerate(zip(scores, floors, strict=True)) if s < f])


def load_classifier(path: Path = MODEL_PATH) -> Classifier | None:
    """The committed model, or None when it has not been trained."""
    if not path.is_file():
        return None
    return Classifier(json.loads(path.read_text(encoding="utf-8")))
