"""The output folder: where a record, a failure report and the run index go, written atomically.

The one owner of its layout::

    OUT/<stem>.json                  a record (``<stem>-<sha8>.json`` when the name is taken)
    OUT/quarantine/<name>.error.json a failure report
    OUT/_index.jsonl                 one line per input of a batch run

Every file is written to a temporary name beside its place, fsynced, then renamed into place,
so no reader ever sees half a file.
"""

from __future__ import annotations

import json
import os
import re
import socket
import tempfile
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from models import FailureReport, ProfileRecord, RecordAdapter, UcapRecord

QUARANTINE = "quarantine"
INDEX = "_index.jsonl"
ERROR_SUFFIX = ".error.json"
AnyRecord = UcapRecord | ProfileRecord
# Files are created 0600 by ``tempfile``; the output is meant to be read like any other file
# the user writes (0666 less the umask), read once here: changing the umask is process-wide.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK


def record_path(
    out_dir: Path, source: Path, sha256: str | None, taken: Callable[[Path], bool]
) -> Path:
    """``OUT/<stem>.json``, or ``OUT/<stem>-<sha8>.json`` when ``taken`` says another input
    already holds that name (a batch's earlier input, a record of other content)."""
    target = out_dir / f"{source.stem}.json"
    if sha256 is not None and taken(target):
        target = out_dir / f"{source.stem}-{sha256[:8]}.json"
    return target


def recorded_sha256(target: Path) -> str | None:
    """The ``source.sha256`` of the record at ``target``; None when there is no record there
    (no file, or a file that is not a citydocs record)."""
    try:
        existing = json.loads(target.read_text(encoding="utf-8"))["source"]["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return existing if isinstance(existing, str) else None


def held_by_other(sha256: str | None) -> Callable[[Path], bool]:
    """``taken`` for a folder records outlive: a name is taken when a record of other content
    is already there. A file there that is no record of any content (a damaged or tampered
    one) holds no document's answer and is replaced."""

    def taken(target: Path) -> bool:
        existing = recorded_sha256(target)
        return existing is not None and existing != sha256

    return taken


def taken_for(sha256: str | None, batch: Collection[Path]) -> Callable[[Path], bool]:
    """``taken`` of the one naming rule: a name held by an earlier input of this call
    (``batch``) or by a record of other content already in the folder."""
    others = held_by_other(sha256)
    return lambda target: target in batch or others(target)


def valid_record(target: Path, sha256: str | None) -> AnyRecord | None:
    """The record at ``target`` when it parses, validates against the models and was read from
    content ``sha256``; None otherwise (missing, damaged, tampered with, or another file's)."""
    if sha256 is None:
        return None
    try:
        record = RecordAdapter.validate_json(target.read_bytes())
    except (OSError, ValueError):
        return None
    return record if record.source.sha256 == sha256 else None


def valid_report(target: Path, sha256: str | None) -> FailureReport | None:
    """The failure report at ``target`` when it validates and is about content ``sha256``."""
    if sha256 is None:
        return None
    try:
        report = FailureReport.model_validate_json(target.read_bytes())
    except (OSError, ValueError):
        return None
    return report if report.sha256 == sha256 else None


def quarantine_dir(out_dir: Path) -> Path:
    return out_dir / QUARANTINE


def report_path(out_dir: Path, file_name: str) -> Path:
    """``OUT/quarantine/<file name>.error.json``: the failure report of an input of that name."""
    return quarantine_dir(out_dir) / f"{file_name}{ERROR_SUFFIX}"


def index_path(out_dir: Path) -> Path:
    return out_dir / INDEX


def write_json_atomic(path: Path, payload: BaseModel | dict[str, Any]) -> Path:
    """Write a model or a dict as indented JSON, atomically."""
    if isinstance(payload, BaseModel):
        text = payload.model_dump_json(indent=2)
    else:
        text = json.dumps(payload, indent=2, ensure_ascii=False)
    return write_text_atomic(path, text + "\n")


def write_index(out_dir: Path, lines: Iterable[dict[str, Any]]) -> Path:
    """``OUT/_index.jsonl``: one JSON object a line, atomically."""
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    return write_text_atomic(index_path(out_dir), text)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write to a temporary file beside ``path``, fsync it, then rename it into place. The
    temporary file's name says which machine and process write it (``remove_abandoned``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = f"{_HOST}-{os.getpid()}"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{writer}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def filled_fields(data: dict[str, Any]) -> dict[str, bool]:
    """Each of the kind's own fields (and each city field) of a dumped record: filled or not."""
    own = {
        k: v
        for k, v in data.items()
        if k not in ("schema_version", "source", "warnings", "provenance", "doc_type")
    }
    filled: dict[str, bool] = {}
    for key, value in own.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                filled[f"{key}.{sub}"] = item not in (None, [], "")
        else:
            filled[key] = value not in (None, [], "")
    return filled


# This machine's name as a temporary file's name may hold it; then the writer's process id.
_HOST = re.sub(r"[^A-Za-z0-9]+", "-", socket.gethostname()).strip("-") or "host"
_TEMPORARY = re.compile(r"\..+\.(?P<host>[A-Za-z0-9-]+)-(?P<pid>\d+)\.\w+\.tmp")


def remove_abandoned(out_dir: Path) -> list[Path]:
    """Remove the temporary files of ``out_dir`` and its quarantine whose writer is gone: a
    process killed between writing a record and renaming it into place leaves one behind, and
    nothing else would ever take it away. A live writer's (a run beside this one) and another
    machine's (a shared folder) are left alone."""
    removed = []
    for folder in (out_dir, quarantine_dir(out_dir)):
        for path in folder.glob(".*.tmp"):
            found = _TEMPORARY.fullmatch(path.name)
            if found and found["host"] == _HOST and not _running(int(found["pid"])):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def _running(pid: int) -> bool:
    """Whether a process of this id runs here (one of another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
