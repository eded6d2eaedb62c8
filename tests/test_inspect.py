"""Inspecting records: a field with provenance, overlays, diff, and the HTML report in Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from PIL import Image
from typer.testing import CliRunner

from app.cli import app
from app.export import COLUMNS
from app.overlay import colours
from pipeline.base.request import Request
from pipeline.base.settings import get_settings
from pipeline.running.output import write_json_atomic
from pipeline.running.process import process_file

runner = CliRunner()


@pytest.fixture(scope="module")
def run_dir(records, sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    for stem in ("zhengzhou_ucap", "zhengzhou_profile_scan"):
        write_json_atomic(out / f"{stem}.json", records[stem])
    bad = out / "bad.pdf"
    bad.write_bytes(b"")
    settings = get_settings()
    process_file(Request.of(bad, settings), out, out / "bad.json", settings)
    return out


def test_field_shows_value_and_provenance(run_dir: Path) -> None:
    result = runner.invoke(
        app, ["inspect", str(run_dir / "zhengzhou_ucap.json"), "--field", "activities[0].date"]
    )
    assert result.exit_code == 0, result.output
    assert (
        '"2017-04"' in result.output
        and "page 1" in result.output
        and "method text" in result.output
    )
    scan = runner.invoke(
        app, ["inspect", str(run_dir / "zhengzhou_profile_scan.json"), "--field", "city.name"]
    )
    assert "method ocr" in scan.output and "OCR confidence" in scan.output
    missing = runner.invoke(
        app, ["inspect", str(run_dir / "zhengzhou_ucap.json"), "--field", "nope[3]"]
    )
    assert missing.exit_code == 1


def test_tree_highlights_the_record(run_dir: Path) -> None:
    result = runner.invoke(app, ["inspect", str(run_dir / "zhengzhou_ucap.json")])
    assert result.exit_code == 0 and "partners" in result.output and "Málaga" in result.output


def test_overlay_draws_one_png_per_page_named_by_record(
    run_dir: Path, sample_dir: Path, tmp_path: Path
) -> None:
    command = ["inspect", str(run_dir / "zhengzhou_ucap.json"), "--overlay", str(tmp_path)]
    lost = runner.invoke(app, command)  # records hold no path: the PDF is looked for
    assert lost.exit_code == 2 and "--pdf" in lost.output
    shutil.copy(sample_dir / "zhengzhou_ucap.pdf", run_dir / "zhengzhou_ucap.pdf")  # beside it
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    pages = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in pages] == ["zhengzhou_ucap-page-1.png", "zhengzhou_ucap-page-2.png"]
    record = json.loads((run_dir / "zhengzhou_ucap.json").read_text())
    groups = colours(list(record["provenance"]))
    assert len(set(groups.values())) == len(groups) > 3  # one colour per field group
    with Image.open(pages[0]) as image:
        seen = {c for _, c in image.convert("RGB").getcolors(1 << 22)}
    assert {groups["city"], groups["partners"]} <= seen


def test_diff_exits_non_zero_on_differences(run_dir: Path, tmp_path: Path) -> None:
    a = run_dir / "zhengzhou_ucap.json"
    same = runner.invoke(app, ["diff", str(a), str(a)])
    assert same.exit_code == 0 and "no differences" in same.output
    changed = json.loads(a.read_text())
    changed["city"]["population"] = 1
    b = tmp_path / "b.json"
    b.write_text(json.dumps(changed))
    result = runner.invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 1 and "city.population" in result.output


def test_diff_matches_list_items_and_says_absent(run_dir: Path, tmp_path: Path) -> None:
    a = run_dir / "zhengzhou_ucap.json"
    changed = json.loads(a.read_text())
    changed["partners"].insert(1, {"name": "Newtown", "region": None, "country": "Spain"})
    changed["title"] = None
    del changed["city"]["province"]
    b = tmp_path / "b.json"
    b.write_text(json.dumps(changed))
    result = runner.invoke(app, ["diff", str(a), str(b), "--json"])
    assert result.exit_code == 1, result.output
    rows = json.loads(result.stdout)
    assert [r["field"] for r in rows] == ["title", "city.province", "partners[1]"]
    assert rows[2] == {"field": "partners[1]", "b": changed["partners"][1]}  # absent in A
    table = runner.invoke(app, ["diff", str(a), str(b)], terminal_width=200)
    assert "(absent)" in table.output and "…" not in table.output
    profile = runner.invoke(app, ["diff", str(a), str(run_dir / "zhengzhou_profile_scan.json")])
    assert "different kinds" in profile.output


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_export_writes_tables_that_read_back(run_dir: Path, tmp_path: Path, suffix: str) -> None:
    result = runner.invoke(app, ["export", str(run_dir), "--to", str(tmp_path / f"run{suffix}")])
    assert result.exit_code == 0, result.output
    ucap = json.loads((run_dir / "zhengzhou_ucap.json").read_text())
    tables = {}
    for name in COLUMNS:
        path = tmp_path / f"run.{name}{suffix}"
        if suffix == ".parquet":
            tables[name] = pq.read_table(path).to_pylist()
        elif suffix == ".csv":
            tables[name] = pa_csv.read_csv(path).to_pylist() if path.stat().st_size else []
        else:
            tables[name] = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(tables["documents"]) == 2  # the failure report is no document
    sha = ucap["source"]["sha256"]
    partners = [r["name"] for r in tables["partners"] if r["sha256"] == sha]
    assert partners == [p["name"] for p in ucap["partners"]]
    assert sum(r["sha256"] == sha for r in tables["activities"]) == len(ucap["activities"])
    assert tables["themes"] and tables["key_figures"] is not None


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:  # Debian's package, installed on first use as the issue asks
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            check=True,
            capture_output=True,
            env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
        found = shutil.which("chromium")
    assert found, "chromium could not be installed"
    return found


def test_report_loads_in_chromium_with_a_row_per_document(run_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    page = run_dir / "report.html"
    assert "http" not in page.read_text().replace("http-equiv", "")  # no external assets
    browser = subprocess.run(
        [
            _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=2000", "--dump-dom", page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert browser.returncode == 0, browser.stderr[-2000:]
    console_errors = [
        line for line in browser.stderr.splitlines() if "CONSOLE" in line and "rror" in line
    ]
    assert console_errors == []
    dom = browser.stdout
    assert dom.count('<tr class="ok">') == 2 and dom.count('<tr class="failed">') == 1
    assert 'data-rows="3"' in dom  # the page's own script ran
