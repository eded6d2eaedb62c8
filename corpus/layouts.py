"""Drawing: a small text engine over reportlab (fonts, wrapping, justification, frames, tables).

Coordinates are top-left (``top`` grows down the page) like the records' bboxes.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyphen
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FAMILIES = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
    "serif-condensed": ("DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf"),
}
LIGATURES = {"ffi": "ﬃ", "ffl": "ﬄ", "fi": "ﬁ", "fl": "ﬂ"}
_HYPHENATOR = pyphen.Pyphen(lang="en_US")


def available_families() -> list[str]:
    """The font families whose regular and bold files are installed (sans at least)."""
    found = []
    for family, files in FAMILIES.items():
        if any(all((d / f).exists() for f in files) for d in FONT_DIRS):
            found.append(family)
    if "sans" not in found:
        raise SystemExit("DejaVu fonts not found: install Debian's fonts-dejavu-core")
    return found


def register(family: str) -> tuple[str, str]:
    regular, bold = f"C-{family}", f"C-{family}-B"
    if regular not in pdfmetrics.getRegisteredFontNames():
        directory = next(d for d in FONT_DIRS if all((d / f).exists() for f in FAMILIES[family]))
        pdfmetrics.registerFont(TTFont(regular, str(directory / FAMILIES[family][0])))
        pdfmetrics.registerFont(TTFont(bold, str(directory / FAMILIES[family][1])))
    return regular, bold


@dataclass
class Style:
    family: str = "sans"
    size: float = 9.0
    leading: float = 11.5
    justify: bool = False
    hyphenate: bool = True
    ligatures: bool = True


Word = tuple[str, bool]  # text, bold


@dataclass
class Pen:
    """A canvas with a page size, a style and a footer drawn whenever a page ends."""

    canvas: Canvas
    page_w: float
    page_h: float
    style: Style
    footer: Callable[[Pen, int], None] | None = None
    page: int = 1
    fonts: tuple[str, str] = ("", "")

    def __post_init__(self) -> None:
        self.fonts = register(self.style.family)

    def font(self, bold: bool) -> str:
        return self.fonts[1] if bold else self.fonts[0]

    def shown(self, text: str) -> str:
        if not self.style.ligatures:
            return text
        for plain, glyph in LIGATURES.items():
            text = text.replace(plain, glyph)
        return text

    def width(self, text: str, bold: bool, size: float) -> float:
        return pdfmetrics.stringWidth(self.shown(text), self.font(bold), size)

    def end_page(self) -> None:
        if self.footer:
            self.footer(self, self.page)
        self.canvas.showPage()
        self.page += 1

    def finish(self) -> None:
        self.end_page()
        self.canvas.save()

    # ------------------------------------------------------------------ text

    def words(self, text: str, bold: bool = False) -> list[Word]:
        out: list[Word] = []
        for index, part in enumerate(text.split("**")):
            out.extend((w, bold or index % 2 == 1) for w in part.split())
        return out

    def wrap(
        self,
        text: str | list[Word],
        width: float,
        size: float,
        bold: bool = False,
        hyphenate: bool | None = None,
        hang: float = 0.0,
    ) -> list[list[Word]]:
        hyphenate = self.style.hyphenate if hyphenate is None else hyphenate
        queue = list(self.words(text, bold) if isinstance(text, str) else text)
        lines: list[list[Word]] = []
        current: list[Word] = []
        used = 0.0
        space = self.width(" ", False, size)
        while queue:
            word, wbold = queue.pop(0)
            avail = width - (hang if lines else 0.0)
            gap = space if current else 0.0
            need = self.width(word, wbold, size)
            if used + gap + need <= avail:
                current.append((word, wbold))
                used += gap + need
                continue
            split = (
                self._split(word, wbold, avail - used - gap, size)
                if hyphenate and current
                else None
            )
            if split:
                current.append((split[0], wbold))
                queue.insert(0, (split[1], wbold))
            else:
                queue.insert(0, (word, wbold))
            if not current:
                current.append(queue.pop(0))
            lines.append(current)
            current, used = [], 0.0
        if current:
            lines.append(current)
        return lines

    def _split(self, word: str, bold: bool, room: float, size: float) -> tuple[str, str] | None:
        core = word.rstrip('.,;:!?)"')
        if len(core) < 7 or not core.isalpha():
            return None
        for head, tail in _HYPHENATOR.iterate(core):
            if len(head) >= 3 and len(tail) >= 3 and self.width(head + "-", bold, size) <= room:
                return head + "-", tail + word[len(core) :]
        return None

    def line(
        self,
        words: list[Word],
        x: float,
        top: float,
        size: float,
        width: float | None = None,
        justify: bool = False,
        color: tuple[float, float, float] = (0, 0, 0),
    ) -> None:
        space = self.width(" ", False, size)
        if justify and width and len(words) > 1:
            total = sum(self.width(w, b, size) for w, b in words)
            space = max(space, (width - total) / (len(words) - 1))
        cursor = x
        baseline = self.page_h - top - size * 0.8
        self.canvas.setFillColorRGB(*color)
        for word, bold in words:
            self.canvas.setFont(self.font(bold), size)
            self.canvas.drawString(cursor, baseline, self.shown(word))
            cursor += self.width(word, bold, size) + space
        self.canvas.setFillColorRGB(0, 0, 0)

    def paragraph(
        self,
        text: str | list[Word],
        x: float,
        top: float,
        width: float,
        size: float,
        leading: float,
        bold: bool = False,
        hyphenate: bool | None = None,
        justify: bool | None = None,
    ) -> float:
        """Draw a paragraph without page breaks; return the top below it."""
        justify = self.style.justify if justify is None else justify
        lines = self.wrap(text, width, size, bold, hyphenate)
        for n, words in enumerate(lines):
            self.line(words, x, top, size, width, justify and n < len(lines) - 1)
            top += leading
        return top

    # ------------------------------------------------------------------ pictures

    def picture(self, x: float, top: float, w: float, h: float, rng: random.Random) -> None:
        """A drawn raster: a colour gradient with soft blobs, like a photo on a flyer."""
        px_w, px_h = max(int(w), 8), max(int(h), 8)
        yy, xx = np.mgrid[0:px_h, 0:px_w].astype(np.float32)
        base = np.array([rng.uniform(0.2, 0.9) for _ in range(3)], dtype=np.float32)
        tint = np.array([rng.uniform(0.2, 0.9) for _ in range(3)], dtype=np.float32)
        t = (xx / px_w * 0.6 + yy / px_h * 0.4)[..., None]
        img = base * (1 - t) + tint * t
        for _ in range(rng.randint(2, 6)):
            cx, cy, r = rng.uniform(0, px_w), rng.uniform(0, px_h), rng.uniform(8, px_h / 2 + 8)
            mask = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))[..., None]
            img = img * (1 - 0.5 * mask) + rng.uniform(0, 1) * 0.5 * mask
        pil = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8), "RGB")
        buffer = io.BytesIO()
        pil.save(buffer, "PNG")
        buffer.seek(0)
        self.canvas.drawImage(ImageReader(buffer), x, self.page_h - top - h, w, h)

    def box(
        self,
        x: float,
        top: float,
        w: float,
        h: float,
        fill: tuple[float, float, float] | None,
        stroke: bool = True,
    ) -> None:
        if fill:
            self.canvas.setFillColorRGB(*fill)
        self.canvas.rect(x, self.page_h - top - h, w, h, stroke=int(stroke), fill=int(bool(fill)))
        self.canvas.setFillColorRGB(0, 0, 0)

    def hline(self, x0: float, x1: float, top: float, width: float = 0.5) -> None:
        self.canvas.setLineWidth(width)
        self.canvas.line(x0, self.page_h - top, x1, self.page_h - top)

    def vline(self, x: float, top: float, bottom: float, width: float = 0.5) -> None:
        self.canvas.setLineWidth(width)
        self.canvas.line(x, self.page_h - top, x, self.page_h - bottom)


@dataclass
class Frame:
    x: float
    top: float
    width: float
    bottom: float


@dataclass
class Flow:
    """Pours lines into frames (columns), starting new pages as needed."""

    pen: Pen
    frames_for_page: Callable[[int], list[Frame]]
    frames: list[Frame] = field(default_factory=list)
    cursor: float = 0.0
    page_index: int = 0

    def __post_init__(self) -> None:
        self.frames = list(self.frames_for_page(0))
        self.cursor = self.frames[0].top

    @property
    def frame(self) -> Frame:
        return self.frames[0]

    def next_frame(self) -> None:
        self.frames.pop(0)
        if not self.frames:
            self.pen.end_page()
            self.page_index += 1
            self.frames = list(self.frames_for_page(self.page_index))
        self.cursor = self.frame.top

    def ensure(self, height: float) -> None:
        if self.cursor + height > self.frame.bottom:
            self.next_frame()

    def text(
        self,
        text: str | list[Word],
        size: float,
        leading: float,
        bold: bool = False,
        hyphenate: bool | None = None,
        justify: bool | None = None,
        indent: float = 0.0,
        hang: float = 0.0,
    ) -> None:
        pen = self.pen
        justify = pen.style.justify if justify is None else justify
        lines = pen.wrap(text, self.frame.width - indent, size, bold, hyphenate, hang)
        for n, words in enumerate(lines):
            self.ensure(leading)
            offset = indent + (hang if n else 0.0)
            width = self.frame.width - offset
            pen.line(
                words,
                self.frame.x + offset,
                self.cursor,
                size,
                width,
                justify and n < len(lines) - 1,
            )
            self.cursor += leading

    def gap(self, height: float) -> None:
        self.cursor += height
