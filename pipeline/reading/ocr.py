"""OCR of one page: render greyscale, correct skew, Tesseract ``image_to_data``, map to points.

Tesseract runs with ``OMP_THREAD_LIMIT=1`` (set by ``pipeline.base.environment`` at every
entry point): its OpenMP threads fight each other on small machines; parallelism comes from
running pages in separate processes instead.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import tempfile
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image

from pipeline.base.errors import CitydocsError
from pipeline.reading.document import Word


@dataclass
class OcrResult:
    words: list[Word]
    confidence: float | None
    skew_degrees: float
    dpi: int


def estimate_skew(image: Image.Image, limit: float = 3.0) -> float:
    """Angle (degrees, counter-clockwise) by which the text lines are rotated.

    Projection profile: the rotation that makes the row sums of dark pixels the most peaked is
    the one that lines the text up with the pixel rows. Searched coarse then fine on a small copy.
    """
    small = image.convert("L")
    scale = 800 / max(small.size)
    if scale < 1:
        small = small.resize((int(small.width * scale), int(small.height * scale)))
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype(np.uint8))

    def score(angle: float) -> float:
        rotated = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0))
        rows = rotated.sum(axis=1, dtype=np.float64)
        return float(np.sum(np.diff(rows) ** 2))

    best = max(np.arange(-limit, limit + 1e-9, 0.5), key=score)
    fine = np.arange(best - 0.3, best + 0.3 + 1e-9, 0.05)
    best = max(fine, key=score)
    return round(-float(best), 2)


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """Rotate the page so its lines are level; returns the image and the skew it had."""
    angle = estimate_skew(image)
    if abs(angle) < 0.05:
        return image, 0.0
    straight = image.rotate(-angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    return straight, angle


def _unrotate(x: float, y: float, angle: float, cx: float, cy: float) -> tuple[float, float]:
    """Map a point of the deskewed image back onto the page as it was rendered."""
    theta = math.radians(angle)
    dx, dy = x - cx, y - cy
    return (
        cx + dx * math.cos(theta) + dy * math.sin(theta),
        cy - dx * math.sin(theta) + dy * math.cos(theta),
    )


def ocr_image(
    image: Image.Image, *, page: int, dpi: int, lang: str = "eng", timeout: float = 60.0
) -> OcrResult:
    """OCR a rendered page image and return its words in PDF points."""
    straight, skew = deskew(image)
    try:
        # Handed over as an uncompressed PGM file: given the image, pytesseract encodes a PNG
        # first, which took as long as the recognition itself on a 300 dpi page.
        with tempfile.TemporaryDirectory(prefix="citydocs-ocr-") as folder:
            source = os.path.join(folder, "page.pgm")
            straight.save(source)
            data = pytesseract.image_to_data(
                source,
                lang=lang,
                config="--psm 3 --oem 1",
                output_type=pytesseract.Output.DICT,
                timeout=timeout,
            )
    except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
        raise CitydocsError(
            "timeout",
            f"Tesseract took longer than {timeout:.0f} s on page {page}; raise "
            "CITYDOCS_OCR_TIMEOUT_S or lower CITYDOCS_OCR_DPI.",
        ) from exc
    except pytesseract.TesseractNotFoundError as exc:
        raise CitydocsError(
            "internal",
            "Tesseract is not installed: run `make run` or apt-get install tesseract-ocr",
        ) from exc
    to_pt = 72.0 / dpi
    cx, cy = straight.width / 2, straight.height / 2
    words: list[Word] = []
    lines: list[tuple[int, int, int]] = []
    confidences: list[float] = []
    for i, text in enumerate(data["text"]):
        text = text.strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        left, top = data["left"][i], data["top"][i]
        width, height = data["width"][i], data["height"][i]
        mx, my = _unrotate(left + width / 2, top + height / 2, skew, cx, cy)
        x0, y0 = (mx - width / 2) * to_pt, (my - height / 2) * to_pt
        words.append(
            Word(
                text=text,
                x0=round(x0, 2),
                top=round(y0, 2),
                x1=round(x0 + width * to_pt, 2),
                bottom=round(y0 + height * to_pt, 2),
                page=page,
                size=round(height * to_pt, 2),
                source="ocr",
                conf=conf,
            )
        )
        lines.append((data["block_num"][i], data["par_num"][i], data["line_num"][i]))
        confidences.append(conf)
    keep = [_is_ink(w) for w in words]
    words = [w for w, k in zip(words, keep, strict=True) if k]
    _level_lines(words, [key for key, k in zip(lines, keep, strict=True) if k])
    mean = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrResult(words=words, confidence=mean, skew_degrees=skew, dpi=dpi)


def _is_ink(word: Word) -> bool:
    """Drop specks read as punctuation: a wordless mark Tesseract itself doubts."""
    return any(c.isalnum() for c in word.text) or (word.conf or 0) >= 85


def _level_lines(words: list[Word], lines: list[tuple[int, int, int]]) -> None:
    """Give every word of a Tesseract line the line's top and bottom, and one type size.

    Glyph boxes hug the ink, so "once," and "Hangzhou," differ in height; the line box does
    not, which keeps line gaps comparable for layout analysis.
    """
    by_line: dict[tuple[int, int, int], list[Word]] = {}
    for word, key in zip(words, lines, strict=True):
        by_line.setdefault(key, []).append(word)
    for members in by_line.values():
        top = min(w.top for w in members)
        bottom = max(w.bottom for w in members)
        size = round(statistics.median(_type_size(w) for w in members), 2)
        for w in members:
            w.top, w.bottom, w.size = top, bottom, size


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
