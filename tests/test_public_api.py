"""Each package's public API is its curated ``__all__``: every name exists, none is private, none twice."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "icss.spec",
    "icss.conformance",
    "icss.reference.conduct",
    "icss.reference.evidence",
    "icss.reference.intelligence",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_curated(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported, f"{name} exports nothing"
    assert len(exported) == len(set(exported)), "a name is exported twice"
    assert [n for n in exported if n.startswith("_")] == []
    assert [n for n in exported if not hasattr(module, n)] == []


def test_the_harness_exports_what_a_vendor_needs() -> None:
    import icss.conformance as harness

    for name in (
        "run",
        "RunConfig",
        "Target",
        "Credentials",
        "check",
        "CheckContext",
        "Outcome",
        "write_report",
        "verify_report",
    ):
        assert name in harness.__all__
