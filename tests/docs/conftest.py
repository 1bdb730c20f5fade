"""Shared fixtures of the docs tests: one strict build of the site per session, and the hook module.

The site is built the way CI and a reader's machine build it — ``mkdocs build --strict`` in a
subprocess — so a warning anywhere (a broken link, a missing anchor, a nav entry without a page)
fails the build, and every other docs test reads the HTML that build wrote.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
HOOK = DOCS / "_hooks" / "generate.py"


@dataclass(frozen=True)
class Build:
    """The outcome of one ``mkdocs build --strict``."""

    returncode: int
    output: str
    site: Path

    def require(self) -> Path:
        """The built site, or a failure that shows the build's own output."""
        if self.returncode != 0:
            pytest.fail(f"mkdocs build --strict failed ({self.returncode}):\n{self.output}")
        return self.site


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("ICSS_DOCS_SOURCE", None)  # always the checkout's spec/
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(REPO / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Build(proc.returncode, proc.stdout + proc.stderr, site)


@pytest.fixture(scope="session")
def site(build: Build) -> Path:
    return build.require()


@pytest.fixture(scope="session")
def hook() -> ModuleType:
    """The docs hook, imported from its file the way MkDocs imports it."""
    spec = importlib.util.spec_from_file_location("icss_docs_hook", HOOK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module
