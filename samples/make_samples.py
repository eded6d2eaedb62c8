"""Build the sample PDFs deterministically from the cleaned sources in ``samples/src/``.

Each ``src/<stem>.toml`` describes one document (its kind, layout switches and text). This
script lays it out the way the programme's real PDFs are laid out (a ruled or open U-CAP table
with wrapping cells and a dated timeline; a two-column flyer with a sidebar, hyphenated line
ends and ligature glyphs) and, when the source asks for it, "scans" the result: rasterised at
about 200 dpi, slightly rotated, with mild noise, saved as an image-only PDF.

    python samples/make_samples.py [--out DIR] [STEM ...]

Nothing here reads the extractor: the expected records in ``samples/expected/`` are written by
hand, so the samples can judge the pipeline.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2
import pyphen
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
PAGE_W, PAGE_H = A4
MARGIN = 40.0
LIGATURES = {"ffi": "ﬃ", "ffl": "ﬄ", "fi": "ﬁ", "fl": "ﬂ"}
_HYPHENATOR = pyphen.Pyphen(lang="en_US")


def _register_fonts() -> None:
    """DejaVu carries the glyphs the documents need (→, ○, ², ligatures): Debian's fonts-dejavu-core."""
    if "Body" in pdfmetrics.getRegisteredFontNames():
        return
    for directory in FONT_DIRS:
        regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("Body", str(regular)))
            pdfmetrics.registerFont(TTFont("Body-Bold", str(bold)))
            return
    raise SystemExit("DejaVu fonts not found: install Debian's fonts-dejavu-core (make does this)")


# --------------------------------------------------------------------------- text layout


@dataclass
class Token:
    """A word with its style; ``glue`` is False for the first half of a hyphenated word."""

    text: str
    bold: bool = False


@dataclass
class Line:
    tokens: list[Token]
    indent: float = 0.0


def _font(bold: bool) -> str:
    return "Body-Bold" if bold else "Body"


def _width(text: str, bold: bool, size: float) -> float:
    return pdfmetrics.stringWidth(_ligate(text), _font(bold), size)


def _ligate(text: str) -> str:
    """Set ligature glyphs as a layout engine does, so the text layer holds ﬁ and ﬂ."""
    for plain, glyph in LIGATURES.items():
        text = text.replace(plain, glyph)
    return text


def tokenize(text: str) -> list[Token]:
    """Split text into words; ``**bold**`` runs become bold tokens."""
    tokens: list[Token] = []
    bold = False
    for part in text.split("**"):
        tokens.extend(Token(word, bold) for word in part.split())
        bold = not bold
    return tokens


def _split_to_fit(token: Token, room: float, size: float) -> tuple[Token, Token] | None:
    """Break a word at a hyphenation point (or its own hyphen) so the head fits in ``room``."""
    word = token.text
    if "-" in word.strip("-"):
        head, _, tail = word.partition("-")
        if head and tail and _width(head + "-", token.bold, size) <= room:
            return Token(head + "-", token.bold), Token(tail, token.bold)
        return None
    core = word.rstrip('.,;:!?)”"')
    if len(core) < 7 or not core.isalpha():
        return None
    for head, tail in _HYPHENATOR.iterate(core):
        if len(head) >= 3 and len(tail) >= 3 and _width(head + "-", token.bold, size) <= room:
            return Token(head + "-", token.bold), Token(tail + word[len(core) :], token.bold)
    return None


def wrap(
    tokens: list[Token], width: float, size: float, hyphenate: bool = True, hang: float = 0.0
) -> list[Line]:
    """Greedy line breaking with hyphenation; lines after the first are indented by ``hang``."""
    lines: list[Line] = []
    current: list[Token] = []
    used = 0.0
    queue = list(tokens)
    while queue:
        token = queue.pop(0)
        avail = width - (hang if lines else 0.0)
        space = _width(" ", False, size) if current else 0.0
        need = _width(token.text, token.bold, size)
        if used + space + need <= avail:
            current.append(token)
            used += space + need
            continue
        split = _split_to_fit(token, avail - used - space, size) if hyphenate and current else None
        if split:
            current.append(split[0])
            queue.insert(0, split[1])
        else:
            queue.insert(0, token)
        if not current:  # a single word wider than the line: set it anyway
            current.append(queue.pop(0))
        lines.append(Line(current, hang if lines else 0.0))
        current, used = [], 0.0
    if current:
        lines.append(Line(current, hang if lines else 0.0))
    return lines


