"""Dark fills with letters are made readable before OCR; other pixels stay as they are."""

from __future__ import annotations

import numpy as np

from pipeline.reading.fills import readable_fills

DPI = 200


def _page() -> np.ndarray:
    """A white page with light specks of scanner noise."""
    rng = np.random.default_rng(7)
    return np.clip(250 + rng.normal(0, 3, (800, 1200)), 0, 255).astype(np.uint8)


def _strokes(pixels: np.ndarray, top: int, grey: int) -> None:
    """Letter-like upright strokes of ``grey`` on a line starting at ``top``."""
    for x in range(160, 900, 22):
        pixels[top : top + 40, x : x + 7] = grey
        pixels[top + 16 : top + 22, x : x + 18] = grey


def test_white_letters_on_a_dark_band_become_dark_on_white() -> None:
    pixels = _page()
    pixels[100:260, 100:1100] = 60
    _strokes(pixels, 130, 250)
    _strokes(pixels, 195, 250)
    read = readable_fills(pixels, DPI)
    assert read[120, 500] > 200  # the fill is white now
    assert read[140, 162] < 80  # a stroke is dark
    outside = np.ones(pixels.shape, bool)
    outside[90:270, 90:1110] = False
    assert np.array_equal(read[outside], pixels[outside])


def test_black_letters_on_dark_grey_are_stretched_apart() -> None:
    pixels = _page()
    pixels[100:260, 100:1100] = 100
    _strokes(pixels, 130, 15)
    read = readable_fills(pixels, DPI)
    assert read[120, 500] > 200
    assert read[140, 162] < 60


def test_a_page_without_a_dark_fill_is_handed_back_untouched() -> None:
    pixels = _page()
    _strokes(pixels, 130, 20)  # dark letters on paper
    assert readable_fills(pixels, DPI) is pixels


def test_a_smooth_dark_picture_is_left_alone() -> None:
    pixels = _page()
    ramp = np.linspace(40, 120, 1000)[None, :].repeat(200, axis=0)
    pixels[100:300, 100:1100] = ramp.astype(np.uint8)
    assert readable_fills(pixels, DPI) is pixels
