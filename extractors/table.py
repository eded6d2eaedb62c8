"""The U-CAP label/value table as rows, whatever its drawing.

Ruled tables come from pdfplumber's table finder (``Page.tables``); open tables, and tables
on OCR'd pages, are rebuilt from word positions: a row starts at a line whose left column
begins with a known label (matched fuzzily), the value column starts where the labels end,
and the city/partners split is the gutter of the City row. Rows run across page breaks.
"""

from __future__ import annotations

import itertools
import re
import statistics
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from extractors.labels import label_config
from pipeline.reading.cleanup import clean_lines
from pipeline.reading.document import Document, TextLine, Word
from pipeline.reading.layout import group_lines, interval_gaps

CITY_ROWS = {"city", "province", "country", "population", "area"}


@dataclass
class Row:
    field: str | None
    label_words: list[Word] = field(default_factory=list)
    cells: list[list[Word]] = field(default_factory=list)  # [city, partners] or [value]

    @property
    def label(self) -> str:
        return (
            " ".join(line.text for line in group_lines(self.label_words))
            if self.label_words
            else ""
        )

    def cell_lines(self, index: int) -> list[TextLine]:
        if index >= len(self.cells) or not self.cells[index]:
            return []
        return _lines_in_order(self.cells[index])

    def cell_text(self, index: int, known: frozenset[str] = frozenset()) -> str:
        return clean_lines([line.text for line in self.cell_lines(index)], known)

    @property
    def value_words(self) -> list[Word]:
        return [w for cell in self.cells for w in cell]


def _lines_in_order(words: list[Word]) -> list[TextLine]:
    pages = sorted({w.page for w in words})
    return [line for p in pages for line in group_lines([w for w in words if w.page == p])]


def _norm_label(text: str) -> str:
    return re.sub(r"[\s.:…]+$", "", " ".join(text.split())).lower()


def match_label(text: str, prefix: bool = False) -> tuple[str | None, float]:
    """The field a row label names, and how sure: fuzzy against every variant of every field.

    With ``prefix`` the text may be only the first line of a wrapped label.
    """
    config = label_config()
    label = _norm_label(text)
    if not label:
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    for name, variants in config["fields"].items():
        for variant in variants:
            v = variant.lower()
            score = fuzz.ratio(label, v)
            if prefix and len(label) < len(v):
                score = max(score, fuzz.ratio(label, v[: len(label)]) - 4)
            if score > best[1]:
                best = (name, score)
    return best if best[1] >= config["min_score"] else (None, best[1])


def ruled_rows(document: Document) -> list[Row]:
    """Rows of the ruled tables, joined across pages (an unlabelled row continues the last)."""
    rows: list[Row] = []
    for table in (t for p in document.pages for t in p.tables):
        for raw in table.rows:
            cells = [c for c in raw if c is not None]
            if len(cells) < 2:
                continue
            label, values = cells[0], cells[1:]
            if not label.text.strip() and rows:
                for i, cell in enumerate(values):
                    if i < len(rows[-1].cells):
                        rows[-1].cells[i].extend(cell.words)
                continue
            field_name, _ = match_label(label.text)
            rows.append(Row(field_name, list(label.words), [list(c.words) for c in values]))
    return [r for r in rows if r.field]


def _fragments(line: TextLine, gutter: float) -> list[list[Word]]:
    parts: list[list[Word]] = [[line.words[0]]]
    for word in line.words[1:]:
        if word.x0 - parts[-1][-1].x1 >= gutter:
            parts.append([word])
        else:
            parts[-1].append(word)
    return parts


def open_rows(document: Document) -> list[Row]:
    """Rows of a table drawn without rules (or read by OCR), from word positions."""
    sizes = [w.size for w in document.words if w.size]
    gutter = max(6.0, 0.7 * statistics.median(sizes)) if sizes else 6.0
    lines = [line for page in document.pages for line in group_lines(page.words)]
    starts: list[tuple[int, str, float]] = []  # (line index, field, value x0)
    # The gap between lines of one cell: the small end of all gaps (rows add padding).
    gaps = sorted(b.top - a.bottom for a, b in itertools.pairwise(lines) if b.top > a.bottom)
    line_gap = gaps[len(gaps) // 5] if gaps else 0.0
    previous_label = ""
    for index, line in enumerate(lines):
        parts = _fragments(line, gutter)
        head = " ".join(w.text for w in parts[0])
        gap = line.top - lines[index - 1].bottom if index else float("inf")
        # A wrapped label's second line ("Department...:") continues its row: a new row needs
        # white space above it, or a previous label that was complete (ended with a colon).
        opens_row = gap > 1.5 * line_gap + 1 or previous_label.rstrip().endswith(":") or gap < 0
        previous_label = head if len(parts) > 1 else previous_label
        field_name, score = match_label(head, prefix=True)
        if not opens_row and score < 92:  # a whole label, word for word, opens a row anyway
            field_name = None
        if field_name and len(parts) > 1:
            starts.append((index, field_name, parts[1][0].x0))
        elif field_name and field_name in ("activities", "expected_results") and starts:
            starts.append((index, field_name, float("inf")))
    table = [s for s in starts if s[2] != float("inf")]
    if len(table) < 3:
        return []
    value_x0 = statistics.median(s[2] for s in table) - 2
    rows: list[Row] = []
    start_lines = {s[0]: s[1] for s in table}
    first, last = table[0][0], None
    for index in range(first, len(lines)):
        line = lines[index]
        if index in start_lines:
            rows.append(Row(start_lines[index]))
        elif any(w.x0 < value_x0 < w.x1 for w in line.words) or (
            rows and rows[-1].field in ("activities",)
        ):
            last = index
            break
        row = rows[-1]
        label = [w for w in line.words if w.x1 <= value_x0]
        values = [w for w in line.words if w.x1 > value_x0]
        row.label_words.extend(label)
        if not row.cells:
            row.cells.append([])
        row.cells[0].extend(values)
    del last
    _split_city_partners(rows, gutter)
    return rows


def _split_city_partners(rows: list[Row], gutter: float) -> None:
    """Split the city-attribute rows at the gutter between the city's and the partners' column."""
    city = next((r for r in rows if r.field == "city" and r.cells), None)
    if city is None:
        return
    gaps = [
        g for g in interval_gaps([(w.x0, w.x1) for w in city.cells[0]]) if g[1] - g[0] >= gutter
    ]
    if not gaps:
        return
    split = (gaps[0][0] + gaps[0][1]) / 2
    for row in rows:
        if row.field in CITY_ROWS and row.cells:
            words = row.cells[0]
            row.cells = [[w for w in words if w.x1 <= split], [w for w in words if w.x1 > split]]


def table_rows(document: Document) -> list[Row]:
    """The U-CAP table's rows: ruled when pdfplumber found rules, otherwise from word gaps."""
    rows = ruled_rows(document)
    if sum(1 for r in rows if r.field in CITY_ROWS) >= 2:
        return rows
    return open_rows(document)
