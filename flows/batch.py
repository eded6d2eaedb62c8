"""``extract_folder``: every PDF of a folder through the pipeline, one Prefect task each.

Tasks run on threads, one per core, and each hands its file to a worker process of
``pipeline.running.isolation`` (warm spaCy, a wall-time and a memory limit), so Prefect starts once per
run and a hung or exploding document costs one worker, never the run. Tasks get paths and
hashes, never documents. A task is cached on the file's sha256 plus the citydocs version, the
settings and the output folder, persisted, so a second run (even in another process) skips
unchanged files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.context import FlowRunContext, TaskRunContext
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from models import FailureReport
from pipeline import __version__
from pipeline.base.errors import CitydocsError
from pipeline.base.settings import get_settings
from pipeline.reading.reader import sha256_file
from pipeline.running import isolation
from pipeline.running.extract import as_failure, failure_report
from pipeline.running.output import write_json_atomic
from pipeline.running.process import QUARANTINE, fields_filled, pdfs_in, process_file

INDEX = "_index.jsonl"
# Progress records for whoever listens (the CLI's bar): ``record.progress = (done, total,
# index_line)``. A logger rather than a callback: Prefect pickles the flow for its workers, and
# a callback holding a live display cannot be pickled.
progress_log = logging.getLogger("citydocs.progress")


def _cache_key(context: TaskRunContext, parameters: dict[str, Any]) -> str | None:
    if not parameters.get("sha256"):
        return None  # not a readable file: nothing worth caching
    out = hashlib.sha256(str(Path(parameters["out_dir"]).resolve()).encode()).hexdigest()[:12]
    return f"citydocs-{__version__}-{parameters['fingerprint']}-{parameters['sha256']}-{out}"


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
) -> dict:
    """Read, classify, extract, validate and write one PDF; returns its index line."""
    outcome = process_file(Path(path), Path(out_dir), record_name=record_name)
    line = index_line(Path(path), sha256, outcome.record, outcome.failure, outcome.written)
    return line | {"seconds": round(outcome.seconds, 2), "stages": outcome.stages}


def index_line(
    path: Path,
    sha256: str | None,
    record: Any,
    failure: FailureReport | None,
    written: Path | None,
) -> dict:
    """One line of ``_index.jsonl`` (and of the run's table): what became of one input."""
    return {
        "file": path.name,
        "sha256": sha256,
        "kind": record.doc_type if record else None,
        "status": "ok" if record else f"failed: {failure.error.kind}",  # type: ignore[union-attr]
        "pages": record.source.page_count if record else 0,
        "ocr_pages": len(record.source.ocr_pages) if record else 0,
        "fields_filled": fields_filled(record),
        "record": str(written),
        "seconds": 0.0,
        "stages": {},
    }


def task_failed(path: Path, out_dir: Path, exc: Exception) -> dict:
    """The index line and failure report of a file whose task raised instead of reporting."""
    report = failure_report(path, as_failure(path, exc, get_settings()))
    written = write_json_atomic(out_dir / QUARANTINE / f"{path.name}.error.json", report)
    return index_line(path, report.sha256, None, report, written)


def plan(inputs: list[Path]) -> list[tuple[Path, str | None, str]]:
    """Each input with its sha256 and a record name no other input of the batch takes."""
    planned = []
    stems: dict[str, int] = {}
    for path in inputs:
        stems[path.stem] = stems.get(path.stem, 0) + 1
    for path in inputs:
        try:
            digest = sha256_file(path) if path.is_file() else None
        except OSError:
            digest = None
        name = (
            f"{path.stem}.json"
            if stems[path.stem] == 1
            else f"{path.stem}-{(digest or 'x' * 8)[:8]}.json"
        )
        planned.append((path, digest, name))
    return planned


@flow(
    name="extract-folder",
    task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 2),
)
def extract_folder(input_dir: str, out_dir: str, files: list[str] | None = None) -> list[dict]:
    """Extract every PDF in ``input_dir`` (or the ``files`` the caller chose there, say with
    ``--recursive``) into ``out_dir``; returns the index lines."""
    logger = get_run_logger()
    inputs = [Path(f) for f in files] if files else pdfs_in(Path(input_dir))
    context = FlowRunContext.get()
    if context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner):
        # Tasks run here: warm the workers while Prefect submits them (on Dask, workers start
        # in the Dask processes that run the tasks, and would idle here).
        isolation.prestart(get_settings(), len(inputs))
    fingerprint = get_settings().fingerprint()
    futures = {}
    for path, digest, name in plan(inputs):
        written = Path(out_dir) / name, Path(out_dir) / QUARANTINE / f"{path.name}.error.json"
        # A cached result is only as good as the file it wrote: gone → extract again.
        runner = (
            extract_pdf
            if any(p.exists() for p in written)
            else extract_pdf.with_options(refresh_cache=True)
        )
        futures[runner.submit(str(path), out_dir, digest, fingerprint, name)] = path
    results: list[dict] = []
    progress_log.info("submitted", extra={"progress": (0, len(futures), {})})
    for done, future in enumerate(as_completed(list(futures)), start=1):
        try:
            line = future.result()
        except Exception as exc:  # the task itself failed, retries spent: report, go on
            line = task_failed(futures[future], Path(out_dir), exc)
        line["cached"] = future.state.name == "Cached"
        results.append(line)
        logger.info(
            "[%d/%d] %s: %s%s",
            done,
            len(futures),
            line["file"],
            line["status"],
            " (cached)" if line["cached"] else "",
        )
        progress_log.info("done", extra={"progress": (done, len(futures), line)})
    order = {path.name: i for i, path in enumerate(inputs)}
    results.sort(key=lambda r: order.get(r["file"], 0))
    write_index(Path(out_dir), results)
    report(results)
    return results


