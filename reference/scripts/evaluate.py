"""Evaluate the reference checker in-process on the script corpus.

``python -m icss.reference.scripts.evaluate [--split test] [--errors]`` prints, per category and
language, precision, recall and F1 over the split, the recall of blocking verdicts, the
false-positive rate on the category's hard negatives, conversation-level results for
missing_required_disclosure, and latency percentiles. The harness (``icss scripts evaluate``)
computes the same figures over HTTP for any target; this module exists so the reference can be
measured without a server. Tune on train and dev; the test split is for reporting only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _corpus
from ._categories import UTTERANCE_CATEGORIES
from ._checker import Context, ScriptChecker, default_checker
from ._classifier import load_classifier

#: The SC profiles' script_recall_min and script_false_positive_max (spec/profiles).
RECALL_MIN = 0.95
FPR_MAX = 0.05


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.3f}"


def evaluate(
    checker: ScriptChecker, items: Sequence[dict[str, Any]], convs: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Score ``checker`` on corpus items; returns per-category tables, errors and latencies."""
    tally: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors: list[str] = []
    latencies: list[float] = []
    for item in items:
        ctx = Context.from_json(item["context"])
        t0 = time.perf_counter()
        out = checker.check(item["text"], speaker_role=item["speaker_role"], language=item["language"], context=ctx)
        latencies.append(time.perf_counter() - t0)
        got = {v.category: v.severity for v in out.violations}
        want = {label["category"]: label["severity"] for label in item["labels"]}
        lang = item["language"]
        for cat in UTTERANCE_CATEGORIES:
            t = tally[(cat, lang)]
            if cat in want:
                t["pos"] += 1
                if cat in got:
                    t["tp"] += 1
                    if want[cat] != "blocking" or got[cat] == "blocking":
                        t["tp_sev"] += 1
                else:
                    errors.append(f"FN {item['id']} [{item['split']}] {cat}: {item['text']}")
            elif cat in got:
                t["fp"] += 1
                errors.append(f"FP {item['id']} [{item['split']}] {cat}: {item['text']} ({item['context']})")
            if cat in item.get("hard_negative_for", ()):
                t["hn"] += 1
                if cat in got:
                    t["hn_fp"] += 1
    conv_t: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for conv in convs:
        ctx = Context.from_json(conv["context"])
        conv_out = checker.check_conversation(
            [(t["speaker_role"], t["text"]) for t in conv["turns"]], language=conv["language"], context=ctx
        )
        got_missing = any(v.category == "missing_required_disclosure" for v in conv_out.violations)
        want_missing = any(lab["category"] == "missing_required_disclosure" for lab in conv["labels"])
        t = conv_t[conv["language"]]
        t["n"] += 1
        t["pos"] += want_missing
        t["tp"] += want_missing and got_missing
        t["fp"] += got_missing and not want_missing
        t["correct"] += got_missing == want_missing
        if got_missing != want_missing:
            errors.append(
                f"CONV {conv['id']} [{conv['split']}] want={want_missing} got={[v.rule for v in conv_out.violations]}"
            )
    return {"tally": tally, "conversations": conv_t, "errors": errors, "latencies": latencies}


def empty_cells(result: dict[str, Any]) -> list[str]:
    """Cells (category × language) without positives or hard negatives: they cannot be measured."""
    out = []
    for cat in UTTERANCE_CATEGORIES:
        for lang in ("zh", "en"):
            t = result["tally"].get((cat, lang), {})
            if not t.get("pos"):
                out.append(f"{cat} ({lang}): no positives")
            if not t.get("hn"):
                out.append(f"{cat} ({lang}): no hard negatives")
    return out


def shortfalls(result: dict[str, Any], recall_min: float = RECALL_MIN, fpr_max: float = FPR_MAX) -> list[str]:
    """Measured cells below the SC thresholds (blocking recall, hard-negative FPR)."""
    out = []
    for (cat, lang), t in sorted(result["tally"].items()):
        if t["pos"] and t["tp_sev"] / t["pos"] < recall_min:
            out.append(f"{cat} ({lang}): recall {t['tp_sev'] / t['pos']:.3f}")
        if t["hn"] and t["hn_fp"] / t["hn"] > fpr_max:
            out.append(f"{cat} ({lang}): FPR {t['hn_fp'] / t['hn']:.3f}")
    return out


