"""OCR of one page image: estimate skew, Tesseract's words, level boxes in points.

Tesseract runs with ``OMP_THREAD_LIMIT=1`` (set by ``pipeline.base.environment`` at every
entry point): its OpenMP threads fight each other on small machines; parallelism comes from
running pages in separate processes instead.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import statistics
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import numpy as np
import pytesseract
from PIL import Image

from pipeline.base.errors import CitydocsError
from pipeline.reading import tesseract
from pipeline.reading.document import Word
from pipeline.reading.fills import readable_fills
from pipeline.reading.raster import Raster


@dataclass
class OcrResult:
    words: list[Word]
    confidence: float | None
    skew_degrees: float
    dpi: int
    turned: int = 0  # degrees the page was turned clockwise to read it
    size_pt: tuple[float, float] | None = None  # the page's size in the frame of the words


# Skews up to this many degrees are left to Tesseract and taken out of the word boxes; a page
# skewed more is rotated before OCR. Kept tiny: on tilted scans of the samples (0.5-0.8°)
# Tesseract's page segmentation joined a body heading with the sidebar beside it and split
# wrapped headings, and the profiles lost fields; it segments level pixels into level lines.
SMALL_SKEW = 0.05
# How a skewed page is rotated, by where its pixels come from; OpenCV's warp either way. A
# scan's own pixels bicubic: a bilinear rotation blurred their glyph edges and thin rulings,
# and Tesseract misread words and dropped the short cells of ruled tables that it read on the
# unrotated scan. A render is smoothed by the renderer already (bicubic did not read it better)
# and is turned bilinear, each grey level rounded down as PIL's rotation rounds it: OpenCV's
# bilinear warp rounds to the nearest level, which left half the pixels of a render a level
# lighter than PIL's, and lost fields on renders of coarse scans.
_ROTATION = {"image": "INTER_CUBIC", "render": "LINEAR_ROUNDED_DOWN"}


def warm(lang: str) -> None:
    """Load what a process's first scanned page would otherwise wait for: OpenCV and this
    thread's Tesseract model. A language without a model is reported by the pages that need
    it, not by every document."""
    opencv()
    with contextlib.suppress(CitydocsError):
        tesseract.warm(lang)


@lru_cache(maxsize=1)
def opencv() -> ModuleType:
    """OpenCV, imported on a page's first use: the run's own process reads no page and need not
    hold it (the workers' fork server loads it once for them all). One thread: pages are read
    in parallel by processes, one per core."""
    import cv2

    cv2.setNumThreads(1)
    return cv2


# The skew search range, and the longest side of the copy it runs on.
_SKEW_LIMIT = 8.0
_SKEW_SIDE = 800


@dataclass(frozen=True)
class Lie:
    """How a page lies: the skew of its text lines and whether they run down the page."""

    skew: float
    sideways: bool


# Text lines across a page make its row profile far more peaked than its column profile (two
# body columns and a sidebar included); a page on its side the other way round.
_SIDEWAYS_RATIO = 0.5


def page_lie(image: Image.Image | np.ndarray, limit: float = _SKEW_LIMIT) -> Lie:
    """The skew of a page's text lines (degrees, counter-clockwise) and whether they run down.

    Projection profiles: the rotation that makes the row sums of dark pixels the most peaked is
    the one that lines the text up with the pixel rows; the column sums of the same coarse
    rotations tell a page lying on its side. The fine steps run on an area-averaged copy 800
    pixels long (under a quarter of a 300 dpi page): a coarser one moved the estimate by 0.05°
    and the samples' headings with it. The coarse steps only have to land within the fine
    ones' reach, so they run on a copy half as long again.
    """
    small = image if isinstance(image, np.ndarray) else np.asarray(image.convert("L"))
    scale = _SKEW_SIDE / max(small.shape)
    cv2 = opencv()
    if scale < 1:
        size = (int(small.shape[1] * scale), int(small.shape[0] * scale))
        small = cv2.resize(small, size, interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.uint8) * 255
    half = cv2.resize(ink, (ink.shape[1] // 2, ink.shape[0] // 2), interpolation=cv2.INTER_AREA)
    coarse = {float(a): _scores(half, a) for a in np.arange(-limit, limit + 1e-9, 0.5)}
    best_rows = max(s[0] for s in coarse.values())
    best_cols = max(s[1] for s in coarse.values())
    best = max(np.arange(-limit, limit + 1e-9, 0.5), key=lambda a: coarse[float(a)][0])
    fine = np.arange(best - 0.3, best + 0.3 + 1e-9, 0.05)
    best = max(fine, key=lambda a: _scores(ink, a, columns=False)[0])
    sideways = best_cols > 0 and best_rows < _SIDEWAYS_RATIO * best_cols
    return Lie(round(-float(best), 2), sideways)


def _scores(ink: np.ndarray, angle: float, columns: bool = True) -> tuple[float, float]:
    """How peaked the row sums and the column sums of the ink are, rotated by ``angle``."""
    rotated = _warped(ink, angle, "INTER_NEAREST", fill=0)
    score = _peaked(rotated.sum(axis=1, dtype=np.int32))
    if not columns:
        return score, 0.0
    return score, _peaked(rotated.sum(axis=0, dtype=np.int32))


def _peaked(sums: np.ndarray) -> float:
    """How peaked a profile is: the sum of its squared steps (whole sums, exact in floats)."""
    return float(np.sum(np.diff(sums.astype(np.float64)) ** 2))


# Head-down test: on a copy of about this resolution, text lines this tall (inches, a line of
# 4 to 19 points), at least this many of them, and the share of their votes against upright
# that calls a page head down.
_HEAD_DPI = 150
_HEAD_LINE_INCHES = (0.053, 0.267)
_HEAD_MIN_LINES = 8
_HEAD_DOWN_VOTE = -0.25


def head_down(image: Image.Image, skew: float, dpi: int) -> bool:
    """Whether the text lines of a page lying across stand head down, from their ink alone.

    In Latin type ascenders and capitals are far more common than descenders, so each line
    holds more ink above its x-height band (its densest rows) than below it; head down, the
    other way round. Each line votes; a page is head down when the votes against upright
    clearly win. Cheap beside a Tesseract run, so a head-down page is read turned first
    instead of upside down, then again. Rulings are taken out first: a table's rules would
    make one line of its rows.
    """
    factor = max(dpi // _HEAD_DPI, 1)
    small = image.reduce(factor) if factor > 1 else image
    pixels = _without_rulings(np.asarray(small.convert("L")), dpi // factor)
    ink = Image.fromarray((pixels < 160).astype(np.uint8) * 255)
    level = np.asarray(ink.rotate(-skew, resample=Image.Resampling.NEAREST, fillcolor=0))
    rows = level.sum(axis=1, dtype=np.int64) // 255
    low, high = (round(v * dpi / factor) for v in _HEAD_LINE_INCHES)
    votes = [
        vote
        for start, stop in _stretches(rows > 2)
        if low <= stop - start <= high and (vote := _line_vote(rows[start:stop]))
    ]
    return len(votes) >= _HEAD_MIN_LINES and sum(votes) < _HEAD_DOWN_VOTE * len(votes)


def _line_vote(line: np.ndarray) -> int:
    """+1 when a line's ink above its x-height band outweighs the ink below, -1 the other way,
    0 when neither has any."""
    band = np.flatnonzero(line >= 0.5 * line.max())
    above, below = int(line[: band[0]].sum()), int(line[band[-1] + 1 :].sum())
    return (above > below) - (above < below)


def estimate_skew(image: Image.Image | np.ndarray, limit: float = _SKEW_LIMIT) -> float:
    """Angle (degrees, counter-clockwise) by which the text lines are rotated."""
    return page_lie(image, limit).skew


def level_pixels(pixels: np.ndarray, skew: float, interpolation: str) -> np.ndarray:
    """The grey page turned by minus ``skew`` degrees about its centre, the same size, the
    corners it uncovers white. ``interpolation``: how (``_ROTATION``), the name of OpenCV's
    interpolation, or ``LINEAR_ROUNDED_DOWN``: bilinear with each grey level rounded down.

    OpenCV's warp rounds what it interpolates to the nearest integer; on levels shifted up by
    ``_FRACTION_BITS`` that integer holds each level's fraction in its low bits, which the
    shift back drops."""
    if interpolation == "LINEAR_ROUNDED_DOWN":
        scaled = np.left_shift(pixels, _FRACTION_BITS, dtype=np.uint16)
        turned = _warped(scaled, -skew, "INTER_LINEAR", fill=255 << _FRACTION_BITS)
        del scaled  # a large page's 16-bit copies are not held two at a time
        turned >>= _FRACTION_BITS
        return turned.astype(np.uint8)
    return _warped(pixels, -skew, interpolation, fill=255)


_FRACTION_BITS = 8  # a grey level's fraction kept in 16 bits: 255 << 8 still fits


def _warped(pixels: np.ndarray, angle: float, interpolation: str, fill: int) -> np.ndarray:
    """``pixels`` turned counter-clockwise by ``angle`` degrees about the image's geometric
    centre (pixel indices ((w - 1) / 2, (h - 1) / 2), as PIL turns it), the same size, what
    the turn uncovers ``fill``; by OpenCV's warp with the named interpolation."""
    cv2 = opencv()
    height, width = pixels.shape[:2]
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), angle, 1.0)
    return cv2.warpAffine(
        np.ascontiguousarray(pixels),
        matrix,
        (width, height),
        flags=getattr(cv2, interpolation),
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )


