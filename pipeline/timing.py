"""Seconds spent per stage of the current file, for the benchmark and the run index."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("read", "ocr", "clean-up", "classify", "extract", "validate", "write")
_spent: dict[str, float] = {}


def reset() -> None:
    _spent.clear()


@contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _spent[name] = _spent.get(name, 0.0) + time.perf_counter() - start


def spent() -> dict[str, float]:
    return {name: round(_spent.get(name, 0.0), 4) for name in STAGES}
