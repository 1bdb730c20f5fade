"""A cache for loaders of no arguments that several threads may call at the same moment.

``functools.cache`` is thread-safe for its own state, but two threads that miss together both compute: a harness run
starts its checks on a worker pool, and each of them used to parse spec/openapi.yaml or read the script corpus for
itself. :func:`once` computes on the first call while later callers wait for that result.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


def once(fn: Callable[[], _T]) -> Callable[[], _T]:
    """``fn``'s result, computed by the first caller; concurrent callers wait for it instead of computing again."""
    lock = threading.Lock()
    cached = functools.cache(fn)

    @functools.wraps(fn)
    def wrapper() -> _T:
        with lock:  # a lock held for one dictionary look-up once the result exists
            return cached()

    return wrapper
