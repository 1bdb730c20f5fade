"""Build the ICSS script corpus (``spec/corpora/scripts``) from its authoring sources.

The corpus is written by hand in ``spec/corpora/scripts/src/*.txt`` — one utterance a line, with
directives that set the language, speaker, context and labels of the lines that follow (the format
is documented in the corpus README). This tool turns the sources into the published files:

* ``utterances.jsonl`` — one item per line, each with its id, text, context, labels and split;
* ``conversations.jsonl`` — whole conversations with conversation-level labels (SC-12);
* ``manifest.json`` — counts and the SHA-256 of both files.

Splits are stratified by language and by primary label (or the category a hard negative targets),
assigned by a keyed hash of the item's group, so they are reproducible and stable when items are
appended. Items sharing a ``g=`` group (the same words under a different context) always land in the
same split. Run ``python -m icss.reference.scripts.build_corpus`` after editing a source file.

A blind set, once evaluated, is retired the same way: its file's ``@split test`` becomes
``@retired VERSION`` (the version whose test split it was), which forces its items into dev with that
mark; a new blind set takes its place.

Since 1.2.0 the hash no longer fills the test split. The items it placed in test up to 1.1.0 were
evaluated once and are spent; they become dev and keep a ``retired_test`` mark naming the version
whose test split they were. The test split is made only of items forced into it by the ``@split test``
directive or the ``split=test`` line option — the blind sets, written by someone who has not seen the
checker. Forced items never take part in the hashed ranking, so adding them moves nothing else.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from icss.spec import load_catalogue

from ._categories import CATEGORIES, severity_of
from ._checker import Context, ContextError

ROOT = Path(__file__).resolve().parents[2] / "spec" / "corpora" / "scripts"
SPLIT_SEED = "icss-script-corpus-v1"
VERSION = "1.11.0"
#: The version whose hashed test split was retired into dev (see the module docstring).
RETIRED_TEST = "1.1.0"
#: Values of ``@split`` / ``split=``: ``test`` forces the item into test; ``hash`` is the default.
FORCED_SPLITS = ("test", "hash")
ROLES = {
    "collector": "collector",
    "ai": "ai_agent",
    "ai_agent": "ai_agent",
    "debtor": "debtor",
    "third": "third_party",
    "third_party": "third_party",
}
SHORT_ROLES = {"C": "collector", "A": "ai_agent", "D": "debtor", "T": "third_party"}
#: The charge kinds ``ac=`` may name: the enum of ``context.authorised_charges`` in the item schema.
CHARGE_KINDS = (
    "interest",
    "late_fee",
    "collection_fee",
    "returned_payment_fee",
    "convenience_fee",
    "legal_cost",
    "other",
)
EVASIONS = {
    "fullwidth",
    "traditional",
    "spaced",
    "symbols",
    "pinyin",
    "abbrev",
    "homophone",
    "euphemism",
    "mixed",
    "leet",
}


@dataclass
class _State:
    lang: str = "zh"
    profile: str = "cn"
    role: str = "collector"
    labels: list[str] = field(default_factory=list)
    hard: list[str] = field(default_factory=list)
    ctx: dict[str, str] = field(default_factory=dict)
    split: str = "hash"
    #: ``@retired VERSION``: a spent blind set, evaluated once as the test split of VERSION (now dev).
    retired: str | None = None
    since: str | None = None


def _to_traditional(text: str) -> str:
    import opencc  # type: ignore[import-untyped,unused-ignore]

    return str(opencc.OpenCC("s2t").convert(text))


#: The options a line (after `` || ``) or ``@ctx`` may set, and the values a flag takes.
_LINE_OPTIONS = frozenset({"cat", "hn", "role", "lit", "tb", "ltd", "lst", "prof", "ac", "ev", "tx", "g", "split"})
_FLAGS = frozenset({"lit", "tb", "ltd"})


def _parse_options(raw: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for token in raw.split():
        key, _, value = token.partition("=")
        options[key] = value
    return options


def _checked_options(raw: str, where: str) -> dict[str, str]:
    """A line's options; a misspelt name or flag value would otherwise be dropped without a word."""
    options = _parse_options(raw)
    for key, value in options.items():
        if key not in _LINE_OPTIONS:
            raise ValueError(f"{where}: unknown option {key!r} (known: {', '.join(sorted(_LINE_OPTIONS))})")
        if key in _FLAGS and value not in ("0", "1"):
            raise ValueError(f"{where}: {key}={value!r}; a flag is 0 or 1")
    return options


