"""The checker's fast paths against straightforward implementations, so a speed change cannot move a verdict.

``views``, ``Engine.hits`` and ``Classifier.scores`` are written for speed (inlined branches, a C-level
column sum, tuples built without ``__new__``). Below are the plain versions they replaced (views and hits
as of ruleset 1.2.0; the scores recomputed from ``model.json`` and the training feature function), and the
tests require identical views, identical hits and the same scores (to rounding) on every train and dev
utterance and conversation turn of the corpus, and on generated evasions. They compare machinery with
machinery over the same lexicon and model, so they keep holding when rules, lexicons or the model change.
The test split is never read here.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icss.reference.scripts import Context, ScriptChecker, default_checker
from icss.reference.scripts._classifier import MODEL_PATH, features
from icss.reference.scripts._corpus import conversations, utterances
from icss.reference.scripts._engine import Engine, Hit
from icss.reference.scripts._normalise import _BREAK, _FOLD, _HAS_LEET, _JOINER_RE, _LEET, _TOKEN, _fold, views


def _texts() -> list[str]:
    out = [i["text"] for i in utterances("train", "dev")]
    out += [t["text"] for c in conversations("train", "dev") for t in c["turns"]]
    return out


def _evasions(n: int = 3000) -> list[str]:
    """Random strings over the characters the normaliser treats specially (seeded: the same every run)."""
    alphabet = [
        *"aikFUCK kill 1 3 0 5 @ $ * ' ’ ` ! . , ; ? 。，！ \n",
        "你",
        "妈",
        "還",
        "錢",
        "ｋ",
        "ﬁ",
        "㈱",
        "ā",
        "_",
        "-",
    ]
    rnd = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))) for _ in range(n)]


@pytest.fixture(scope="module")
def checker() -> ScriptChecker:
    return default_checker()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts() + _evasions()


# --- the straightforward versions -------------------------------------------------------------------


def _plain_breaks(text: str) -> tuple[int, ...]:
    out = []
    n = len(text)
    for m in _BREAK.finditer(text):
        i = m.start()
        ch = text[i]
        if ch in ",." and i < n - 1 and text[i + 1].isalnum():
            continue
        if ch == "!" and 0 < i < n - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            continue
        if ch == "." and i >= 1 and text[i - 1].isalpha() and (i < 2 or not text[i - 2].isalpha()):
            continue
        out.append(i)
    return tuple(out)


def _plain_views(text: str) -> tuple[Any, ...]:
    folded = "".join(_fold(ch) for ch in text)
    offsets = [i for i, ch in enumerate(text) for _ in range(len(_fold(ch)))]
    compact: list[str] = []
    compact_map: list[int] = []
    words: list[str] = [" "]
    words_map: list[int] = [0]
    run: list[tuple[str, Sequence[int]]] = []
    cjk = 0

    def emit(tok: str, offs: Sequence[int]) -> None:
        words.append(tok)
        words_map.extend(offs)
        words.append(" ")
        words_map.append(offs[-1])

    def piece(letters: Sequence[tuple[str, Sequence[int]]], least: int) -> None:
        if len(letters) >= least:
            emit("".join(t for t, _ in letters), [o for _, offs in letters for o in offs])
        else:
            for tok, offs in letters:
                emit(tok, offs)

    def flush() -> None:
        # 1.4.0: uneven gaps cut a spelled-out phrase into words at the wider gaps (pieces of two letters up).
        gaps = [run[i + 1][1][0] - run[i][1][-1] for i in range(len(run) - 1)]
        if len(run) >= 4 and len(set(gaps)) > 1:
            cuts = [0] + [i + 1 for i, g in enumerate(gaps) if g > min(gaps)] + [len(run)]
            for lo, hi in itertools.pairwise(cuts):
                piece(run[lo:hi], 2)
            run.clear()
            return
        if len(run) >= 4 and run[0][0] in ("a", "i"):
            emit(*run.pop(0))
        piece(run, 3)
        run.clear()

    for m in _TOKEN.finditer(folded):
        tok = m.group()
        a, b = m.span()
        if "\u3400" <= tok[0] <= "\u9fff" or "\uf900" <= tok[0] <= "\ufaff":
            cjk += len(tok)
            compact.append(tok)
            compact_map.extend(offsets[a:b])
            flush()
            emit(tok, offsets[a:b])
            continue
        tok = tok.replace("!", "i")
        if len(tok) > 1 and _JOINER_RE.search(tok):
            keep = [i for i, c in enumerate(tok) if c not in "*'’‘`"]
            offs: Sequence[int] = [offsets[a + i] for i in keep]
            tok = "".join(tok[i] for i in keep)
        else:
            offs = offsets[a:b]
        compact.append(tok)
        compact_map.extend(offs)
        if _HAS_LEET.search(tok) and any(c.isalpha() for c in tok):
            tok = "".join(_LEET.get(c, c) for c in tok)
        if len(tok) == 1 and tok.isalpha():
            run.append((tok, offs))
            continue
        flush()
        emit(tok, offs)
    flush()
    compact_text = "".join(compact)
    return (
        text,
        compact_text,
        tuple(compact_map),
        "".join(words),
        tuple(words_map),
        _plain_breaks(text),
        cjk,
        len(compact_text) - cjk,
    )


def _plain_hits(engine: Engine, text: str) -> dict[int, list[Hit]]:
    v = views(text)
    found: dict[int, list[Hit]] = {}
    for end, (length, ids) in engine._zh.iter(v.compact) if v.compact else ():
        s, e = v.compact_map[end - length + 1], v.compact_map[end] + 1
        for cid in ids:
            found.setdefault(cid, []).append(Hit(cid, s, e, v.clause(s), True))
    for end, (length, ids) in engine._en.iter(v.words):
        first = end - length + 2
        last = end - 1 if v.words[end] == " " else end
        if last < first:
            continue
        s, e = v.words_map[first], v.words_map[last] + 1
        for cid in ids:
            found.setdefault(cid, []).append(Hit(cid, s, e, v.clause(s), False))
    safe = found.pop(engine._safe, None)
    if safe:
        for cid, hs in list(found.items()):
            kept = [h for h in hs if not any(z.start <= h.start and h.end <= z.end for z in safe)]
            if kept:
                found[cid] = kept
            else:
                del found[cid]
    return found


def _plain_scores(doc: dict[str, Any], text: str, concepts: Sequence[str]) -> Iterator[float]:
    present = set(features(views(text), concepts)) & doc["weights"].keys()
    for k, bias in enumerate(doc["bias"]):
        yield bias + sum(w for f in present for kk, w in doc["weights"][f] if kk == k)


# --- the comparisons ----------------------------------------------------------------------------------


def test_ascii_folds_to_lower_case() -> None:
    """views() folds ASCII text with str.lower(): it must agree with the per-character fold."""
    assert [c for c in map(chr, range(128)) if _fold(c) != c.lower()] == []
    assert all(chr(c).translate(_FOLD) == _fold(chr(c)) for c in range(0x3000, 0x3100))


def test_views_match_the_plain_version(texts: list[str]) -> None:
    differ = [t for t in texts if tuple(views(t)) != _plain_views(t)]
    assert differ == [], differ[:5]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="aAbeIiLstz 0159@$'!.,;?*`_-\n", max_size=40))
def test_ascii_views_match_the_plain_version(text: str) -> None:
    """The ASCII fast path (words, numbers, separators, apostrophes) and its hand-offs to the general path:
    spelled-out letters, leetspeak, joiners, "!" inside a word, every punctuation the corpus may not have."""
    assert tuple(views(text)) == _plain_views(text)


def test_hits_match_the_plain_version(checker: ScriptChecker, texts: list[str]) -> None:
    for engine in (checker.engine, checker._disclosures):
        differ = [t for t in texts if engine.hits(views(t)) != _plain_hits(engine, t)]
        assert differ == [], differ[:5]


def test_scores_match_the_model_file(checker: ScriptChecker, texts: list[str]) -> None:
    """Same scores to rounding, and every score an exact sum of four-decimal numbers up to float noise, so the
    half-quantum comparison with the thresholds (``Classifier.assess``) cannot be flipped by summation order."""
    from icss.reference.scripts._classifier import QUANTUM

    classifier = checker.classifier
    assert classifier is not None
    doc = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    for text in texts[:: 3 if len(texts) > 3000 else 1]:
        v = views(text)
        concepts = checker.engine.concept_names(checker.engine.hits(v))
        fast = classifier.scores(v, concepts)
        assert fast == pytest.approx(list(_plain_scores(doc, text, concepts)), abs=1e-9), text
        assert all(abs(s / QUANTUM - round(s / QUANTUM)) < 1e-6 for s in fast), text


def test_a_score_that_sums_exactly_to_its_threshold_reaches_it() -> None:
    """0.1 + 0.2 - 0.3 is not 0.0 in floating point; a model whose weights sum to its threshold still flags."""
    from icss.reference.scripts._classifier import MODEL_VERSION, Classifier

    doc = {
        "version": MODEL_VERSION,
        "categories": ["threat_of_violence"],
        "bias": [-0.3],
        "thresholds": {"zh": [0.0], "en": [0.0]},
        "rule_veto": {"zh": 2.0, "en": 2.0},
        "cue_band": 0.5,
        "weights": {"w:one": [[0, 0.1]], "w:two": [[0, 0.2]]},
    }
    model = Classifier(doc)
    v = views("one two")
    assert model.scores(v)[0] != 0.0  # float noise: the exact sum is 0.0
    assert model.assess(v, "en") == (["threat_of_violence"], ["threat_of_violence"], [])  # within the cue band
    assert model.assess(views("one"), "en") == ([], [], [])  # -0.2: below, but not by the veto's margin


def test_checking_keeps_no_state_between_calls(checker: ScriptChecker) -> None:
    """The per-character caches and reused tables must not leak: train and dev checked forwards and backwards
    give the same outcomes."""
    items = utterances("train", "dev")
    first = [
        checker.check(
            i["text"], speaker_role=i["speaker_role"], language=i["language"], context=Context.from_json(i["context"])
        )
        for i in items
    ]
    second = [
        checker.check(
            i["text"], speaker_role=i["speaker_role"], language=i["language"], context=Context.from_json(i["context"])
        )
        for i in reversed(items)
    ]
    assert first == second[::-1]


def test_each_automaton_holds_only_terms_an_utterance_without_its_script_cannot_match(checker: ScriptChecker) -> None:
    """The premise of walking the Chinese automaton only over utterances with a Chinese character, and the
    word automaton only over utterances with another character (Engine.hits)."""

    def cjk(c: str) -> bool:
        return "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff"

    zh_keys = list(checker.engine._zh.keys())
    en_keys = list(checker.engine._en.keys())
    assert zh_keys
    assert en_keys
    assert all(any(cjk(c) for c in key) for key in zh_keys)
    assert all(any(not cjk(c) and not c.isspace() for c in key) for key in en_keys)
