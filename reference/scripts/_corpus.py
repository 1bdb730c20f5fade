"""Reading the ICSS script corpus (spec/corpora/scripts) shipped with icss.spec."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

SPLITS = ("train", "dev", "test")


def corpus_dir() -> Path:
    """The corpus folder inside the installed icss.spec package."""
    return Path(str(resources.files("icss.spec") / "corpora" / "scripts"))


def _read(name: str) -> Iterator[dict[str, Any]]:
    with (corpus_dir() / name).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def utterances(*splits: str) -> list[dict[str, Any]]:
    """Corpus items of the given splits (all when none is given)."""
    return [item for item in _read("utterances.jsonl") if not splits or item["split"] in splits]


def conversations(*splits: str) -> list[dict[str, Any]]:
    """Corpus conversations of the given splits (all when none is given)."""
    return [item for item in _read("conversations.jsonl") if not splits or item["split"] in splits]


def in_holdout(item: dict[str, Any]) -> bool:
    """Half of the dev items retired from the 1.1.0 test split, chosen by a keyed hash.

    Neither the 1.2.0 rules nor the model were tuned on these items (``train.py --exclude-holdout``,
    ``evaluate.py --holdout``): they give one honest measurement before the blind test split exists.
    """
    if "retired_test" not in item:
        return False
    return hashlib.sha256(f"icss-holdout:{item['id']}".encode()).digest()[-1] % 2 == 0
