"""``extract_folder``: every PDF of a folder through the pipeline, one Prefect task each.

Tasks run on threads, two per worker, and each hands its file to a worker process of
``pipeline.running.isolation`` (warm spaCy, a wall-time and a memory limit), so Prefect starts once per
run and a hung or exploding document costs one worker, never the run. Tasks get paths and
hashes, never documents. A task is cached on the file's sha256 plus the citydocs version, the
settings and the output folder, persisted, so a second run (even in another process) skips
unchanged files; the cache is trusted only while the file it wrote still validates and names
that sha256 (``pipeline.running.reuse``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import queue
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext, TaskRunContext
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import __version__
from pipeline.base.errors import CitydocsError
from pipeline.base.inputs import DEFAULT_GLOB, pdfs_in
from pipeline.base.request import Request
from pipeline.base.settings import Settings, get_settings
from pipeline.running import isolation
from pipeline.running.extract import as_failure, failure_report
from pipeline.running.outcome import AnyRecord, Outcome
from pipeline.running.output import (
    INDEX,
    remove_abandoned,
    report_path,
    valid_record,
    valid_report,
    write_index,
    write_json_atomic,
)
from pipeline.running.process import process_file
from pipeline.running.reuse import Planned, made_by, plan, still_valid

__all__ = ["INDEX", "extract_folder", "extract_pdf"]

# Progress records for whoever listens (the CLI's bar): ``record.progress = (done, total,
# outcome)``. A logger rather than a callback: Prefect pickles the flow for its workers, and
# a callback holding a live display cannot be pickled.
progress_log = logging.getLogger("citydocs.progress")
# What a cached task result is: a change of it must not serve results of the old shape.
RESULT_FORMAT = "outcome-2"


def _cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
    if not parameters.get("sha256"):
        return None  # not a readable file: nothing worth caching
    out = hashlib.sha256(str(Path(parameters["out_dir"]).resolve()).encode()).hexdigest()[:12]
    return (
        f"citydocs-{__version__}-{RESULT_FORMAT}-{parameters['fingerprint']}-"
        f"{parameters['sha256']}-{out}"
    )


def _transient(task, task_run, state) -> bool:  # type: ignore[no-untyped-def]
    """Retry I/O hiccups, never a PDF that is simply bad (those end as failure reports)."""
    try:
        state.result()
    except CitydocsError:
        return False
    except (OSError, TimeoutError):
        return True
    except Exception:
        return False
    return False


@task(
    name="extract-pdf",
    retries=2,
    retry_delay_seconds=1,
    retry_condition_fn=_transient,
    cache_key_fn=_cache_key,
    persist_result=True,
    # No task timeout: on threads Prefect cannot interrupt one (and says so per task); the
    # worker process's limit (CITYDOCS_DOC_TIMEOUT_S) is what stops a stalled document.
)
def extract_pdf(
    path: str, out_dir: str, sha256: str | None, fingerprint: str, record_name: str
) -> Outcome:
    """Read, classify, extract, validate and write one PDF.

    Parameters are what Prefect may show and store: paths and hashes, never the password
    (the settings, read here from the environment, carry it to the request).
    """
    settings = get_settings()
    request = Request.of(Path(path), settings, sha256=sha256)
    folder = Path(out_dir)
    # Slim: Prefect keeps every task's result in memory for the length of the run.
    return process_file(request, folder, folder / record_name, settings).slim()


def task_failed(path: Path, sha256: str | None, out_dir: Path, exc: Exception) -> Outcome:
    """The outcome and failure report of a file whose task raised instead of reporting."""
    report = failure_report(path.name, sha256, as_failure(path, exc, get_settings()))
    written = write_json_atomic(report_path(out_dir, path.name), report)
    return Outcome(file=path.name, sha256=sha256, failure=report, written=written)


VANISHED = (
    "the record of the same content, written earlier in this run, is gone or damaged; run again"
)


def _record_at(path: Path | None, sha256: str | None) -> AnyRecord | None:
    return valid_record(path, sha256) if path is not None else None


def as_input(outcome: Outcome, item: Planned, folder: Path) -> Outcome:
    """A cached outcome made this input's own: the cache is keyed by content, so two inputs
    with the same bytes share one entry, which names whichever of them was extracted first.
    The work is shared; the answer, its file and its index line are per input name."""
    if outcome.file == item.path.name:
        return outcome
    # The input's own answer on disk comes first: the entry names another input, whose file
    # may be in the middle of being written again by a task of this very run.
    own = still_valid(item, folder)
    if own is not None and (own.failure is None) == (outcome.failure is None):
        return replace(
            outcome, file=own.file, record=own.record, failure=own.failure, written=own.written
        ).slim()
    if outcome.failure is None:
        # The task keeps no record in memory (``Outcome.slim``): it is read back from its file.
        kept = outcome.record or _record_at(outcome.written, item.sha256)
        if kept is None:
            return task_failed(item.path, item.sha256, folder, RuntimeError(VANISHED))
        source = kept.source.model_copy(update={"file_name": item.path.name})
        record = kept.model_copy(update={"source": source})
        target = folder / item.record_name
        if valid_record(target, item.sha256) is None:
            write_json_atomic(target, record)
        return replace(outcome, file=item.path.name, record=record, written=target).slim()
    assert outcome.failure is not None
    failure = outcome.failure.model_copy(update={"file_name": item.path.name})
    target = report_path(folder, item.path.name)
    if valid_report(target, item.sha256) is None:
        write_json_atomic(target, failure)
    return replace(outcome, file=item.path.name, failure=failure, written=target)


def in_waves(
    items: Iterable[Planned],
    submit: Callable[[Planned], PrefectFuture[Any]],
    size: int,
) -> Iterator[tuple[PrefectFuture[Any], Planned]]:
    """Each input's future as it finishes, with at most ``size`` submitted and unfinished at a
    time, the next submitted as one finishes. A run then holds a few tasks' states and specs
    (Dask keeps every submitted task's spec until it ends), not the whole batch's, and a
    finished task is let go once the caller has taken it (Prefect's ``as_completed`` keeps
    them all until the last one ends)."""
    ended: queue.SimpleQueue[PrefectFuture[Any]] = queue.SimpleQueue()
    waiting = iter(items)
    running: dict[PrefectFuture[Any], Planned] = {}

    def top_up() -> None:
        for item in islice(waiting, max(size - len(running), 0)):
            future = submit(item)
            running[future] = item
            future.add_done_callback(ended.put)

    top_up()
    while running:
        future = ended.get()
        item = running.pop(future)
        top_up()  # before the caller's bookkeeping, so that no worker waits for it
        yield future, item


def wave_size(task_runner: Any, settings: Settings) -> int:
    """Twice the threads that run the tasks: enough that none waits for its next task. On
    Dask those of the cluster's workers when the run starts (a cluster may be far larger than
    this machine), else this machine's task threads."""
    client = getattr(task_runner, "client", None)  # a DaskTaskRunner's, started with the flow
    if client is None:
        return 2 * isolation.hand_over_threads(settings)
    threads = settings.pool_size
    with contextlib.suppress(Exception):  # no answer: this machine's pool will do
        threads = max(threads, sum(client.nthreads().values()))
    return 2 * threads


