"""Drop-directory bookkeeping without Prefect: claim, dedupe, names, recovery."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.base.settings import Settings
from pipeline.running.inbox import (
    PROCESSING,
    claim,
    complete_files,
    pending,
    process_claimed,
    split_repeats,
)


def _drop(sample_dir: Path, inbox: Path, name: str, source: str = "zhengzhou_ucap.pdf") -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(sample_dir / source, inbox / name))


def test_only_complete_pdfs_are_claimed(sample_dir: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _drop(sample_dir, inbox, "a.pdf")
    _drop(sample_dir, inbox, "b.pdf.part")
    _drop(sample_dir, inbox, ".hidden.pdf")
    (inbox / "notes.txt").write_text("x")
    ready = complete_files(inbox, settle_seconds=0.2)
    assert [p.name for p in ready] == ["a.pdf"]
    claimed = claim(inbox, ready)
    assert [p.parent.name for p in claimed] == [PROCESSING]
    assert not (inbox / "a.pdf").exists() and pending(inbox) == claimed


def test_same_content_is_recorded_once_and_same_name_gets_its_own_record(
    sample_dir: Path, tmp_path: Path, settings: Settings
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = claim(inbox, [_drop(sample_dir, inbox, "report.pdf")])[0]
    result = process_claimed(first, out, settings)
    assert (
        result.status == "ok"
        and result.written is not None
        and result.written.name == "report.json"
    )

    again = claim(inbox, [_drop(sample_dir, inbox, "again.pdf")])[0]
    assert process_claimed(again, out, settings).status == "duplicate"
    assert not (out / "again.json").exists()

    other = claim(inbox, [_drop(sample_dir, inbox, "report.pdf", "zhengzhou_profile.pdf")])[0]
    named = process_claimed(other, out, settings)
    assert (
        named.status == "ok"
        and named.written is not None
        and named.written.name.startswith("report-")
    )
    assert len(list(out.glob("*.json"))) == 2
    assert len(list((out / "archive").rglob("*.pdf"))) == 3
    assert pending(inbox) == []


def test_a_run_killed_after_writing_the_record_is_finished_without_a_second_write(
    sample_dir: Path, tmp_path: Path, settings: Settings
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    claimed = claim(inbox, [_drop(sample_dir, inbox, "report.pdf")])[0]
    kept = tmp_path / "kept.pdf"
    shutil.copy(claimed, kept)
    process_claimed(claimed, out, settings)
    mtime = (out / "report.json").stat().st_mtime_ns
    # as if killed before the ledger entry and the archive move: the file is back in .processing
    shutil.rmtree(out / ".ledger")
    shutil.copy(kept, claimed)
    assert process_claimed(claimed, out, settings).status == "ok"
    assert (out / "report.json").stat().st_mtime_ns == mtime
    assert list(out.glob("*.json")) == [out / "report.json"]


def test_repeats_wait_for_their_first(sample_dir: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    paths = [_drop(sample_dir, inbox, n) for n in ("a.pdf", "b.pdf")]
    paths.append(_drop(sample_dir, inbox, "c.pdf", "zhengzhou_profile.pdf"))
    firsts, repeats = split_repeats(paths)
    assert [p.name for p, _ in firsts] == ["a.pdf", "c.pdf"]
    assert [(p.name, digest) for p, digest in repeats] == [("b.pdf", firsts[0][1])]


def test_symlinks_are_quarantined_not_followed(tmp_path: Path, settings: Settings) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-1.4 not for you")
    (inbox / "link.pdf").symlink_to(secret)
    claimed = claim(inbox, complete_files(inbox, settle_seconds=0.1))
    result = process_claimed(claimed[0], out, settings)
    assert result.status == "failed: not_a_pdf"
    report = (out / "quarantine" / "link.pdf.error.json").read_text()
    assert "symbolic link" in report and '"sha256": null' in report
    assert secret.exists()