def report(result: dict[str, Any]) -> str:
    """The evaluation as a plain-text table; a cell nothing measures says EMPTY (it decides nothing)."""
    tally = result["tally"]
    lines = [
        f"{'category':34} {'lang':4} {'pos':>4} {'prec':>5} {'rec':>5} {'f1':>5} {'rec_blk':>7} {'hn':>4} {'hn_fpr':>6}"
    ]
    totals: dict[str, int] = defaultdict(int)
    for cat in UTTERANCE_CATEGORIES:
        for lang in ("zh", "en"):
            t = tally.get((cat, lang)) or defaultdict(int)
            p = _ratio(t["tp"], t["tp"] + t["fp"])
            r = _ratio(t["tp"], t["pos"])
            f = None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)
            lines.append(
                f"{cat:34} {lang:4} {t['pos']:4d} {_fmt(p)} {_fmt(r)} {_fmt(f)}"
                f" {_fmt(_ratio(t['tp_sev'], t['pos'])):>7} {t['hn']:4d} {_fmt(_ratio(t['hn_fp'], t['hn'])):>6}"
                + ("  EMPTY" if not (t["pos"] and t["hn"]) else "")
            )
            for k in ("tp", "fp", "pos", "hn", "hn_fp", "tp_sev"):
                totals[k] += t[k]
    p = _ratio(totals["tp"], totals["tp"] + totals["fp"])
    r = _ratio(totals["tp"], totals["pos"])
    f = None if p is None or r is None or p + r == 0 else 2 * p * r / (p + r)
    lines.append(
        f"{'overall (micro)':34} {'':4} {totals['pos']:4d} {_fmt(p)} {_fmt(r)} {_fmt(f)}"
        f" {_fmt(_ratio(totals['tp_sev'], totals['pos'])):>7} {totals['hn']:4d}"
        f" {_fmt(_ratio(totals['hn_fp'], totals['hn'])):>6}"
    )
    for lang, t in sorted(result["conversations"].items()):
        lines.append(
            f"missing_required_disclosure (conversations) {lang}: {t['n']} conversations, {t['pos']} positive, "
            f"recall {_fmt(_ratio(t['tp'], t['pos']))}, false alarms {t['fp']}, "
            f"accuracy {_fmt(_ratio(t['correct'], t['n']))}"
        )
    lat = sorted(result["latencies"])
    if lat:

        def pct(q: float) -> float:
            return float(lat[min(len(lat) - 1, int(q * len(lat)))]) * 1e3

        lines.append(
            f"latency per utterance (ms): p50 {pct(0.5):.3f}  p90 {pct(0.9):.3f}  p99 {pct(0.99):.3f}  "
            f"max {lat[-1] * 1e3:.3f}  mean {statistics.fmean(lat) * 1e3:.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the evaluation; exit 0 when every cell is measured and meets the thresholds, 1 when a
    measured cell misses one, 2 when a cell is empty (nothing to measure, so nothing is met)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split", action="append", choices=_corpus.SPLITS, help="split(s) to evaluate (default: test, for reporting)"
    )
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms (use on train/dev)")
    parser.add_argument("--rules-only", action="store_true", help="leave the statistical model out")
    parser.add_argument("--model", type=Path, help="another model file (e.g. one trained without the holdout)")
    parser.add_argument("--holdout", action="store_true", help="only the holdout slice of dev (see _corpus)")
    parser.add_argument("--no-holdout", action="store_true", help="leave the holdout slice of dev out")
    args = parser.parse_args(argv)
    splits = tuple(args.split or ["test"])
    if args.rules_only:
        checker = ScriptChecker(None)
    elif args.model is not None:
        checker = ScriptChecker(load_classifier(args.model))
    else:
        checker = default_checker()
    for item in _corpus.utterances()[:50]:  # warm the caches before timing
        checker.check(item["text"], speaker_role=item["speaker_role"])
    items = _corpus.utterances(*splits)
    if args.holdout or args.no_holdout:
        items = [i for i in items if _corpus.in_holdout(i) == args.holdout]
    result = evaluate(checker, items, _corpus.conversations(*splits))
    print(f"ICSS script corpus, split(s): {', '.join(splits)} ({len(items)} utterances)")
    if not items:
        print(f"the split(s) {', '.join(splits)} hold no utterances: nothing can be measured", file=sys.stderr)
        return 2
    print(report(result))
    if args.errors:
        print("\n".join(result["errors"]))
    empty, short = empty_cells(result), shortfalls(result)
    if short:
        print(f"{len(short)} cells miss a threshold: " + "; ".join(short))
    if empty:
        print(f"{len(empty)} empty cells decide nothing: " + "; ".join(empty), file=sys.stderr)
        return 2
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
