"""The batch flow with real Prefect (embedded server), real worker processes and real PDFs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows import batch
from flows.batch import INDEX, extract_folder
from models import FailureReport, RecordAdapter

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def inbox(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    for name in ("zhengzhou_ucap.pdf", "zhengzhou_profile.pdf"):
        shutil.copy(sample_dir / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n")  # header, no body
    (folder / "notes.txt").write_text("not a PDF: ignored by the batch")
    return folder


def test_batch_flow_writes_records_index_and_serves_reruns_from_cache(
    inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = extract_folder(str(inbox), str(out))
    assert [r.file for r in first] == [
        "broken.pdf",
        "zhengzhou_profile.pdf",
        "zhengzhou_ucap.pdf",
    ]
    by_file = {r.file: r for r in first}
    assert by_file["zhengzhou_ucap.pdf"].doc_type == "ucap_summary"
    assert by_file["zhengzhou_profile.pdf"].status == "ok"
    assert by_file["broken.pdf"].status == "failed: corrupt"
    assert not any(r.cached for r in first)
    RecordAdapter.validate_json((out / "zhengzhou_ucap.json").read_text())
    report = FailureReport.model_validate_json(
        (out / "quarantine" / "broken.pdf.error.json").read_text()
    )
    assert report.error.kind == "corrupt"

    index = [json.loads(line) for line in (out / INDEX).read_text().splitlines()]
    assert {i["file"] for i in index} == {
        "broken.pdf",
        "zhengzhou_profile.pdf",
        "zhengzhou_ucap.pdf",
    }
    assert all({"file", "sha256", "kind", "status", "record"} <= set(i) for i in index)
    assert all(set(i["stages"]) >= {"read", "ocr", "extract", "write"} for i in index)
    read = [i for i in index if i["status"] == "ok"]
    assert read and all(i["cpu_seconds"] > 0 for i in read)  # counted in the worker

    mtime = (out / "zhengzhou_ucap.json").stat().st_mtime_ns
    second = extract_folder(str(inbox), str(out))
    # every task was served from Prefect's persisted cache: no extractor ran again
    assert [r.cached for r in second] == [True, True, True]
    assert (out / "zhengzhou_ucap.json").stat().st_mtime_ns == mtime

    (out / "zhengzhou_profile.json").unlink()  # a lost record is extracted again, not "cached"
    third = {r.file: r for r in extract_folder(str(inbox), str(out))}
    assert third["zhengzhou_profile.pdf"].cached is False
    assert (out / "zhengzhou_profile.json").exists()


def test_a_task_that_raises_is_reported_and_the_batch_goes_on(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for name in ("lisbon_ucap.pdf", "porto_profile.pdf"):  # bytes of their own: no cache hit
        (folder / name).write_bytes((sample_dir / name).read_bytes() + b"\n% raise test\n")
    real = batch.process_file

    def failing(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if request.path.name == "porto_profile.pdf":
            raise RuntimeError("disk vanished")
        return real(request, *args, **kwargs)

    monkeypatch.setattr(batch, "process_file", failing)
    results = {r.file: r for r in extract_folder(str(folder), str(out))}
    assert results["lisbon_ucap.pdf"].status == "ok"
    assert results["porto_profile.pdf"].status == "failed: internal"
    report = FailureReport.model_validate_json(
        (out / "quarantine" / "porto_profile.pdf.error.json").read_text()
    )
    assert "disk vanished" in report.error.message
    assert len((out / INDEX).read_text().splitlines()) == 2


def test_batch_flow_on_a_dask_local_cluster(
    prefect_server, inbox: Path, tmp_path: Path, monkeypatch
) -> None:
    from prefect_dask import DaskTaskRunner

    monkeypatch.setenv("PREFECT_API_URL", prefect_server.url)  # Dask workers report to the server
    runner = DaskTaskRunner(
        cluster_kwargs={
            "n_workers": 2,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
        }
    )
    out = tmp_path / "dask-out"
    results = extract_folder.with_options(task_runner=runner)(str(inbox), str(out))
    assert {r.file: r.status for r in results} == {
        "broken.pdf": "failed: corrupt",
        "zhengzhou_profile.pdf": "ok",
        "zhengzhou_ucap.pdf": "ok",
    }
    assert (
        RecordAdapter.validate_json((out / "zhengzhou_profile.json").read_text()).doc_type
        == "city_profile"
    )


def _dask_debug_config() -> tuple[int, bool]:
    import dask

    return (
        dask.config.get("distributed.admin.low-level-log-length"),
        dask.config.get("distributed.worker.profile.enabled"),
    )


def test_a_dask_local_cluster_keeps_no_message_logs_or_profiles() -> None:
    """Dask's message logs and profiles grow with the tasks run: off for the runner's cluster,
    in this process (client, scheduler) and in its workers."""
    import copy

    import dask

    from pipeline.base.settings import get_settings

    saved = copy.deepcopy(dask.config.config)
    try:
        runner = batch.task_runner_for("local", get_settings().model_copy(update={"workers": 1}))
        with runner:
            in_workers = runner.client.run(_dask_debug_config)
        assert _dask_debug_config() == (20, False)
        assert list(in_workers.values()) == [(20, False)]
    finally:
        dask.config.config.clear()
        dask.config.config.update(saved)


def test_tasks_are_submitted_in_waves_and_each_input_comes_back_once(tmp_path: Path) -> None:
    """At most ``size`` tasks submitted and unfinished at a time; every input answered once."""
    import threading
    import time
    import uuid
    from concurrent.futures import ThreadPoolExecutor

    from prefect.futures import PrefectConcurrentFuture

    from pipeline.running.reuse import Planned

    items = [Planned(tmp_path / f"{i}.pdf", None, f"{i}.json") for i in range(40)]
    lock, open_now, most = threading.Lock(), [0], [0]

    def work(item: Planned) -> str:
        time.sleep(0.01 * (int(item.path.stem) % 3))
        with lock:
            open_now[0] -= 1
        return item.path.name

    with ThreadPoolExecutor(max_workers=8) as pool:

        def submit(item: Planned) -> PrefectConcurrentFuture:
            with lock:
                open_now[0] += 1
                most[0] = max(most[0], open_now[0])
            return PrefectConcurrentFuture(uuid.uuid4(), pool.submit(work, item))

        seen = [item.path.name for _, item in batch.in_waves(items, submit, 5)]
    assert sorted(seen) == sorted(item.path.name for item in items)
    assert most[0] <= 5
