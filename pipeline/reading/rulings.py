"""Table candidates: pdfplumber's table finder on ruled tables (open tables are rebuilt from
word gaps by ``extractors.table``).

Cell text is rebuilt from the page's own words (so OCR'd and born-digital pages share one
path) and cleaned like any block.
"""

from __future__ import annotations

from pipeline.reading.document import Cell, Table, TextLine, Word
from pipeline.reading.layout import group_lines

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
    """Tables drawn with ruling lines, via pdfplumber's finder, with our words in the cells.

    A page without a line, rectangle or curve has no ruling: the finder is not run on it.
    """
    if not (plumber_page.lines or plumber_page.rects or plumber_page.curves):
        return []
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