def _item(text: str, opts: dict[str, str], st: _State, where: str) -> dict[str, Any]:
    merged = {**st.ctx, **opts}
    labels = [c for c in merged["cat"].split(",") if c] if "cat" in merged else list(st.labels)
    hard = [c for c in merged["hn"].split(",") if c] if "hn" in merged else list(st.hard)
    if "cat" in opts and "hn" not in opts:
        hard = []
    role = ROLES[merged.get("role", st.role)]
    for cat in (*labels, *hard):
        if cat not in CATEGORIES:
            raise ValueError(f"{where}: unknown category {cat!r}")
    evasion = [e for e in merged.get("ev", "").split(",") if e]
    for ev in evasion:
        if ev not in EVASIONS:
            raise ValueError(f"{where}: unknown evasion tag {ev!r}")
    if "traditional" in merged.get("tx", ""):
        text = _to_traditional(text)
    profile = merged.get("prof", st.profile)
    _check_profile(profile, where)
    context: dict[str, Any] = {
        "profile": profile,
        "time_barred": merged.get("tb", "0") == "1",
        "litigation_intended": merged.get("lit", "0") == "1",
        "listener_is_debtor": merged.get("ltd", "1") == "1",
    }
    if merged.get("lst"):  # who the listener is: the checker's own rule decides what it implies and contradicts
        stated = {"listener": merged["lst"]} | ({"listener_is_debtor": merged["ltd"] == "1"} if "ltd" in merged else {})
        try:
            read = Context.from_json({"profile": profile, **stated})
        except ContextError as exc:
            raise ValueError(f"{where}: lst={merged['lst']}: {exc}") from None
        context["listener"] = read.listener
        context["listener_is_debtor"] = read.listener_is_debtor
    if merged.get("ac"):
        context["authorised_charges"] = merged["ac"].split(",")
        for kind in context["authorised_charges"]:
            if kind not in CHARGE_KINDS:  # 1.6.0: "default_fee" passed here and failed the schema only later
                raise ValueError(f"{where}: ac={kind!r} is not a charge kind ({', '.join(CHARGE_KINDS)})")
    forced = opts.get("split", st.split)
    if forced not in FORCED_SPLITS:
        raise ValueError(f"{where}: split={forced!r}; a line can only be forced into 'test' (or left to 'hash')")
    if st.retired is not None:
        if forced == "test":
            raise ValueError(f"{where}: a retired blind set cannot be forced into test again")
        forced = "dev"
    return {
        "text": text,
        "language": st.lang,
        "speaker_role": role,
        "context": context,
        "labels": [{"category": c, "severity": severity_of(c)} for c in labels],
        "hard_negative": not labels and bool(hard),
        "hard_negative_for": [] if labels else hard,
        "evasion": evasion,
        "group": opts.get("g"),
        "forced_split": None if forced == "hash" else forced,
        "retired_test": st.retired,
        "since": st.since,
    }


def parse_utterances(path: Path) -> list[dict[str, Any]]:
    """Read one authoring file into corpus items (without ids and splits)."""
    st = _State()
    items: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            name, _, arg = line[1:].partition(" ")
            arg = arg.split("#", 1)[0].strip()
            if name == "lang":
                st.lang = arg
            elif name == "profile":
                st.profile = arg
            elif name == "role":
                st.role = arg
            elif name == "cat":
                st.labels, st.hard = arg.split(","), []
            elif name == "hn":
                st.labels, st.hard = [], arg.split(",")
            elif name == "plain":
                st.labels, st.hard = [], []
            elif name == "split":
                if arg not in FORCED_SPLITS:
                    raise ValueError(f"{where}: @split {arg!r}; use 'test' (the blind sets) or 'hash'")
                st.split = arg
            elif name == "retired":
                if not arg:
                    raise ValueError(f"{where}: @retired names the version whose test split these items were")
                st.retired = arg
            elif name == "since":
                st.since = arg or None
            elif name == "ctx":
                st.ctx = {k: v for k, v in _checked_options(arg, where).items() if not (k == "ltd" and v == "1")}
            else:
                raise ValueError(f"{where}: unknown directive @{name}")
            continue
        text, _, raw = line.partition(" || ")
        items.append(_item(text.strip(), _checked_options(raw, where), st, where))
    return items


def _check_profile(profile: str, where: str) -> None:
    """A context names a profile of the catalogue: a target may refuse any other id with 422, and the batch with
    it (1.7.0's authors found that "au" or "sg" passed the schema's pattern)."""
    known = load_catalogue().profiles
    if profile not in known:
        raise ValueError(f"{where}: profile {profile!r} is not one of spec/profiles ({', '.join(sorted(known))})")


