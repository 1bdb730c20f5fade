"""The ICSS script corpus: schema, minimum sizes, splits, and that the JSONL matches its sources."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from icss.reference.scripts import UTTERANCE_CATEGORIES
from icss.reference.scripts._corpus import conversations, corpus_dir, utterances
from icss.reference.scripts.build_corpus import build
from icss.spec import schema_registry, validator


def test_items_validate() -> None:
    check = validator("script-corpus-item.schema.json")
    errors = [(i["id"], e.message) for i in utterances() for e in check.iter_errors(i)]
    assert errors == []
    conv = Draft202012Validator(
        {"$ref": "https://icss.example.org/spec/schemas/script-corpus-item.schema.json#/$defs/conversation"},
        registry=schema_registry(),
    )
    assert [(c["id"], e.message) for c in conversations() for e in conv.iter_errors(c)] == []


def test_minimum_sizes_from_issue_7() -> None:
    items = utterances()
    by_lang = Counter(i["language"] for i in items)
    assert len(items) >= 1500
    assert by_lang["zh"] >= 900
    assert by_lang["en"] >= 600
    assert sum(i["hard_negative"] for i in items) * 3 >= len(items)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_every_category_has_positives_and_hard_negatives_in_every_split(lang: str, split: str) -> None:
    items = [i for i in utterances(split) if i["language"] == lang]
    pos = Counter(lab["category"] for i in items for lab in i["labels"])
    hard = Counter(c for i in items for c in i["hard_negative_for"])
    for cat in UTTERANCE_CATEGORIES:
        assert pos[cat] >= 4, (cat, lang, split)
        assert hard[cat] >= 3, (cat, lang, split)


def test_groups_share_a_split() -> None:
    splits: dict[str, set[str]] = {}
    for item in utterances():
        if "group" in item:
            splits.setdefault(item["group"], set()).add(item["split"])
    assert splits
    assert all(len(s) == 1 for s in splits.values())


def test_published_files_match_their_sources(tmp_path: Path) -> None:
    (tmp_path / "src").symlink_to(corpus_dir() / "src")
    manifest = build(tmp_path)
    for name in ("utterances.jsonl", "conversations.jsonl"):
        assert (tmp_path / name).read_bytes() == (corpus_dir() / name).read_bytes(), f"{name} is stale: rebuild"
    assert json.loads((corpus_dir() / "manifest.json").read_text())["sha256"] == manifest["sha256"]


def test_model_file_is_plain_json() -> None:
    from icss.reference.scripts._classifier import MODEL_PATH, load_classifier

    doc = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert set(doc) == {"version", "categories", "bias", "thresholds", "weights"}
    assert load_classifier() is not None