def task_runner_for(dask: str | None):  # type: ignore[no-untyped-def]
    """Threads by default; ``"local"`` for a Dask LocalCluster (one single-threaded worker
    process per core), or a scheduler address (``tcp://host:8786``) for a Dask cluster.
    Dask workers report to the Prefect API in ``PREFECT_API_URL``: use a real server. They
    must not be daemonic to start citydocs' worker processes (``distributed.worker.daemon:
    false``, set here for a LocalCluster); on daemonic workers documents are read in-process,
    without the time and memory limits."""
    if not dask:
        return ThreadPoolTaskRunner(max_workers=os.cpu_count() or 2)
    from dask import config as dask_config
    from prefect_dask import DaskTaskRunner

    if dask == "local":
        dask_config.set({"distributed.worker.daemon": False})
        workers = os.cpu_count() or 2
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            }
        )
    return DaskTaskRunner(address=dask)


def write_index(out_dir: Path, results: list[dict]) -> Path:
    keys = ("file", "sha256", "kind", "status", "record", "seconds", "stages")
    text = "".join(json.dumps({k: r[k] for k in keys}, ensure_ascii=False) + "\n" for r in results)
    path = out_dir / INDEX
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{INDEX}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def report(results: list[dict]) -> None:
    """A table artifact (one row per file) and a markdown summary artifact."""
    rows = [
        {k: r[k] for k in ("file", "kind", "pages", "ocr_pages", "fields_filled", "status")}
        for r in results
    ]
    create_table_artifact(
        key="citydocs-batch", table=rows, description="citydocs: one row per input"
    )
    ok = sum(1 for r in results if r["status"] == "ok")
    cached = sum(1 for r in results if r.get("cached"))
    lines = [
        "# citydocs batch",
        f"- inputs: {len(results)}",
        f"- records: {ok}",
        f"- failed: {len(results) - ok}",
        f"- served from cache: {cached}",
    ]
    failures = [r for r in results if r["status"] != "ok"]
    if failures:
        lines.append("\n## Failures\n")
        lines.extend(f"- `{r['file']}`: {r['status']}" for r in failures)
    create_markdown_artifact(key="citydocs-summary", markdown="\n".join(lines))


__all__ = ["extract_folder", "extract_pdf"]