def draw_line(canvas: Canvas, line: Line, x: float, top: float, size: float) -> None:
    """Draw a line word by word (top-left coordinates) with real spaces between words."""
    cursor = x + line.indent
    space = _width(" ", False, size)
    baseline = PAGE_H - top - size * 0.8
    for token in line.tokens:
        canvas.setFont(_font(token.bold), size)
        canvas.drawString(cursor, baseline, _ligate(token.text))
        cursor += _width(token.text, token.bold, size) + space


# --------------------------------------------------------------------------- flowing frames


@dataclass
class Frame:
    x: float
    top: float
    width: float
    bottom: float


@dataclass
class Flow:
    """Pours blocks of lines into a sequence of frames, starting new pages as needed."""

    canvas: Canvas
    frames_for_page: Any  # callable(page_index) -> list[Frame]
    page: int = 0
    frames: list[Frame] = field(default_factory=list)
    cursor: float = 0.0

    def __post_init__(self) -> None:
        self.frames = list(self.frames_for_page(self.page))
        self.cursor = self.frames[0].top

    @property
    def frame(self) -> Frame:
        return self.frames[0]

    def _next_frame(self) -> None:
        self.frames.pop(0)
        if not self.frames:
            self.canvas.showPage()
            self.page += 1
            self.frames = list(self.frames_for_page(self.page))
        self.cursor = self.frame.top

    def ensure(self, height: float) -> None:
        if self.cursor + height > self.frame.bottom:
            self._next_frame()

    def lines(self, lines: list[Line], size: float, leading: float, x_offset: float = 0.0) -> None:
        for line in lines:
            self.ensure(leading)
            draw_line(self.canvas, line, self.frame.x + x_offset, self.cursor, size)
            self.cursor += leading

    def gap(self, height: float) -> None:
        self.cursor += height


# --------------------------------------------------------------------------- city profile


def _profile_frames(src: dict[str, Any]) -> Any:
    sidebar, columns = src.get("sidebar", "right"), int(src.get("columns", 2))
    top, bottom = 118.0, PAGE_H - 50

    def frames(page: int) -> list[Frame]:
        left, right = MARGIN, PAGE_W - MARGIN
        if page == 0 and sidebar == "right":
            right = PAGE_W - MARGIN - 150
        elif page == 0 and sidebar == "left":
            left = MARGIN + 150
        body_top = top if page == 0 else 60.0
        gutter = 16.0
        width = (right - left - gutter * (columns - 1)) / columns
        return [Frame(left + i * (width + gutter), body_top, width, bottom) for i in range(columns)]

    return frames


def build_profile(src: dict[str, Any], out: Path) -> None:
    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.setTitle(f"{src['city']} city profile")
    size, leading = float(src.get("font_size", 8.6)), float(src.get("leading", 11.2))

    # Banner: programme name left, funding line right, a rule under both.
    canvas.setFont("Body-Bold", 11)
    canvas.drawString(MARGIN, PAGE_H - 52, src["programme"])
    canvas.setFont("Body", 9)
    canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - 52, src["funded_by"])
    canvas.setLineWidth(1.2)
    canvas.line(MARGIN, PAGE_H - 66, PAGE_W - MARGIN, PAGE_H - 66)

    # Sidebar: the city's name large, then the thematic interests, one item per gap.
    sidebar = src.get("sidebar", "right")
    if sidebar in ("left", "right"):
        x = PAGE_W - MARGIN - 130 if sidebar == "right" else MARGIN
        rule_x = x - 10 if sidebar == "right" else x + 140
        canvas.setLineWidth(0.6)
        canvas.line(rule_x, PAGE_H - 110, rule_x, 60)
        top = 118.0
        canvas.setFont("Body-Bold", 20)
        canvas.drawString(x, PAGE_H - top - 18, src["city"])
        top += 44
        for theme in src["themes"]:
            for line in wrap(tokenize(theme), 130, 9.0, hyphenate=False):
                draw_line(canvas, line, x, top, 9.0)
                top += 11.5
            top += 9.0

    flow = Flow(canvas, _profile_frames(src))
    heading_size = max(11.5, size * 1.3)
    if src.get("city_title"):  # the city's name as the body's title (no sidebar to carry it)
        flow.lines(wrap([Token(src["city"], True)], flow.frame.width, 20.0, False), 20.0, 30.0)
        flow.gap(6)

    def heading(text: str) -> None:
        flow.ensure(leading * 3 + 18)
        words = [Token(t.text, True) for t in tokenize(text)]
        flow.lines(
            wrap(words, flow.frame.width, heading_size, hyphenate=False),
            heading_size,
            heading_size * 1.3,
        )
        flow.gap(4)

    for section in src["sections"]:
        heading(section["heading"])
        for paragraph in section["paragraphs"]:
            flow.lines(wrap(tokenize(paragraph), flow.frame.width, size), size, leading)
            flow.gap(leading * 0.6)
        flow.gap(8)
    if sidebar == "none":
        heading(src.get("themes_heading", "Thematic Interests"))
        for theme in src["themes"]:
            flow.lines(wrap(tokenize(theme), flow.frame.width, size, False), size, leading)
            flow.gap(leading * 0.6)
    canvas.showPage()
    canvas.save()


