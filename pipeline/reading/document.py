"""The reading layer's data: pages of words with boxes, lines, blocks and table candidates.

Coordinates are PDF points with pdfplumber's top-left origin: ``x0, top, x1, bottom``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Method = Literal["text", "ocr"]
Region = Literal["banner", "body", "sidebar", "table", "footer"]
BBox = tuple[float, float, float, float]


def union_bbox(boxes: list[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


@dataclass(slots=True)  # slots: a long document holds hundreds of thousands of words
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int
    size: float = 0.0
    bold: bool = False
    source: Method = "text"
    conf: float | None = None

    @property
    def bbox(self) -> BBox:
        return (self.x0, self.top, self.x1, self.bottom)

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class TextLine:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bbox(self) -> BBox:
        return union_bbox([w.bbox for w in self.words])

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        """The line's type size: the largest word size (OCR: the box height)."""
        return max(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)


@dataclass
class Block:
    """Lines that belong together (a paragraph, a heading, a list), tagged with their region."""

    page: int
    region: Region
    lines: list[TextLine]
    kind: Literal["heading", "paragraph"] = "paragraph"
    text: str = ""  # cleaned text, set by the reader

    @property
    def bbox(self) -> BBox:
        return union_bbox([line.bbox for line in self.lines])

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def source(self) -> Method:
        return "ocr" if any(w.source == "ocr" for w in self.words) else "text"


@dataclass
class Cell:
    text: str
    bbox: BBox
    words: list[Word] = field(default_factory=list)


@dataclass
class Table:
    """A table candidate: rows of cells (``None`` where a merged cell spans)."""

    page: int
    bbox: BBox
    rows: list[list[Cell | None]]
    method: Literal["ruled", "gaps"]


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: list[Word]
    source: Method
    blocks: list[Block] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ocr_confidence: float | None = None
    skew_degrees: float | None = None
    ocr_dpi: int | None = None
    ocr_reason: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)


@dataclass
class Document:
    path: Path
    sha256: str
    pages: list[Page]
    warnings: list[str] = field(default_factory=list)
    # Words the document itself spells whole: what the clean-up and the extractors trust.
    vocabulary: frozenset[str] = frozenset()

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def ocr_pages(self) -> list[int]:
        return [p.number for p in self.pages if p.source == "ocr"]

    @property
    def text_source(self) -> Literal["text", "ocr", "mixed"]:
        ocr = len(self.ocr_pages)
        if ocr == 0:
            return "text"
        return "ocr" if ocr == len(self.pages) else "mixed"

    @property
    def blocks(self) -> list[Block]:
        return [b for p in self.pages for b in p.blocks]

    @property
    def words(self) -> list[Word]:
        return [w for p in self.pages for w in p.words]

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)