def _unrotate(x: float, y: float, angle: float, cx: float, cy: float) -> tuple[float, float]:
    """Rotate a pixel position by ``angle`` degrees (counter-clockwise on the page) about
    (cx, cy): with minus the skew, a position on the scan becomes one on the level page."""
    theta = math.radians(angle)
    dx, dy = x - cx, y - cy
    return (
        cx + dx * math.cos(theta) + dy * math.sin(theta),
        cy - dx * math.sin(theta) + dy * math.cos(theta),
    )


def _level_box(width: float, height: float, angle: float) -> tuple[float, float]:
    """The size of a word whose box on a page skewed by ``angle`` is ``width`` × ``height``.

    The box of a tilted word hugs its corners: it is ``w·cos + h·sin`` wide and ``w·sin +
    h·cos`` high. Solved for w and h, so a long word does not look like a taller type size.
    """
    s, c = abs(math.sin(math.radians(angle))), math.cos(math.radians(angle))
    det = c * c - s * s
    if s < 1e-6 or det <= 0:
        return width, height
    w = (width * c - height * s) / det
    h = (height * c - width * s) / det
    return min(max(w, 0.5 * width), width), min(max(h, 0.6 * height), height)


def orientation(raster: Raster, timeout: float = 60.0) -> int:
    """Degrees (0, 90, 180, 270) to turn the page clockwise for its text to stand upright,
    from Tesseract's orientation detection; 0 when it is unsure or finds too little text."""
    turn, sure = orientation_guess(raster, timeout)
    return turn if sure else 0


