"""The import rules of ARCHITECTURE.md, enforced.

The harness is black-box: it must never import the reference (a shared bug would hide itself),
and the reference must not know the harness. Both may use icss.spec.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "conformance": ("icss.reference",),
    "reference": ("icss.conformance",),
    "spec": ("icss.reference", "icss.conformance"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_forbidden_imports(folder: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / folder).rglob("*.py")
        for name in _imports(path)
        if name.startswith(FORBIDDEN[folder])
    ]
    assert offenders == []


def test_rule_detects_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from icss.reference import app\nimport icss.reference.conduct\n")
    assert _imports(bad) == ["icss.reference", "icss.reference.conduct"]
