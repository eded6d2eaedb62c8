"""The pydantic models are the contract: the shipped schema matches them, samples validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import SCHEMA_FILE, app
from models import FailureReport, RecordAdapter, record_json_schema

EXPECTED = Path(__file__).resolve().parent.parent / "samples" / "expected"


def test_shipped_schema_matches_the_models() -> None:
    shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert shipped == record_json_schema(), "run `citydocs schema --write`"
    result = CliRunner().invoke(app, ["schema", "--check"])
    assert result.exit_code == 0, result.output


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"].startswith("citydocs record")


@pytest.mark.parametrize("path", sorted(EXPECTED.glob("*.json")), ids=lambda p: p.stem)
def test_expected_records_follow_the_contract(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["source"] = {
        "file_name": f"{path.stem}.pdf",
        "sha256": "0" * 64,
        "page_count": 1,
        "ocr_pages": [],
        "text_source": "text",
    }
    record = RecordAdapter.validate_python(data)
    assert record.doc_type == data["doc_type"]


def _minimal(**changes: object) -> dict:
    base: dict = {
        "doc_type": "ucap_summary",
        "source": {
            "file_name": "a.pdf",
            "sha256": "a" * 64,
            "page_count": 1,
            "text_source": "text",
        },
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    "bad",
    [
        _minimal(title=""),  # "" is never a value: null is
        _minimal(period={"start": "April 2017"}),  # dates are ISO
        _minimal(period={"start": "2017-13"}),
        _minimal(sdgs=[{"number": 18}]),
        _minimal(unknown_key=1),
        _minimal(doc_type="invoice"),
        _minimal(provenance={"title": {"page": 0, "bbox": [0, 0, 1, 1], "method": "text"}}),
        _minimal(provenance={"title": {"page": 1, "bbox": [5, 0, 1, 1], "method": "text"}}),
    ],
)
def test_invalid_records_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        RecordAdapter.validate_python(bad)


def test_failure_report_shape() -> None:
    report = FailureReport(
        file_name="x.pdf", sha256=None, error={"kind": "corrupt", "message": "m"}
    )
    data = json.loads(report.model_dump_json())
    assert set(data) == {"schema_version", "file_name", "sha256", "error", "failed_at"}
    with pytest.raises(ValidationError):
        FailureReport(file_name="x.pdf", error={"kind": "exploded", "message": "m"})