def orientation_guess(raster: Raster, timeout: float = 60.0) -> tuple[int, bool]:
    """The detection's turn (0 when it finds too little text) and whether it is sure of it.

    Asked on a copy of about ``_OSD_DPI``, and again on the page's own pixels when that copy
    leaves it unsure: the copy of a coarse scan (150 dpi, rendered up to 300 and averaged down
    again) left the detection unsure of pages it was sure of at full size.
    """
    factor = raster.dpi // _OSD_DPI
    found = _osd(raster.image.reduce(factor), timeout) if factor > 1 else None
    if found is None or found[1] < _OSD_CONFIDENCE:
        found = _osd(raster.image, timeout) or found
    if found is None:
        return 0, False
    return found[0], found[1] >= _OSD_CONFIDENCE


def _osd(image: Image.Image, timeout: float) -> tuple[int, float] | None:
    """Tesseract's turn for the image and its confidence; None when it finds too little."""
    try:
        with tempfile.TemporaryDirectory(prefix="citydocs-osd-") as folder:
            source = os.path.join(folder, "page.pgm")
            image.save(source)
            osd = pytesseract.image_to_osd(
                source, config="--psm 0", output_type=pytesseract.Output.DICT, timeout=timeout
            )
    except (pytesseract.TesseractError, RuntimeError):
        return None
    return int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0))


_OSD_CONFIDENCE = 1.5
# Orientation detection reads a copy averaged down to about this resolution: it finds its
# script and orientation from letter shapes that stay clear there, in a fraction of the time.
_OSD_DPI = 150


