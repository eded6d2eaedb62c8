"""Limits enforced in worker processes: a stalled parser, a bomb and a memory hog each end as a
failure report, and the next document is read as if nothing happened."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from pipeline.base.request import Request
from pipeline.base.settings import Settings, get_settings
from pipeline.running import isolation
from pipeline.running.outcome import Outcome
from pipeline.running.process import process_file
from tests.tools import hostile


def run(path: Path, out: Path, settings: Settings | None = None) -> Outcome:
    """One file through ``process_file``, as ``citydocs extract`` runs it."""
    settings = settings or get_settings()
    request = Request.of(path, settings)
    return process_file(request, out, out / f"{path.stem}.json", settings)


@pytest.fixture(scope="module")
def hostile_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("limits")
    return {
        "bomb": hostile.decompression_bomb(folder),
        "slow": hostile.slow_content_stream(folder),
    }


def test_a_stalled_parser_is_stopped_at_the_time_limit(
    hostile_pdfs: dict[str, Path], sample_dir: Path, tmp_path: Path
) -> None:
    settings = get_settings().model_copy(update={"doc_timeout_s": 4.0})
    warm = Request.of(sample_dir / "porto_profile.pdf", settings)
    isolation.pool(settings).run(warm, settings)  # a warm worker
    start = time.monotonic()
    outcome = run(hostile_pdfs["slow"], tmp_path, settings)
    elapsed = time.monotonic() - start
    assert outcome.failure is not None and outcome.failure.error.kind == "timeout"
    assert "CITYDOCS_DOC_TIMEOUT_S" in outcome.failure.error.message
    assert 4.0 <= elapsed < 15.0  # stopped, not left to run its minutes
    assert (tmp_path / "quarantine" / "slow.pdf.error.json").exists()
    after = run(sample_dir / "porto_profile.pdf", tmp_path, settings)
    assert after.ok and after.record.city.name == "Porto"  # type: ignore[union-attr]


def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    hostile_pdfs: dict[str, Path], tmp_path: Path
) -> None:
    outcome = run(hostile_pdfs["bomb"], tmp_path)
    assert outcome.failure is not None and outcome.failure.error.kind == "too_large"
    assert "20000 × 20000" in outcome.failure.error.message
    assert "CITYDOCS_MAX_IMAGE_PIXELS" in outcome.failure.error.message


def test_a_document_over_the_memory_cap_fails_alone(sample_dir: Path, tmp_path: Path) -> None:
    bomb = hostile.content_bomb(tmp_path)  # 300 MB of content stream once inflated
    tight = get_settings().model_copy(update={"doc_memory_mb": 64})
    outcome = run(bomb, tmp_path, tight)
    assert outcome.failure is not None and outcome.failure.error.kind == "too_large"
    assert "memory" in outcome.failure.error.message
    again = run(sample_dir / "lisbon_ucap.pdf", tmp_path)
    assert again.ok and again.record.doc_type == "ucap_summary"  # type: ignore[union-attr]


def test_a_worker_killed_under_a_document_is_replaced_and_the_document_read(
    sample_dir: Path, tmp_path: Path
) -> None:
    settings = get_settings().model_copy(update={"workers": 1})
    pool = isolation.WorkerPool(1)
    pool.run(Request.of(sample_dir / "porto_profile.pdf", settings), settings)
    worker = pool._idle[0]
    assert worker.process is not None
    victim = worker.process.pid
    assert victim is not None
    # Kill the worker while it reads a scan (OCR takes seconds): the pool starts another.
    threading.Timer(1.0, os.kill, (victim, signal.SIGKILL)).start()
    answer = pool.run(Request.of(sample_dir / "kunming_profile.pdf", settings), settings)
    assert answer.failure is None and answer.record.doc_type == "city_profile"
    assert pool._idle[0].process is not None and pool._idle[0].process.pid != victim
    pool.close()


def test_workers_are_forked_warm_from_the_fork_server(sample_dir: Path) -> None:
    """Where the platform has a fork server, workers come from it (not from the run itself,
    whose threads make forking unsafe), with its preloaded models, and read documents."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform: workers are spawned")
    settings = get_settings()
    pool = isolation.WorkerPool(1)
    answer = pool.run(Request.of(sample_dir / "porto_profile.pdf", settings), settings)
    assert answer.failure is None and answer.record.city.name == "Porto"
    worker = pool._idle[0]
    assert worker.process is not None and worker.process.pid is not None
    server = psutil.Process(worker.process.pid).parent()
    assert server is not None and server.pid != os.getpid()
    assert isolation.PRELOAD in " ".join(server.cmdline())
    pool.close()


def test_a_document_s_cpu_seconds_are_counted_in_its_worker(
    sample_dir: Path, tmp_path: Path
) -> None:
    """The index's CPU seconds are the worker's and its Tesseract's for that file: a scanned
    page costs more CPU than a born-digital one, and neither is zero."""
    settings = get_settings()
    digital = run(sample_dir / "porto_profile.pdf", tmp_path, settings)
    scanned = run(sample_dir / "zhengzhou_profile_scan.pdf", tmp_path, settings)
    assert digital.ok and scanned.ok
    assert digital.cpu_seconds is not None and scanned.cpu_seconds is not None
    assert 0 < digital.cpu_seconds < scanned.cpu_seconds
    assert digital.index_line()["cpu_seconds"] == round(digital.cpu_seconds, 2)


def test_each_worker_has_its_next_document_waiting_on_a_second_thread() -> None:
    """Two task threads per worker, so a worker that answers is handed the next document while
    Prefect records the last; one per core where documents are read in-process."""
    assert isolation.hand_over_threads(Settings(workers=3)) == 6
    assert isolation.hand_over_threads(Settings(workers=3, isolate=False)) == 3
