"""Files no one here wrote: every library's refusal becomes the failure kind it means, with a
short printable message, library warnings name their file, and memory stays flat in the page
count (the real-world set of ``make realworld`` found each of these)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from models import FailureReport
from pipeline.base.errors import CitydocsError
from pipeline.base.request import Request
from pipeline.base.settings import get_settings
from pipeline.reading.reader import read_pdf
from pipeline.running import isolation
from pipeline.running.extract import MESSAGE, failure_report
from tests.tools import hostile

runner = CliRunner()


@pytest.fixture(scope="module")
def good(sample_dir: Path) -> Path:
    return sample_dir / "zhengzhou_ucap.pdf"


def _report(out: Path, name: str) -> FailureReport:
    return FailureReport.model_validate_json(
        (out / "quarantine" / f"{name}.error.json").read_text()
    )


def test_a_user_password_is_asked_for_even_with_an_empty_owner_password(
    good: Path, tmp_path: Path
) -> None:
    locked = hostile.user_password_only(tmp_path, good, password="u")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(locked), "--out", str(out)])
    assert result.exit_code == 1, result.output
    report = _report(out, locked.name)
    assert report.error.kind == "encrypted" and "--password" in report.error.message
    result = runner.invoke(app, ["extract", str(locked), "--out", str(out), "--password", "u"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "user_locked.json").read_text())["doc_type"] == "ucap_summary"


def test_a_page_tree_without_mediabox_is_corrupt(good: Path, tmp_path: Path) -> None:
    broken = hostile.no_mediabox(tmp_path, good)
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(broken), "--out", str(out)])
    assert result.exit_code == 1, result.output
    error = _report(out, broken.name).error
    assert error.kind == "corrupt", error.message
    assert error.detail and "TypeError" in error.detail


def test_failure_messages_are_short_and_printable(tmp_path: Path) -> None:
    raw = "<< /Type /Page /Contents \x00\x01\x9c\x1b[31m " + "/K [1 0 R] " * 60 + ">>"
    path = tmp_path / "odd.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    error = CitydocsError("corrupt", f"odd.pdf: {raw}", detail=raw)
    report = failure_report(path.name, None, error)
    message, detail = report.error.message, report.error.detail
    assert len(message) <= MESSAGE and message.isprintable()
    assert detail is not None and detail.isprintable() and "/K [1 0 R]" in detail


def test_library_warnings_name_their_file(
    good: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    damaged = hostile.damaged_stream(tmp_path, good)
    with caplog.at_level(logging.WARNING):
        settings = get_settings()
        document = read_pdf(Request.of(damaged, settings), settings)
    told = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("damaged_stream.pdf: Data-loss") for m in told), told
    assert not [r for r in caplog.records if r.name.startswith("pdfminer")]  # not unnamed too
    assert any("Data-loss" in w for w in document.warnings)


def test_worker_memory_is_flat_in_the_page_count(tmp_path: Path) -> None:
    settings = get_settings().model_copy(update={"doc_timeout_s": 600.0})
    workers = isolation.WorkerPool(1)
    try:
        peaks = {}
        for count in (4, 400):
            pages = hostile.text_pages(tmp_path, count)
            answer = workers.run(Request.of(pages, settings), settings)
            failure = answer.failure
            assert failure is None or failure.error.kind == "unknown_doc_type", failure
            peaks[count] = answer.peak_rss
    finally:
        workers.close()
    assert peaks[4] > 0
    assert peaks[400] - peaks[4] < 100 * 1024 * 1024, peaks