def ocr_image(
    raster: Raster,
    *,
    page: int,
    lang: str = "eng",
    timeout: float = 60.0,
    skew: float | None = None,
) -> OcrResult:
    """OCR a page image and return its words in PDF points, on the level page.

    A page skewed by more than ``SMALL_SKEW`` is rotated level before OCR (see ``_ROTATION``);
    a page skewed less is read as scanned and the skew taken out of the word boxes. ``skew``,
    when the caller has estimated it already (a turn by right angles leaves it as it is).
    """
    if skew is None:
        skew = estimate_skew(raster.pixels)
    pixels, box_skew = raster.pixels, skew
    if abs(skew) > SMALL_SKEW:
        pixels, box_skew = level_pixels(pixels, skew, _ROTATION[raster.source]), 0.0
    read = _without_rulings(readable_fills(pixels, raster.dpi), raster.dpi)
    data = tesseract.words_data(read, page=page, lang=lang, timeout=timeout)
    _join_underscored(data, read)
    (sx, sy), (ox, oy) = raster.scale, raster.origin
    cx, cy = pixels.shape[1] / 2, pixels.shape[0] / 2
    words: list[Word] = []
    lines: list[tuple[int, int, int]] = []
    confidences: list[float] = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        left, top = data["left"][i], data["top"][i]
        width, height = _level_box(data["width"][i], data["height"][i], box_skew)
        mx, my = _unrotate(
            left + data["width"][i] / 2, top + data["height"][i] / 2, -box_skew, cx, cy
        )
        x0, y0 = ox + (mx - width / 2) * sx, oy + (my - height / 2) * sy
        words.append(
            Word(
                text=text,
                x0=round(x0, 2),
                top=round(y0, 2),
                x1=round(x0 + width * sx, 2),
                bottom=round(y0 + height * sy, 2),
                page=page,
                size=round(height * sy, 2),
                source="ocr",
                conf=conf,
            )
        )
        lines.append((data["block_num"][i], data["par_num"][i], data["line_num"][i]))
        confidences.append(conf)
    keep = _keep_bullets(words, lines, [_is_ink(w) for w in words])
    words = [w for w, k in zip(words, keep, strict=True) if k]
    lines = [key for key, k in zip(lines, keep, strict=True) if k]
    _spaced_dashes(words, lines)
    _level_lines(words, lines)
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrResult(words=words, confidence=mean, skew_degrees=skew, dpi=raster.dpi)


# What counts as a ruling: ink in a straight run of half an inch or more along the rows (or the
# columns), no thicker than a fortieth of an inch across; below this grey level a pixel is ink.
_RULING_INCHES = 0.5
_RULING_THICK_INCHES = 1 / 40
_INK = 170


