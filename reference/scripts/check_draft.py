"""Validate a draft blind set without showing its author anything of the corpus.

``python -m icss.reference.scripts.check_draft DRAFT NAME`` builds the corpus in a temporary copy with the draft
added as ``src/NAME`` (a name ending in ``-blind.txt``, sorting after every source) and prints the draft's own
counts per category (positives and hard negatives), its roles, profiles and evasion tags, and every line of the
draft that repeats an existing item once case, spaces, punctuation and symbols are ignored (NFKC). The author
rewords those lines: an item the checker may have been tuned on must not reach the test split under a new
spelling. The published files are not touched.

The validator never prints another item: a blind author must not read the corpus, only learn that a line of
theirs is taken. A line that repeats an item exactly makes the build itself fail; the builder's message quotes
the author's own line.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import build_corpus


def comparable(text: str) -> str:
    """``text`` as the near-duplicate test compares it: NFKC, lower case, no spaces, punctuation or symbols."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZS" and not ch.isspace())


def check(draft: Path, name: str, root: Path = build_corpus.ROOT) -> tuple[list[dict[str, Any]], list[str]]:
    """The draft's items as the builder reads them, and its lines that repeat an existing item.

    Raises ``ValueError`` (the builder's own) when the corpus does not build with the draft in it.
    """
    if not name.endswith("-blind.txt"):
        raise ValueError(f"{name}: a blind set's file name ends in -blind.txt")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "scripts"
        shutil.copytree(root, copy)
        target = copy / "src" / name
        target.unlink(missing_ok=True)
        shutil.copy(draft, target)
        build_corpus.build(copy)
        pairs = build_corpus.numbered_sources(copy / "src")
    mine = [item for source, item in pairs if source == name]
    taken = {comparable(item["text"]) for source, item in pairs if source != name}
    return mine, [item["text"] for item in mine if comparable(item["text"]) in taken]


def _report(items: list[dict[str, Any]], repeats: list[str]) -> str:
    positives: Counter[str] = Counter(label["category"] for item in items for label in item["labels"])
    look_alikes: Counter[str] = Counter(c for item in items for c in item.get("hard_negative_for") or ())
    plain = sum(1 for item in items if not item["labels"] and not item["hard_negative"])
    lines = [f"{len(items)} items, {plain} plain", f"{'category':36} {'pos':>4} {'hn':>4}"]
    lines += [f"{c:36} {positives[c]:4d} {look_alikes[c]:4d}" for c in sorted(set(positives) | set(look_alikes))]
    lines.append(f"roles {dict(Counter(item['speaker_role'] for item in items))}")
    lines.append(f"profiles {dict(Counter(item['context']['profile'] for item in items))}")
    lines.append(f"with an evasion tag {sum(1 for item in items if item.get('evasion'))}")
    lines += [f"NEAR-DUPLICATE of an existing item: {text}" for text in repeats]
    lines.append(f"{len(repeats)} near-duplicates")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate a draft blind set of the script corpus.")
    parser.add_argument("draft", type=Path, help="the draft file")
    parser.add_argument("name", help="its name under src/, e.g. en-31-blind.txt")
    args = parser.parse_args(argv)
    try:
        items, repeats = check(args.draft, args.name)
    except ValueError as exc:
        print(f"BUILD FAILED: {exc}")
        return 1
    print(_report(items, repeats))
    return 1 if repeats else 0


if __name__ == "__main__":
    sys.exit(main())
