"""Bad input never crashes a run and never loses a file: each ends as the right failure report."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from models import FailureReport, RecordAdapter
from tests.tools import hostile

runner = CliRunner()
EXPECTED_KINDS = {
    "empty.pdf": "empty",
    "notes.pdf": "not_a_pdf",
    "picture.pdf": "not_a_pdf",
    "half.pdf": "corrupt",
    "locked.pdf": "encrypted",
    "zero_pages.pdf": "empty",
    "many_pages.pdf": "too_large",
}
READABLE = [
    "broken_xref.pdf",
    "scripted.pdf",
    "with spaces.pdf",
    "Málaga Ωmega.pdf",
    "-leading-dash.pdf",
]


@pytest.fixture(scope="module")
def hostile_dir(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    good = sample_dir / "zhengzhou_ucap.pdf"
    hostile.empty(folder)
    hostile.text_named_pdf(folder)
    hostile.png_named_pdf(folder)
    hostile.cut_in_half(folder, good)
    hostile.broken_xref(folder, good)
    hostile.encrypted(folder, good)
    hostile.zero_pages(folder)
    hostile.many_pages(folder, good, 2000)
    hostile.javascript_and_attachment(folder, good)
    hostile.awkward_names(folder, good)
    return folder


def test_extract_reports_each_bad_file_and_reads_the_rest(
    hostile_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(hostile_dir), "--out", str(out)])
    assert result.exit_code == 1, result.output  # documents failed (README: exit codes)
    for name, kind in EXPECTED_KINDS.items():
        report = FailureReport.model_validate_json(
            (out / "quarantine" / f"{name}.error.json").read_text()
        )
        assert report.error.kind == kind, (name, report.error.message)
        assert len(report.error.message) > 30  # says what to do, not just what went wrong
    for name in READABLE:  # a repaired cross-reference table, names with spaces, accents, a dash
        record = RecordAdapter.validate_json((out / f"{Path(name).stem}.json").read_text())
        assert record.source.file_name == name and record.doc_type == "ucap_summary"
    assert not (hostile_dir / "js_ran").exists() and not Path("pwned").exists()


def test_password_opens_an_encrypted_pdf(hostile_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "extract",
            str(hostile_dir / "locked.pdf"),
            "--out",
            str(tmp_path),
            "--password",
            "s3cret",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "locked.json").read_text())["doc_type"] == "ucap_summary"


def test_page_cap_is_a_setting(hostile_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "extract",
            str(hostile_dir / "with spaces.pdf"),
            "--out",
            str(tmp_path),
            "--max-pages",
            "1",
        ],
    )
    assert result.exit_code == 1
    report = json.loads((tmp_path / "quarantine" / "with spaces.pdf.error.json").read_text())
    assert report["error"]["kind"] == "too_large" and "--max-pages" in report["error"]["message"]


CITYDOCS = str(Path(sys.executable).with_name("citydocs"))
LIMITS = {"bomb.pdf": "too_large", "slow.pdf": "timeout", "x.pdf": "not_a_pdf"}


@pytest.fixture(scope="module")
def everything_hostile(
    hostile_dir: Path, sample_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The hostile set, the two limit breakers, a folder named x.pdf and one good sample."""
    folder = tmp_path_factory.mktemp("all-hostile")
    for path in hostile_dir.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    hostile.decompression_bomb(folder)
    hostile.slow_content_stream(folder)
    (folder / "x.pdf").mkdir()
    (folder / "good.pdf").write_bytes((sample_dir / "porto_profile.pdf").read_bytes())
    return folder


def _citydocs(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, with a 6 s document limit and a Prefect home of its own."""
    env = {**os.environ, "CITYDOCS_DOC_TIMEOUT_S": "6", "PREFECT_HOME": str(home / "ph")}
    return subprocess.run(
        [CITYDOCS, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _assert_reports(out: Path, expected: dict[str, str]) -> None:
    for name, kind in expected.items():
        report = FailureReport.model_validate_json(
            (out / "quarantine" / f"{name}.error.json").read_text()
        )
        assert report.error.kind == kind, (name, report.error.message)
    assert RecordAdapter.validate_json((out / "good.json").read_text()).doc_type == "city_profile"


def test_run_reports_every_hostile_file_and_finishes_the_batch(
    everything_hostile: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = _citydocs("run", str(everything_hostile), "--out", str(out), home=tmp_path)
    expected = {**EXPECTED_KINDS, **LIMITS}
    assert done.returncode == 1, done.stdout + done.stderr  # documents failed
    _assert_reports(out, expected)
    index = [json.loads(line) for line in (out / "_index.jsonl").read_text().splitlines()]
    assert len(index) == len(list(everything_hostile.iterdir()))  # one line per input
    # The temporary server records task runs in batches: every one is in its database, ended.
    states = _task_run_states(tmp_path / "ph" / "prefect.db")
    assert states and set(states) == {"COMPLETED"}, states
    assert len(states) == len(index)  # one task per input


def _task_run_states(database: Path) -> list[str]:
    """The state of each task run in a Prefect home's database."""
    with contextlib.closing(sqlite3.connect(database)) as db:
        return [row[0] for row in db.execute("SELECT state_type FROM task_run")]


def test_watch_quarantines_every_hostile_file_and_loses_none(
    everything_hostile: Path, tmp_path: Path
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    for path in everything_hostile.iterdir():
        target = inbox / path.name
        target.mkdir() if path.is_dir() else target.write_bytes(path.read_bytes())
    outside = tmp_path / "outside.pdf"
    outside.write_bytes((everything_hostile / "good.pdf").read_bytes())
    (inbox / "link.pdf").symlink_to(outside)
    done = _citydocs(
        "watch", str(inbox), "--out", str(out), "--once", "--settle", "0.2", home=tmp_path
    )
    expected = {**EXPECTED_KINDS, **LIMITS, "link.pdf": "not_a_pdf"}
    assert done.returncode == 1, done.stdout + done.stderr  # documents failed
    _assert_reports(out, expected)
    quarantined = {p.name for p in (out / "quarantine").iterdir() if not p.name.endswith(".json")}
    assert quarantined == set(expected)  # each bad file moved beside its report
    assert (out / "quarantine" / "link.pdf").is_symlink() and outside.exists()
    assert not [p for p in inbox.iterdir() if p.name != ".processing"]
    assert not [p for p in (inbox / ".processing").iterdir() if not p.name.startswith(".")]