@flow(
    name="extract-folder",
    task_runner=ThreadPoolTaskRunner(max_workers=isolation.hand_over_threads(get_settings())),
)
def extract_folder(
    input_dir: str,
    out_dir: str,
    glob: str = DEFAULT_GLOB,
    recursive: bool = False,
    force: bool = False,
) -> list[Outcome]:
    """Extract every PDF in ``input_dir`` matching ``glob`` (its subfolders' too when
    ``recursive``) into ``out_dir``; returns one outcome per input. ``force`` extracts every
    file again, whatever the cache holds.

    The flow finds its inputs itself rather than taking their list: its parameters travel
    with every task it sends to Dask, and a list of the batch there would make each task's
    cost grow with the size of the batch."""
    logger = get_run_logger()
    settings = get_settings()
    inputs = pdfs_in(Path(input_dir), glob, recursive)
    folder = Path(out_dir)
    for path in remove_abandoned(folder):
        logger.info("removed %s, left by a writer that was stopped mid-write", path.name)
    context = FlowRunContext.get()
    if context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner):
        # Tasks run here: warm the workers while Prefect submits them (on Dask, workers start
        # in the Dask processes that run the tasks, and would idle here).
        isolation.prestart(settings, len(inputs))
    fingerprint = settings.fingerprint()
    fresh = extract_pdf.with_options(refresh_cache=True)

    def submit(item: Planned) -> PrefectFuture[Any]:
        # A cached result is only as good as the file it wrote: gone, damaged, tampered with
        # or another content's → extract again.
        trusted = not force and still_valid(item, folder) is not None
        runner = extract_pdf if trusted else fresh
        return runner.submit(str(item.path), out_dir, item.sha256, fingerprint, item.record_name)

    planned = plan(inputs, folder)
    total = len(planned)
    size = wave_size(context.task_runner if context is not None else None, settings)
    results: list[Outcome] = []
    progress_log.info("submitted", extra={"progress": (0, total, None)})
    for done, (future, item) in enumerate(in_waves(planned, submit, size), start=1):
        try:
            outcome = future.result()
        except Exception as exc:  # the task itself failed, retries spent: report, go on
            outcome = task_failed(item.path, item.sha256, folder, exc)
        outcome = replace(outcome, cached=future.state.name == "Cached")
        if outcome.cached:
            outcome = as_input(outcome, item, folder)
        results.append(outcome)
        logger.info(
            "[%d/%d] %s: %s%s",
            done,
            total,
            outcome.file,
            outcome.status,
            " (cached)" if outcome.cached else "",
        )
        progress_log.info("done", extra={"progress": (done, total, outcome)})
    order = {path.name: i for i, path in enumerate(inputs)}
    results.sort(key=lambda r: order.get(r.file, 0))
    stamp = made_by(settings)
    where = {path.name: str(path.resolve()) for path in inputs}
    write_index(
        folder,
        [r.index_line() | {"input": where.get(r.file), "made_by": stamp} for r in results],
    )
    report(results)
    return results


