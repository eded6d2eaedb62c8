"""The citydocs command on real PDFs: records, failure reports, exit codes, help."""

from __future__ import annotations

import json
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas
from typer.testing import CliRunner

from app.cli import app
from models import FailureReport, RecordAdapter

runner = CliRunner()


def test_extract_writes_a_record_and_a_failure_report(sample_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_text("just text, renamed")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["extract", str(sample_dir / "zhengzhou_ucap.pdf"), str(bad), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "ucap_summary" in result.output and "not_a_pdf" in result.output
    record = RecordAdapter.validate_json((out / "zhengzhou_ucap.json").read_text())
    assert record.source.file_name == "zhengzhou_ucap.pdf" and record.source.page_count == 2
    report = FailureReport.model_validate_json(
        (out / "quarantine" / "notes.pdf.error.json").read_text()
    )
    assert report.error.kind == "not_a_pdf" and "renamed" in report.error.message
    assert not list(out.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_unknown_document_kind_is_a_failure_not_a_guess(tmp_path: Path) -> None:
    pdf = tmp_path / "invoice.pdf"
    canvas = Canvas(str(pdf))
    for i, line in enumerate(
        ["Invoice 2041", "Bicycle repair, parts and labour.", "Total due: 120 EUR"] * 5
    ):
        canvas.drawString(72, 760 - 16 * i, line)
    canvas.save()
    result = runner.invoke(app, ["extract", str(pdf), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    data = json.loads((tmp_path / "out" / "quarantine" / "invoice.pdf.error.json").read_text())
    assert data["error"]["kind"] == "unknown_doc_type"


def test_read_prints_blocks_by_page_and_region(sample_dir: Path) -> None:
    result = runner.invoke(app, ["read", str(sample_dir / "zhengzhou_profile.pdf")])
    assert result.exit_code == 0, result.output
    assert "[sidebar paragraph]" in result.output and "[banner" in result.output
    assert "kind: city_profile" in result.output


def test_every_command_explains_itself() -> None:
    for command in ([], ["extract"], ["read"], ["schema"], ["evaluate"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output
