"""Train the checker's statistical model on the train split of the script corpus.

``python -m icss.reference.scripts.train`` (needs scikit-learn and numpy, which the service does
not need at run time) writes ``reference/scripts/model.json``. Reproducible: fixed folds, fixed
solver, no randomness. Only the train split is read — dev is for choosing between checker
variants, test for reporting.

For each category: a binary logistic regression (liblinear, L2) on binary n-gram features of the
collector and AI-agent utterances; weights pruned to the strongest ``TOP_K`` features; the decision
threshold set from 5-fold out-of-fold scores of the pruned model so that at most ``MAX_FPR`` of the
train negatives would be flagged, and never below log-odds ``MIN_THRESHOLD``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import _corpus
from ._categories import UTTERANCE_CATEGORIES
from ._checker import JUDGED_SPEAKERS
from ._classifier import MODEL_PATH, features
from ._normalise import views

#: Categories decided by context facts the words cannot carry; left to the rules.
CONTEXTUAL = ("third_party_disclosure", "false_legal_claim")
TOP_K = 400
MAX_FPR = 0.002
MIN_THRESHOLD = 1.5
C = 4.0


def _prune(coef: Any, vocab: list[str], top_k: int) -> dict[str, float]:
    import numpy as np

    order = np.argsort(-np.abs(coef))[:top_k]
    return {vocab[i]: round(float(coef[i]), 4) for i in order if abs(coef[i]) > 1e-6}


def _score(weights: dict[str, float], bias: float, feats: set[str]) -> float:
    return bias + sum(weights.get(f, 0.0) for f in feats)


def train() -> dict[str, Any]:
    """Fit the model on the train split and return its JSON document."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    items = [i for i in _corpus.utterances("train") if i["speaker_role"] in JUDGED_SPEAKERS]
    feats = [set(features(views(i["text"]))) for i in items]
    vec = DictVectorizer()
    x = vec.fit_transform([dict.fromkeys(f, 1) for f in feats]).tocsr()
    x.indices = x.indices.astype(np.int32)  # liblinear takes 32-bit sparse indices only
    x.indptr = x.indptr.astype(np.int32)
    vocab: list[str] = list(vec.get_feature_names_out())
    categories = [c for c in UTTERANCE_CATEGORIES if c not in CONTEXTUAL]
    folds: Any = np.arange(len(items)) % 5
    doc: dict[str, Any] = {"version": 1, "categories": categories, "bias": [], "thresholds": [], "weights": {}}
    table: dict[str, list[list[float]]] = {}
    for k, cat in enumerate(categories):
        y = np.array([any(lab["category"] == cat for lab in i["labels"]) for i in items], dtype=int)
        oof: list[tuple[float, int]] = []
        for fold in range(5):
            tr, te = folds != fold, folds == fold
            model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced")
            model.fit(x[tr], y[tr])
            fold_weights = _prune(model.coef_[0], vocab, TOP_K)
            b = float(model.intercept_[0])
            oof.extend((_score(fold_weights, b, feats[j]), int(y[j])) for j in np.flatnonzero(te))
        negatives = sorted((s for s, label in oof if not label), reverse=True)
        allowed = int(MAX_FPR * len(negatives))
        threshold = max(MIN_THRESHOLD, negatives[allowed] + 1e-3 if negatives else MIN_THRESHOLD)
        model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced")
        model.fit(x, y)
        weights = _prune(model.coef_[0], vocab, TOP_K)
        doc["bias"].append(round(float(model.intercept_[0]), 4))
        doc["thresholds"].append(round(float(threshold), 4))
        for feat, w in weights.items():
            table.setdefault(feat, []).append([k, w])
        recall = sum(1 for s, label in oof if label and s >= threshold) / max(1, int(y.sum()))
        print(
            f"{cat:34} positives {int(y.sum()):4d}  threshold {threshold:6.2f}  out-of-fold recall {recall:.3f}",
            file=sys.stderr,
        )
    doc["weights"] = dict(sorted(table.items()))
    return doc


def main() -> None:
    doc = train()
    MODEL_PATH.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB, {len(doc['weights'])} features)")


if __name__ == "__main__":
    main()
