"""The wheel maps spec/, reference/ and conformance/ onto icss.*; keep that mapping complete."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAPPING = {"spec": "icss.spec", "reference": "icss.reference", "conformance": "icss.conformance"}


def test_every_subpackage_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    expected = set()
    for folder, name in MAPPING.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            if "__pycache__" in rel.parts or any(p.startswith(".") for p in rel.parts):
                continue
            expected.add(".".join([name, *rel.parts]))
    assert expected <= listed, f"add to [tool.setuptools] packages: {sorted(expected - listed)}"


def test_spec_data_is_reachable_as_package_data() -> None:
    from importlib import resources

    root = resources.files("icss.spec")
    assert (root / "manifest.yaml").is_file()
    assert any(p.name.endswith(".yaml") for p in (root / "indicators").iterdir())


def test_console_script_is_declared() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["project"]["scripts"]["icss"] == "icss.conformance.cli:main"
    assert sys.version_info >= (3, 11)
