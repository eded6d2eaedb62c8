"""The stages end to end for one file: read → classify → extract → validate → write.

Flows and the CLI call these; they hold no orchestration of their own.
"""

from __future__ import annotations

import time
from pathlib import Path

from models import FailureReport
from pipeline.base import timing
from pipeline.base.request import Request
from pipeline.base.settings import Settings
from pipeline.base.timing import stage
from pipeline.running import isolation
from pipeline.running.extract import as_failure, failure_report, run_here
from pipeline.running.outcome import AnyRecord, Outcome
from pipeline.running.output import report_path, write_json_atomic

# Counted with ``timing`` like a worker's start-up, apart from the stages: the CPU seconds the
# worker spent on the file.
CPU = "cpu"


def run_one(request: Request, settings: Settings) -> tuple[AnyRecord | None, FailureReport | None]:
    """Extract in a worker process (time and memory capped, see ``pipeline.running.isolation``),
    every failure (a hung parser, a bomb, a bug) a failure report instead of a crash."""
    if not isolation.enabled(settings):
        return run_here(request, settings)
    try:
        answer = isolation.pool(settings).run(request, settings)
    except Exception as exc:  # the limits' own verdicts, or a fault in the hand-over
        error = as_failure(request.path, exc, settings)
        return None, failure_report(request.path.name, request.sha256, error)
    for name, seconds in answer.stages.items():
        timing.add(name, seconds)
    timing.add(CPU, answer.cpu_s)
    return answer.record, answer.failure


def process_file(request: Request, out_dir: Path, record_to: Path, settings: Settings) -> Outcome:
    """Run one file and write its record to ``record_to`` (named by the caller with
    ``output.record_path``) or its failure report to ``OUT/quarantine``."""
    start = time.perf_counter()
    timing.reset()
    record, failure = run_one(request, settings)
    if record is not None:
        with stage("write"):
            written = write_json_atomic(record_to, record)
    else:
        assert failure is not None
        written = write_json_atomic(report_path(out_dir, request.path.name), failure)
    # A worker's start-up is the run's fixed cost, not this file's: reported apart.
    seconds = time.perf_counter() - start - timing.seconds_in("start-up")
    return Outcome(
        file=request.path.name,
        sha256=request.sha256,
        record=record,
        failure=failure,
        written=written,
        seconds=seconds,
        stages=timing.spent(),
        cpu_seconds=timing.seconds_in(CPU) if isolation.enabled(settings) else None,
    )
