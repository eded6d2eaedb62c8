"""The citydocs command on real PDFs: records, failure reports, exit codes, help."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas
from typer.testing import CliRunner

from app.cli import app
from models import FailureReport, RecordAdapter

EXPECTED = Path(__file__).resolve().parent.parent / "samples" / "expected"

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
    for command in ([], ["extract"], ["read"], ["schema"], ["evaluate"], ["export"], ["diff"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output


def _one_line_error(result, code: int) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert "Traceback" not in result.output and lines[-1].startswith("error: "), result.output
    return lines[-1]


def test_ordinary_mistakes_are_one_line_with_the_exit_code_of_the_table(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pdf"
    assert "no such file" in _one_line_error(runner.invoke(app, ["read", str(missing)]), 2)
    assert "no such file" in _one_line_error(runner.invoke(app, ["extract", str(missing)]), 2)
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    line = _one_line_error(runner.invoke(app, ["run", str(empty)]), 2)
    assert "no PDFs found" in line and "--recursive" in line
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    (empty / "sub" / "x.PDF").write_bytes(b"%PDF-1.4")
    result = runner.invoke(app, ["run", str(empty), "--recursive", "--out", str(a_file)])
    assert "is a file" in _one_line_error(result, 3)
    result = runner.invoke(app, ["run", str(empty), "-r", "--out", str(a_file / "below")])
    assert "cannot be written" in _one_line_error(result, 3)
    inbox = tmp_path / "typo-inbox"
    result = runner.invoke(app, ["watch", str(inbox), "--once", "--out", str(tmp_path / "o")])
    assert "does not exist" in _one_line_error(result, 2)
    assert not inbox.exists()  # never created silently
    result = runner.invoke(app, ["evaluate", str(empty), "--expected", str(EXPECTED)])
    assert "no records" in _one_line_error(result, 2)
    assert "dpi" in _one_line_error(runner.invoke(app, ["run", str(empty), "-r", "--dpi", "5"]), 2)


def test_evaluate_names_missing_records_and_fails_below_min_f1(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "lisbon_ucap.json").write_text((EXPECTED / "lisbon_ucap.json").read_text())
    result = runner.invoke(app, ["evaluate", str(out), "--expected", str(EXPECTED)])
    assert result.exit_code == 0, result.output
    assert "missing" in result.output and "zhengzhou_ucap" in result.output
    result = runner.invoke(
        app, ["evaluate", str(out), "--expected", str(EXPECTED), "--min-f1", "0.9"]
    )
    assert result.exit_code == 1 and "below --min-f1" in result.output


def test_help_shows_no_type_noise() -> None:
    for command in ("extract", "run", "watch", "read", "inspect", "diff", "export", "evaluate"):
        result = runner.invoke(app, [command, "--help"], terminal_width=100)
        assert result.exit_code == 0
        for noise in ("<bool>", "<list[", "{", "<path>"):
            assert noise not in result.output, (command, noise, result.output)


def test_extract_to_standard_output_as_jsonl(sample_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["extract", str(sample_dir / "zhengzhou_ucap.pdf"), "-o", "-", "--format", "jsonl"],
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    assert RecordAdapter.validate_json(lines[0]).doc_type == "ucap_summary"


def test_the_flow_finds_the_inputs_the_command_line_found(tmp_path: Path) -> None:
    """The batch flow lists its inputs itself (a list as a flow parameter would travel with
    every Dask task): by the rule the command line checked them with."""
    from app.checks import find_pdfs
    from pipeline.base.inputs import pdfs_in

    folder = tmp_path / "in"
    for name in ("b.pdf", "A.PDF", "notes.txt", ".hidden.pdf", "sub/c.pdf", ".cache/d.pdf"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"%PDF-1.4")
    (folder / "folder.pdf").mkdir()
    (folder / "twin.pdf").symlink_to(folder / "b.pdf")
    flat = pdfs_in(folder)
    assert [p.name for p in flat] == ["A.PDF", "b.pdf", "folder.pdf"]  # the twin taken once
    assert find_pdfs([folder]) == flat
    deep = pdfs_in(folder, recursive=True)
    assert [p.relative_to(folder).as_posix() for p in deep] == ["A.PDF", "b.pdf", "sub/c.pdf"]
    assert find_pdfs([folder], recursive=True) == deep
    assert [p.name for p in pdfs_in(folder, "*.txt")] == ["notes.txt"]


def test_only_the_temporary_server_gets_the_embedded_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.cli import tune_embedded_server
    from pipeline.base.environment import EMBEDDED_SERVER

    for name in EMBEDDED_SERVER:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    tune_embedded_server(True)  # a server of the user's: Prefect's own settings
    assert not any(name in os.environ for name in EMBEDDED_SERVER)
    monkeypatch.delenv("PREFECT_API_URL")
    tune_embedded_server(False)  # --dask, a served watch: a server that outlives the batch
    assert not any(name in os.environ for name in EMBEDDED_SERVER)
    monkeypatch.setenv("PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED", "true")
    tune_embedded_server(True)
    assert os.environ["PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED"] == "true"  # the user's wins
    assert os.environ["PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE"] == "50"
    assert os.environ["PREFECT_SERVER_LOGGING_LEVEL"] == "CRITICAL"
