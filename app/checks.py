"""The exit codes of every command, and the checks of paths made before anything heavy starts.

An ordinary mistake (a missing file, an output folder that is a file) ends in one line that says
what is wrong and what to do, and an exit code of the table below: never a traceback, never
after Prefect's start-up.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import typer
from rich.console import Console

from pipeline.base.inputs import pdfs_in, skipped_subfolders

OK = 0  # every input became a record (or nothing needed doing)
FAILED = 1  # one or more documents failed (each has its failure report; the count is printed)
USAGE = 2  # a usage error: bad option, missing input, no PDFs found (Typer's own code)
NOT_WRITABLE = 3  # the output folder cannot be created or written to, or a record not written
INTERRUPTED = 130  # Ctrl-C or SIGTERM

EXIT_CODES = {
    OK: "success",
    FAILED: "one or more documents failed (failure reports in OUT/quarantine/)",
    USAGE: "usage error: a bad option, a missing input, no PDFs found",
    NOT_WRITABLE: "output not writable, or a record could not be written",
    INTERRUPTED: "interrupted (Ctrl-C, SIGTERM)",
}

err = Console(stderr=True, highlight=False)


def stop(message: str, code: int = USAGE) -> typer.Exit:
    """Print one line on standard error and return the exit to raise."""
    err.print(f"[red]error[/red]: {message}", soft_wrap=True)
    return typer.Exit(code)


def existing_file(path: Path) -> Path:
    """``path`` as a readable file, or a usage error that says what is wrong."""
    if not path.exists():
        raise stop(f"{path}: no such file; check the path")
    if path.is_dir():
        raise stop(f"{path} is a folder; give a PDF file")
    if not os.access(path, os.R_OK):
        raise stop(f"{path}: cannot be read (permission denied)")
    return path


def existing_folder(path: Path, what: str = "folder") -> Path:
    if not path.exists():
        raise stop(f"{what} {path} does not exist; create it (mkdir -p {path}) or check the path")
    if not path.is_dir():
        raise stop(f"{what} {path} is not a folder")
    return path


def writable_folder(path: Path, option: str = "--out") -> Path:
    """Create ``path`` if needed and prove it takes files; else exit ``NOT_WRITABLE``."""
    if path.exists() and not path.is_dir():
        raise stop(
            f"{option} {path} is a file; give a folder (it is created if missing)", NOT_WRITABLE
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".citydocs-probe-"):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise stop(
            f"{option} {path} cannot be written ({reason.lower()}); choose another folder",
            NOT_WRITABLE,
        ) from None
    return path


def find_pdfs(paths: Iterable[Path], *, recursive: bool = False, glob: str = "*.pdf") -> list[Path]:
    """Files as given, and the files matching ``glob`` (any case) in folders, sorted per folder
    (``pipeline.base.inputs``, the rule the batch flow finds its inputs by).

    Hidden files and folders are left out, and a file given twice (or found twice) is taken
    once. A missing path, or nothing found at all, is a usage error; subfolders skipped without
    ``--recursive`` are said on standard error.
    """
    found: list[Path] = []
    skipped = 0
    for path in paths:
        if not path.exists():
            raise stop(f"{path}: no such file or folder; check the path")
        if not path.is_dir():
            found.append(path)
            continue
        found.extend(pdfs_in(path, glob, recursive))
        skipped += 0 if recursive else skipped_subfolders(path, glob)
    if not found:
        where = ", ".join(str(p) for p in paths)
        hint = "; add --recursive to look in subfolders" if skipped else ""
        raise stop(f"no PDFs found in {where} (matching {glob!r}){hint}")
    if skipped:
        err.print(f"[dim]{skipped} subfolder(s) skipped; add --recursive to include them[/dim]")
    unique: dict[Path, Path] = {}
    for item in found:
        unique.setdefault(item.resolve(), item)
    return list(unique.values())
