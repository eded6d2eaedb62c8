"""A drop directory that loses nothing: claim complete files, process, archive or quarantine.

Layout (``INBOX`` is where people drop PDFs, ``OUT`` where records go)::

    INBOX/report.pdf                       dropped, maybe still being copied
    INBOX/.processing/report.pdf           claimed by an atomic rename
    OUT/report.json                        the record (written atomically)
    OUT/.ledger/<sha256>.json              which record a content became (dedupe, crash recovery)
    OUT/archive/YYYY-MM-DD/report.pdf      done
    OUT/quarantine/report.pdf              could not be read ...
    OUT/quarantine/report.pdf.error.json   ... and why

Every step is idempotent, so a run killed at any point (even SIGKILL) is finished by the next
one: whatever sits in ``.processing/`` is taken up again; a record already written for the same
content is not written again; a ledger entry is the proof that a content is done.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from models import FailureReport
from pipeline.base.errors import CitydocsError
from pipeline.base.request import Request, content_sha256
from pipeline.base.settings import Settings
from pipeline.running.extract import failure_report
from pipeline.running.outcome import Outcome
from pipeline.running.output import (
    held_by_other,
    quarantine_dir,
    record_path,
    report_path,
    write_json_atomic,
)
from pipeline.running.process import run_one

PROCESSING = ".processing"
LEDGER = ".ledger"
ARCHIVE = "archive"
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download", ".swp")


def _is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith((".", "~")) or name.lower().endswith(TEMPORARY_SUFFIXES):
        return False
    return name.lower().endswith(".pdf")


def _look(inbox: Path) -> dict[Path, tuple[int, int]]:
    seen: dict[Path, tuple[int, int]] = {}
    for path in inbox.iterdir():
        if not _is_candidate(path):
            continue
        try:
            stat = path.lstat()
        except FileNotFoundError:
            continue
        seen[path] = (stat.st_size, stat.st_mtime_ns)
    return seen


def complete_files(inbox: Path, settle_seconds: float = 2.0) -> list[Path]:
    """PDF names in the inbox whose size and mtime did not change across two looks."""
    first = _look(inbox)
    if not first:
        return []
    time.sleep(settle_seconds)
    second = _look(inbox)
    return sorted(p for p, mark in second.items() if first.get(p) == mark)


def _free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/stem-2.pdf`` … when that name is taken."""
    target = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists() or target.is_symlink():
        target = folder / f"{stem}-{n}{suffix}"
        n += 1
    return target


def claim(inbox: Path, paths: list[Path]) -> list[Path]:
    """Move each file into ``.processing/`` by an atomic rename; a file gone meanwhile is skipped."""
    processing = inbox / PROCESSING
    processing.mkdir(exist_ok=True)
    claimed = []
    for path in paths:
        target = _free_name(processing, path.name)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            continue  # another run claimed it first
        claimed.append(target)
    return claimed


def pending(inbox: Path) -> list[Path]:
    """Everything claimed and not finished, including what a killed run left behind."""
    processing = inbox / PROCESSING
    if not processing.is_dir():
        return []
    return sorted(p for p in processing.iterdir() if not p.name.startswith("."))


def split_repeats(
    paths: list[Path],
) -> tuple[list[tuple[Path, str | None]], list[tuple[Path, str | None]]]:
    """The first file of each content, and the later files whose content repeats one of them,
    each with its sha256 (hashed here once, and handed on).

    Repeats are finished after the firsts, so that two copies processed side by side cannot both
    become records: by then the ledger names the first one's record.
    """
    firsts: list[tuple[Path, str | None]] = []
    repeats: list[tuple[Path, str | None]] = []
    seen: set[str] = set()
    for path in paths:
        digest = content_sha256(path)
        if digest is not None and digest in seen:
            repeats.append((path, digest))
        else:
            firsts.append((path, digest))
            if digest is not None:
                seen.add(digest)
    return firsts, repeats


def _ledger_entry(out_dir: Path, sha256: str) -> dict | None:
    path = out_dir / LEDGER / f"{sha256}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def process_claimed(
    path: Path, out_dir: Path, settings: Settings, sha256: str | None = None
) -> Outcome:
    """Finish one claimed file: record (or failure report), ledger, then archive or quarantine.

    ``sha256``: the file's, when the caller hashed it already (``split_repeats``).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    name = path.name
    if path.is_symlink():
        error = CitydocsError(
            "not_a_pdf", f"{name} is a symbolic link; links are not followed. Drop the file itself."
        )
        return _quarantine(path, out_dir, failure_report(name, None, error))
    request = Request.of(path, settings, sha256=sha256)
    digest = request.sha256
    if digest is not None:
        done = _ledger_entry(out_dir, digest)
        if done is not None:  # same content recorded before (or by a run killed after it)
            moved = _archive(path, out_dir)
            again = done.get("file") == name and done.get("claimed") == str(path)
            record = done.get("record")
            return Outcome(
                file=name,
                sha256=digest,
                written=Path(record) if record else None,
                moved_to=moved,
                duplicate=not again,
            )
    record, failure = run_one(request, settings)
    if record is None:
        assert failure is not None
        return _quarantine(path, out_dir, failure)
    assert digest is not None
    target = record_path(out_dir, path, digest, held_by_other(digest))
    if not target.exists():
        write_json_atomic(target, record)
    write_json_atomic(
        out_dir / LEDGER / f"{digest}.json",
        {"file": name, "claimed": str(path), "record": str(target), "at": _now()},
    )
    moved = _archive(path, out_dir)
    return Outcome(file=name, sha256=digest, record=record, written=target, moved_to=moved)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _archive(path: Path, out_dir: Path) -> Path:
    folder = out_dir / ARCHIVE / datetime.now(UTC).strftime("%Y-%m-%d")
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, path.name)
    shutil.move(str(path), target)
    return target


def _quarantine(path: Path, out_dir: Path, report: FailureReport) -> Outcome:
    """Move the file into ``OUT/quarantine/`` beside its failure report (report first)."""
    folder = quarantine_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, path.name)
    written = write_json_atomic(report_path(out_dir, target.name), report)
    shutil.move(str(path), target)  # a symlink moves as a link: never followed
    return Outcome(
        file=path.name, sha256=report.sha256, failure=report, written=written, moved_to=target
    )


@contextmanager
def inbox_lock(inbox: Path) -> Iterator[bool]:
    """Hold ``INBOX/.processing/.lock`` for a pass; yields False when another pass holds it.

    An flock dies with its process, so a SIGKILLed pass never leaves the inbox locked.
    """
    folder = inbox / PROCESSING
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
