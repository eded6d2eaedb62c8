"""Reading order from word boxes: recursive XY-cut into regions, lines, blocks and headings.

A banner (a band at the top of the page set off by a wide gap) and a footer are taken off
first. Then, at each level, the region is cut at a vertical gutter (a gap in the x-projection
that runs the whole height of the region) when there is one, else at the widest horizontal gap. Columns
side by side are thus read one after the other instead of line by line across, a narrow
column at the page edge is a sidebar (read after the body columns), and a band across the top
of the first page above the columns is the banner.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from dataclasses import dataclass

from pipeline.reading.cleanup import REAL_WORD_ZIPF, zipf
from pipeline.reading.document import Block, Region, TextLine, Word

SIDEBAR_MAX_SHARE = 0.34  # a column this narrow (share of the page width) at an edge is a sidebar
BANNER_MAX_SHARE = 0.12  # a band above the columns within this share of the page height is a banner
SPECK_CONF = 90  # Tesseract's confidence below which a mark of two characters may be a speck


@dataclass
class Layout:
    """Sizes that set the cut thresholds for one page."""

    body_size: float
    page_width: float
    page_height: float
    size_step: float = 0.0  # the smallest type-size difference the word boxes tell apart

    @property
    def heading_size(self) -> float:
        """The least size of a heading line: a fifth over the body."""
        return self.body_size * 1.2

    @property
    def min_gutter(self) -> float:
        return max(7.0, 0.9 * self.body_size)

    @property
    def min_line_gap(self) -> float:
        return max(3.0, 0.55 * self.body_size)


def interval_gaps(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Empty stretches between merged intervals, as (start, end)."""
    gaps: list[tuple[float, float]] = []
    ordered = sorted(intervals)
    reach = ordered[0][1]
    for start, end in ordered[1:]:
        if start > reach:
            gaps.append((reach, start))
        reach = max(reach, end)
    return gaps


_RULE_MARKS = frozenset("|¦[]")


def is_rule_mark(word: Word) -> bool:
    """An OCR'd word made only of bar-like marks: a drawn vertical rule (a table's cell border)
    read as text, not a word of the line."""
    return word.source == "ocr" and bool(word.text) and set(word.text) <= _RULE_MARKS


def split_at_gaps(line: TextLine, gap: float) -> list[TextLine]:
    """A line cut where its words leave a gap of at least ``gap`` points: table cells, or a
    banner set on the title's baseline, share a line without sharing a phrase. On a scan a
    cell border read as "|" cuts the line too (however close the words), and is dropped."""
    runs: list[list[Word]] = [[]]
    for word in line.words:
        if is_rule_mark(word):
            runs.append([])
        elif runs[-1] and word.x0 - runs[-1][-1].x1 >= gap:
            runs.append([word])
        else:
            runs[-1].append(word)
    kept = [TextLine(run) for run in runs if run]
    return kept or [line]


_EDGE_MARKS = ".,;:!?()[]\"'“”‘’"
SPLIT_GAP = 0.35  # a gap under this share of a letter's width is inside a word, not a space


def _core(text: str) -> str:
    return text.strip(_EDGE_MARKS).lower()


def _is_word(text: str) -> bool:
    core = _core(text)
    return len(core) > 1 and zipf(core) >= REAL_WORD_ZIPF


def _letter_width(word: Word) -> float:
    return (word.x1 - word.x0) / max(len(word.text), 1)


def _split_runs(line: list[Word]) -> list[list[Word]]:
    """Neighbours of one Tesseract line, left to right, grouped where the gap between them is
    narrower than a space would be."""
    runs: list[list[Word]] = []
    for word in line:
        last = runs[-1][-1] if runs else None
        narrow = last is not None and word.x0 - last.x1 < SPLIT_GAP * max(
            _letter_width(last), _letter_width(word)
        )
        if narrow:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def _joined(pieces: list[Word]) -> Word:
    first, last = pieces[0], pieces[-1]
    return Word(
        "".join(w.text for w in pieces),
        first.x0,
        first.top,
        last.x1,
        first.bottom,
        first.page,
        first.size,
        first.bold,
        first.source,
        min((w.conf for w in pieces if w.conf is not None), default=None),
    )


def _word_groups(run: list[Word], known: frozenset[str]) -> list[list[Word]]:
    """The longest stretches of a run that spell a word the document writes whole; a stretch
    whose pieces are all common words already is left apart ("in" "to")."""
    groups: list[list[Word]] = []
    i = 0
    while i < len(run):
        for j in range(len(run), i + 1, -1):
            pieces = run[i:j]
            whole = _core("".join(w.text for w in pieces))
            if whole in known and not all(_is_word(w.text) for w in pieces):
                groups.append(pieces)
                i = j
                break
        else:
            groups.append([run[i]])
            i += 1
    return groups


def join_split_words(words: list[Word], known: frozenset[str]) -> list[Word]:
    """OCR'd words rejoined where Tesseract cut one word of large or spaced type into pieces
    ("Ponteved" "ra", "F" "U" "LDA"): the pieces stand closer than a space and together spell
    a word the document writes whole elsewhere (``known``)."""
    lines: dict[tuple[int, float, float], list[Word]] = {}
    for word in words:
        if word.source == "ocr" and word.text:
            lines.setdefault((word.page, word.top, word.bottom), []).append(word)
    replaced: dict[int, Word | None] = {}
    for line in lines.values():
        for run in _split_runs(sorted(line, key=lambda w: w.x0)):
            for group in _word_groups(run, known) if len(run) > 1 else []:
                if len(group) > 1:
                    replaced[id(group[0])] = _joined(group)
                    replaced.update((id(w), None) for w in group[1:])
    if not replaced:
        return words
    kept = (replaced.get(id(w), w) for w in words)
    return [w for w in kept if w is not None]


def _stacked(word: Word, other: Word) -> bool:
    """Two OCR'd words of different Tesseract lines (the OCR gives a line's words one top and
    bottom) whose horizontal spans share more than a third of the narrower one. Within one
    Tesseract line a box may overlap its neighbour's (a misjudged width): that is no evidence."""
    if (word.top, word.bottom) == (other.top, other.bottom):
        return False
    shared = min(word.x1, other.x1) - max(word.x0, other.x0)
    return shared > 0.34 * min(word.x1 - word.x0, other.x1 - other.x0)


class _Line:
    """The words of a line being grouped, with their tops, bottoms and sizes kept sorted: each
    word asks a line's medians, and sorting the line again for every word cost the most."""

    def __init__(self, word: Word) -> None:
        self.words = [word]
        self.tops, self.bottoms, self.sizes = [word.top], [word.bottom], [word.size]

    def add(self, word: Word) -> None:
        self.words.append(word)
        bisect.insort(self.tops, word.top)
        bisect.insort(self.bottoms, word.bottom)
        bisect.insort(self.sizes, word.size)


def _median(ordered: list[float]) -> float:
    """``statistics.median`` of a sorted list, to the same float."""
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _fits_line(word: Word, line: _Line) -> bool:
    """A word belongs to a line whose vertical span holds its centre, unless its type is of
    another size and it stands apart: small print set beside a large title is its own line.

    An OCR'd word that stands over or under a word of the line is on another line, whatever
    the boxes say: when Tesseract takes two lines for one, their common box is tall enough to
    swallow the next line, whose words would be spliced in between.
    """
    centre = (word.top + word.bottom) / 2
    if not _median(line.tops) - 0.5 <= centre <= _median(line.bottoms) + 0.5:
        return False
    if word.source == "ocr" and any(_stacked(word, w) for w in line.words):
        return False
    size = _median(line.sizes)
    if not (size and word.size) or max(size, word.size) < 1.6 * min(size, word.size):
        return True
    reach = max(size, word.size)
    return any(w.x0 - reach <= word.x1 and word.x0 <= w.x1 + reach for w in line.words)


def group_lines(words: list[Word]) -> list[TextLine]:
    """Words → lines: a word joins the line whose vertical span holds its centre."""
    lines: list[_Line] = []
    for word in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        for line in reversed(lines[-3:]):
            if _fits_line(word, line):
                line.add(word)
                break
        else:
            lines.append(_Line(word))
    result = [TextLine(sorted(line.words, key=lambda w: w.x0)) for line in lines]
    return sorted(result, key=lambda line: line.top)


def _speck(word: Word) -> bool:
    """A mark Tesseract read as a word: no more than two letters or digits, read with doubt.
    A real word that crosses a gutter (a title over two columns) is no speck."""
    return sum(c.isalnum() for c in word.text) <= 2 and (word.conf or 0) < SPECK_CONF


def _x_cut(words: list[Word], layout: Layout) -> list[list[Word]] | None:
    # On a scan, a speck read as a word can sit in a gutter: a long region looks through them.
    # (grouping lines costs; born-digital pages, which have no specks, skip it)
    scanned = len(words) > 150 and any(w.source == "ocr" for w in words)
    if scanned and len(group_lines(words)) >= 20:
        words_kept = [w for w in words if not _speck(w)] or words
    else:
        words_kept = words
    found = interval_gaps([(w.x0, w.x1) for w in words_kept])
    gaps = [g for g in found if g[1] - g[0] >= layout.min_gutter]
    if not gaps:
        return None
    columns: list[list[Word]] = []
    edges = [float("-inf"), *[(a + b) / 2 for a, b in gaps], float("inf")]
    for left, right in itertools.pairwise(edges):
        columns.append([w for w in words if left <= (w.x0 + w.x1) / 2 < right])
    columns = [c for c in columns if c]
    specks = [c for c in columns if sum(len(w.text) for w in c) <= 2]
    if specks and len(specks) < len(columns):  # a lone mark is no column: it joins its neighbour
        columns = [c for c in columns if c not in specks]
        for speck in specks:
            centre = (speck[0].x0 + speck[0].x1) / 2
            nearest = min(columns, key=lambda c: min(abs(centre - w.x0) for w in c) if c else 1e9)
            nearest.extend(speck)
    # A "gutter" crossed by a single short line (a ragged line end) is not a column break.
    lines_per_column = [len(group_lines(c)) for c in columns]
    if len(columns) < 2 or (min(lines_per_column) < 2 and max(lines_per_column) < 4):
        return None
    return columns


def _y_cut(words: list[Word], layout: Layout) -> list[list[Word]] | None:
    gaps = [
        g
        for g in interval_gaps([(w.top, w.bottom) for w in words])
        if g[1] - g[0] >= layout.min_line_gap
    ]
    if not gaps:
        return None
    widest = max(gaps, key=lambda g: g[1] - g[0])
    cut = (widest[0] + widest[1]) / 2
    above = [w for w in words if (w.top + w.bottom) / 2 < cut]
    below = [w for w in words if (w.top + w.bottom) / 2 >= cut]
    return [above, below] if above and below else None


def _width(words: list[Word]) -> float:
    return max(w.x1 for w in words) - min(w.x0 for w in words)


def xy_cut(
    words: list[Word], layout: Layout, region: Region = "body"
) -> list[tuple[Region, list[Word]]]:
    """Leaves of the XY-cut in reading order, each with its region."""
    if not words:
        return []
    columns = _x_cut(words, layout)
    if columns:
        widest = max(_width(c) for c in columns)
        tagged: list[tuple[Region, list[Word]]] = []
        sidebars: list[tuple[Region, list[Word]]] = []
        for index, column in enumerate(columns):
            at_edge = index in (0, len(columns) - 1)
            narrow = _width(column) < SIDEBAR_MAX_SHARE * layout.page_width
            neighbour = columns[1] if index == 0 else columns[-2]
            if (
                region == "body"
                and at_edge
                and narrow
                and _width(column) < 0.8 * widest
                and not _labels_rows(column, neighbour, layout)
            ):
                sidebars.extend(xy_cut(column, layout, "sidebar"))
            else:
                tagged.extend(xy_cut(column, layout, region))
        return tagged + sidebars
    parts = _y_cut(words, layout)
    if parts:
        return [leaf for part in parts for leaf in xy_cut(part, layout, region)]
    return [(region, words)]


def _row_starts(lines: list[TextLine], layout: Layout) -> list[tuple[float, float]]:
    """Top and bottom of the lines that open a block: the first, and each set off by a gap
    over a line's."""
    return [
        (line.top, line.bottom)
        for previous, line in zip([None, *lines], lines, strict=False)
        if previous is None or line.top - previous.bottom >= layout.min_line_gap
    ]


def _level(line: tuple[float, float], other: tuple[float, float], layout: Layout) -> bool:
    """Two lines open level when their tops or their bottoms meet: on a scan, a speck or the
    remnant of a ruling glued to a word stretches its box one way only."""
    near = 0.3 * layout.body_size
    return abs(line[0] - other[0]) <= near or abs(line[1] - other[1]) <= near


def _labels_rows(column: list[Word], neighbour: list[Word], layout: Layout) -> bool:
    """A narrow column whose blocks each open level with a block of the column beside it is the
    label column of a table, not a sidebar: a sidebar is set apart, so its blocks start where
    its own text needs, not where the body's rows do."""
    own = _row_starts(group_lines(column), layout)
    other = _row_starts(group_lines(neighbour), layout)
    if len(own) < 3:
        return False
    level = sum(any(_level(line, o, layout) for o in other) for line in own)
    return level >= 0.75 * len(own)


def _typical_size(line: TextLine) -> float:
    """A line's type size by its median word: an OCR box with a tall letter is not a heading."""
    return statistics.median(w.size for w in line.words)


def _is_heading(line_group: list[TextLine], layout: Layout) -> bool:
    """A short block set larger than the body text, or all bold, is a heading."""
    text = " ".join(line.text for line in line_group)
    if len(line_group) > 3 or len(text) > 90 or text.rstrip().endswith((".", ",", ";", "-")):
        return False
    first = next((c for c in text if c.isalpha()), "")
    if first.islower():  # a heading starts with a capital: this is a paragraph's broken line
        return False
    size = max(_typical_size(line) for line in line_group)
    larger = size >= layout.heading_size
    return larger or all(line.bold for line in line_group) or _scanned_capitals(line_group, text)


def _large(line: TextLine, layout: Layout, continues_large: bool) -> bool:
    """Set at heading size. A line right under a large one may fall short by what the
    measurement cannot tell apart (an OCR box is a whole number of pixels high): a heading
    wrapped over two lines reads a step smaller on its second line, while body lines, set
    apart from the heading, keep the full threshold."""
    slack = layout.size_step if continues_large else 0.0
    return _typical_size(line) >= layout.heading_size - slack


def _scanned_capitals(line_group: list[TextLine], text: str) -> bool:
    """A short scanned block in capitals: OCR tells no bold, and capitals set apart are how a
    heading of body size shows on a scan."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and _scanned(line_group)


def _split_headings(
    region: Region, lines: list[TextLine], layout: Layout
) -> list[tuple[str, list[TextLine]]]:
    """Split a leaf where the type size changes: a heading line run stays apart from its body."""
    runs: list[list[TextLine]] = []
    bigs: list[bool] = []
    for line in lines:
        big = _large(line, layout, continues_large=bool(bigs) and bigs[-1])
        if runs and bigs[-1] == big:
            runs[-1].append(line)
        else:
            runs.append([line])
            bigs.append(big)
    tagged = [("heading" if _is_heading(run, layout) else "paragraph", run) for run in runs]
    return _rejoin_scanned_paragraphs(tagged)


def _rejoin_scanned_paragraphs(
    tagged: list[tuple[str, list[TextLine]]],
) -> list[tuple[str, list[TextLine]]]:
    """Neighbouring paragraph runs of OCR'd lines made one again: the type size of an OCR'd
    line wavers with the letters it holds ("its", "to" have no ascender it knows), so a size
    change that does not make a heading is no break in a scan."""
    out: list[tuple[str, list[TextLine]]] = []
    for kind, run in tagged:
        if out and kind == out[-1][0] == "paragraph" and _scanned(run) and _scanned(out[-1][1]):
            out[-1][1].extend(run)
        else:
            out.append((kind, run))
    return out


def _scanned(lines: list[TextLine]) -> bool:
    return all(w.source == "ocr" for line in lines for w in line.words)


def body_size(words: list[Word], size_step: float = 0.0) -> float:
    """The body text's type size. Exact sizes (a text layer): the most common one. Measured
    sizes (OCR boxes, a pixel apart): the median, since the most common of sizes rounded to a
    grid finer than the measurement falls on either side of the true size by chance."""
    sizes = [w.size for w in words if w.size > 0]
    if not sizes:
        return 10.0
    if size_step > 0:
        return statistics.median(sizes)
    return statistics.mode(round(size * 2) / 2 for size in sizes)


def _edge_bands(words: list[Word], layout: Layout) -> tuple[list[Word], list[Word], list[Word]]:
    """Split off the banner (top) and footer (bottom): bands set off by a gap of 2× body size."""
    wide = 2 * layout.body_size
    gaps = [g for g in interval_gaps([(w.top, w.bottom) for w in words]) if g[1] - g[0] >= wide]
    top_cut = max((b for a, b in gaps if a <= BANNER_MAX_SHARE * layout.page_height), default=None)
    bottom_cut = min((a for a, b in gaps if b >= 0.92 * layout.page_height), default=None)
    banner = [w for w in words if top_cut is not None and w.bottom <= top_cut]
    footer = [w for w in words if bottom_cut is not None and w.top >= bottom_cut]
    taken = {id(w) for w in banner + footer}
    return banner, [w for w in words if id(w) not in taken], footer


def blocks_in_order(
    words: list[Word],
    page: int,
    width: float,
    height: float,
    size: float | None = None,
    size_step: float = 0.0,
) -> list[Block]:
    """Blocks of a page in reading order: banner, body columns left to right, sidebar, footer.

    ``size_step`` is how finely the word sizes are measured (0: exactly, from a text layer).
    """
    if not words:
        return []
    layout = Layout(size or body_size(words, size_step), width, height, size_step)
    banner, body, footer = _edge_bands(words, layout)
    leaves: list[tuple[Region, list[Word]]] = []
    if banner:
        leaves.append(("banner" if page == 1 else "body", banner))
    leaves.extend(xy_cut(body, layout))
    if footer:
        leaves.append(("footer", footer))
    blocks: list[Block] = []
    for region, leaf in leaves:
        lines = group_lines(leaf)
        for kind, run in _split_headings(region, lines, layout):
            previous = blocks[-1] if blocks else None
            if kind == "heading" and previous is not None and _same_heading(previous, region, run):
                previous.lines.extend(run)  # a heading wrapped over two lines, cut apart by a gap
                continue
            blocks.append(Block(page=page, region=region, lines=run, kind=kind))  # type: ignore[arg-type]
    return blocks


def _same_heading(previous: Block, region: Region, run: list[TextLine]) -> bool:
    last = previous.lines[-1]
    return (
        previous.kind == "heading"
        and previous.region == region
        and 0 <= run[0].top - last.bottom < 0.8 * max(last.size, run[0].size)
        and abs(run[0].x0 - previous.lines[0].x0) < 2 * last.size
        and abs(run[0].size - last.size) < 0.15 * last.size
    )