# --------------------------------------------------------------------------- U-CAP summary


def _cell_lines(value: str | list[str], width: float, size: float, bold: bool) -> list[Line]:
    paragraphs = value if isinstance(value, list) else [value]
    lines: list[Line] = []
    for paragraph in paragraphs:
        tokens = [Token(t.text, bold or t.bold) for t in tokenize(paragraph)]
        lines.extend(wrap(tokens, width, size, hyphenate=False))
    return lines


def build_ucap(src: dict[str, Any], out: Path) -> None:
    canvas = Canvas(str(out), pagesize=A4, invariant=1)
    canvas.setTitle(src["title"])
    size, leading, pad = float(src.get("font_size", 8.6)), float(src.get("leading", 11.0)), 4.0
    ruled = src.get("layout", "ruled") == "ruled"
    col_gap = 0.0 if ruled else float(src.get("column_gap", 18.0))
    label_w, city_w = float(src.get("label_width", 150)), float(src.get("city_width", 150))
    table_w = PAGE_W - 2 * MARGIN
    partners_w = table_w - label_w - city_w - 2 * col_gap
    bottom = PAGE_H - 50

    def frames(page: int) -> list[Frame]:
        return [Frame(MARGIN, 60.0, table_w, bottom)]

    flow = Flow(canvas, frames)
    flow.lines(wrap(tokenize(src["title"]), table_w, 15.0, False), 15.0, 20.0)
    flow.gap(float(src.get("title_gap", 14)))

    canvas.setLineWidth(0.5)
    xs = [MARGIN, MARGIN + label_w + col_gap, MARGIN + label_w + city_w + 2 * col_gap]
    for row in src["rows"]:
        label = _cell_lines(row["label"], label_w - 2 * pad, size, True)
        if "value" in row:
            cells = [
                label,
                _cell_lines(row["value"], table_w - label_w - col_gap - 2 * pad, size, False),
            ]
        else:
            cells = [
                label,
                _cell_lines(row["city"], city_w - 2 * pad, size, False),
                _cell_lines(row["partners"], partners_w - 2 * pad, size, False),
            ]
        # A row taller than what is left of the page is split: its cells go on at the top of
        # the next page (as a layout engine breaks a long table row).
        remaining = [list(c) for c in cells]
        extra = 0.0 if ruled else 2.0
        while any(remaining):
            need = max(len(c) for c in remaining)
            fit = int((flow.frame.bottom - flow.cursor - 2 * pad - extra) // leading)
            if fit < min(need, 3):
                flow.ensure(float("inf"))  # start a new page
                continue
            take = min(fit, need)
            chunk = [c[:take] for c in remaining]
            remaining = [c[take:] for c in remaining]
            height = take * leading + 2 * pad + extra
            top = flow.cursor
            for index, lines in enumerate(chunk):
                for n, line in enumerate(lines):
                    draw_line(canvas, line, xs[index] + pad, top + pad + n * leading, size)
            if ruled:
                y0, y1 = PAGE_H - top, PAGE_H - top - height
                canvas.line(MARGIN, y0, MARGIN + table_w, y0)
                canvas.line(MARGIN, y1, MARGIN + table_w, y1)
                for x in [*xs[: len(cells)], MARGIN + table_w]:
                    canvas.line(x, y0, x, y1)
            flow.cursor = top + height
    flow.gap(16)

    bullet = src.get("output_bullet", "o")
    flow.ensure(60)
    flow.lines(wrap(tokenize(src["activities_heading"]), table_w, 10.0, False, 0), 10.0, 14.0)
    flow.gap(4)
    for activity in src["activities"]:
        arrow = src.get("arrow", "→")
        tokens = [Token(arrow), *tokenize(f"**{activity['date']}:**"), *tokenize(activity["text"])]
        flow.ensure(leading * 2)
        flow.lines(wrap(tokens, table_w, size, hang=14), size, leading)
        for output in activity.get("outputs", []):
            lines = wrap([Token(bullet), *tokenize(output)], table_w - 24, size, hang=12)
            flow.lines(lines, size, leading, x_offset=24)
        flow.gap(leading * 0.5)
    flow.gap(10)
    flow.ensure(60)
    flow.lines(wrap(tokenize(src["expected_heading"]), table_w, 10.0, False), 10.0, 14.0)
    flow.gap(4)
    for item in src["expected"]["items"]:
        flow.lines(
            wrap([Token("•"), *tokenize(item)], table_w - 12, size, hang=12), size, leading, 12
        )
        flow.gap(2)
    flow.gap(12)
    flow.lines(wrap(tokenize(src["contact"]), table_w, size), size, leading)
    canvas.showPage()
    canvas.save()


# --------------------------------------------------------------------------- scanning


def scan(pdf_in: Path, pdf_out: Path, *, dpi: int = 200, skew: float = 0.6, seed: int = 7) -> None:
    """Rasterise every page, rotate it a little, add noise, and save an image-only PDF."""
    rng = random.Random(seed)
    document = pypdfium2.PdfDocument(str(pdf_in))
    images: list[Image.Image] = []
    try:
        for index in range(len(document)):
            bitmap = document[index].render(scale=dpi / 72, grayscale=True)
            page = bitmap.to_pil().convert("L")
            page = page.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
            page = _add_noise(page, rng)
            images.append(page)
    finally:
        document.close()
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    pdf_out.write_bytes(buffer.getvalue())


def _add_noise(page: Image.Image, rng: random.Random) -> Image.Image:
    """Mild scanner noise: a soft blur, grain, and a sprinkle of dark specks."""
    pixels = np.asarray(page.filter(ImageFilter.GaussianBlur(0.5)), dtype=np.int16)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, 9.0, pixels.shape)
    pixels = np.clip(pixels + noise, 0, 255).astype(np.uint8)
    height, width = pixels.shape
    for _ in range(60):
        y, x = rng.randrange(height - 3), rng.randrange(width - 3)
        pixels[y : y + 2, x : x + 2] = 40
    return Image.fromarray(pixels, mode="L")


