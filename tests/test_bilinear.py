"""The compiled bilinear rotation gives PIL's bytes: a skewed render is levelled exactly as it
was when PIL turned it, so Tesseract reads the same pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pipeline.reading.bilinear import rotate


def _pil(pixels: np.ndarray, degrees: float, fill: int = 255) -> np.ndarray:
    image = Image.fromarray(pixels).rotate(
        degrees, resample=Image.Resampling.BILINEAR, fillcolor=fill
    )
    return np.asarray(image)


@pytest.mark.parametrize("degrees", [0.05, -0.3, 0.75, -1.9, 4.0, -7.95, 30.0])
def test_a_rotation_gives_pil_s_bytes(degrees: float) -> None:
    rng = np.random.default_rng(7)
    page = rng.integers(0, 256, size=(173, 131), dtype=np.uint8)
    page[40:44, 10:120] = 0  # a ruling: sharp edges where rounding would show first
    assert np.array_equal(rotate(page, degrees), _pil(page, degrees))


def test_a_page_shaped_render_gives_pil_s_bytes() -> None:
    """Text-like strokes on paper grey, a page's proportions, the fill PIL is asked for."""
    rng = np.random.default_rng(11)
    page = np.full((702, 496), 238, np.uint8)
    for top in range(60, 640, 24):
        page[top : top + 9, 50:440] = rng.integers(0, 120, size=(9, 390), dtype=np.uint8)
    for degrees in (0.62, -1.37):
        assert np.array_equal(rotate(page, degrees, fill=255), _pil(page, degrees, 255))


def test_what_the_turn_uncovers_is_the_fill() -> None:
    page = np.zeros((60, 80), np.uint8)
    turned = rotate(page, 10.0, fill=200)
    assert turned[0, 0] == 200 and turned[-1, -1] == 200
    assert turned[30, 40] == 0
