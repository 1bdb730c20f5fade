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


def test_the_wheel_carries_every_file_of_the_three_packages(tmp_path: Path) -> None:
    """A wheel install must work like a checkout: every tracked file of spec/, reference/ and
    conformance/ (data included: indicators, corpora, migrations, templates) is in the wheel."""
    import subprocess
    import zipfile

    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(tmp_path.glob("icss-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", *MAPPING], capture_output=True, text=True, check=True
    ).stdout.split()
    missing = [
        path
        for path in tracked
        if MAPPING[path.split("/", 1)[0]].replace(".", "/") + "/" + path.split("/", 1)[1] not in names
    ]
    assert missing == []
