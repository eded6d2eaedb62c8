"""Tesseract read in this process: the same words as the command, its limits and its errors."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from pipeline.base.errors import CitydocsError
from pipeline.reading import ocr, tesseract

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = (
    "Urban Cooperation Action Plan",
    "Pilot projects on green mobility and smart districts",
    "Partners: Lisbon, Tampere and the Municipal Government",
)


def _page() -> np.ndarray:
    """A grey strip of three lines of type, as a 300 dpi scan holds them."""
    image = Image.new("L", (1700, 420), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for row, line in enumerate(LINES):
        draw.text((60, 60 + row * 110), line, fill=0, font=font)
    return np.asarray(image)


def _read(pixels: np.ndarray, **overrides: object) -> dict:
    options = {"page": 1, "lang": "eng", "timeout": 60.0} | overrides
    return tesseract.words_data(pixels, **options)  # type: ignore[arg-type]


@pytest.mark.skipif(sys.platform != "linux", reason="libtesseract.so.5 is Debian's name")
def test_the_library_is_loaded_where_the_command_is_installed() -> None:
    assert tesseract.in_process()


def test_the_library_reads_the_same_words_boxes_and_confidences_as_the_command() -> None:
    pixels = _page()
    by_library = _read(pixels)
    by_command = tesseract.by_command(pixels, page=1, lang="eng", timeout=60.0)
    assert by_library == by_command
    words = [w for w in by_library["text"] if w.strip()]
    assert " ".join(words[:4]) == "Urban Cooperation Action Plan"


def test_threads_read_pages_side_by_side_each_with_its_own_engine() -> None:
    pixels = _page()
    alone = _read(pixels)
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(_read(pixels))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [alone] * 3


def test_a_page_that_overruns_its_time_is_a_timeout() -> None:
    with pytest.raises(CitydocsError) as caught:
        _read(np.tile(_page(), (8, 1)), timeout=0.001, page=4)
    assert caught.value.kind == "timeout"
    assert "page 4" in str(caught.value)


def test_a_language_without_a_model_says_which_and_spares_the_warm_up() -> None:
    ocr.warm("xx_nonexistent")  # reported by the pages that need it, not at start-up
    with pytest.raises(CitydocsError) as caught:
        _read(_page(), lang="xx_nonexistent")
    assert caught.value.kind == "internal"
    assert "'xx_nonexistent'" in str(caught.value)


def test_tesseract_notes_stay_off_the_console(capfd: pytest.CaptureFixture[str]) -> None:
    # An image without a resolution makes Tesseract estimate one, and say so on stderr.
    _read(_page())
    assert capfd.readouterr().err == ""
