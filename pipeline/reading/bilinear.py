"""PIL's bilinear rotation of a grey page, byte for byte, compiled.

A skewed render is levelled by PIL's bilinear rotation (``ocr._ROTATION``): Tesseract read
renders levelled so better than by OpenCV's warp, whose pixels differ from PIL's by a few grey
levels. PIL works out that rotation one pixel at a time through a call per pixel, which made it
the largest cost of a scanned page after Tesseract. The same arithmetic in the same order, in
doubles and truncated to a byte as PIL does, compiled by Numba, gives the same bytes in a
fraction of the time; ``tests/test_bilinear.py`` holds it to PIL's own.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np


def rotation_matrix(width: int, height: int, degrees: float) -> tuple[float, ...]:
    """The inverse map PIL's ``Image.rotate(degrees)`` samples with: output pixel centre (x, y)
    comes from (a·x + b·y + c, d·x + e·y + f) of the input, about the image's centre."""
    angle = -math.radians(degrees)
    a, b = round(math.cos(angle), 15), round(math.sin(angle), 15)
    d, e = round(-math.sin(angle), 15), round(math.cos(angle), 15)
    cx, cy = width / 2, height / 2
    c = a * -cx + b * -cy + 0.0 + cx
    f = d * -cx + e * -cy + 0.0 + cy
    return a, b, c, d, e, f


def _rotate_into(out: np.ndarray, pixels: np.ndarray, m: np.ndarray) -> None:
    """Each output pixel whose source lies on the page, bilinear from its four neighbours; the
    others keep what ``out`` holds (the fill). The products of the map are taken once per row
    and column: each sum is still made of the same products added in PIL's order."""
    height, width = pixels.shape
    across_x = np.empty(out.shape[1])
    across_y = np.empty(out.shape[1])
    for x in range(out.shape[1]):
        across_x[x] = m[0] * (x + 0.5)
        across_y[x] = m[3] * (x + 0.5)
    for y in range(out.shape[0]):
        down_x = m[1] * (y + 0.5)
        down_y = m[4] * (y + 0.5)
        for x in range(out.shape[1]):
            xin = across_x[x] + down_x + m[2]
            yin = across_y[x] + down_y + m[5]
            if xin < 0.0 or xin >= width or yin < 0.0 or yin >= height:
                continue
            xin -= 0.5
            yin -= 0.5
            x0 = int(xin) if xin >= 0.0 else math.floor(xin)
            y0 = int(yin) if yin >= 0.0 else math.floor(yin)
            dx = xin - x0
            dy = yin - y0
            if x0 >= 0 and x0 + 1 < width and y0 >= 0 and y0 + 1 < height:
                a = float(pixels[y0, x0])
                top = a + (float(pixels[y0, x0 + 1]) - a) * dx
                a = float(pixels[y0 + 1, x0])
                bottom = a + (float(pixels[y0 + 1, x0 + 1]) - a) * dx
            else:  # at the page's edge the neighbours outside it are its edge pixels
                left = min(max(x0, 0), width - 1)
                right = min(max(x0 + 1, 0), width - 1)
                row = min(max(y0, 0), height - 1)
                a = float(pixels[row, left])
                top = a + (float(pixels[row, right]) - a) * dx
                if 0 <= y0 + 1 < height:
                    a = float(pixels[y0 + 1, left])
                    bottom = a + (float(pixels[y0 + 1, right]) - a) * dx
                else:
                    bottom = top
            out[y, x] = np.uint8(int(top + (bottom - top) * dy))


@lru_cache(maxsize=1)
def _compiled() -> Callable[[np.ndarray, np.ndarray, np.ndarray], None]:
    """The loop compiled on first use (the workers' fork server does it once for them all):
    the run's own process never rotates a page and need not load Numba. No fast-math, so that
    every operation is the one PIL makes, in its order. Kept in Numba's cache beside this file
    (or its user-wide one) for the next process; compiled afresh where neither is writable."""
    import numba

    tiny = (np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8), np.zeros(6))
    try:
        cached = numba.njit(cache=True, nogil=True)(_rotate_into)
        cached(*tiny)
        return cached
    except RuntimeError:  # "no locator available": nowhere to keep the cache
        return numba.njit(nogil=True)(_rotate_into)


def rotate(pixels: np.ndarray, degrees: float, fill: int = 255) -> np.ndarray:
    """``pixels`` (grey, 8 bits) turned counter-clockwise by ``degrees`` about the image's
    centre, the same size, what the turn uncovers ``fill``: what
    ``Image.fromarray(pixels).rotate(degrees, BILINEAR, fillcolor=fill)`` gives."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    out = np.full(pixels.shape, fill, dtype=np.uint8)
    matrix = np.array(rotation_matrix(pixels.shape[1], pixels.shape[0], degrees))
    _compiled()(out, pixels, matrix)
    return out


def warm() -> None:
    """Compile the loop now (or load it from Numba's cache), on a page too small to cost."""
    rotate(np.zeros((4, 4), np.uint8), 1.0)
