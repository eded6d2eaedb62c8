"""One file in this process: read → classify → extract → validate, every failure a report.

The worker processes of ``pipeline.running.isolation`` call this; so does a run with isolation
turned off.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from extractors import extract_record
from models import FailureReport, RecordAdapter
from models.records import ErrorInfo
from pipeline.base.errors import DETAIL, CitydocsError, describe, printable
from pipeline.base.request import Request
from pipeline.base.settings import Settings
from pipeline.base.timing import stage
from pipeline.reading.classify import classify
from pipeline.reading.reader import read_pdf
from pipeline.running.outcome import AnyRecord


def extract_document(request: Request, settings: Settings) -> AnyRecord:
    """One PDF → one validated record; raises ``CitydocsError`` when it cannot."""
    path = request.path
    document = read_pdf(request, settings)
    with stage("classify"):
        classification = classify(document)
    if classification.kind is None:
        raise CitydocsError(
            "unknown_doc_type",
            f"{path.name} reads as neither a U-CAP summary nor a city profile "
            f"(scores: {classification.reason}). If it is one, check that its text is legible.",
        )
    with stage("extract"):
        record = extract_record(document, classification.kind, settings)
    # Round-trip through the discriminated union: what we write is what the schema accepts.
    with stage("validate"):
        return RecordAdapter.validate_python(record.model_dump())


MESSAGE = 400  # longest message of a failure report


def failure_report(file_name: str, sha256: str | None, error: CitydocsError) -> FailureReport:
    """The report of a file that could not become a record: a short printable message, the
    library's full words kept apart in ``detail``."""
    detail = printable(error.detail, DETAIL) if error.detail else None
    info = ErrorInfo(kind=error.kind, message=printable(error.message, MESSAGE), detail=detail)
    return FailureReport(file_name=file_name, sha256=sha256, error=info)


def run_here(request: Request, settings: Settings) -> tuple[AnyRecord | None, FailureReport | None]:
    """Extract in this process, turning every failure (even a bug) into a failure report."""
    try:
        return extract_document(request, settings), None
    except Exception as exc:  # a bug must not take the batch down either
        error = as_failure(request.path, exc, settings)
        return None, failure_report(request.path.name, request.sha256, error)


# Libraries whose errors are about the file they were given, not about citydocs.
PDF_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2", "pypdfium2_raw", "pikepdf", "PIL")


def as_failure(path: Path, exc: Exception, settings: Settings) -> CitydocsError:
    """Any exception as the ``CitydocsError`` its failure report states: a library that gave up
    on the file says the file is ``corrupt``; ``internal`` is left for citydocs' own faults."""
    if isinstance(exc, CitydocsError):
        return exc
    if _out_of_memory(exc):
        return CitydocsError(
            "too_large",
            f"{path.name} needs more memory than a document may use ({settings.doc_memory_mb} "
            "MB beyond the worker's own, CITYDOCS_DOC_MEMORY_MB): raise the limit if the machine "
            "has the memory, or split or downsample the file.",
        )
    detail = printable(f"{type(exc).__name__}: {exc}", DETAIL)
    library = _raised_in_library(exc)
    if library is not None:
        return CitydocsError(
            "corrupt",
            f"{library} could not read {path.name} ({describe(exc)}); the file is damaged or "
            "malformed: open and re-save it, or export it again.",
            detail=detail,
        )
    return CitydocsError(
        "internal",
        f"citydocs failed on {path.name} ({describe(exc)}); please report it with the file.",
        detail=detail,
    )


def _raised_in_library(exc: BaseException) -> str | None:
    """The PDF library in which ``exc`` (or the error it was raised from) was raised, if any:
    the module of the innermost frame of its traceback."""
    for current in (exc, exc.__cause__):
        if current is None:
            continue
        tb: TracebackType | None = current.__traceback__
        module = ""
        while tb is not None:
            module = tb.tb_frame.f_globals.get("__name__", "")
            tb = tb.tb_next
        root = module.split(".")[0]
        if root in PDF_LIBRARIES:
            return root
    return None


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
