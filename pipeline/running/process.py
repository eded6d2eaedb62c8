"""The stages end to end for one file: read → classify → extract → validate → write.

Flows and the CLI call these; they hold no orchestration of their own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from models import FailureReport
from pipeline.base import timing
from pipeline.base.settings import Settings, get_settings
from pipeline.base.timing import stage
from pipeline.reading.reader import sha256_file
from pipeline.running import isolation
from pipeline.running.extract import AnyRecord, as_failure, failure_report, run_here
from pipeline.running.output import write_json_atomic

QUARANTINE = "quarantine"


@dataclass
class Outcome:
    """What became of one input file."""

    path: Path
    seconds: float
    record: AnyRecord | None = None
    failure: FailureReport | None = None
    written: Path | None = None
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.record is not None

    @property
    def kind(self) -> str:
        if self.record is not None:
            return self.record.doc_type
        assert self.failure is not None
        return f"failed: {self.failure.error.kind}"


def run_one(
    path: Path,
    *,
    settings: Settings | None = None,
    password: str | None = None,
) -> tuple[AnyRecord | None, FailureReport | None]:
    """Extract in a worker process (time and memory capped, see ``pipeline.running.isolation``), every
    failure (a hung parser, a bomb, a bug) a failure report instead of a crash."""
    settings = settings or get_settings()
    if not isolation.enabled(settings):
        return run_here(path, settings=settings, password=password)
    try:
        answer = isolation.pool().run(path, settings, password)
    except Exception as exc:  # the limits' own verdicts, or a fault in the hand-over
        return None, failure_report(path, as_failure(path, exc, settings))
    for name, seconds in answer.stages.items():
        timing.add(name, seconds)
    return answer.record, answer.failure


def pdfs_in(folder: Path) -> list[Path]:
    """The PDFs of a folder (``*.pdf`` in any case, hidden files left out), sorted."""
    return sorted(
        p for p in folder.iterdir() if p.suffix.lower() == ".pdf" and not p.name.startswith(".")
    )


def record_path(
    out_dir: Path, path: Path, taken: set[Path] | None = None, sha256: str | None = None
) -> Path:
    """``OUT/<stem>.json``, or ``OUT/<stem>-<sha8>.json`` when another input took the name."""
    target = out_dir / f"{path.stem}.json"
    if taken is not None and target in taken:
        target = out_dir / f"{path.stem}-{(sha256 or sha256_file(path))[:8]}.json"
    return target


def process_file(
    path: Path,
    out_dir: Path,
    *,
    settings: Settings | None = None,
    password: str | None = None,
    taken: set[Path] | None = None,
    record_name: str | None = None,
) -> Outcome:
    """Run one file and write its record to ``OUT`` or its failure report to ``OUT/quarantine``.

    ``record_name`` fixes the record's file name (a batch decides names up front, so that two
    inputs with one stem never race for one file).
    """
    start = time.perf_counter()
    timing.reset()
    record, failure = run_one(path, settings=settings, password=password)
    if record is not None:
        target = (
            out_dir / record_name
            if record_name
            else record_path(out_dir, path, taken, record.source.sha256)
        )
        with stage("write"):
            written = write_json_atomic(target, record)
    else:
        assert failure is not None
        written = write_json_atomic(out_dir / QUARANTINE / f"{path.name}.error.json", failure)
    if taken is not None:
        taken.add(written)
    # A worker's start-up is the run's fixed cost, not this file's: reported apart.
    seconds = time.perf_counter() - start - timing.seconds_in("start-up")
    return Outcome(path, seconds, record, failure, written, timing.spent())


def fields_filled(record: AnyRecord | None) -> int:
    """How many of the kind's own fields (and city fields) hold a value: a quick fill measure."""
    if record is None:
        return 0
    data = record.model_dump(
        exclude={"schema_version", "source", "warnings", "provenance", "doc_type"}
    )
    count = 0
    for value in data.values():
        if isinstance(value, dict):
            count += sum(1 for v in value.values() if v not in (None, [], ""))
        elif value not in (None, [], ""):
            count += 1
    return count