# Dask's debugging aids grow with the number of tasks a cluster has run, up to limits meant
# for short interactive sessions: every scheduler, client and worker connection keeps its last
# thousand messages (each task's spec, with its Prefect context, among them) and every worker
# samples its threads a hundred times a second into a profile kept for a thousand seconds. A
# batch of thousands needs neither, and holds the same memory at its end as at its start.
DASK_QUIET = {
    "distributed.admin.low-level-log-length": 20,
    "distributed.worker.profile.enabled": False,
}


def task_runner_for(dask: str | None, settings: Settings):  # type: ignore[no-untyped-def]
    """Threads by default; ``"local"`` for a Dask LocalCluster (one single-threaded worker
    process per core), or a scheduler address (``tcp://host:8786``) for a Dask cluster.
    Dask workers report to the Prefect API in ``PREFECT_API_URL``: use a real server. They
    must not be daemonic to start citydocs' worker processes (``distributed.worker.daemon:
    false``, set here for a LocalCluster); on daemonic workers documents are read in-process,
    without the time and memory limits. ``DASK_QUIET`` holds for this process (the client and
    a LocalCluster's scheduler) and a LocalCluster's workers."""
    if not dask:
        return ThreadPoolTaskRunner(max_workers=isolation.hand_over_threads(settings))
    # Imported here for start-up speed: Dask is only loaded when asked for.
    from dask import config as dask_config
    from prefect_dask import DaskTaskRunner

    dask_config.set(DASK_QUIET)
    if dask == "local":
        dask_config.set({"distributed.worker.daemon": False})
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": settings.pool_size,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    return DaskTaskRunner(address=dask)


def report(results: list[Outcome]) -> None:
    """A table artifact (one row per file) and a markdown summary artifact."""
    rows = [
        {
            "file": r.file,
            "kind": r.doc_type,
            "pages": r.pages,
            "ocr_pages": len(r.ocr_pages),
            "fields_filled": r.fields_filled,
            "status": r.status,
        }
        for r in results
    ]
    create_table_artifact(
        key="citydocs-batch", table=rows, description="citydocs: one row per input"
    )
    ok = sum(1 for r in results if r.ok)
    cached = sum(1 for r in results if r.cached)
    lines = [
        "# citydocs batch",
        f"- inputs: {len(results)}",
        f"- records: {ok}",
        f"- failed: {len(results) - ok}",
        f"- served from cache: {cached}",
    ]
    failures = [r for r in results if not r.ok]
    if failures:
        lines.append("\n## Failures\n")
        lines.extend(f"- `{r.file}`: {r.status}" for r in failures)
    create_markdown_artifact(key="citydocs-summary", markdown="\n".join(lines))
