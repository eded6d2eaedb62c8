"""Overlays: each page of the source PDF with every extracted field's box drawn and labelled.

One colour per field group (``city``, ``partners``, ``activities``, …) with a legend above the
page; labels in DejaVu Sans, readable at 100 %; a box that holds other boxes (a list item
around its fields) is outlined only, so it never covers its children or its siblings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pdfplumber
from PIL import Image, ImageDraw, ImageFont

from pipeline.base.request import Request
from pipeline.base.settings import Settings
from pipeline.reading.reader import read_pdf

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core (Makefile)
LABEL_PX = 13
PALETTE = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (23, 190, 207),
    (227, 119, 194),
    (140, 86, 75),
    (188, 189, 34),
    (127, 127, 127),
    (0, 0, 128),
    (128, 0, 0),
    (0, 110, 60),
    (200, 0, 200),
    (160, 110, 0),
    (0, 150, 150),
    (90, 60, 160),
    (230, 80, 120),
    (80, 80, 0),
    (0, 70, 200),
]  # fmt: skip  (twenty: more than the field groups of either kind)
OCR_DOUBT = (220, 40, 40)


def font(size: int = LABEL_PX) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    if FONT.exists():
        return ImageFont.truetype(str(FONT), size)
    return ImageFont.load_default(size=size)


def group_of(path: str) -> str:
    """``activities[2].date`` → ``activities``: the unit that shares a colour."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def colours(paths: list[str]) -> dict[str, tuple[int, int, int]]:
    groups = sorted({group_of(p) for p in paths})
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}


def _inside(inner: list[float], outer: list[float]) -> bool:
    return (
        inner != outer
        and inner[0] >= outer[0] - 0.5
        and inner[1] >= outer[1] - 0.5
        and inner[2] <= outer[2] + 0.5
        and inner[3] <= outer[3] + 0.5
    )


def _legend(groups: dict[str, tuple[int, int, int]], width: int) -> Image.Image:
    face = font()
    x, y, line = 8, 6, LABEL_PX + 8
    rows = 1
    for name in groups:  # first pass: how many rows the legend needs
        step = 22 + int(face.getlength(name)) + 16
        if x + step > width:
            x, rows = 8, rows + 1
        x += step
    legend = Image.new("RGB", (width, rows * line + 8), "white")
    draw = ImageDraw.Draw(legend)
    x = 8
    for name, colour in groups.items():
        step = 22 + int(face.getlength(name)) + 16
        if x + step > width:
            x, y = 8, y + line
        draw.rectangle((x, y + 2, x + 14, y + 2 + LABEL_PX - 2), fill=colour)
        draw.text((x + 20, y), name, fill=(0, 0, 0), font=face)
        x += step
    return legend


def overlays(
    record: dict[str, Any],
    pdf: Path,
    out_dir: Path,
    settings: Settings,
    resolution: int = 100,
    stem: str | None = None,
) -> list[Path]:
    """``<stem>-page-N.png`` per page (``stem`` defaults to the PDF's): fields' boxes by group,
    OCR'd words shaded red by doubt."""
    stem = stem or pdf.stem
    out_dir.mkdir(parents=True, exist_ok=True)
    request = Request.of(pdf, settings)
    document = read_pdf(request, settings)
    provenance = record.get("provenance", {})
    palette = colours(list(provenance))
    by_page: dict[int, list[tuple[str, list[float]]]] = {}
    for path, prov in provenance.items():
        by_page.setdefault(prov["page"], []).append((path, list(prov["bbox"])))
    face = font()
    scale = resolution / 72
    written = []
    with pdfplumber.open(pdf, password=request.password or "") as plumber:
        for number, page in enumerate(plumber.pages, start=1):
            image = page.to_image(resolution=resolution).original.convert("RGB")
            shade = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(shade)
            for word in document.pages[number - 1].words:
                if word.source == "ocr" and word.conf is not None:
                    alpha = int(max(0.0, 100 - word.conf) * 1.6)  # doubtful words redder
                    draw.rectangle([v * scale for v in word.bbox], fill=(*OCR_DOUBT, alpha))
            boxes = by_page.get(number, [])
            # Larger boxes first, so smaller ones are drawn over them.
            boxes.sort(key=lambda b: -(b[1][2] - b[1][0]) * (b[1][3] - b[1][1]))
            for path, bbox in boxes:
                colour = palette[group_of(path)]
                holds = any(_inside(other, bbox) for _, other in boxes)
                fill = None if holds else (*colour, 40)
                draw.rectangle(
                    [v * scale for v in bbox],
                    fill=fill,
                    outline=(*colour, 255),
                    width=2 if holds else 1,
                )
            image = Image.alpha_composite(image.convert("RGBA"), shade).convert("RGB")
            text = ImageDraw.Draw(image)
            taken: list[tuple[float, float, float, float]] = []
            for path, bbox in sorted(boxes, key=lambda b: (b[1][1], b[1][0])):
                width = face.getlength(path) + 4
                x, y = bbox[0] * scale, max(0.0, bbox[1] * scale - LABEL_PX - 3)
                # Move a label down until it overlaps no label already placed.
                while any(
                    x < t[2] and x + width > t[0] and y < t[3] and y + LABEL_PX + 2 > t[1]
                    for t in taken
                ):
                    y += LABEL_PX + 2
                rect = (x, y, x + width, y + LABEL_PX + 2)
                taken.append(rect)
                text.rectangle(rect, fill=(255, 255, 255))
                text.text((x + 2, y), path, fill=palette[group_of(path)], font=face)
            legend = _legend(palette, image.width)
            sheet = Image.new("RGB", (image.width, image.height + legend.height), "white")
            sheet.paste(legend, (0, 0))
            sheet.paste(image, (0, legend.height))
            target = out_dir / f"{stem}-page-{number}.png"
            sheet.save(target)
            written.append(target)
    return written