def parse_conversations(path: Path) -> list[dict[str, Any]]:
    """Read the conversations file."""
    convs: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            head = _parse_options(line[4:])
            labels = [] if head["labels"] == "-" else head["labels"].split(",")
            _check_profile(head["profile"], f"{path.name}:{number}")
            convs.append(
                {
                    "language": head["lang"],
                    "context": {
                        "profile": head["profile"],
                        "communication": head["comm"],
                        "listener_is_debtor": head.get("ltd", "1") == "1",
                    },
                    "turns": [],
                    "labels": [{"category": c, "severity": severity_of(c)} for c in labels],
                    "forced_split": head["split"] if head.get("split", "hash") != "hash" else None,
                }
            )
            if head.get("split", "hash") not in FORCED_SPLITS:
                raise ValueError(f"{path.name}:{number}: split={head['split']!r}; use 'test' or 'hash'")
            continue
        code, _, text = line.partition(": ")
        if code not in SHORT_ROLES or not convs:
            raise ValueError(f"{path.name}:{number}: a turn is 'C: text' (C, A, D or T)")
        convs[-1]["turns"].append({"speaker_role": SHORT_ROLES[code], "text": text.strip()})
    return convs


def _stratum(item: dict[str, Any]) -> str:
    if item["labels"]:
        return str(item["labels"][0]["category"])
    if item.get("hard_negative_for"):
        return "hn:" + str(item["hard_negative_for"][0])
    return "plain"


def _hash_key(item: dict[str, Any]) -> str:
    """What the split hash ranks: the group, else (in a later batch) the content, else the id.

    A later batch's ids depend on the length of every file before it in name order (the blind sets
    among them), so its items are ranked by what they say, which no other file can change.
    """
    if item.get("group"):
        return str(item["group"])
    if item.get("since"):
        ctx = json.dumps(item["context"], sort_keys=True)
        return f"{item['language']}:{item['since']}:{item['speaker_role']}:{ctx}:{item['text']}"
    return str(item["id"])


