"""Text on dark fills made readable before OCR.

Tesseract read title bands and banners (light letters on a dark fill, or dark letters on a
dark grey) as nothing, and a profile lost its title, programme and funder. The page's dark
fills are found on a reduced copy and only their pixels are changed: the fill made white and
the letters dark. A page without such a fill is handed back as it came, the same array.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# The reduced copy averages squares of a fiftieth of an inch: finer than the padding of a band
# around its letters, so a row of cells above or between its lines is all fill.
_CELL_INCHES = 1 / 50
# A cell darker than this is fill (or ink); a fill shows as a run of such cells an inch or more
# wide along a row, which the gaps between letters of dark text never leave.
_FILL_GREY = 128
_FILL_WIDE_INCHES = 1.0
# Rows of fill further apart than this (a line of letters between them), or of greys further
# apart than the spread of one fill, are separate fills.
_FILL_GAP_INCHES = 0.4
# A fill is even: the middle half of its dark cells spans less grey than this.
_FILL_SPREAD = 40
# Letters differ from their fill by this much grey, and their pixels and sharp edges cover at
# least this share of it (a picture's gradient has no such edges).
_LETTER_CONTRAST = 60
_LETTER_SHARE = 0.005
# Greys this close to the fill's are its noise, made white with it.
_FILL_NOISE = 20
# Most of a fill's cells are dark: its letters leave the rest light.
_DARK_SHARE = 0.7


def readable_fills(pixels: np.ndarray, dpi: int) -> np.ndarray:
    """The grey page with each dark fill that holds letters turned to dark letters on white.

    Pixels outside the fills keep their values; with no such fill the input array itself is
    returned, so such a page is read exactly as before.
    """
    pixels = np.asarray(pixels)
    if pixels.ndim != 2 or pixels.dtype != np.uint8:
        return pixels
    cell = max(round(dpi * _CELL_INCHES), 2)
    small = np.asarray(Image.fromarray(pixels).reduce(cell))
    runs = _fill_runs(small, max(round(_FILL_WIDE_INCHES * dpi / cell), 8))
    out = pixels
    for top, bottom, left, right in _grown_boxes(runs, round(_FILL_GAP_INCHES * dpi / cell)):
        if bottom - top < 3 or not _even(small[top:bottom, left:right]):
            continue
        inner = (slice((top + 1) * cell, (bottom - 1) * cell),
                 slice((left + 1) * cell, (right - 1) * cell))  # fmt: skip
        region = _readable(pixels[inner])
        if region is not None:
            if out is pixels:
                out = pixels.copy()
            edge = (slice(max(top - 1, 0) * cell, (bottom + 1) * cell),
                    slice(max(left - 1, 0) * cell, (right + 1) * cell))  # fmt: skip
            out[edge] = _fill_whitened(pixels[edge], int(np.median(pixels[inner])))
            out[inner] = region
    return out


def _fill_whitened(pixels: np.ndarray, level: int) -> np.ndarray:
    """``pixels`` no darker than the fill made white: along a fill's edge lie the fill, its
    blend into the paper and the paper; dark letters running off the fill keep their greys."""
    return np.where(pixels >= level - _FILL_NOISE, np.uint8(255), pixels)


def _fill_runs(small: np.ndarray, wide: int) -> list[tuple[int, int, int, float]]:
    """The runs of ``wide`` or more dark cells along the rows of the reduced page: row, left,
    right and median grey of each."""
    dark = small < _FILL_GREY
    found = []
    for row in np.flatnonzero(dark.sum(axis=1) >= wide):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], dark[row], [0])).astype(np.int8)))
        for start, stop in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            if stop - start >= wide:
                found.append((int(row), start, stop, float(np.median(small[row, start:stop]))))
    return found


def _grown_boxes(
    runs: list[tuple[int, int, int, float]], gap: int
) -> list[tuple[int, int, int, int]]:
    """Runs of fill joined into boxes (top, bottom, left, right in cells): a run of a like
    grey overlapping a box's columns within ``gap`` rows below it belongs to it, and so do the
    lines of letters between them."""
    boxes: list[list[float]] = []
    for row, left, right, grey in runs:
        for box in boxes:
            near = row - box[1] <= gap and left < box[3] and right > box[2]
            if near and abs(grey - box[4]) < _FILL_SPREAD / 2:
                box[1], box[2], box[3] = row + 1, min(box[2], left), max(box[3], right)
                break
        else:
            boxes.append([row, row + 1, left, right, grey])
    return [(int(t), int(b), int(left), int(right)) for t, b, left, right, _ in boxes]


def _even(cells: np.ndarray) -> bool:
    """Whether the dark cells of a box lie close to one grey: a flat fill, not a picture."""
    dark = cells[cells < _FILL_GREY]
    if dark.size == 0 or dark.size < cells.size * _DARK_SHARE:
        return False
    low, high = np.percentile(dark, [25, 75])
    return bool(high - low < _FILL_SPREAD)


def _sharp(region: np.ndarray) -> bool:
    """Whether the region has the sharp steps of letters' edges, which a picture's smooth
    gradients and blobs lack."""
    values = region.astype(np.int16)
    steps = np.abs(values[:, 2:] - values[:, :-2]) > _LETTER_CONTRAST
    return bool(np.count_nonzero(steps) >= _LETTER_SHARE * region.size)


def _readable(region: np.ndarray) -> np.ndarray | None:
    """The region with its fill white and its letters dark, or ``None`` when it holds no
    letters. Letters lighter and darker than the fill both turn dark (a band holds white
    title letters and black banner letters alike), by their distance from the fill's grey;
    the scanner's noise about the fill stays white."""
    level = int(np.median(region))
    lighter = np.count_nonzero(region > level + _LETTER_CONTRAST)
    darker = np.count_nonzero(region < level - _LETTER_CONTRAST)
    if max(lighter, darker) < _LETTER_SHARE * region.size or not _sharp(region):
        return None
    distance = np.abs(region.astype(np.float32) - level) - _FILL_NOISE
    scale = 255.0 / (_LETTER_CONTRAST * 3 / 2 - _FILL_NOISE)
    return np.clip(255.0 - np.maximum(distance, 0) * scale, 0, 255).astype(np.uint8)
