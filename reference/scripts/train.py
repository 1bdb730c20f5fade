"""Train the checker's statistical model on the train and dev splits of the script corpus.

``python -m icss.reference.scripts.train`` (needs scikit-learn and numpy, which the service does not
need at run time) writes ``reference/scripts/model.json``. Reproducible: folds by a keyed hash of each
item's group, a deterministic solver, no randomness. The test split is never read.

For each category: a binary logistic regression (liblinear, L2) on the binary features of
``_classifier.features`` over the collector and AI-agent utterances whose context lets the category
apply (a third-party disclosure needs a listener who is not the debtor; a false legal claim needs
litigation not to be intended, or a time-barred debt). A category's own hard negatives weigh
``HARD_NEGATIVE_WEIGHT`` times a plain negative: they are the look-alikes it must learn to pass. Weights
are pruned to the strongest ``TOP_K`` features. The decision threshold of each category and language is
set on 5-fold out-of-fold scores of the pruned model, *beside the rules*: the lowest threshold (never
below ``MIN_THRESHOLD``) at which the model adds alarms (beyond those of the rules) on at most
``MAX_HN_FPR`` of that cell's hard negatives and on at most ``MAX_NEG_FPR`` of its other negatives.

The model also overrules the rules where it is sure they misread (model version 4): per language, a rule
finding is dropped when its category scores more than ``rule_veto`` below the category's threshold. The
margin is the smallest (never below ``MIN_VETO_MARGIN``) at which at most ``MAX_VETO_LOSS`` of the rules'
true findings, out of fold, would be dropped.

``--exclude-holdout`` leaves out the holdout slice of dev (``_corpus.in_holdout``: half of the items
retired from the 1.1.0 test split, chosen by a keyed hash) and writes the model elsewhere, so that the checker
can be measured once on items neither the rules nor the model were tuned on
(``python -m icss.reference.scripts.evaluate --split dev --holdout --model PATH``). ``--exclude-retired VERSION``
leaves out the blind set retired at VERSION instead (since 1.11.0): the way a round's checker changes are judged
on the last blind set's items, read by the lead but unseen by the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _corpus
from ._categories import UTTERANCE_CATEGORIES
from ._checker import JUDGED_SPEAKERS, Context, ScriptChecker, _category_gate_open
from ._classifier import MODEL_PATH, MODEL_VERSION, features
from ._corpus import in_holdout
from ._normalise import views

# 1.3.0, chosen on the dev items of the 1.3.0 batch with the model trained without them: more kept
# weights (8,000 instead of 1,500) with stronger regularisation (C 0.5 instead of 1.0). With the word-initial
# Latin grams of model 3, rules and model reach micro recall 0.689 and hard-negative FPR 0.044 on those
# items (model 2's features and settings: 0.685 / 0.059). A threshold floor of -4 instead of 0 reached
# 0.724 / 0.044 there, but let the model flag lawful look-alikes of test_checker.py (help for older
# customers, a partial payment): the floor stays at 0, probability one half under balanced class weights.
# 1.4.0, judged on the 1.3.0 blind items (the model trained on train + dev, as here; the rules of
# _lexicon_1_4 in place): these settings reach micro recall 0.872, hard-negative FPR 0.000 there. Not kept:
# C 1.0 or 2.0 (0.871), MAX_HN_FPR 0.03 or hard negatives weighted 6 (0.872, no gain), and a
# floor of -2 (0.886), which again let the model flag the lawful look-alikes of test_checker.py.
# 1.5.0, judged on the 1.4.0 blind items (the model trained on train + dev; the rules of _lexicon_1_5 and the
# authorised-charge gate in place; optimistic, the lexicon was tuned on those items): these settings reach
# micro recall 0.942, hard-negative FPR 0.002 there. Not kept, each within a few items of it: C 1.0 (0.944),
# C 2.0 (0.945), C 0.25 (0.939), MAX_HN_FPR 0.04 (0.946 but FPR 0.006), hard negatives weighted 1 (0.934),
# a floor of -1 (0.942, no gain). The lexicon, not the model's settings, moved the figures.
TOP_K = 8000
C = 0.5
HARD_NEGATIVE_WEIGHT = 3.0
FOLDS = 5
MIN_THRESHOLD = 0.0
MAX_HN_FPR = 0.02
MAX_NEG_FPR = 0.005
# 1.6.0, judged on the 1.5.0 blind items (the model trained on train + dev without them, the 1.6.0 training
# batches in): 0.908 recall / 0.039 FPR with the 1.5.0 settings and the first wave of batches; the rule veto
# 0.906 / 0.024 (the second wave: the same); negation-marked words (scope 6) and folds by source file
# 0.915 / 0.022. Not kept: word bigrams (0.868 before
# the new batches, against 0.870), Chinese 4-grams (0.869), every Latin 3-5-gram (+0.3 points at three times
# the scoring cost), a negation scope of 3 (same recall, FPR +0.5 points). UNSEEN_SHIFT 0.5 / 1.0 reached
# 0.926 / 0.937 at FPR 0.024 / 0.026 there, but flagged lawful reassurances of test_checker.py ("The police
# have no role in collecting this debt."): kept at 0, the next blind set decides whether it is worth it.
# 1.7.0, settings unchanged, judged on the 1.6.0 blind items (the model trained on train + dev without them,
# the four 1.7.0 batches in, written against the classes of their misses): 0.831 / 0.052 -> 0.860 / 0.059.
# On the 1.7.0 blind set the gain vanished (0.853 / 0.076 for the 1.6.0 model, 0.859 / 0.074 for this one):
# more hand-written data of the same kind no longer moves a bag of n-grams (corpus README, 1.7.0).
# 1.7.1, the same data, judged on the 1.6.0 blind items as above: an utterance labelled with other categories only
# is a weak negative of this one (weight OTHER_POSITIVE_WEIGHT) and stays out of the threshold's budget for false
# alarms on negatives. The corpus labels most utterances with their main violation only (418 of 14,445 carry two
# labels), so "you deadbeat, the sheriff is coming" taught the insult model that "deadbeat" is innocent. Weights
# 1.0 (with the budget, as 1.7.0) / 0.5 / 0.3 / 0.1 reached recall 0.860 / 0.895 / 0.900 / 0.908 at FPR 0.059 /
# 0.050 / 0.049 / 0.045 there, precision 0.837 / 0.817 / 0.797 / 0.733 (more categories named on utterances
# that break another): 0.3 kept. 0.3 with the budget: 0.860 / 0.049 (the thresholds rose to keep the alarms).
# On the 1.7.0 blind set (run once after the choice): 0.859 / 0.074 -> 0.886 / 0.069, precision 0.799 -> 0.759.
# 1.8.0, judged on the retired 1.7.0 blind items (the model trained on train + dev without them), after the checker
# began to set aside phrases mentioned in quotation marks within a training or review frame (rules and model, 1.7.1
# settings: 0.886 / 0.069 -> 0.886 / 0.053, 40 -> 36 cells short). The lexicon's lawful cues vetoed the model's
# findings outright; some are common words ("we can", "your choice", "payment") and vetoed true findings on new
# phrasings. Without any veto (the model weighing the cues as features) 0.888 / 0.055, precision 0.767 -> 0.789;
# lowering every threshold by UNSEEN_SHIFT 0.5 / 0.75 then reached 0.909 / 0.918 at FPR 0.056 / 0.058 (with the veto:
# 0.904 / 0.909 at 0.056 / 0.057). But without the veto the model flagged lawful probes of test_checker.py (help for
# older customers, the debtor's own right to sue): a cue now outweighs a reading within UNSEEN_SHIFT of the threshold
# (the doc's "cue_band"), 0.916 / 0.057 (30 cells short) against 0.918 / 0.061 with no cue priority. Then the shift
# flagged "You owe 1,250 dollars and need to pay it today." (a test of the API): it had taken thresholds below
# MIN_THRESHOLD, which was chosen to protect exactly such lines, so the floor now holds after the shift, and a
# training batch of 1,217 plain lawful lines (src/en-26.txt, zh-27.txt) was added: 0.910 / 0.058 (34 short) with
# the floor, 0.915 / 0.060 (33 short, precision 0.726 against 0.757, 7 more lawful items flagged) without it.
# That model (shift 0.75, kept at first and measured once on the 1.8.0 blind set: corpus README) then flagged a
# plain greeting ("Hi, this is Sam from Acme Recovery calling for Jordan Miles." as impersonation) and a payment
# deadline, trained on all of train + dev: a uniform shift in log-odds brings every threshold into the scores of
# everyday lines, which the hard-negative figures above do not count. Retried on the validation items with the
# cue band decoupled from the shift (CUE_BAND): shift 0.25 / 0 with band 0.75 reached 0.899 / 0.057 (34 short) and
# 0.886 / 0.053 (34 short); shift 0 with no band 0.890 / 0.056 (33 short). Kept: UNSEEN_SHIFT 0 (as in 1.7.1),
# CUE_BAND 0.75, the floor. Not kept: MAX_HN_FPR 0.01 with the shift (0.874 / 0.052), a laxer rule veto
# (MAX_VETO_LOSS 0.01 / 0.02: 0.882 / 0.063 and 0.881 / 0.063 before the other changes).
#: Weight, as a negative of a category, of an item labelled with another category only (see above).
OTHER_POSITIVE_WEIGHT = 0.3
#: Whether such items count against a threshold's false-alarm budget on negatives.
OTHER_POSITIVES_IN_BUDGET = False
MAX_VETO_LOSS = 0.005
MIN_VETO_MARGIN = 2.0
#: Subtracted from every threshold after it is chosen out of fold: see ``train`` and 1.8.0 above.
UNSEEN_SHIFT = 0.0
#: How far above its threshold a model reading stays tentative, so that a lawful cue outweighs it (1.8.0 above).
CUE_BAND = 0.75


def batch_folds(items: Sequence[dict[str, Any]]) -> list[int]:
    """A fold per item such that every source file (one author's batch) lies in a single fold.

    Out-of-fold scores are then those of a model that never saw the item's author at work, which is what a
    blind set asks of the checker (hashed folds put the other half of a batch, its habits and templates, in
    the training folds). On the 1.5.0 blind items the two came out close (0.912 / 0.026 against 0.906 /
    0.024): this one is kept because it measures the right thing. Files are dealt, largest first, to the
    fold with the fewest items, so the folds are of a size and reproducible.
    """
    from .build_corpus import numbered_sources

    source = {item["id"]: name for name, item in numbered_sources(_corpus.corpus_dir() / "src")}
    sizes = Counter(source[i["id"]] for i in items)  # only what is trained on: a blind file moves no fold
    load = [0] * FOLDS
    fold_of: dict[str, int] = {}
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        k = min(range(FOLDS), key=lambda j: (load[j], j))
        fold_of[name] = k
        load[k] += sizes[name]
    return [fold_of[source[i["id"]]] for i in items]


def _threshold(scores: Any, hn_mask: Any, neg_mask: Any, rule_hn: Any, floor: float) -> float:
    """The lowest threshold ≥ ``floor`` keeping the cell's false alarms within budget."""
    import numpy as np

    candidates = np.unique(np.concatenate([[floor], scores[scores >= floor] + 1e-6]))
    n_hn, n_neg = max(1, int(hn_mask.sum())), max(1, int(neg_mask.sum()))
    for th in candidates:
        flagged = scores >= th
        hn_alarms = int((hn_mask & flagged & ~rule_hn).sum())  # the rules' own false alarms are theirs to fix
        neg_alarms = int((neg_mask & flagged).sum())
        if hn_alarms / n_hn <= MAX_HN_FPR and neg_alarms / n_neg <= MAX_NEG_FPR:
            return float(th)
    return float(candidates[-1]) + 1.0


def train(exclude_holdout: bool = False, exclude_retired: str | None = None) -> dict[str, Any]:
    """Fit the model on train + dev (optionally without the holdout, or without the items of a retired blind
    set) and return its JSON document."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    if exclude_retired and not any(i.get("retired_test") == exclude_retired for i in _corpus.utterances("dev")):
        raise ValueError(f"no blind set was retired at {exclude_retired!r}: there is nothing to leave out")
    rules = ScriptChecker(None)
    items = [
        i
        for i in _corpus.utterances("train", "dev")
        if i["speaker_role"] in JUDGED_SPEAKERS
        and not (exclude_holdout and in_holdout(i))
        and not (exclude_retired and i.get("retired_test") == exclude_retired)
    ]
    feats: list[set[str]] = []
    rule_cats: list[set[str]] = []
    charges_authorised: list[bool] = []  # the checker drops unauthorized_charge for these (see ScriptChecker.check)
    for item in items:
        # The text as written, quoted phrases in (the checker sets aside those in a mention frame): trained on the
        # text as the checker reads it, the model reached 0.923 / 0.070 on the retired 1.7.0 items (0.918 / 0.058 so).
        v = views(item["text"])
        hits = rules.engine.hits(v)
        names = rules.engine.concept_names(hits)
        context = _ctx(item)
        charges_authorised.append(bool(context.authorised_charges) and rules._charges_authorised(hits, context))
        feats.append(set(features(v, names)))
        out = rules.check(
            item["text"], speaker_role=item["speaker_role"], language=item["language"], context=_ctx(item)
        )
        rule_cats.append({x.category for x in out.violations})
    vec = DictVectorizer()
    x = vec.fit_transform([dict.fromkeys(f, 1) for f in feats]).tocsr()
    x.indices = x.indices.astype(np.int32)  # liblinear takes 32-bit sparse indices only
    x.indptr = x.indptr.astype(np.int32)
    vocab: list[str] = list(vec.get_feature_names_out())
    folds = np.array(batch_folds(items))
    langs = np.array([i["language"] for i in items])
    categories = list(UTTERANCE_CATEGORIES)
    doc: dict[str, Any] = {
        "version": MODEL_VERSION,
        "trained_on": "train+dev"
        + (" without the holdout" if exclude_holdout else "")
        + (f" without the {exclude_retired} blind set" if exclude_retired else ""),
        "categories": categories,
        "bias": [],
        "thresholds": {"zh": [], "en": []},
        "rule_veto": {},
        "cue_band": CUE_BAND,
        "weights": {},
    }
    table: dict[str, list[list[float]]] = {}
    retired = np.array(["retired_test" in i for i in items])
    tally: Any = np.zeros(6, dtype=int)  # retired items, out of fold: pos, rules, rules+model; hn, rules, rules+model
    alone: Any = np.zeros(4, dtype=int)  # every item, out of fold, the model alone: pos, found; hn, flagged
    # Out of fold, per category: score minus threshold (for the rule veto), and where the rules found it.
    margins = np.full((len(categories), len(items)), -1e9)
    rule_true: Any = np.zeros((len(categories), len(items)), dtype=bool)
    rule_false: Any = np.zeros((len(categories), len(items)), dtype=bool)
    for k, cat in enumerate(categories):
        y = np.array([any(lab["category"] == cat for lab in i["labels"]) for i in items], dtype=int)
        hn = np.array([cat in i["hard_negative_for"] for i in items])
        applies = np.array([_category_gate_open(cat, _ctx(i)) for i in items])
        other = np.array([bool(i["labels"]) for i in items]) & (y == 0)
        weight = np.where(hn, HARD_NEGATIVE_WEIGHT, np.where(other, OTHER_POSITIVE_WEIGHT, 1.0))
        rule_hit = np.array([cat in r for r in rule_cats])
        oof = np.full(len(items), -1e9)
        for fold in range(FOLDS):
            fit_on, score_on = (folds != fold) & applies, (folds == fold) & applies
            w, b = _fit(LogisticRegression, x[fit_on], y[fit_on], weight[fit_on], vocab)
            oof[score_on] = x[score_on] @ w + b
        raw_oof = oof.copy()  # the rule veto reads the model's own score, before the authorised-charge gate
        rule_true[k], rule_false[k] = rule_hit & (y == 1) & applies, rule_hit & hn & applies
        if cat == "unauthorized_charge":  # as the checker: a demand for charges the agreement authorises is lawful
            oof[np.array(charges_authorised)] = -1e9
        w, b = _fit(LogisticRegression, x[applies], y[applies], weight[applies], vocab)
        doc["bias"].append(round(b, 4))
        for feat_index in np.flatnonzero(w):
            table.setdefault(vocab[feat_index], []).append([k, round(float(w[feat_index]), 4)])
        for lang in ("zh", "en"):
            cell = langs == lang
            negatives = (y == 0) & applies & (OTHER_POSITIVES_IN_BUDGET | ~other)
            th = _threshold(oof[cell], hn[cell], negatives[cell], (rule_hit & hn)[cell], MIN_THRESHOLD)
            doc["thresholds"][lang].append(round(th, 4))
            margins[k][cell] = raw_oof[cell] - round(th, 4)
            pos = (y == 1) & cell
            found = ((oof >= th) | rule_hit) & pos
            ret_pos, ret_hn = pos & retired, hn & cell & retired
            alone += [pos.sum(), ((oof >= th) & pos).sum(), (hn & cell).sum(), ((oof >= th) & hn & cell).sum()]
            tally += [
                ret_pos.sum(),
                (rule_hit & ret_pos).sum(),
                (found & retired).sum(),
                ret_hn.sum(),
                (rule_hit & ret_hn).sum(),
                (((oof >= th) | rule_hit) & ret_hn).sum(),
            ]
            print(
                f"{cat:34} {lang} positives {int(pos.sum()):4d}  threshold {th:6.2f}  out-of-fold recall "
                f"model {float(((oof >= th) & pos).sum() / max(1, pos.sum())):.3f}  "
                f"rules+model {float(found.sum() / max(1, pos.sum())):.3f}",
                file=sys.stderr,
            )
    doc["weights"] = dict(sorted(table.items()))
    quiet = (margins < -UNSEEN_SHIFT).all(axis=0)  # items where the model, as shipped, finds nothing
    for lang in ("zh", "en"):
        cell = quiet & (langs == lang)
        true_hits, false_hits = margins[rule_true & cell], margins[rule_false & cell]
        # The loss is counted against every true rule finding of the language, quiet or not.
        share = min(1.0, MAX_VETO_LOSS * int((rule_true & (langs == lang)).sum()) / max(1, len(true_hits)))
        margin = max(MIN_VETO_MARGIN, -float(np.quantile(true_hits, share))) if len(true_hits) else 1e9
        # Phrasings of authors the model has never read score lower than out-of-fold items do, positives and
        # look-alikes alike: the thresholds come down by UNSEEN_SHIFT, the veto stays where it was chosen.
        # Never below the floor, though: an utterance with little evidence either way is not a violation.
        doc["thresholds"][lang] = [round(max(MIN_THRESHOLD, t - UNSEEN_SHIFT), 4) for t in doc["thresholds"][lang]]
        doc["rule_veto"][lang] = round(margin - UNSEEN_SHIFT, 4)
        print(
            f"rule veto {lang}: {margin:.2f} below the threshold; out of fold it drops "
            f"{int((true_hits < -margin).sum())} of {int((rule_true & (langs == lang)).sum())} true rule findings "
            f"and {int((false_hits < -margin).sum())} of {int((rule_false & (langs == lang)).sum())} rule false "
            "alarms on hard negatives",
            file=sys.stderr,
        )
    print(
        f"the model alone, out of fold, at its thresholds: recall {alone[1] / max(1, alone[0]):.3f}, "
        f"hard-negative FPR {alone[3] / max(1, alone[2]):.3f}",
        file=sys.stderr,
    )
    if tally[0] and tally[3]:
        print(
            "retired test items (1.1.0 hashed, blind sets) in training, out of fold: "
            f"recall rules {tally[1] / tally[0]:.3f} -> rules+model {tally[2] / tally[0]:.3f}; "
            f"hard-negative FPR rules {tally[4] / tally[3]:.3f} -> "
            f"rules+model {tally[5] / tally[3]:.3f}",
            file=sys.stderr,
        )
    return doc


def _ctx(item: dict[str, Any]) -> Context:
    return Context.from_json(item["context"])


def _fit(model_cls: Any, x: Any, y: Any, weight: Any, vocab: Sequence[str]) -> tuple[Any, float]:
    """Fit one logistic regression; return its weights pruned to the ``TOP_K`` largest and its bias."""
    import numpy as np

    model = model_cls(C=C, solver="liblinear", class_weight="balanced", random_state=0)
    model.fit(x, y, sample_weight=weight)
    coef = model.coef_[0].copy()
    if len(coef) > TOP_K:
        coef[np.argsort(-np.abs(coef), kind="stable")[TOP_K:]] = 0.0  # stable: ties cut the same way every run
    coef[np.abs(coef) < 1e-4] = 0.0
    return coef, float(model.intercept_[0])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exclude-holdout", action="store_true", help="leave the holdout slice of dev out")
    parser.add_argument(
        "--exclude-retired",
        metavar="VERSION",
        help="leave out the items of the blind set retired at VERSION (to judge a change on them, unread by the model)",
    )
    parser.add_argument("--out", type=Path, help=f"where to write the model (default {MODEL_PATH.name})")
    args = parser.parse_args(argv)
    out = args.out or MODEL_PATH
    if (args.exclude_holdout or args.exclude_retired) and args.out is None:
        parser.error(
            "--exclude-holdout and --exclude-retired need --out: the committed model is trained on all of train and dev"
        )
    try:
        doc = train(exclude_holdout=args.exclude_holdout, exclude_retired=args.exclude_retired)
    except ValueError as exc:
        parser.error(str(exc))
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, {len(doc['weights'])} features)")


if __name__ == "__main__":
    main()
