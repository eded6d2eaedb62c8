"""What a batch can take from an earlier run instead of extracting again.

A record (or failure report) is reused only when it still answers for its input: it parses,
validates against the models and names the input's sha256, and the run index says it was
made by this citydocs version with these settings. The batch flow asks this before trusting
Prefect's cache, and ``citydocs run`` asks it before starting Prefect at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__
from pipeline.base.request import readable_sha256
from pipeline.base.settings import Settings
from pipeline.running.outcome import Outcome
from pipeline.running.output import (
    index_path,
    record_path,
    report_path,
    taken_for,
    valid_record,
    valid_report,
)


@dataclass(frozen=True)
class Planned:
    """One input of a batch: its path, sha256 (None: unreadable) and record file name."""

    path: Path
    sha256: str | None
    record_name: str


def made_by(settings: Settings) -> str:
    """What made a record, as the run index notes it: citydocs' version and the settings that
    change what it produces."""
    return f"{__version__}-{settings.fingerprint()}"


def plan(inputs: list[Path], out_dir: Path) -> list[Planned]:
    """Each input with its sha256 and record name, by ``output.record_path``'s one rule: a name
    held by an earlier input of the batch, or by a record of other content in ``out_dir``,
    gets ``-<sha8>``. Decided up front, so that two inputs never race for one file."""
    planned = []
    taken: set[Path] = set()
    for path in inputs:
        digest = readable_sha256(path)
        target = record_path(out_dir, path, digest, taken_for(digest, taken))
        if digest is not None:
            taken.add(target)
        planned.append(Planned(path, digest, target.name))
    return planned


def still_valid(item: Planned, out_dir: Path) -> Outcome | None:
    """The input's answer as written on disk, when it still answers for the input's content."""
    target = out_dir / item.record_name
    record = valid_record(target, item.sha256)
    if record is not None:
        return Outcome(
            file=item.path.name, sha256=item.sha256, record=record, written=target, cached=True
        )
    report = report_path(out_dir, item.path.name)
    failure = valid_report(report, item.sha256)
    if failure is not None:
        return Outcome(
            file=item.path.name, sha256=item.sha256, failure=failure, written=report, cached=True
        )
    return None


def _index_lines(out_dir: Path) -> dict[str, dict]:
    try:
        text = index_path(out_dir).read_text(encoding="utf-8")
    except OSError:
        return {}
    lines = {}
    for raw in text.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict) and isinstance(line.get("file"), str):
            lines[line["file"]] = line
    return lines


def all_cached(inputs: list[Path], out_dir: Path, settings: Settings) -> list[Outcome] | None:
    """Every input's outcome when each is already answered on disk for its content, by this
    version and these settings (the index says which); None as soon as one is not."""
    index = _index_lines(out_dir)
    stamp = made_by(settings)
    outcomes = []
    for item in plan(inputs, out_dir):
        line = index.get(item.path.name)
        if item.sha256 is None or line is None:
            return None
        if line.get("sha256") != item.sha256 or line.get("made_by") != stamp:
            return None
        outcome = still_valid(item, out_dir)
        if outcome is None:
            return None
        outcomes.append(outcome.slim())  # the records stay on disk, not in a list of thousands
    return outcomes
