"""Bearer tokens: verified once, remembered only until they expire."""

from __future__ import annotations

import time

import pytest

from icss.reference import _auth
from icss.reference._auth import Principal, issue_token, read_token
from icss.reference._problems import Problem

KEY = b"k" * 32


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    principal = Principal("c1", "collector", "t1")
    token = issue_token(principal, KEY, ttl_seconds=60)
    assert read_token(token, KEY) == principal
    assert (token, KEY) in _auth._VERIFIED
    later = time.time() + 120
    monkeypatch.setattr("icss.reference._auth.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", _Frozen(later))
    with pytest.raises(Problem, match="expired"):
        read_token(token, KEY)
    assert (token, KEY) not in _auth._VERIFIED


def test_a_token_is_remembered_per_key() -> None:
    token = issue_token(Principal("c1", "admin", "t1"), KEY, ttl_seconds=60)
    read_token(token, KEY)
    with pytest.raises(Problem, match="not valid"):
        read_token(token, b"o" * 32)  # the same token under another key is verified afresh, and fails


class _Frozen:
    """Stands in for PyJWT's datetime module attribute so its expiry check sees the same later instant."""

    def __init__(self, at: float) -> None:
        import datetime as real

        self._real = real.datetime
        self._at = at

    def now(self, tz: object = None) -> object:
        return self._real.fromtimestamp(self._at, tz)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)
