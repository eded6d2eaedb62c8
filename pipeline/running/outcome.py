"""What became of one input: the one answer of ``extract``, a batch task and an inbox pass.

The command line reads its attributes; the run index is its ``index_line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from models import FailureReport
from pipeline.running.output import AnyRecord, filled_fields

__all__ = ["AnyRecord", "Outcome"]


@dataclass(frozen=True)
class RecordFacts:
    """What a run's table and artifacts show of a record: kept when the record itself is let
    go, so that a batch holds a few numbers per document rather than every record it wrote."""

    doc_type: str
    pages: int
    ocr_pages: tuple[int, ...]
    fields_filled: int

    @classmethod
    def of(cls, record: AnyRecord) -> RecordFacts:
        return cls(
            doc_type=record.doc_type,
            pages=record.source.page_count,
            ocr_pages=tuple(record.source.ocr_pages),
            fields_filled=sum(filled_fields(record.model_dump(mode="json")).values()),
        )


@dataclass
class Outcome:
    """One input's record or failure report, where it was written, and what it cost."""

    file: str  # the input's file name
    sha256: str | None  # None: not a readable regular file
    record: AnyRecord | None = None
    failure: FailureReport | None = None
    written: Path | None = None  # the record (or failure report) that holds the answer
    moved_to: Path | None = None  # the drop directory's archive or quarantine copy
    duplicate: bool = False  # the drop directory had recorded this content under another name
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    # CPU seconds of the worker process and its Tesseract runs for this file; None where no
    # worker read it. Unlike ``seconds``, it does not grow when the machine is busy.
    cpu_seconds: float | None = None
    cached: bool = False  # a batch served it from Prefect's cache
    facts: RecordFacts | None = None  # the record's facts, once the record is let go (``slim``)

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def status(self) -> str:
        """``ok``, ``duplicate`` or ``failed: <kind>``."""
        if self.failure is not None:
            return f"failed: {self.failure.error.kind}"
        return "duplicate" if self.duplicate else "ok"

    @property
    def doc_type(self) -> str | None:
        if self.record is not None:
            return self.record.doc_type
        return self.facts.doc_type if self.facts is not None else None

    @property
    def pages(self) -> int:
        if self.record is not None:
            return self.record.source.page_count
        return self.facts.pages if self.facts is not None else 0

    @property
    def ocr_pages(self) -> list[int]:
        if self.record is not None:
            return list(self.record.source.ocr_pages)
        return list(self.facts.ocr_pages) if self.facts is not None else []

    @property
    def fields_filled(self) -> int:
        """How many of the kind's own fields (and city fields) hold a value."""
        if self.record is not None:
            return RecordFacts.of(self.record).fields_filled
        return self.facts.fields_filled if self.facts is not None else 0

    def slim(self) -> Outcome:
        """This outcome without its record (which is on disk, at ``written``), its facts kept:
        what a batch of thousands holds in memory per document."""
        if self.record is None:
            return self
        return replace(self, record=None, facts=RecordFacts.of(self.record))

    def index_line(self) -> dict[str, Any]:
        """This input's line of ``OUT/_index.jsonl``."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "kind": self.doc_type,
            "status": self.status,
            "record": str(self.written),
            "seconds": round(self.seconds, 2),
            "cpu_seconds": None if self.cpu_seconds is None else round(self.cpu_seconds, 2),
            "stages": self.stages,
        }
