"""The ICSS script corpus: schema, minimum sizes, splits, and that the JSONL matches its sources."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from icss.reference.scripts import UTTERANCE_CATEGORIES, build_corpus
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
    if split == "test" and not utterances("test"):
        # 1.2.0 without its blind files: the harness reports SC-01..SC-11 as errors, never as passes.
        pytest.skip("the test split is empty until the blind sets (src/*-blind.txt, @split test) are added")
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
    assert set(doc) == {"version", "trained_on", "categories", "bias", "thresholds", "rule_veto", "cue_band", "weights"}
    assert doc["trained_on"] == "train+dev"  # the committed model: never the test split, never a partial run
    assert set(doc["thresholds"]) == {"zh", "en"}
    assert MODEL_PATH.stat().st_size < 3_000_000  # small enough to commit
    assert load_classifier() is not None


def test_former_test_splits_are_retired_into_dev() -> None:
    """The 624 items the hash put in test up to 1.1.0, and the 1.2.0 to 1.10.0 blind sets, were evaluated:
    they are dev now, each marked with the version whose test split it was."""
    retired = [i for i in utterances() if "retired_test" in i]
    assert {i["split"] for i in retired} == {"dev"}
    by_version = {v: sum(i["retired_test"] == v for i in retired) for v in {i["retired_test"] for i in retired}}
    assert by_version == {
        "1.1.0": 624,
        "1.2.0": 923,
        "1.3.0": 1083,
        "1.4.0": 1322,
        "1.5.0": 1309,
        "1.6.0": 2357,
        "1.7.0": 2577,
        "1.8.0": 3161,
        "1.9.0": 3084,
        "1.10.0": 3364,
    }
    manifest = json.loads((corpus_dir() / "manifest.json").read_text())
    assert manifest["version"] == "1.11.0"
    assert manifest["retired_test"] == by_version


def test_a_later_batch_moves_no_earlier_item(tmp_path: Path) -> None:
    """1.3.0: a batch marked ``@since`` is hashed in strata of its own, 60/40 train/dev, never retired."""
    src = tmp_path / "src"
    src.mkdir()
    for path in (corpus_dir() / "src").glob("*.txt"):
        if path.name not in ("en-6.txt", "zh-7.txt"):
            (src / path.name).write_bytes(path.read_bytes())
    build(tmp_path)
    without = {_key(i): i["split"] for i in map(json.loads, (tmp_path / "utterances.jsonl").open(encoding="utf-8"))}
    now = {_key(i): i for i in utterances()}
    assert all(now[k]["split"] == split for k, split in without.items())
    batch = [i for k, i in now.items() if k not in without]
    assert len(batch) > 1400
    assert {i["split"] for i in batch} == {"train", "dev"}
    assert not any("retired_test" in i for i in batch)
    dev_share = sum(i["split"] == "dev" for i in batch) / len(batch)
    assert 0.35 < dev_share < 0.45


_BLIND_EN = """@lang en
@profile us
@split test
@cat threat_of_violence
A blind line about hurting someone that no rule has seen.
@hn threat_of_violence
A blind lawful line about the legal steps we may take.
"""
_BLIND_ZH = """@lang zh
@cat insult_or_abuse
一句盲测的辱骂。 || split=test
@hn insult_or_abuse
您刚才说我们是骗子，我们记录下来了。 || role=collector split=test
"""


def _key(item: dict[str, object]) -> str:
    return json.dumps([item["text"], item["language"], item["speaker_role"], item["context"]], sort_keys=True)


def _number(item: dict[str, object]) -> int:
    return int(str(item["id"]).rsplit("-", 1)[1])


def test_blind_files_make_the_test_split_and_move_nothing_else(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    blind = {p.name for p in (corpus_dir() / "src").glob("*-blind.txt") if "\n@split test" in p.read_text("utf-8")}
    # the current blind sets (1.11.0), two parts per language
    assert blind == {"en-31-blind.txt", "en-32-blind.txt", "zh-32-blind.txt", "zh-33-blind.txt"}
    for path in (corpus_dir() / "src").glob("*.txt"):
        if path.name not in blind:  # the current blind sets stand aside for this test (retired ones stay)
            (src / path.name).write_bytes(path.read_bytes())
    (src / "en-31-blind.txt").write_text(_BLIND_EN, encoding="utf-8")
    (src / "zh-32-blind.txt").write_text(_BLIND_ZH, encoding="utf-8")
    manifest = build(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]
    # Every other item keeps its text, labels, context and split. Its id keeps its place in file order: a part
    # after a blind set (a later training batch) is numbered after it, so only such parts' numbers follow the
    # size of the blind set, which is fixed once it is published.
    before = {_key(i): i for i in utterances() if i["split"] != "test"}
    after = {_key(i): i for i in rows}
    assert all({**after[k], "id": None} == {**v, "id": None} for k, v in before.items())
    for lang in ("en", "zh"):
        numbers = sorted(_number(i) for i in rows if i["language"] == lang)
        assert numbers == list(range(1, len(numbers) + 1))
    new = [after[k] for k in after.keys() - before.keys()]
    assert len(new) == 4
    assert sorted(i["id"] for i in rows if i["split"] == "test") == sorted(i["id"] for i in new)
    cells = manifest["test_cells"]
    assert cells["threat_of_violence"]["en"] == {"positives": 1, "hard_negatives": 1}
    assert cells["insult_or_abuse"]["zh"] == {"positives": 1, "hard_negatives": 1}
    assert cells["insult_or_abuse"]["en"] == {"positives": 0, "hard_negatives": 0}


def test_a_retired_blind_set_becomes_dev_with_its_version(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conversations.txt").write_text("", encoding="utf-8")
    (src / "en-1-blind.txt").write_text(
        "@lang en\n@retired 1.2.0\n@cat insult_or_abuse\nYou useless clown.\n@hn insult_or_abuse\nSorry, my mistake.\n",
        encoding="utf-8",
    )
    (src / "en-2-blind.txt").write_text("@lang en\n@split test\n@plain\nGood morning.\n", encoding="utf-8")
    manifest = build(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["split"], r.get("retired_test")) for r in rows] == [("dev", "1.2.0"), ("dev", "1.2.0"), ("test", None)]
    assert manifest["retired_test"] == {"1.2.0": 2}
    (src / "en-3.txt").write_text("@lang en\n@retired 1.2.0\n@split test\n@plain\nHello.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be forced into test again"):
        build(tmp_path)


def test_parts_are_numbered_in_numeric_order() -> None:
    """A tenth part must come after the ninth, or every id of the parts after it would change."""
    names = ["zh-10.txt", "zh-9-blind.txt", "zh-2.txt", "en-10.txt", "zh-1.txt", "en-8-blind.txt", "en-9.txt"]
    ordered = [p.name for p in sorted((Path(n) for n in names), key=build_corpus._file_order)]
    assert ordered == ["en-8-blind.txt", "en-9.txt", "en-10.txt", "zh-1.txt", "zh-2.txt", "zh-9-blind.txt", "zh-10.txt"]


@pytest.mark.slow  # one training run: 15-60 s
def test_training_reproduces_the_committed_model(tmp_path: Path) -> None:
    """train.py is deterministic (keyed folds, seeded liblinear), so model.json is what it writes today.

    Up to floating-point noise: the same wheels give other last digits on another CPU (vector
    instructions chosen at run time), which can swap a few features at the edge of the kept set. A
    stale model (trained on other data or settings) differs far more than that.
    """
    pytest.importorskip("sklearn")
    from icss.reference.scripts._classifier import MODEL_PATH
    from icss.reference.scripts.train import main

    main(["--out", str(tmp_path / "model.json")])
    fresh = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    committed = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    if fresh == committed:
        return
    stale = "model.json is stale: retrain with python -m icss.reference.scripts.train"
    assert {k: v for k, v in fresh.items() if k not in ("bias", "thresholds", "weights")} == {
        k: v for k, v in committed.items() if k not in ("bias", "thresholds", "weights")
    }, stale
    assert max(abs(a - b) for a, b in zip(fresh["bias"], committed["bias"], strict=True)) <= 1e-3, stale
    for lang in ("zh", "en"):
        pairs = zip(fresh["thresholds"][lang], committed["thresholds"][lang], strict=True)
        assert max(abs(a - b) for a, b in pairs) <= 1e-3, stale
    new, old = fresh["weights"], committed["weights"]
    assert len(new.keys() ^ old.keys()) <= 0.005 * len(old), stale  # a few features at the edge of the kept set
    for feature in new.keys() & old.keys():
        a, b = dict(map(tuple, new[feature])), dict(map(tuple, old[feature]))
        assert all(abs(a.get(k, 0.0) - b.get(k, 0.0)) <= 1e-3 for k in a.keys() | b.keys()), (stale, feature)


def test_the_charge_kinds_are_the_schemas() -> None:
    """``ac=`` names kinds of the schema's enum; the builder says so at once rather than the schema test later."""
    from icss.spec import schema

    context = schema("script-corpus-item")["$defs"]["context"]
    assert list(build_corpus.CHARGE_KINDS) == context["properties"]["authorised_charges"]["items"]["enum"]