def _without_rulings(pixels: np.ndarray, dpi: int) -> np.ndarray:
    """The grey page with its thin level rulings painted white.

    Tesseract dropped the one-word cells of ruled tables (a label and its value between
    rulings) on rotated scans; without the rulings it reads them as words like any others.
    Filled areas (a band, a picture) are runs thicker than a ruling and are left as they are.
    """
    pixels = np.asarray(pixels)
    ink = pixels < _INK
    length = max(round(dpi * _RULING_INCHES), 20)
    thick = max(round(dpi * _RULING_THICK_INCHES), 3)
    across = _row_runs(ink, length)
    across &= ~_runs_where_set(across, thick + 1, 0)
    down = _column_runs(ink, length)
    down &= ~_runs_where_set(down, thick + 1, 1)
    if not (across.any() or down.any()):
        return pixels
    erase = across | down
    # the grey edge either side of a ruling goes with it
    erase[1:] |= across[:-1]
    erase[:-1] |= across[1:]
    erase[:, 1:] |= down[:, :-1]
    erase[:, :-1] |= down[:, 1:]
    ys, xs = np.divmod(np.flatnonzero(erase), erase.shape[1])
    keep = ~_dense_at(ink, max(dpi // 12, 4), ys, xs)
    if not keep.any():
        return pixels
    cleaned = pixels.copy()
    cleaned[ys[keep], xs[keep]] = 255
    return cleaned


def _row_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """``_runs`` along the rows, worked out only for the rows that can hold such a run.

    A run of ``length`` covers whole aligned groups of eight pixels; rows without enough of
    them in a row (most rows of a page of text) are left out of the full search, which is the
    costly one along the rows.
    """
    width = ink.shape[1] // 8 * 8
    groups = (length - 7) // 8
    if width == 0 or groups < 2:
        return _runs(ink, length, 1)
    packed = np.ascontiguousarray(ink[:, :width]).view(np.uint64) == _EIGHT_INK
    if packed.shape[1] < groups:
        return np.zeros_like(ink)
    rows = np.flatnonzero(_window(packed, groups, 1, np.logical_and).any(axis=1))
    found = np.zeros(ink.shape, bool)
    if rows.size:
        found[rows] = _runs(ink[rows], length, 1)
    return found


_EIGHT_INK = np.frombuffer(bytes([1] * 8), dtype=np.uint64)[0]


def _column_runs(ink: np.ndarray, length: int) -> np.ndarray:
    """``_runs`` down the columns, worked out only for the columns that can hold such a run.

    As ``_row_runs``, by aligned groups of eight rows; the rows past the last whole group (up
    to seven) can hold the end of a run, so that many of its pixels are not counted on to fill
    whole groups.
    """
    height = ink.shape[0] // 8 * 8
    groups = (length - 7 - ink.shape[0] % 8) // 8
    if height == 0 or groups < 2:
        return _runs(ink, length, 0)
    whole = np.logical_and.reduce(ink[:height].reshape(-1, 8, ink.shape[1]), axis=1)
    if whole.shape[0] < groups:
        return np.zeros_like(ink)
    found = np.zeros(ink.shape, bool)
    for start, stop in _stretches(_window(whole, groups, 0, np.logical_and).any(axis=0)):
        found[:, start:stop] = _runs(ink[:, start:stop], length, 0)
    return found


def _runs_where_set(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """``_runs`` along ``axis``, worked out only over the stretches of lines across it that
    hold a set pixel: a run cannot pass a line with none, and a page's rulings are few."""
    found = np.zeros(mask.shape, bool)
    for start, stop in _stretches(mask.any(axis=1 - axis)):
        if stop - start >= length:
            span = (slice(None),) * axis + (slice(start, stop),)
            found[span] = _runs(mask[span], length, axis)
    return found


def _stretches(held: np.ndarray) -> list[tuple[int, int]]:
    """The start and stop of each stretch of consecutive set entries of a flag per line."""
    edges = np.flatnonzero(np.diff(np.concatenate(([False], held, [False])).astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _dense_at(ink: np.ndarray, block: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Whether each pixel (``ys``, ``xs``) is in or next to a square of ``block`` pixels that
    is mostly ink: a band or box filled dark, where the gaps between light letters stand like
    rulings but are not.

    Squares held between mostly-ink squares (light letters in a band: two across, one down)
    count with them. "Next to" reaches half a square and no further: a band's edge that cuts
    a square leaves it mostly ink unless less than half of it lies in the band. Growing by
    whole squares took in the ruling over a line of blurred capitals, whose squares can be
    mostly ink too. Asked only at the pixels a ruling would erase, a few of the page's.
    """
    rows, cols = ink.shape[0] // block, ink.shape[1] // block
    if not (rows and cols and ys.size):
        return np.zeros(ys.shape, bool)
    counts = ink[: rows * block, : cols * block].reshape(rows, block, -1).sum(1, dtype=np.int32)
    counts = counts.reshape(rows, cols, block).sum(axis=2)
    squares = _held(_held(2 * counts > block * block, 2, 1), 1, 0)
    if not squares.any():
        return np.zeros(ys.shape, bool)
    reach = block // 2 + 1
    # Down the page by pixels, across by squares: then, for each pixel asked, the squares
    # whose columns come within ``reach`` of it.
    tall = np.zeros((ink.shape[0], cols), bool)
    tall[: rows * block] = squares.repeat(block, axis=0)
    tall = _grown(tall, reach, 0)
    before = np.zeros((tall.shape[0], cols + 1), np.int32)
    np.cumsum(tall, axis=1, out=before[:, 1:])
    first = np.maximum((xs - reach) // block, 0)
    last = np.minimum((xs + reach) // block, cols - 1)
    inside = first <= last
    first = np.minimum(first, last)  # in range where no square is near, for the lookup
    return inside & (before[ys, last + 1] > before[ys, first])


def _held(mask: np.ndarray, reach: int, axis: int) -> np.ndarray:
    """``mask`` with the cells that have a set cell within ``reach`` on both sides along
    ``axis``."""
    before = np.zeros_like(mask)
    after = np.zeros_like(mask)
    n = mask.shape[axis]
    for step in range(1, min(reach, n - 1) + 1):
        head = (*(slice(None),) * axis, slice(step, None))
        tail = (*(slice(None),) * axis, slice(None, n - step))
        before[head] |= mask[tail]
        after[tail] |= mask[head]
    return mask | (before & after)


def _grown(mask: np.ndarray, reach: int, axis: int) -> np.ndarray:
    """``mask`` widened by ``reach`` pixels either way along ``axis``."""
    pad = np.zeros((*mask.shape[:axis], reach, *mask.shape[axis + 1 :]), bool)
    padded = np.concatenate([pad, mask, pad], axis=axis)
    return _window(padded, 2 * reach + 1, axis, np.logical_or)


def _runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """The pixels of ``mask`` that lie in a run of ``length`` or more along ``axis``: windows
    of ``length`` pixels all set, each marking the pixels it covers."""
    n = mask.shape[axis]
    if n < length:
        return np.zeros_like(mask)
    full = _window(mask, length, axis, np.logical_and)
    pad = np.zeros((*mask.shape[:axis], length - 1, *mask.shape[axis + 1 :]), bool)
    padded = np.concatenate([pad, full, pad], axis=axis)
    return _window(padded, length, axis, np.logical_or)


def _window(mask: np.ndarray, length: int, axis: int, op: np.ufunc) -> np.ndarray:
    """``op`` over every window of ``length`` along ``axis`` (``n - length + 1`` of them), by
    doubling spans: a few whole-array operations rather than one per pixel of the window."""

    def cut(array: np.ndarray, start: int, stop: int | None) -> np.ndarray:
        return array[(slice(None),) * axis + (slice(start, stop),)]

    result, span = mask, 1
    while span * 2 <= length:
        result = op(cut(result, 0, -span), cut(result, span, None))
        span *= 2
    if span < length:
        rest = length - span
        result = op(cut(result, 0, result.shape[axis] - rest), cut(result, rest, None))
    return result


def _join_underscored(data: dict, pixels: np.ndarray) -> None:
    """Join an e-mail address to the word before it where an underscore links them.

    An address holds no space, but Tesseract reads the underscore of "UNIT_office@…" as one
    (or drops it, the line sitting below the letters' boxes) and the address loses its first
    part. The word before an address is its own only where an underscore was read at its end
    or a line of ink runs under the gap between them, as no space between words has.
    """
    texts = data["text"]
    for j in range(1, len(texts)):
        i = j - 1
        if "@" not in texts[j] or not texts[i].strip() or _line_of(data, i) != _line_of(data, j):
            continue
        if texts[i].endswith("_") or _underlined_gap(data, i, j, pixels):
            right = data["left"][j] + data["width"][j]
            top, bottom = _rows_of(data, i, j)
            texts[j] = f"{texts[i].rstrip('_')}_{texts[j]}"
            data["left"][j], data["top"][j] = data["left"][i], top
            data["width"][j], data["height"][j] = right - data["left"][i], bottom - top
            data["conf"][j] = min(float(data["conf"][i]), float(data["conf"][j]))
            texts[i] = ""


def _rows_of(data: dict, i: int, j: int) -> tuple[int, int]:
    """The top and bottom of two words' boxes together."""
    top = min(data["top"][i], data["top"][j])
    return top, max(data["top"][k] + data["height"][k] for k in (i, j))


def _line_of(data: dict, i: int) -> tuple[int, int, int]:
    return data["block_num"][i], data["par_num"][i], data["line_num"][i]


def _underlined_gap(data: dict, i: int, j: int, pixels: np.ndarray) -> bool:
    """A row of the lower half of the line (to a third of its height below) where ink, darker
    than the paper around it, fills at least ``_UNDERSCORE_SHARE`` of the gap between words."""
    x0, x1 = data["left"][i] + data["width"][i] + 1, data["left"][j] - 1
    top, bottom = _rows_of(data, i, j)
    height = bottom - top
    if x1 - x0 < 2 or height <= 0:
        return False
    paper = float(np.percentile(pixels[top:bottom, x0:x1], 90))
    under = pixels[top + height // 2 : bottom + height // 3, x0:x1]
    if under.size == 0:
        return False
    return bool(((under < paper - _INK_BELOW_PAPER).mean(axis=1) >= _UNDERSCORE_SHARE).any())


# An underscore fills most of the gap it stands in (a scan's blur and offset leave it short of
# both words); ink is this many grey levels darker than the paper around it.
_UNDERSCORE_SHARE = 0.4
_INK_BELOW_PAPER = 30


def _is_ink(word: Word) -> bool:
    """Drop specks read as punctuation (a wordless mark Tesseract itself doubts) and rules
    read as letters (a box many times wider than its letters could fill)."""
    height = max(word.bottom - word.top, 1e-6)
    if word.x1 - word.x0 > 1.5 * height * max(len(word.text), 1) and (word.conf or 0) < 85:
        return False
    return any(c.isalnum() for c in word.text) or (word.conf or 0) >= 85


def _keep_bullets(
    words: list[Word], lines: list[tuple[int, int, int]], ink: list[bool]
) -> list[bool]:
    """``ink``, with the marks that open a list item kept and read as "•".

    At 150-200 dpi Tesseract doubts the thin dash or small dot that opens an item and reads
    one dot as "¢", "«", "*" or "@" by turns; dropped as specks, or kept as read on some lines
    only, the items ran into each other. One glyph for them all keeps a list's items alike;
    a dash or an arrow Tesseract is sure of stays as read (a dash in prose, a timeline's mark).
    A small square or ring it reads as letters ("a", "ws", "w") is a mark too where it stands
    in line with another mark (see ``_misread_mark``).
    """
    keep = list(ink)
    marks: list[int] = []
    misread: list[int] = []
    for i in range(len(words) - 1):
        if lines[i + 1] != lines[i] or not _opens_phrase(words, lines, ink, i):
            continue
        mark = words[i]
        if _is_bullet(mark, words[i + 1]):
            marks.append(i)
            if not (ink[i] and mark.text in _AS_READ):
                mark.text, keep[i] = "•", True
        elif _misread_mark(mark, words[i + 1]):
            misread.append(i)
    for i in misread:
        mark = words[i]
        reach = mark.x1 - mark.x0
        if any(j != i and abs(words[j].x0 - mark.x0) <= reach for j in marks + misread):
            mark.text, keep[i] = "•", True
    return keep


def _opens_phrase(
    words: list[Word], lines: list[tuple[int, int, int]], ink: list[bool], i: int
) -> bool:
    """The word opens its Tesseract line, or a phrase set further from the words before it
    than the line is high: a table's value cell, read on one line with its label. Specks and
    a cell's rule read as a sign before it do not count."""
    j = i - 1
    while j >= 0 and lines[j] == lines[i] and _speck_or_rule(words[j], ink[j]):
        j -= 1
    return j < 0 or lines[j] != lines[i] or _after_gutter(words[j], words[i], words[i + 1])


def _after_gutter(before: Word, word: Word, after: Word) -> bool:
    """``word`` stands further from ``before`` than ``after``, the word it opens, is high."""
    return word.x0 - before.x1 > after.bottom - after.top


def _speck_or_rule(word: Word, ink: bool) -> bool:
    """Not ink, or a sign no wider than a fifth of its height: a ruling read as "-" or "|"."""
    return not ink or (_upright(word) and not any(c.isalnum() for c in word.text))


def _upright(word: Word) -> bool:
    """Thinner than a fifth of its own height: a cell's upright rule read as a sign."""
    return word.x1 - word.x0 < 0.2 * (word.bottom - word.top)


def _spaced_dashes(words: list[Word], lines: list[tuple[int, int, int]]) -> None:
    """A hyphen standing alone between two words of a line, read as "–": Tesseract's English
    model reads the en dash of "Aville – City Profile" or "May 2019 – June 2020" as a hyphen,
    and type sets no hyphen apart. Between two lower-case words it is a speck (the clean-up
    drops it), and a mark that opens a phrase stays a mark."""
    for i in range(1, len(words) - 1):
        before, after = words[i - 1], words[i + 1]
        if words[i].text != "-" or not lines[i - 1] == lines[i] == lines[i + 1]:
            continue
        if _after_gutter(before, words[i], after):  # opens a phrase: a list's mark
            continue
        if before.text[-1:].islower() and after.text[:1].islower():
            continue
        words[i].text = "–"


def _misread_mark(mark: Word, after: Word) -> bool:
    """One or two letters or signs Tesseract doubts, of a bullet's size, opening a line whose
    next word is capitalised: a list's mark read as letters, or a short word.

    A word of prose can open a line so ("a New"); the caller takes it for a mark only where
    another mark, read or misread, opens a line at the same place across: a list's marks
    stand one under the other, the short words of prose seldom do.
    """
    text, conf = mark.text, mark.conf or 0
    if not (1 <= len(text) <= 2) or not after.text[:1].isupper():
        return False
    if any(c.isdigit() for c in text) and (len(text) > 1 or conf >= _DOUBTED):
        return False  # a number, unless one digit Tesseract all but rejects
    # A sign that is no word and no sign of prose ("=", not "&"), however sure Tesseract is.
    sign = not any(c.isalnum() or c in _PROSE_SIGNS for c in text)
    if conf >= _SURE and not sign:
        return False
    return _bullet_sized(mark, after)


_SURE = 85  # Tesseract's confidence above which a mark or word stays as read
_PROSE_SIGNS = frozenset("&%+/#$€£.,;:!?\"'“”‘’()[]{}")
_DOUBTED = 50  # below this, a lone digit opening an item in line with marks is one of them


def _is_bullet(mark: Word, after: Word) -> bool:
    """A mark of one or two signs, of a bullet's size beside the word after it."""
    return _MARK.fullmatch(mark.text) is not None and _bullet_sized(mark, after)


def _bullet_sized(mark: Word, after: Word) -> bool:
    """Not a rule (wider than a letter is high, or a cell's upright line: thinner than a fifth
    of its own height), not a speck (a fifth of a letter's height)."""
    height = after.bottom - after.top
    width = mark.x1 - mark.x0
    side = max(width, mark.bottom - mark.top)
    return 0.2 * height <= side and width <= 1.5 * height and not _upright(mark)


# One or two signs, no letter, digit, bracket, quote, stop or sign of prose ("& Development"):
# what a bullet glyph reads as.
_MARK = re.compile(r"[^\w\s()\[\]{}\"'“”‘’.,;:!?&%+=/#$€£]{1,2}")
# Sure marks kept as read: dashes (a wrapped range, a dash list) and a timeline's arrows.
_AS_READ = frozenset({"-", "–", "—", "->", "—>", "–>", "=>", ">", "»", "→", "►", "▶", "➢", "➔"})


def _level_lines(words: list[Word], lines: list[tuple[int, int, int]]) -> None:
    """Give every phrase of a Tesseract line the phrase's top and bottom, and one type size.

    Glyph boxes hug the ink, so "once," and "Hangzhou," differ in height; the line box does
    not, which keeps line gaps comparable for layout analysis. A phrase, not the whole line:
    Tesseract runs a line across a gutter, and a sidebar's item would take the top of one
    body line and the bottom of another, closing the gap that sets it apart from the next.
    """
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word, key in zip(words, lines, strict=True):
        by_line.setdefault(key, []).append(word)
    for members in by_line.values():
        sizes = {id(w): size for run, size in _phrase_sizes(members) for w in run}
        for run in _phrases(members):
            top = min(w.top for w in run)
            bottom = max(w.bottom for w in run)
            for w in run:
                w.top, w.bottom, w.size = top, bottom, sizes[id(w)]


def _phrase_sizes(line: list[Word]) -> list[tuple[list[Word], float]]:
    """One type size for a Tesseract line, or one per phrase where phrases set well apart
    differ in size as a title and a banner do: side by side, they share a line but not a type
    size. Phrases of near sizes (a table's label and value), or of a line with a rule read as
    a bar, keep the line's median, the steadier measure."""
    runs = _phrases(line)
    sizes = [_median_size(run) for run in runs]
    ruled = any(_TALL_MARKS & set(w.text) for w in line)  # a cell's rule inflates its boxes
    if len(runs) == 1 or ruled or max(sizes) < PHRASE_SIZE_JUMP * min(sizes):
        return [(line, round(_median_size(line), 2))]
    return [(run, round(size, 2)) for run, size in zip(runs, sizes, strict=True)]


def _median_size(words: list[Word]) -> float:
    """The median type size of the words, less a mark that opens them: a bullet's dot is no
    letter, and measured as one it shrank a short item of two words below its list's size,
    so that the next item's line read as a heading set apart."""
    ordered = sorted(words, key=lambda w: w.x0)
    if len(ordered) > 1 and not any(c.isalnum() for c in ordered[0].text):
        ordered = ordered[1:]
    return statistics.median(_type_size(w) for w in ordered)


_TALL_MARKS = frozenset("|[]")


def _phrases(line: list[Word]) -> list[list[Word]]:
    """A Tesseract line cut where its words stand further apart than the line is high."""
    ordered = sorted(line, key=lambda w: w.x0)
    height = max(w.bottom for w in line) - min(w.top for w in line)
    runs = [[ordered[0]]]
    for word in ordered[1:]:
        if word.x0 - runs[-1][-1].x1 > height:
            runs.append([word])
        else:
            runs[-1].append(word)
    return runs


PHRASE_SIZE_JUMP = 1.8  # a phrase this many times larger than another is set apart (a title)


_ASCENDS = re.compile(r"[A-Zbdfhkl0-9]")
_DESCENDS = re.compile(r"[gjpqy]")


def _type_size(word: Word) -> float:
    """Type size in points from a glyph box, by the letters it holds.

    A box spans cap height (≈0.73 em) for "Hangzhou"-like words without descenders, ascender
    to descender (≈0.95 em) with them, and x-height (≈0.55 em) for "ince": scaling each back to
    the em keeps a heading's lines apart from body lines whatever letters they hold.
    """
    height = word.bottom - word.top
    ascends, descends = bool(_ASCENDS.search(word.text)), bool(_DESCENDS.search(word.text))
    if ascends and descends:
        return height / 0.95
    if ascends:
        return height / 0.73
    if descends:
        return height / 0.77
    return height / 0.55


def size_step(dpi: int) -> float:
    """The smallest type-size difference boxes read at ``dpi`` tell apart: one pixel of a box
    that spans cap height, scaled to the em as ``_type_size`` does."""
    return 72 / dpi / 0.73
