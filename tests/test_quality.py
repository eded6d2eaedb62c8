"""Extraction quality against the hand-written expected records, via `citydocs evaluate`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.evaluate import evaluate_folder
from pipeline.running.output import write_json_atomic

EXPECTED = Path(__file__).resolve().parent.parent / "samples" / "expected"
# Floors from the issues: the Zhengzhou summary 0.98, both Zhengzhou profiles 0.95, the other
# summaries 0.95 (the scanned one 0.90), the other profiles 0.90 (the scanned one 0.85).
FLOORS = {
    "zhengzhou_ucap": 0.98,
    "zhengzhou_profile": 0.95,
    "zhengzhou_profile_scan": 0.95,
    "lisbon_ucap": 0.95,
    "milan_ucap": 0.95,
    "foshan_ucap": 0.90,
    "porto_profile": 0.90,
    "tampere_profile": 0.90,
    "kunming_profile": 0.85,
}


@pytest.fixture(scope="module")
def outdir(records, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("records")
    for stem, record in records.items():
        write_json_atomic(out / f"{stem}.json", record)
    return out


def test_evaluate_command_prints_the_field_f1(outdir: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", str(outdir), "--expected", str(EXPECTED)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"field F1: \d\.\d{3} \(\d+ docs\)", last), last


@pytest.mark.parametrize("stem", sorted(FLOORS))
def test_sample_scores_reach_their_floor(outdir: Path, stem: str) -> None:
    report = evaluate_folder(outdir, EXPECTED)
    scores = {d.name: d for d in report.documents}
    doc = scores[stem]
    weak = {k: round(v.soft, 3) for k, v in doc.fields.items() if v.soft < 1}
    assert doc.soft >= FLOORS[stem], f"{stem} {doc.soft:.3f}; weak fields: {weak}"


def test_every_record_has_provenance_for_its_filled_fields(records) -> None:
    for stem, record in records.items():
        assert record.provenance, stem
        if record.city.name:
            assert "city.name" in record.provenance or record.doc_type == "city_profile"
        for path, prov in record.provenance.items():
            assert 1 <= prov.page <= record.source.page_count, (stem, path)
            assert prov.method == ("ocr" if prov.page in record.source.ocr_pages else "text"), (
                stem,
                path,
            )
