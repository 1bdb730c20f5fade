"""Request throttling: a token bucket per caller, and a lock-out for guessed client secrets.

Answering every request as fast as it comes lets one misbehaving client starve the others and lets
anyone guess client secrets at the speed of the network. Both limits answer ``429`` with a
``Retry-After`` header (the interface's ``rate-limited`` problem) and keep their state in memory:
they protect one process, which is what the embedded service is; a deployment behind several
processes adds its gateway's limits on top.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ._problems import Problem

#: At most this many callers are remembered; the least recently seen are forgotten first.
_MAX_KEYS = 100_000


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """``rate`` requests a second per key, with bursts of up to ``burst``; rate 0 turns it off."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket: 0.0 if granted, else the seconds until one is back."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
                while len(self._buckets) > _MAX_KEYS:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(key)
                bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
                bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate


class FailureLockout:
    """After ``limit`` failures of a key within ``window`` seconds, the key is refused until they age out."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        stamps = [t for t in self._failures.get(key, ()) if now - t < self.window]
        if stamps:
            self._failures[key] = stamps
            self._failures.move_to_end(key)
        else:
            self._failures.pop(key, None)
        return stamps

    def wait(self, key: str) -> float:
        """0.0 if ``key`` may try, else the seconds until its oldest counted failure ages out."""
        if self.limit <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            stamps = self._recent(key, now)
            if len(stamps) < self.limit:
                return 0.0
            return stamps[-self.limit] + self.window - now

    def failed(self, key: str) -> None:
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            self._recent(key, now)
            self._failures.setdefault(key, []).append(now)
            while len(self._failures) > _MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def rate_limited(seconds: float, detail: str) -> Problem:
    """The 429 problem, with the whole seconds to wait (RFC 9110 Retry-After is an integer)."""
    return Problem("rate-limited", detail, retry_after=max(1, math.ceil(seconds)))


__all__ = ["FailureLockout", "TokenBuckets", "rate_limited"]
