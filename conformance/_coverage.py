"""The coverage matrix (indicator -> checks -> level), generated from the check registry.

``reports/coverage-matrix.csv`` is committed, and each indicator's ``checks`` list in
``spec/indicators/*.yaml`` names the checks that verify it; ``icss coverage --write`` refreshes both,
and a test fails when either is stale, when a check names an unknown indicator, or when an
automated indicator has no check.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from icss.spec import load_catalogue

from ._registry import registered_checks

HEADER = ("indicator", "area", "level", "obligation", "verification", "checks")


def checks_by_indicator() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for check in registered_checks().values():
        for indicator in check.indicators:
            found.setdefault(indicator, []).append(check.name)
    return {k: sorted(v) for k, v in found.items()}


def unknown_indicators() -> list[tuple[str, str]]:
    """(check, indicator id) pairs where a check names an id the catalogue does not have."""
    known = {i.id for i in load_catalogue().indicators}
    return [(c.name, i) for c in registered_checks().values() for i in c.indicators if i not in known]


def matrix_csv() -> str:
    by_indicator = checks_by_indicator()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for ind in load_catalogue().active():
        writer.writerow(
            [ind.id, ind.area, ind.level, ind.obligation, ind.verification, ";".join(by_indicator.get(ind.id, []))]
        )
    return out.getvalue()


_ID_LINE = re.compile(r"^  - id: ((?:CP|SC|DR|DS|EV|AI|OP)-\d\d)\s*$")
_CHECKS_LINE = re.compile(r"^    checks:.*$")


def spec_with_checks(text: str, by_indicator: dict[str, list[str]]) -> str:
    """An area file's text with every indicator's ``checks:`` line set from the registry."""
    lines = text.splitlines(keepends=True)
    current: str | None = None
    for n, line in enumerate(lines):
        if match := _ID_LINE.match(line):
            current = match.group(1)
        elif current and _CHECKS_LINE.match(line):
            names = by_indicator.get(current, [])
            lines[n] = "    checks: [" + ", ".join(names) + "]\n"
    return "".join(lines)


def write_coverage(repo: Path) -> list[Path]:
    """Refresh reports/coverage-matrix.csv and the checks lists in spec/indicators; return changed files."""
    changed = []
    matrix = repo / "reports" / "coverage-matrix.csv"
    text = matrix_csv()
    if not matrix.exists() or matrix.read_text() != text:
        matrix.parent.mkdir(parents=True, exist_ok=True)
        matrix.write_text(text)
        changed.append(matrix)
    by_indicator = checks_by_indicator()
    for path in sorted((repo / "spec" / "indicators").glob("*.yaml")):
        old = path.read_text(encoding="utf-8")
        new = spec_with_checks(old, by_indicator)
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed
