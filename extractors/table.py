"""The U-CAP label/value table as rows, whatever its drawing.

Ruled tables come from pdfplumber's table finder (``Page.tables``); open tables, and tables
on OCR'd pages, are rebuilt from word positions: a row starts at a line whose left column
begins with a known label (matched fuzzily), the value column starts where the labels end,
and the city/partners split is the gutter of the City row. Rows run across page breaks.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from extractors.labels import label_config
from extractors.lists import Item, split_cell
from pipeline.reading.cleanup import clean_lines
from pipeline.reading.document import Document, TextLine, Word
from pipeline.reading.layout import group_lines, interval_gaps, split_at_gaps

CITY_ROWS = {"city", "province", "country", "population", "area"}


@dataclass
class Row:
    field: str | None
    label_words: list[Word] = field(default_factory=list)
    cells: list[list[Word]] = field(default_factory=list)  # [city, partners] or [value]
    rights: list[float] = field(default_factory=list)  # each cell's right edge, where known

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

    def cell_items(self, index: int) -> list[Item]:
        """The cell as a list: one item per marker, else per line broken short of the edge."""
        lines = self.cell_lines(index)
        if index < len(self.rights):
            right = self.rights[index]
        else:
            right = max((line.x1 for line in lines), default=0.0)
        return split_cell(lines, right)

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


@lru_cache(maxsize=4096)
def match_label(text: str, prefix: bool = False) -> tuple[str | None, float]:
    """The field a row label names, and how sure: fuzzy against every variant of every field.

    With ``prefix`` the text may be only the first line of a wrapped label. Remembered: a
    document's lines are asked about again and again while its rows are found.
    """
    config = label_config()
    label = _norm_label(text)
    if not label:
        return None, 0.0
    # A unit or gloss in parentheses qualifies the label: "Population (inhabitants)".
    bare = _norm_label(re.sub(r"\s*\([^()]*\)[\s.:]*$", "", label)) or label
    best: tuple[str | None, float] = (None, 0.0)
    for name, variants in config["fields"].items():
        for variant in variants:
            v = variant.lower()
            score = max(fuzz.ratio(label, v), fuzz.ratio(bare, v))
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
    return [run.words for run in split_at_gaps(line, gutter)]


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def document_lines(document: Document) -> list[TextLine]:
    """Every line of every page in page order, without the page furniture (footer bands)."""
    lines: list[TextLine] = []
    for page in document.pages:
        furniture = {id(w) for b in page.blocks if b.region == "footer" for w in b.words}
        lines.extend(group_lines([w for w in page.words if id(w) not in furniture]))
    return lines


@dataclass
class _Start:
    """A line whose left part names a row: the row's field, its label words and the rest."""

    index: int
    field: str
    score: float
    label: list[Word]
    rest: list[Word]


def _label_starts(lines: list[TextLine], gutter: float) -> list[_Start]:
    """Lines that open with a known label, kept where they share the label column's left edge."""
    found: list[_Start] = []
    for index, line in enumerate(lines):
        parts = _fragments(line, gutter)
        field_name, score = match_label(_text(parts[0]), prefix=True)
        if field_name:
            rest = [w for part in parts[1:] for w in part]
            found.append(_Start(index, field_name, score, parts[0], rest))
    if not found:
        return []
    size = statistics.median(w.size for s in found for w in s.label if w.size) or 10.0
    edges = [round(s.label[0].x0 / size) for s in found]
    left = statistics.mode(edges) * size
    return [s for s in found if abs(s.label[0].x0 - left) <= 1.5 * size]


def _continued_label(row: Row, words: list[Word]) -> str | None:
    """The field a row's label names when a label-column line is its wrapped rest (None: the
    line is no part of the label). The whole label may name another field than its first
    line: "Cooperation" / "Themes:"."""
    label = row.label
    if not label or label.rstrip().endswith(":"):
        return None
    joined = f"{label} {_text(words)}"
    if row.field is None:  # an unknown label continues unless the line names a known one
        return "" if match_label(_text(words), prefix=True)[0] is None else None
    _, alone = match_label(label, prefix=True)
    field_name, score = match_label(joined, prefix=True)
    if field_name is not None and (score > alone or (field_name == row.field and score == alone)):
        return field_name
    return None


def label_rows(document: Document) -> list[Row]:
    """Rows found from their labels, however the table is drawn (grid, rules or none).

    The label column is where known labels start; a row's value is everything from its label's
    top to the next label's top, right of the label column, over any number of lines and pages.
    A row whose label stands alone on its line and whose next lines start in the label column
    spans the full width: its value is those lines whole.
    """
    sizes = [w.size for w in document.words if w.size]
    body = statistics.median(sizes) if sizes else 10.0
    gutter = max(6.0, 0.7 * body)
    lines = document_lines(document)
    starts = _label_starts(lines, gutter)
    beside = [s.rest[0].x0 for s in starts if s.rest]
    if len(starts) < 3:
        return []
    value_x0 = statistics.median(beside) - 2 if beside else float("inf")
    by_index = {s.index: s for s in starts}
    rows: list[Row] = []
    previous_bottom = lines[starts[0].index].top
    for index in range(starts[0].index, len(lines)):
        line = lines[index]
        parts = _fragments(line, gutter)
        head = parts[0]
        rest = [w for part in parts[1:] for w in part]
        in_label_column = all(w.x1 <= value_x0 for w in head)
        row = rows[-1] if rows else None
        new_page = row is not None and line.words[0].page != row.label_words[0].page
        gap = line.top - previous_bottom if not new_page else float("inf")
        previous_bottom = line.bottom
        wrapped = row is not None and in_label_column and gap < 0.8 * line.size
        continued = _continued_label(row, head) if wrapped else None
        if continued is not None:
            row.field = continued or row.field
            row.label_words.extend(head)
            row.cells[0].extend(rest)
            continue
        start = by_index.get(index)
        # A label alone on its line opens a row only where white space sets it off: inside a
        # full-width value, a line may begin with a word that is also a label ("Department").
        # The white space is measured in body type: an OCR line box can be inflated by a tall
        # mark ("/"), and would hide the gap.
        set_off = gap >= 0.4 * min(line.size, body)
        beside = _value_beside(lines, index, value_x0)
        if start is not None and (row is None or start.rest or set_off or beside):
            rows.append(Row(start.field, list(start.label), [list(start.rest)]))
            continue
        if in_label_column and rest and gap > 0.6 * line.size and rest[0].x0 >= value_x0:
            # An unknown label: a row of its own, so its value does not run into the last one.
            rows.append(Row(None, list(head), [rest]))
            continue
        if row is not None:
            row.cells[0].extend(line.words)
    cut = _split_city_partners(rows, gutter, value_x0)
    _set_column_edges(rows, cut)
    return rows


def _value_beside(lines: list[TextLine], index: int, value_x0: float) -> bool:
    """Whether the next line is this label's value read as a line of its own: it starts in the
    value column while the label's line is still open. OCR splits a skewed row so; a label
    word opening a line of a full-width value has its next line start in the label column."""
    if index + 1 >= len(lines):
        return False
    line, following = lines[index], lines[index + 1]
    return (
        following.words[0].page == line.words[0].page
        and following.words[0].x0 >= value_x0
        and following.top < line.bottom
    )


def _set_column_edges(rows: list[Row], cut: float | None) -> None:
    """Each cell's right edge: the table's, or for the city's own column the partner column's
    start, so a cell's line broken short of it reads as the writer's own break."""
    right = max((w.x1 for row in rows for w in row.value_words), default=0.0)
    for row in rows:
        row.rights = [cut, right] if len(row.cells) == 2 and cut is not None else [right]


def _split_city_partners(rows: list[Row], gutter: float, value_x0: float) -> float | None:
    """Split the city-attribute rows where their own words leave a gutter for a partner column;
    returns where the partner column starts (None: no partner column)."""
    splits: dict[int, float] = {}
    for n, row in enumerate(rows):
        if row.field not in CITY_ROWS or not row.cells[0]:
            continue
        words = row.cells[0]
        found = [
            g
            for g in interval_gaps([(w.x0, w.x1) for w in words])
            if g[1] - g[0] >= 1.5 * gutter and g[0] > value_x0
        ]
        if found:
            splits[n] = found[0][1]
    if not splits:
        return None
    column = statistics.median(splits.values())
    for n, row in enumerate(rows):
        if row.field not in CITY_ROWS:
            continue
        cut = splits.get(n, column) - gutter / 2
        words = row.cells[0]
        row.cells = [[w for w in words if w.x0 < cut], [w for w in words if w.x0 >= cut]]
    return column - gutter


def table_rows(document: Document) -> list[Row]:
    """The U-CAP table's rows, from its labels; pdfplumber's ruled cells only when no labels read."""
    rows = label_rows(document)
    if sum(1 for r in rows if r.field in CITY_ROWS) >= 2:
        return rows
    return ruled_rows(document) or rows