# Sources the builder refuses, each with the reason it gives: a mistake in a source must stop the build, not
# leave an item with a default context, a renumbered corpus or a batch a target refuses.
_REFUSED = {
    # a line of the wrong language would renumber every later item of both languages
    "wrong language": ({"en-9-blind.txt": "@lang zh\n@split test\n@plain\n一句中文。\n"}, "not in 'en'"),
    "forced into train": ({"en-9.txt": "@lang en\n@split train\n@plain\nHello.\n"}, "@split 'train'"),
    "misspelt option": ({"en-9.txt": "@lang en\n@plain\nHello there. || ltdd=0\n"}, "unknown option 'ltdd'"),
    "flag not 0/1": ({"en-9.txt": "@lang en\n@plain\nHello there. || lit=yes\n"}, "a flag is 0 or 1"),
    # 1.6.0: a blind line's "default_fee" passed the builder and failed the schema only later
    "charge kind": ({"en-9.txt": "@lang en\n@plain\nA fee. || ac=default_fee\n"}, "'default_fee' is not a charge kind"),
    # 1.7.0: "au" and "sg" passed the schema's pattern; a target may refuse an unknown profile, and its batch with it
    "profile option": ({"en-9.txt": "@lang en\n@plain\nCall us back. || prof=au\n"}, "is not one of spec/profiles"),
    "profile directive": (
        {"en-9.txt": "@lang en\n@profile sg\n@plain\nCall us back.\n"},
        "is not one of spec/profiles",
    ),
    "conversation profile": (
        {"conversations.txt": "=== lang=en profile=ca comm=initial labels=-\nC: Hello.\n"},
        "is not one of spec/profiles",
    ),
    "unknown listener": (
        {"en-9.txt": "@lang en\n@plain\nHe owes us. || lst=neighbour\n"},
        "'neighbour' is not one of",
    ),
    "listener against ltd": (
        {"en-9.txt": "@lang en\n@plain\nHe owes us. || lst=debtor ltd=0\n"},
        "contradicts context.listener_is_debtor False",
    ),
}


