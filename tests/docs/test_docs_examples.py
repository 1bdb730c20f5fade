"""Every YAML/JSON example in docs/ that declares its schema validates against it.

The convention (documented in docs/spec-format.md, "How the examples on this site are checked"):
a fenced ``yaml`` or ``json`` block declares the schema it follows either

* by a first line ``# schema: NAME`` (YAML only; JSON has no comments), or
* by a fence title naming the file: ```` ```json title="NAME.schema.json" ````.

NAME is a file of ``spec/schemas/`` without ``.schema.json`` and may carry a JSON pointer into it
(``profile#/$defs/value``). Blocks that declare nothing (shell sessions, fragments) are not checked.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from icss.spec import SCHEMA_BASE, schema_registry
from icss.spec._schemas import schema_documents

DOCS = Path(__file__).resolve().parents[2] / "docs"

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
COMMENT = re.compile(r"^#\s*schema:\s*(?P<name>[a-z][a-z0-9-]*(?:#\S*)?)\s*$")
TITLE = re.compile(r"""title=["'](?P<name>[a-z][a-z0-9-]*)\.schema\.json(?P<pointer>#\S*?)?["']""")


@dataclass(frozen=True)
class Example:
    where: str
    lang: str
    schema: str  # "indicator" or "profile#/$defs/value"
    body: str

    def data(self) -> object:
        if self.lang == "json":
            return json.loads(self.body)
        return yaml.safe_load(self.body)


def declared_examples() -> list[Example]:
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            info = m.group("info").strip()
            lang = info.split(None, 1)[0].lstrip(".").lower() if info else ""
            if lang not in ("yaml", "yml", "json"):
                continue
            body = textwrap.dedent(m.group("body"))
            first = body.lstrip("\n").split("\n", 1)[0].strip()
            name = None
            if (c := COMMENT.match(first)) and lang != "json":
                name = c.group("name")
            elif t := TITLE.search(info):
                name = t.group("name") + (t.group("pointer") or "")
            if name:
                line = text.count("\n", 0, m.start()) + 1
                found.append(
                    Example(f"{path.relative_to(DOCS)}:{line}", "json" if lang == "json" else "yaml", name, body)
                )
    return found


EXAMPLES = declared_examples()


def test_the_docs_hold_schema_checked_examples() -> None:
    assert EXAMPLES, "no example in docs/ declares its schema"
    assert any(e.schema == "indicator" for e in EXAMPLES), "the spec-format page shows no indicator example"


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.where}[{e.schema}]" for e in EXAMPLES])
def test_example_validates_against_its_schema(example: Example) -> None:
    name, _, pointer = example.schema.partition("#")
    assert f"{name}.schema.json" in schema_documents(), f"{example.where}: no schema spec/schemas/{name}.schema.json"
    ref = f"{SCHEMA_BASE}{name}.schema.json" + (f"#{pointer}" if pointer else "")
    validator = Draft202012Validator(
        {"$ref": ref}, registry=schema_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(example.data())
    ]
    assert not errors, f"{example.where} is not a valid {example.schema}:\n" + "\n".join(errors)


def test_a_broken_example_would_be_caught() -> None:
    """The checker is not vacuous: an indicator missing its statement fails."""
    broken = yaml.safe_load(next(e for e in EXAMPLES if e.schema == "indicator").body)
    del broken["statement"]
    validator = Draft202012Validator({"$ref": f"{SCHEMA_BASE}indicator.schema.json"}, registry=schema_registry())
    assert list(validator.iter_errors(broken))