def _assign_splits(items: list[dict[str, Any]], key: Any, *, retire_test: bool) -> None:
    """60/20/20 per stratum, by a keyed hash of each group: reproducible and append-stable.

    Items forced into a split (``@split test``) are set aside first, so that they never shift the
    hashed ranking of the others. With ``retire_test`` the hash's test share goes to dev instead and
    each such item is marked with the version whose test split it was. Items of a later batch
    (``@since``, from 1.3.0) are ranked in strata of their own and cut 60/40 train/dev.
    """
    strata: dict[tuple[str, str, str], dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    stratum_of: dict[str, tuple[str, str, str]] = {}
    forced_groups: dict[str, str] = {}
    for item in items:
        group = _hash_key(item)
        if item.get("forced_split"):
            forced_groups[group] = item["forced_split"]
    for item in items:
        group = _hash_key(item)
        if group in forced_groups:
            if item.get("forced_split") != forced_groups[group]:
                raise ValueError(f"group {group}: some items are forced into {forced_groups[group]}, others not")
            item["split"] = forced_groups[group]
            continue
        # A group (a positive and its hard-negative twin) lives in the stratum of its first item.
        stratum = stratum_of.setdefault(group, (item["language"], key(item), item.get("since") or ""))
        strata[stratum][group].append(item)
    for (_, _, since), groups in strata.items():
        order = sorted(groups, key=lambda g: hashlib.sha256(f"{SPLIT_SEED}:{g}".encode()).hexdigest())
        n = len(order)
        n_test, n_dev = round(n * 0.2), round(n * 0.2)
        if since:  # a later batch: its own strata, so no earlier item moves; 60/40 train/dev, nothing retired
            n_test, n_dev = 0, round(n * 0.4)
        for rank, group in enumerate(order):
            split = "test" if rank < n_test else "dev" if rank < n_test + n_dev else "train"
            for item in groups[group]:
                if split == "test" and retire_test:
                    split_of_item, item["retired_test"] = "dev", RETIRED_TEST
                else:
                    split_of_item = split
                item["split"] = split_of_item


def _check_file_language(path: Path, items: list[dict[str, Any]]) -> None:
    """``en-*.txt`` holds English only, ``zh-*.txt`` Chinese only: ids are numbered per language in file
    order, so a line of the other language in a later file would renumber every item after it."""
    prefix = path.name.split("-", 1)[0]
    stray = [i["text"] for i in items if i["language"] != prefix]
    if prefix in ("zh", "en") and stray:
        raise ValueError(f"{path.name}: {len(stray)} items not in {prefix!r} (first: {stray[0]!r}); move them")


def _file_order(path: Path) -> tuple[str, int, str]:
    """Files in the order ids are numbered: by language, then by part number as a number (zh-10 after zh-9-blind).

    Ids are numbered per language in this order, so a new part must sort after every earlier one.
    """
    prefix, _, rest = path.stem.partition("-")
    digits = re.match(r"\d+", rest)
    return (prefix, int(digits.group()) if digits else -1, rest)


def numbered_sources(src: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every utterance of the source files under ``src`` with its id, beside the name of its file.

    The one place ids are numbered: per language, in file order (``train.py`` reads an item's file here).
    """
    out: list[tuple[str, dict[str, Any]]] = []
    counters: Counter[str] = Counter()
    for path in sorted(src.glob("*.txt"), key=_file_order):
        if path.name == "conversations.txt":
            continue
        parsed = parse_utterances(path)
        _check_file_language(path, parsed)
        for item in parsed:
            counters[item["language"]] += 1
            item["id"] = f"sc-{item['language']}-{counters[item['language']]:04d}"
            out.append((path.name, item))
    return out


def build(root: Path = ROOT) -> dict[str, Any]:
    """Build the published files under ``root`` and return the manifest."""
    src = root / "src"
    items = [item for _name, item in numbered_sources(src)]
    seen: dict[tuple[str, str, str], str] = {}
    repeats: list[str] = []
    for item in items:
        ctx_key = json.dumps(item["context"], sort_keys=True) + item["speaker_role"]
        dup = (item["text"], ctx_key, item["language"])
        if dup in seen:
            repeats.append(f"duplicate utterance {item['id']} = {seen[dup]}: {item['text']}")
        seen.setdefault(dup, item["id"])  # a third copy names the first, not the second
        if item["group"]:
            item["group"] = f"{item['language']}:{item['group']}"
    if repeats:  # every repeat at once: a blind author (check_draft) rewords them in one pass, not one per build
        raise ValueError("\n".join(repeats))
    _assign_splits(items, _stratum, retire_test=True)
    convs = parse_conversations(src / "conversations.txt")
    lang_count: Counter[str] = Counter()
    for conv in convs:
        lang_count[conv["language"]] += 1
        conv["id"] = f"conv-{conv['language']}-{lang_count[conv['language']]:03d}"
    # Conversations (SC-12) keep their 1.1.0 splits: issue 7 retired the utterance test split only.
    _assign_splits(convs, lambda c: "missing" if c["labels"] else "complete", retire_test=False)
    order = (
        "id",
        "text",
        "language",
        "speaker_role",
        "context",
        "labels",
        "hard_negative",
        "hard_negative_for",
        "evasion",
        "group",
        "split",
        "retired_test",
    )
    lines = [json.dumps({k: item[k] for k in order if item.get(k) is not None}, ensure_ascii=False) for item in items]
    conv_order = ("id", "language", "context", "turns", "labels", "split")
    conv_lines = [json.dumps({k: c[k] for k in conv_order}, ensure_ascii=False) for c in convs]
    utter_text = "\n".join(lines) + "\n"
    conv_text = "\n".join(conv_lines) + "\n"
    (root / "utterances.jsonl").write_text(utter_text, encoding="utf-8")
    (root / "conversations.jsonl").write_text(conv_text, encoding="utf-8")
    manifest = _manifest(items, convs, utter_text, conv_text)
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _manifest(items: list[dict[str, Any]], convs: list[dict[str, Any]], utter: str, conv: str) -> dict[str, Any]:
    per_category: dict[str, Counter[str]] = defaultdict(Counter)
    hard_for: dict[str, Counter[str]] = defaultdict(Counter)
    test_cells: dict[str, dict[str, dict[str, int]]] = {
        c: {lang: {"positives": 0, "hard_negatives": 0} for lang in ("zh", "en")}
        for c in CATEGORIES
        if c != "missing_required_disclosure"
    }
    for item in items:
        for label in item["labels"]:
            per_category[label["category"]][item["language"]] += 1
            if item["split"] == "test":
                test_cells[label["category"]][item["language"]]["positives"] += 1
        for cat in item["hard_negative_for"]:
            hard_for[cat][item["language"]] += 1
            if item["split"] == "test":
                test_cells[cat][item["language"]]["hard_negatives"] += 1
    return {
        "corpus": "icss-script-corpus",
        "version": VERSION,
        "utterances": len(items),
        "by_language": dict(Counter(i["language"] for i in items)),
        "by_split": dict(Counter(i["split"] for i in items)),
        "hard_negatives": sum(1 for i in items if i["hard_negative"]),
        "with_evasion": sum(1 for i in items if i["evasion"]),
        "retired_test": dict(Counter(i["retired_test"] for i in items if i.get("retired_test"))),
        "positives_by_category": {c: dict(v) for c, v in sorted(per_category.items())},
        "hard_negatives_by_category": {c: dict(v) for c, v in sorted(hard_for.items())},
        # Every cell needs positives and hard negatives, or its indicator cannot be decided.
        "test_cells": test_cells,
        "conversations": len(convs),
        "conversations_by_split": dict(Counter(c["split"] for c in convs)),
        "sha256": {
            "utterances.jsonl": hashlib.sha256(utter.encode()).hexdigest(),
            "conversations.jsonl": hashlib.sha256(conv.encode()).hexdigest(),
        },
    }


def main() -> None:
    manifest = build()
    json.dump({k: v for k, v in manifest.items() if k != "sha256"}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
