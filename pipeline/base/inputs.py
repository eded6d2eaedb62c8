"""The PDFs of a folder, by one rule for the command line and the flows.

The batch flow finds its inputs itself from the folder, the pattern and ``recursive``, rather
than being handed the list: a flow's parameters travel with every task it sends to Dask, so a
list of every input would make each task carry the whole batch.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

DEFAULT_GLOB = "*.pdf"


def matches(path: Path, pattern: str) -> bool:
    """Whether a file name matches the pattern, in any case."""
    return fnmatch.fnmatch(path.name.lower(), pattern.lower())


def hidden(path: Path, folder: Path) -> bool:
    """Whether the path, or a folder between it and ``folder``, starts with a dot."""
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


def pdfs_in(folder: Path, glob: str = DEFAULT_GLOB, recursive: bool = False) -> list[Path]:
    """The files of ``folder`` matching ``glob`` (any case), subfolders' too when
    ``recursive``, sorted, hidden files and folders left out, each file once. A folder named
    like a PDF is taken (to be refused with a report) unless subfolders are searched."""
    walk = folder.rglob("*") if recursive else folder.iterdir()
    found: dict[Path, Path] = {}
    for item in sorted(walk):
        if hidden(item, folder) or not matches(item, glob):
            continue
        if recursive and item.is_dir():
            continue
        found.setdefault(item.resolve(), item)
    return list(found.values())


def skipped_subfolders(folder: Path, glob: str = DEFAULT_GLOB) -> int:
    """The subfolders ``pdfs_in`` did not search without ``recursive``."""
    return sum(
        1
        for item in folder.iterdir()
        if item.is_dir() and not hidden(item, folder) and not matches(item, glob)
    )
