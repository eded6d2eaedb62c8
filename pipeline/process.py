"""The stages end to end for one file: read → classify → extract → validate → write.

Flows and the CLI call these; they hold no orchestration of their own.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from models import FailureReport, ProfileRecord, RecordAdapter, UcapRecord
from models.records import ErrorInfo
from pipeline import timing
from pipeline.classify import classify
from pipeline.errors import CitydocsError
from pipeline.output import write_json_atomic
from pipeline.reader import content_sha256, read_pdf, sha256_file
from pipeline.settings import Settings, get_settings
from pipeline.timing import stage

AnyRecord = UcapRecord | ProfileRecord
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


def extract_document(
    path: Path, *, settings: Settings | None = None, password: str | None = None
) -> AnyRecord:
    """One PDF → one validated record; raises ``CitydocsError`` when it cannot."""
    from extractors import extract_record  # the extractors import spaCy: only load when used

    settings = settings or get_settings()
    document = read_pdf(path, settings=settings, password=password)
    with stage("classify"):
        classification = classify(document)
    if classification.kind is None:
        raise CitydocsError(
            "unknown_doc_type",
            f"{path.name} reads as neither a U-CAP summary nor a city profile "
            f"(scores: {classification.reason}). If it is one, check that its text is legible.",
        )
    with stage("extract"):
        record = extract_record(document, classification.kind, settings=settings)
    # Round-trip through the discriminated union: what we write is what the schema accepts.
    with stage("validate"):
        return RecordAdapter.validate_python(record.model_dump())


def failure_report(path: Path, error: CitydocsError) -> FailureReport:
    digest = content_sha256(path)
    return FailureReport(
        file_name=path.name, sha256=digest, error=ErrorInfo(kind=error.kind, message=error.message)
    )


def run_one(
    path: Path,
    *,
    settings: Settings | None = None,
    password: str | None = None,
) -> tuple[AnyRecord | None, FailureReport | None]:
    """Extract in a worker process (time and memory capped, see ``pipeline.isolation``), every
    failure (a hung parser, a bomb, a bug) a failure report instead of a crash."""
    from pipeline import isolation

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


def run_here(
    path: Path,
    *,
    settings: Settings | None = None,
    password: str | None = None,
) -> tuple[AnyRecord | None, FailureReport | None]:
    """Extract in this process, turning every failure (even a bug) into a failure report."""
    try:
        return extract_document(path, settings=settings, password=password), None
    except Exception as exc:  # a bug must not take the batch down either
        return None, failure_report(path, as_failure(path, exc, settings or get_settings()))


def as_failure(path: Path, exc: Exception, settings: Settings) -> CitydocsError:
    """Any exception as the ``CitydocsError`` its failure report states."""
    if isinstance(exc, CitydocsError):
        return exc
    if _out_of_memory(exc):
        return CitydocsError(
            "too_large",
            f"{path.name} needs more memory than a document may use ({settings.doc_memory_mb} "
            "MB beyond the worker's own, CITYDOCS_DOC_MEMORY_MB): raise the limit if the machine "
            "has the memory, or split or downsample the file.",
        )
    last = traceback.format_exception_only(exc)[-1].strip()
    return CitydocsError(
        "internal", f"citydocs failed on {path.name} ({last}); please report it with the file."
    )


def _out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or one that a parser wrapped (pdfplumber re-raises pdfminer's errors)."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        if isinstance(current, MemoryError):
            return True
        seen.add(id(current))
        todo.extend([current.__cause__, current.__context__, *current.args])
    return False


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
