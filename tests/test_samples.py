"""samples/make_samples.py is deterministic, and every sample has a hand-written expected record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2
import pytest

from samples import make_samples

SAMPLES = Path(make_samples.__file__).resolve().parent
COMMITTED = sorted(SAMPLES.glob("*.pdf"))


def _pages_text(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _pages_pixels(path: Path) -> list[np.ndarray]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [
            np.asarray(document[i].render(scale=0.5, grayscale=True).to_pil())
            for i in range(len(document))
        ]
    finally:
        document.close()


@pytest.mark.parametrize("committed", COMMITTED, ids=lambda p: p.stem)
def test_regenerating_gives_the_same_pages(committed: Path, sample_dir: Path) -> None:
    fresh = sample_dir / committed.name
    assert fresh.exists(), f"{committed.name} is not made by make_samples.py any more"
    text = _pages_text(fresh)
    assert text == _pages_text(committed)
    if not "".join(text).strip():  # a scan: compare what the pages show
        for a, b in zip(_pages_pixels(fresh), _pages_pixels(committed), strict=True):
            assert a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).mean() < 0.5


def test_every_sample_has_an_expected_record(sample_dir: Path) -> None:
    made = {p.stem for p in sample_dir.glob("*.pdf")}
    expected = {p.stem for p in (SAMPLES / "expected").glob("*.json")}
    assert made == expected
    assert {p.stem for p in COMMITTED} == made
