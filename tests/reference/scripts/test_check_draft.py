"""The blind-set validator: counts and near-duplicates of the draft, never a word of another item."""

from __future__ import annotations

from pathlib import Path

import pytest

from icss.reference.scripts import check_draft
from icss.reference.scripts._corpus import utterances


def _existing() -> str:
    return next(i["text"] for i in utterances("train") if i["language"] == "en" and len(i["text"]) > 30)


def _two_existing() -> tuple[str, str]:
    """Two items a draft under the defaults of ``_draft`` repeats exactly (same context and speaker)."""
    plain = {"profile": "us", "time_barred": False, "litigation_intended": False, "listener_is_debtor": True}
    found = [
        i["text"]
        for i in utterances("train")
        if i["language"] == "en" and len(i["text"]) > 30 and i["speaker_role"] == "collector" and i["context"] == plain
    ]
    return found[0], found[1]


def _draft(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "draft.txt"
    head = "@split test\n@lang en\n@profile us\n@role collector\n@cat threat_of_violence\n"
    path.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_respelt_existing_item_is_named_and_nothing_else_is_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = _existing()
    respelt = existing.upper().replace(" ", "  ") + " !!"
    fresh = "A line about the orchard gate that nobody has written before, zebra quartz."
    draft = _draft(tmp_path, respelt, fresh)
    items, repeats = check_draft.check(draft, "en-99-blind.txt")
    assert [i["text"] for i in items] == [respelt, fresh]
    assert repeats == [respelt]
    out = check_draft._report(items, repeats)  # what main prints (it builds once more; a build takes seconds)
    assert "threat_of_violence                      2    0" in out
    assert f"NEAR-DUPLICATE of an existing item: {respelt}" in out
    assert existing not in out  # the corpus's own spelling is never shown


def test_a_clean_draft_passes_and_an_exact_repeat_fails_the_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = _draft(tmp_path, "A line about the orchard gate that nobody has written before, zebra quartz.")
    assert check_draft.main([str(clean), "en-99-blind.txt"]) == 0
    assert "0 near-duplicates" in capsys.readouterr().out
    first, second = _two_existing()
    exact = _draft(tmp_path, first, second)
    assert check_draft.main([str(exact), "en-99-blind.txt"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("BUILD FAILED: duplicate utterance")
    assert out.count("duplicate utterance") == 2  # every exact repeat in one run, not one per build


def test_only_a_blind_file_name_is_taken(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"ends in -blind\.txt"):
        check_draft.check(_draft(tmp_path, "Hello."), "en-99.txt")
