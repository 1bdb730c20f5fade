"""Unit tests of the docs hook: failures are loud and the small text transforms do what they say."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from mkdocs.exceptions import PluginError

REPO = Path(__file__).resolve().parents[2]


def copy_source(tmp_path: Path, *, without: str) -> Path:
    """A copy of the checkout's spec/ and CHANGELOG.md with one file left out."""
    shutil.copytree(REPO / "spec", tmp_path / "spec", ignore=shutil.ignore_patterns("__pycache__", "*.py", "py.typed"))
    shutil.copy(REPO / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    (tmp_path / without).unlink()
    return tmp_path


def test_sources_load_from_the_checkout(hook: ModuleType) -> None:
    src = hook.load_sources(REPO)
    assert src.catalogue.areas
    assert src.openapi["paths"]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("spec/openapi.yaml", "openapi.yaml is missing"),
        ("CHANGELOG.md", "CHANGELOG.md is missing"),
        ("spec/indicators/cp.yaml", "spec/indicators/cp.yaml"),
    ],
)
def test_a_missing_source_is_a_clear_build_error(hook: ModuleType, tmp_path: Path, missing: str, message: str) -> None:
    root = copy_source(tmp_path, without=missing)
    with pytest.raises(PluginError, match=message.replace(".", r"\.")):
        hook.load_sources(root)


def test_unknown_marker_fails_the_build(hook: ModuleType) -> None:
    src = hook.load_sources(REPO)
    with pytest.raises(PluginError, match="icss:nonsense"):
        hook.expand_markers("# Page\n\n<!-- icss:nonsense -->\n", src, "index.md")


def test_markers_expand(hook: ModuleType) -> None:
    src = hook.load_sources(REPO)
    out = hook.expand_markers("<!-- icss:levels -->", src, "index.md")
    assert "icss:" not in out
    assert all(level.title.en in out for level in src.catalogue.levels)


def test_every_page_is_generated_for_every_area_and_tag(hook: ModuleType) -> None:
    src = hook.load_sources(REPO)
    pages = hook.generated_pages(src)
    assert {f"areas/{a.id.lower()}.md" for a in src.catalogue.areas} <= set(pages)
    assert "interface/schemas.md" in pages


def test_chinese_soft_breaks_are_joined_outside_code(hook: ModuleType) -> None:
    text = "它把要求，\n    写成指标。\nEnglish\nwords\n```yaml\n中\n文\n```\n"
    assert hook.join_cjk_lines(text) == "它把要求，写成指标。\nEnglish\nwords\n```yaml\n中\n文\n```\n"


def test_statements_link_parameters_indicators_and_operations(hook: ModuleType) -> None:
    out = hook.statement(
        "超过 {call_attempts_per_7d} 次时 checkContact 应返回 deny，原因码为 call_cap_7d（见 CP-06）。",
        "areas/cp.md",
        {"checkContact": "interface/contact.md"},
    )
    assert "[`call_attempts_per_7d`](../profiles.md#call_attempts_per_7d)" in out
    assert "[`checkContact`](../interface/contact.md#checkContact)" in out
    assert "`call_cap_7d`" in out
    assert "[CP-06](cp.md#CP-06)" in out


def test_table_cells_escape_pipes(hook: ModuleType) -> None:
    assert hook.cell("a | b\nc") == "a \\| b c"


def test_a_withdrawn_indicator_keeps_its_anchor_and_says_so(hook: ModuleType) -> None:
    src = hook.load_sources(REPO)
    ind = dataclasses.replace(src.catalogue.active()[0], status="withdrawn", withdrawn_in="1.1.0")
    text = "\n".join(hook.render_indicator(src, ind, {}, hook.area_page(ind.area)))
    assert f"{{ #{ind.id} " in text
    assert "Withdrawn in 1.1.0" in text
    assert "icss-badge--withdrawn" in text


def test_every_public_corpus_has_its_page(hook: ModuleType) -> None:
    """Each corpus of spec/corpora/ (a folder with a README) is shown on the site, its README as shipped."""
    src = hook.load_sources(REPO)
    pages = hook.generated_pages(src)
    corpora = sorted(p.parent.name for p in (REPO / "spec" / "corpora").glob("*/README.md"))
    assert corpora == sorted(hook.CORPORA)
    for name in corpora:
        page = pages[f"corpora/{name}.md"]
        readme = (REPO / "spec" / "corpora" / name / "README.md").read_text(encoding="utf-8")
        last_heading = [line for line in readme.splitlines() if line.startswith("## ")][-1]
        assert last_heading in page
        assert "](src/" not in page  # links into the repository are kept as text


def test_listener_lists_are_spelt_out_in_both_languages(hook: ModuleType) -> None:
    catalogue = hook.load_sources(REPO).catalogue
    listed = {v for p in catalogue.profiles.values() for v in p.value("script_permitted_listeners")}
    assert listed <= set(hook.LISTENER_NAMES)
    assert hook.show_value(["spouse", "attorney"], "listener_list", None) == "配偶 (spouse), 债务人的律师 (attorney)"
    assert hook.show_value(["saturday"], "weekday_list", None) == "周六 (saturday)"
