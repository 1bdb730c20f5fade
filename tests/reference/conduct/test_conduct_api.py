"""The public API of icss.reference.conduct is what __all__ says (the httpx test_exported_members idea)."""

from __future__ import annotations

import icss.reference.conduct as conduct


def test_all_names_exist_and_are_public() -> None:
    for name in conduct.__all__:
        assert hasattr(conduct, name), name
        assert not name.startswith("_")
    assert len(conduct.__all__) == len(set(conduct.__all__))


def test_every_public_class_and_function_is_exported() -> None:
    public = {
        name
        for name, value in vars(conduct).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("icss.reference.conduct")
    }
    assert public <= set(conduct.__all__)
