"""Reading the ICSS script corpus (spec/corpora/scripts) shipped with icss.spec."""

from __future__ import annotations

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