def test_a_listener_option_names_who_hears(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conversations.txt").write_text("", encoding="utf-8")
    (src / "en-9.txt").write_text(
        "@lang en\n@hn third_party_disclosure\nYour husband owes us 400 dollars. || lst=spouse prof=us\n"
        "@cat third_party_disclosure\nYour husband owes us 400 dollars. || lst=spouse prof=cn\n",
        encoding="utf-8",
    )
    build(tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "utterances.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["context"]["listener"] for r in rows] == ["spouse", "spouse"]
    assert [r["context"]["listener_is_debtor"] for r in rows] == [False, False]
    item_schema = validator("script-corpus-item.schema.json")
    assert all(item_schema.is_valid(r) for r in rows)


@pytest.mark.parametrize(("files", "message"), list(_REFUSED.values()), ids=list(_REFUSED))
def test_the_builder_refuses(tmp_path: Path, files: dict[str, str], message: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name, text in {"conversations.txt": "", **files}.items():
        (src / name).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        build(tmp_path)


def test_training_refuses_to_leave_out_a_blind_set_that_was_never_retired() -> None:
    """``train --exclude-retired 1.10`` (a typo) must not write a model that claims to leave something out."""
    from icss.reference.scripts import train

    with pytest.raises(SystemExit):
        train.main(["--exclude-retired", "1.10", "--out", "/dev/null"])
