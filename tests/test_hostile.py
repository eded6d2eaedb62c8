"""Bad input never crashes a run and never loses a file: each ends as the right failure report."""

from __future__ import annotations

import json
from pathlib import Path

import hostile
import pytest
from typer.testing import CliRunner

from models import FailureReport, RecordAdapter
from pipeline.cli import app

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
    assert result.exit_code == len(EXPECTED_KINDS), result.output
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
