"""What became of one input: the one answer of ``extract``, a batch task and an inbox pass.

The command line reads its attributes; the run index is its ``index_line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import FailureReport
from pipeline.running.output import AnyRecord, filled_fields

__all__ = ["AnyRecord", "Outcome"]


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
    cached: bool = False  # a batch served it from Prefect's cache

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
        return self.record.doc_type if self.record is not None else None

    @property
    def pages(self) -> int:
        return self.record.source.page_count if self.record is not None else 0

    @property
    def ocr_pages(self) -> list[int]:
        return list(self.record.source.ocr_pages) if self.record is not None else []

    @property
    def fields_filled(self) -> int:
        """How many of the kind's own fields (and city fields) hold a value."""
        if self.record is None:
            return 0
        return sum(filled_fields(self.record.model_dump(mode="json")).values())

    def index_line(self) -> dict[str, Any]:
        """This input's line of ``OUT/_index.jsonl``."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "kind": self.doc_type,
            "status": self.status,
            "record": str(self.written),
            "seconds": round(self.seconds, 2),
            "stages": self.stages,
        }