# --------------------------------------------------------------------------- entry points


def load_source(stem: str, src_dir: Path = SRC) -> dict[str, Any]:
    with (src_dir / f"{stem}.toml").open("rb") as handle:
        return tomllib.load(handle)


def sources(src_dir: Path = SRC) -> Iterator[str]:
    yield from sorted(p.stem for p in src_dir.glob("*.toml"))


def build(stem: str, out_dir: Path, src_dir: Path = SRC) -> list[Path]:
    """Build one source into ``out_dir/<stem>.pdf`` (and ``<stem>_scan.pdf`` when asked)."""
    _register_fonts()
    src = load_source(stem, src_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{stem}.pdf"
    builder = build_ucap if src["kind"] == "ucap_summary" else build_profile
    made = []
    scan_cfg = src.get("scan")
    if scan_cfg and scan_cfg.get("only"):
        digital = out_dir / f".{stem}.digital.pdf"
        builder(src, digital)
        scan(digital, target, **{k: v for k, v in scan_cfg.items() if k != "only"})
        digital.unlink()
        return [target]
    builder(src, target)
    made.append(target)
    if scan_cfg:
        scanned = out_dir / f"{stem}_scan.pdf"
        scan(target, scanned, **scan_cfg)
        made.append(scanned)
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stems", nargs="*", help="sources to build (default: all in samples/src)")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the PDFs")
    args = parser.parse_args(argv)
    for stem in args.stems or list(sources()):
        for path in build(stem, args.out):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
