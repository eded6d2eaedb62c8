"""Table candidates: pdfplumber's table finder on ruled tables, word-gap columns on open ones.

Cell text is rebuilt from the page's own words (so OCR'd and born-digital pages share one
path) and cleaned like any block.
"""

from __future__ import annotations

import itertools
import statistics

from pipeline.document import Cell, Table, TextLine, Word
from pipeline.layout import _gaps, group_lines

RULED_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def words_in(words: list[Word], bbox: tuple[float, float, float, float]) -> list[Word]:
    x0, top, x1, bottom = bbox
    return [
        w
        for w in words
        if x0 <= (w.x0 + w.x1) / 2 <= x1 and top <= (w.top + w.bottom) / 2 <= bottom
    ]


def cell_lines(words: list[Word]) -> list[TextLine]:
    return group_lines(words) if words else []


def ruled_tables(plumber_page, words: list[Word], page: int) -> list[Table]:
    """Tables drawn with ruling lines, via pdfplumber's finder, with our words in the cells."""
    found = plumber_page.find_tables(RULED_SETTINGS)
    tables: list[Table] = []
    for table in found:
        rows: list[list[Cell | None]] = []
        for row in table.rows:
            cells: list[Cell | None] = []
            for bbox in row.cells:
                if bbox is None:
                    cells.append(None)
                    continue
                inside = words_in(words, bbox)
                text = " ".join(line.text for line in cell_lines(inside))
                cells.append(Cell(text=text, bbox=tuple(bbox), words=inside))
            rows.append(cells)
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            tables.append(Table(page=page, bbox=tuple(table.bbox), rows=rows, method="ruled"))
    return tables


def gap_columns(lines: list[TextLine], min_gutter: float) -> list[float]:
    """x positions of the gutters that run through every one of ``lines``."""
    words = [w for line in lines for w in line.words]
    if not words:
        return []
    return [(a + b) / 2 for a, b in _gaps([(w.x0, w.x1) for w in words]) if b - a >= min_gutter]


def split_row(line_words: list[Word], edges: list[float]) -> list[list[Word]]:
    """Distribute a line's words over the columns bounded by ``edges``."""
    bounds = [float("-inf"), *edges, float("inf")]
    return [
        [w for w in line_words if left <= (w.x0 + w.x1) / 2 < right]
        for left, right in itertools.pairwise(bounds)
    ]


def typical_line_gap(lines: list[TextLine]) -> float:
    gaps = [b.top - a.bottom for a, b in itertools.pairwise(lines) if b.top > a.bottom]
    return statistics.median(gaps) if gaps else 0.0
