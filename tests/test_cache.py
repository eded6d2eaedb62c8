"""Reuse of earlier answers: a cache that checks what it serves, knows input names, and a
re-run with nothing new that does not start Prefect; the one naming rule of the output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import cli
from app.cli import app
from flows.batch import INDEX, as_input, extract_folder
from models import RecordAdapter
from pipeline.running import output
from pipeline.running.outcome import Outcome
from pipeline.running.output import write_json_atomic
from pipeline.running.reuse import Planned

pytestmark = pytest.mark.slow
runner = CliRunner()


def _index(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / INDEX).read_text().splitlines()]


def test_the_cache_shares_work_between_twins_but_not_their_answers_and_checks_records(
    sample_dir: Path, tmp_path: Path
) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    data = (sample_dir / "lisbon_ucap.pdf").read_bytes() + b"\n% twins test\n"
    (folder / "lisbon.pdf").write_bytes(data)
    (folder / "lisbon_twin.pdf").write_bytes(data)  # same bytes, another name

    extract_folder(str(folder), str(out))
    second = {r.file: r for r in extract_folder(str(folder), str(out))}
    assert set(second) == {"lisbon.pdf", "lisbon_twin.pdf"}
    assert all(r.cached for r in second.values())
    assert sorted(line["file"] for line in _index(out)) == ["lisbon.pdf", "lisbon_twin.pdf"]
    for stem in ("lisbon", "lisbon_twin"):
        record = RecordAdapter.validate_json((out / f"{stem}.json").read_text())
        assert record.source.file_name == f"{stem}.pdf"
        assert second[f"{stem}.pdf"].written == out / f"{stem}.json"

    (out / "lisbon.json").write_text('{"tampered": true}\n')
    # The shared entry names lisbon.pdf, whose file is now bad (in a run, a task may be
    # writing it again at this moment): the twin keeps its own answer, whatever the timing.
    twin = Planned(folder / "lisbon_twin.pdf", second["lisbon.pdf"].sha256, "lisbon_twin.json")
    served = as_input(second["lisbon.pdf"], twin, out)
    assert served.status == "ok" and served.written == out / "lisbon_twin.json"
    third = {r.file: r for r in extract_folder(str(folder), str(out))}
    assert third["lisbon.pdf"].cached is False and third["lisbon.pdf"].status == "ok"
    assert RecordAdapter.validate_json((out / "lisbon.json").read_text()).source.sha256
    assert third["lisbon_twin.pdf"].cached is True

    forced = extract_folder(str(folder), str(out), force=True)
    assert not any(r.cached for r in forced)


def test_a_rerun_with_nothing_new_does_not_start_prefect(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "porto.pdf").write_bytes(
        (sample_dir / "porto_profile.pdf").read_bytes() + b"\n% rerun test\n"
    )
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n")
    first = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert first.exit_code == 1, first.output
    assert "2 file(s): 1 ok (0 cached), 1 failed" in first.output

    def no_prefect(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("Prefect was started for a fully cached rerun")

    real = cli._run_flow
    monkeypatch.setattr(cli, "_run_flow", no_prefect)
    second = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert second.exit_code == 1, second.output
    assert "2 file(s): 1 ok (2 cached), 1 failed" in second.output
    assert sorted(line["file"] for line in _index(out)) == ["broken.pdf", "porto.pdf"]
    # the record holds no path; the run index beside it names the input, for overlays
    assert "path" not in json.loads((out / "porto.json").read_text())["source"]
    pngs = runner.invoke(app, ["inspect", str(out / "porto.json"), "--overlay", str(tmp_path)])
    assert pngs.exit_code == 0 and "porto-page-1.png" in pngs.output, pngs.output

    # a tampered record is no answer: the flow runs and extracts it again
    (out / "porto.json").write_text('{"tampered": true}\n')
    monkeypatch.setattr(cli, "_run_flow", real)
    third = runner.invoke(app, ["run", str(folder), "--out", str(out)])
    assert "2 file(s): 1 ok (1 cached), 1 failed" in third.output, third.output
    assert RecordAdapter.validate_json((out / "porto.json").read_text()).doc_type == "city_profile"

    forced = runner.invoke(app, ["run", str(folder), "--out", str(out), "--force"])
    assert "2 file(s): 1 ok (0 cached), 1 failed" in forced.output, forced.output


def test_extract_keeps_a_record_of_other_content_and_takes_one_file_once(
    sample_dir: Path, tmp_path: Path
) -> None:
    out, other = tmp_path / "out", tmp_path / "other"
    other.mkdir()
    first = sample_dir / "lisbon_ucap.pdf"
    result = runner.invoke(app, ["extract", str(first), str(first), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == 1  # the same file given twice: one record
    assert sorted(p.name for p in out.glob("*.json")) == ["lisbon_ucap.json"]
    kept = (out / "lisbon_ucap.json").read_text()

    result = runner.invoke(app, ["extract", str(first), "--out", str(out)])  # same content
    assert sorted(p.name for p in out.glob("*.json")) == ["lisbon_ucap.json"]

    stranger = other / "lisbon_ucap.pdf"  # another file under the taken name
    shutil.copy(sample_dir / "porto_profile.pdf", stranger)
    result = runner.invoke(app, ["extract", str(stranger), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sha = RecordAdapter.validate_json(
        next(p for p in out.glob("lisbon_ucap-*.json")).read_text()
    ).source.sha256
    assert (out / f"lisbon_ucap-{sha[:8]}.json").exists()
    assert json.loads((out / "lisbon_ucap.json").read_text()) == json.loads(kept)


def test_written_files_are_readable_like_the_rest_of_the_output(tmp_path: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    path = write_json_atomic(tmp_path / "record.json", {"a": 1})
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_temporary_file_is_removed_only_when_its_writer_is_gone(tmp_path: Path) -> None:
    """A writer killed between writing a record and renaming it leaves its temporary file; the
    next run takes it away. A live writer's, another machine's and a stranger's stay."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    here = output._HOST
    names = {
        "killed": f".a.json.{here}-{gone.pid}.k2x_9abc.tmp",
        "running": f".a.json.{here}-{os.getpid()}.r5y_1abc.tmp",
        "elsewhere": f".a.json.otherhost-{gone.pid}.e7z_2abc.tmp",
        "stranger": ".a.json.s8q_3abc.tmp",
        "quarantined": f".b.pdf.error.json.{here}-{gone.pid}.q1w_4abc.tmp",
    }
    for key, name in names.items():
        folder = output.quarantine_dir(tmp_path) if key == "quarantined" else tmp_path
        folder.mkdir(exist_ok=True)
        (folder / name).write_text("{", "utf-8")
    write_json_atomic(tmp_path / "a.json", {"ok": True})  # a temporary file of its own, renamed
    removed = sorted(p.name for p in output.remove_abandoned(tmp_path))
    assert removed == sorted([names["killed"], names["quarantined"]])
    left = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert left == sorted([names["running"], names["elsewhere"], names["stranger"], "a.json"])


def test_a_slim_outcome_keeps_what_the_run_shows_without_the_record(records: dict) -> None:
    record = records["lisbon_ucap"]
    full = Outcome(file="lisbon_ucap.pdf", sha256=record.source.sha256, record=record)
    slim = full.slim()
    assert slim.record is None and slim.ok
    assert (slim.doc_type, slim.pages, slim.ocr_pages, slim.fields_filled) == (
        full.doc_type,
        full.pages,
        full.ocr_pages,
        full.fields_filled,
    )
    assert slim.fields_filled > 0 and slim.index_line() == full.index_line()
