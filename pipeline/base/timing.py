"""Seconds spent per stage of the current file, for the benchmark and the run index.

Per thread: the flows process several files at once on threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("read", "ocr", "clean-up", "classify", "extract", "validate", "write")
_local = threading.local()


def _spent() -> dict[str, float]:
    if not hasattr(_local, "spent"):
        _local.spent = {}
    return _local.spent


def reset() -> None:
    _spent().clear()


def add(name: str, seconds: float) -> None:
    """Count time measured elsewhere (in a worker process) against a stage."""
    spent = _spent()
    spent[name] = spent.get(name, 0.0) + seconds


@contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        add(name, time.perf_counter() - start)


def seconds_in(name: str) -> float:
    """Time counted against any name, a stage or not (``start-up``: waiting for a worker)."""
    return _spent().get(name, 0.0)


def spent() -> dict[str, float]:
    spent = _spent()
    return {name: round(spent.get(name, 0.0), 4) for name in STAGES}
