"""The harness on the site: every check with its docstring, the sample report, the command line.

"Docs are code": a check's docstring is the text a vendor reads under the indicator it verifies,
the sample report is a real run of the harness (valid, signed, and shown in full), and the
command-line reference is generated from the ``icss`` application — so these tests compare the
built HTML with the registry, the sample's files and the typer app, never with hand-kept lists.
"""

from __future__ import annotations

import html
import inspect
import json
import re
from pathlib import Path
from types import ModuleType

import pytest
import typer
from jsonschema import Draft202012Validator
from mkdocs.exceptions import PluginError
from typer.testing import CliRunner

from icss.conformance import registered_checks, verify_report
from icss.conformance.cli import app
from icss.spec import schema_registry, validator

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "reports" / "sample"
CHECKS = registered_checks()


def page_text(path: Path) -> str:
    """The visible text of a built page's article, whitespace collapsed."""
    raw = path.read_text(encoding="utf-8")
    body = raw.split("<article", 1)[1].split("</article>", 1)[0] if "<article" in raw else raw
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()).replace(" ,", ",").replace(" .", ".")


def squash(text: str) -> str:
    """Text compared without any whitespace: tags split words into pieces differently than the source."""
    return re.sub(r"\s+", "", text)


def first_sentence(doc: str) -> str:
    """The docstring's first sentence: up to the first full stop that ends a sentence."""
    flat = " ".join(inspect.cleandoc(doc).split())
    return re.split(r"(?<=[.;])\s+(?=[A-Z(])", flat, maxsplit=1)[0]


# -- checks on the indicator pages ---------------------------------------------------------------


def test_the_harness_has_checks() -> None:
    assert CHECKS, "no check is registered"
    undocumented = [name for name, c in CHECKS.items() if not c.doc.strip()]
    assert not undocumented, f"checks without a docstring (it is their user-facing text): {undocumented}"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_check_is_shown_with_its_docstring(site: Path, name: str) -> None:
    reg = CHECKS[name]
    sentence = squash(first_sentence(reg.doc))
    for ind_id in reg.indicators:
        page = site / "areas" / ind_id[:2].lower() / "index.html"
        text = page_text(page)
        assert name in text, f"{name} is not on the page of {ind_id}"
        assert sentence in squash(text), f"the first sentence of {name}'s docstring is not on the page of {ind_id}"
        assert f'id="check-{re.sub(r"[^a-z0-9]+", "-", name.lower())}"' in page.read_text(encoding="utf-8")


# -- the sample report --------------------------------------------------------------------------


def sample_report() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((SAMPLE / "report.json").read_text(encoding="utf-8"))
    return loaded


def test_the_sample_is_valid_against_the_report_schema() -> None:
    doc = sample_report()
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(
            validator("report").schema,
            registry=schema_registry(),
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        ).iter_errors(doc)
    ]
    assert not errors, errors


def test_the_sample_verifies() -> None:
    """`icss report verify reports/sample` succeeds: no byte changed since the harness signed it."""
    result = CliRunner().invoke(app, ["report", "verify", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert verify_report(SAMPLE)["files"]


def test_the_sample_page_shows_every_indicator_of_the_sample(site: Path) -> None:
    doc = sample_report()
    text = page_text(site / "sample-report" / "index.html")
    indicators = doc["indicators"]
    assert isinstance(indicators, list)
    missing = [i["id"] for i in indicators if i["id"] not in text]
    assert not missing, f"indicators of the sample not on its page: {missing}"
    run = doc["run"]
    assert isinstance(run, dict)
    assert run["id"] in text
    for outcome, count in doc["summary"].items():  # type: ignore[attr-defined]
        assert outcome in text
        assert str(count) in text
    assert ("NOT CERTIFIED" in text) != bool(doc["certified"])


def test_the_sample_messages_are_shown(site: Path) -> None:
    text = squash(page_text(site / "sample-report" / "index.html"))
    for ind in sample_report()["indicators"]:  # type: ignore[attr-defined]
        if ind["level"] <= 1 and ind.get("message"):
            assert squash(ind["message"][:60]) in text, ind["id"]


def test_the_sample_files_are_downloadable_byte_for_byte(site: Path) -> None:
    page = (site / "sample-report" / "index.html").read_text(encoding="utf-8")
    for name in ("report.html", "report.json", "junit.xml", "manifest.json", "manifest.sig"):
        assert (site / "reports" / "sample" / name).read_bytes() == (SAMPLE / name).read_bytes(), name
        assert f'href="../reports/sample/{name}"' in page, f"the sample page does not link {name}"


def test_a_missing_sample_is_a_clear_build_error(hook: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(PluginError, match=re.escape("icss certify --profile cn --level 1 --out reports/sample")):
        hook.load_sample(tmp_path)


# -- the command line ---------------------------------------------------------------------------


def command_paths() -> list[str]:
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="icss")
    paths = []
    for name in root.list_commands(ctx):  # type: ignore[attr-defined]
        paths.append(f"icss {name}")
        sub = root.get_command(ctx, name)  # type: ignore[attr-defined]
        if hasattr(sub, "list_commands"):
            sub_ctx = sub.context_class(sub, info_name=name, parent=ctx)
            paths += [f"icss {name} {child}" for child in sub.list_commands(sub_ctx)]
    return paths


def test_the_cli_reference_lists_every_command(site: Path) -> None:
    text = page_text(site / "cli" / "index.html")
    paths = command_paths()
    assert {"icss certify", "icss report", "icss keygen", "icss coverage", "icss spec"} <= set(paths)
    missing = [p for p in paths if p not in text]
    assert not missing, f"commands missing from the command-line reference: {missing}"
    for option in ("--profile", "--level", "--attestations", "--signing-key", "--key"):
        assert option in text


def test_the_cli_reference_lists_the_pytest_options(site: Path, hook: ModuleType) -> None:
    text = page_text(site / "cli" / "index.html")
    options = [name for name, _ in hook.pytest_options()]
    assert "--icss-target" in options
    assert all(option in text for option in options)


# -- the report format and the guides -----------------------------------------------------------


def test_the_report_format_page_shows_every_field_of_the_schema(site: Path) -> None:
    schema = validator("report").schema
    text = page_text(site / "report-format" / "index.html")
    assert "Forthcoming" not in text
    for name, prop in schema["properties"].items():
        assert name in text, name
        for sub in prop.get("properties", {}):
            assert f"{name}.{sub}" in text, f"{name}.{sub}"
    for name, definition in schema["$defs"].items():
        assert name in text, name
        for field in definition.get("properties", {}):
            assert field in text, f"{name}.{field}"


@pytest.mark.parametrize("page", ["guides/self-test.md", "guides/audit.md", "sample-report.md", "report-format.md"])
def test_no_planned_mark_where_the_harness_exists(page: str) -> None:
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    assert "icss-planned" not in text
    assert "is being built" not in text
    assert "planned" not in text.lower()
