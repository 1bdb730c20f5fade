"""``icss.spec.once``: a loader that threads call together runs once (``functools.cache`` alone runs it per thread)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from icss.spec import once


def test_concurrent_callers_share_one_computation() -> None:
    calls = 0
    started = threading.Event()

    @once
    def slow() -> object:
        nonlocal calls
        calls += 1
        started.set()
        time.sleep(0.2)  # every other caller arrives while the first is still computing
        return object()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: slow(), range(8)))
    assert started.is_set()
    assert calls == 1
    assert all(r is results[0] for r in results)
    assert slow() is results[0]
