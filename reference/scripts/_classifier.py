"""A small linear model over character and word n-grams, trained on the corpus's train split.

The rules catch what their lexicons name; this model adds recall for paraphrases. It is one
logistic regression per category (one-vs-rest), pruned to its strongest n-grams and stored as JSON
(``model.json``, written by ``train.py``) — no pickle, no download, a few hundred kilobytes. At run
time it costs one dictionary look-up per n-gram. It only reports a category when its score clears a
threshold chosen on out-of-fold predictions of the train split, so it stays quiet on hard negatives;
the checker applies the same context gates to it as to the rules.

Categories that depend on facts outside the words (third_party_disclosure, false_legal_claim) are
left to the rules and the context.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._normalise import Views

MODEL_PATH = Path(__file__).with_name("model.json")


def features(v: Views) -> Iterator[str]:
    """n-grams of an utterance: character 2- and 3-grams of the compact view (Chinese, and Latin
    spelling variants), word 1- and 2-grams of the word view."""
    c = v.compact
    for i in range(len(c) - 1):
        yield c[i : i + 2]
        if i + 2 < len(c):
            yield c[i : i + 3]
    words = v.words.split()
    prev = "^"
    for w in words:
        if w.isascii():
            yield "w:" + w
            yield "b:" + prev + "_" + w
            prev = w
        else:
            prev = "^"


class Classifier:
    """Scores utterances with the pruned weights of ``model.json``."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.categories: list[str] = list(doc["categories"])
        self.bias: list[float] = [float(b) for b in doc["bias"]]
        self.thresholds: list[float] = [float(t) for t in doc["thresholds"]]
        table: dict[str, list[tuple[int, float]]] = {}
        for feat, pairs in doc["weights"].items():
            table[feat] = [(int(k), float(w)) for k, w in pairs]
        self._weights = table

    def scores(self, v: Views) -> list[float]:
        """The raw linear score (log-odds) of each category."""
        out = list(self.bias)
        table = self._weights
        seen: set[str] = set()
        for feat in features(v):
            if feat in seen:
                continue
            seen.add(feat)
            pairs = table.get(feat)
            if pairs:
                for k, w in pairs:
                    out[k] += w
        return out

    def probabilities(self, v: Views) -> dict[str, float]:
        return {c: 1.0 / (1.0 + math.exp(-s)) for c, s in zip(self.categories, self.scores(v), strict=True)}

    def confident(self, v: Views, lang: str) -> list[str]:
        """Categories whose score clears their threshold."""
        return [c for c, s, t in zip(self.categories, self.scores(v), self.thresholds, strict=True) if s >= t]


def load_classifier(path: Path = MODEL_PATH) -> Classifier | None:
    """The committed model, or None when it has not been trained."""
    if not path.is_file():
        return None
    return Classifier(json.loads(path.read_text(encoding="utf-8")))
