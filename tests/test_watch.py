"""The watch flow for real: a Prefect server on loopback, the served deployment, SIGKILL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.server import LocalServer

pytestmark = pytest.mark.slow
CITYDOCS = str(Path(sys.executable).with_name("citydocs"))


def _wait_for(condition, timeout: float, what: str, every: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_served_deployment_processes_dropped_files(
    prefect_server: LocalServer, sample_dir: Path, tmp_path: Path
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    env = {**os.environ, "PREFECT_API_URL": prefect_server.url, "PREFECT_LOGGING_LEVEL": "INFO"}
    log = (tmp_path / "watch.log").open("w")
    watcher = subprocess.Popen(
        [CITYDOCS, "watch", str(inbox), "--out", str(out), "--every", "5s", "--settle", "1.5"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        shutil.copy(sample_dir / "zhengzhou_profile.pdf", inbox / "profile.pdf")
        (inbox / "bad.pdf").write_bytes(b"this is a text file named .pdf")
        data = (sample_dir / "zhengzhou_ucap.pdf").read_bytes()
        with (inbox / "slow.pdf").open("wb") as handle:  # copied in chunks while the watcher looks
            step = len(data) // 6 + 1
            for start in range(0, len(data), step):
                handle.write(data[start : start + step])
                handle.flush()
                time.sleep(1.0)
        archived = out / "archive"
        _wait_for(
            lambda: (
                len(list(archived.rglob("*.pdf"))) == 2
                and (out / "quarantine" / "bad.pdf.error.json").exists()
            ),
            240,
            "two archived PDFs and one quarantined",
        )
    finally:
        _stop(watcher)
        log.close()
    output = (tmp_path / "watch.log").read_text()
    assert watcher.returncode is not None, output
    assert (out / "profile.json").exists() and (out / "slow.json").exists(), output
    assert '"kind": "not_a_pdf"' in (out / "quarantine" / "bad.pdf.error.json").read_text()
    assert (out / "quarantine" / "bad.pdf").exists()
    assert [p.name for p in (inbox / ".processing").iterdir() if p.name != ".lock"] == []
    assert sorted(p.name for p in inbox.iterdir()) == [".processing"]


def test_sigkill_mid_batch_loses_and_duplicates_nothing(sample_dir: Path, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    sources = sorted(sample_dir.glob("zhengzhou_*.pdf"))
    names = []
    for copy in range(3):  # distinct contents: a trailing comment changes the bytes, not the PDF
        for source in sources:
            name = f"{source.stem}_{copy}.pdf"
            (inbox / name).write_bytes(source.read_bytes() + f"\n% copy {copy}\n".encode())
            names.append(name)
    command = [CITYDOCS, "watch", str(inbox), "--out", str(out), "--once", "--settle", "0.5"]
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    first = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Looked for often: a batch of a few documents is read in a few seconds, and a kill a
    # second after its first record could come after its last.
    _wait_for(lambda: len(list(out.glob("*.json"))) >= 1, 180, "the first record", every=0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert len(list(out.glob("*.json"))) < len(names), "the kill came too late to test anything"
    assert list((inbox / ".processing").glob("*.pdf")), "nothing was left to take up"

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=400)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    records = sorted(p.stem for p in out.glob("*.json"))
    assert records == sorted(Path(n).stem for n in names)  # exactly one record per input
    assert [p.name for p in (inbox / ".processing").iterdir() if p.name != ".lock"] == []
    assert len(list((out / "archive").rglob("*.pdf"))) == len(names)
    assert not list(out.rglob("*.tmp"))
