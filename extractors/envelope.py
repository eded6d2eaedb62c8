"""The parts of a record every kind shares: source, title, entities, warnings."""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from extractors.entities import Entity, unique
from extractors.entities_reconcile import reconcile
from extractors.provenance import ProvenanceLog
from models import Entities, Source
from pipeline.reading.cleanup import clean_lines
from pipeline.reading.document import Document, TextLine, Word
from pipeline.reading.layout import split_at_gaps

LEGIBLE_CONF = 40  # Tesseract's mean confidence below which a run of words is no reading


def source_of(document: Document) -> Source:
    return Source(
        file_name=document.path.name,
        sha256=document.sha256,
        page_count=document.page_count,
        ocr_pages=document.ocr_pages,
        text_source=document.text_source,
    )


def _line_size(line: TextLine) -> float:
    """A line's type size by its median word: one tall OCR box does not make a heading."""
    return statistics.median(w.size for w in line.words)


def _one_type_size(line: TextLine) -> list[TextLine]:
    """A line cut where the type size jumps: small print set close beside a large title is
    no part of it."""
    runs: list[list[Word]] = [[line.words[0]]]
    for word in line.words[1:]:
        last = runs[-1][-1]
        sizes = (word.size, last.size)
        if min(sizes) > 0 and max(sizes) >= 1.6 * min(sizes):
            runs.append([word])
        else:
            runs[-1].append(word)
    return [TextLine(run) for run in runs]


def phrase_runs(line: TextLine) -> list[TextLine]:
    """A line cut into the runs that may each be a phrase of their own: at wide gaps and where
    the type size jumps (a banner set beside the title shares its line)."""
    return [run for gapped in split_at_gaps(line, 2 * line.size) for run in _one_type_size(gapped)]


def title_lines(document: Document, above: float | None = None) -> list[TextLine]:
    """The document's own title: the largest type on the first page outside a table, with the
    lines of the same size that continue it just below (a title wrapped over two lines).

    ``above``: where the first page's table starts, when the caller knows it; a title heads
    its document, and a scan's noisy sizes can make a cell of the table read as large.
    """
    if not document.pages:
        return []
    lines = [
        run
        for block in document.pages[0].blocks
        if block.region != "table"
        for line in block.lines
        for run in phrase_runs(line)
        if len(run.text.strip()) >= 4 and _legible(run)
    ]
    if above is not None:
        lines = [line for line in lines if line.bottom <= above] or lines
    if not lines:
        return []
    measured = all(w.source == "ocr" for line in lines for w in line.words)
    biggest = _largest(lines, measured)
    body = statistics.median(w.size for line in lines for w in line.words)
    # The topmost line set well above the body size: OCR measures sizes too roughly for the
    # single largest line to be the title (a parenthesis makes a box tall).
    threshold = max(0.75 * biggest, 1.25 * body) if biggest >= 1.25 * body else 0.9 * biggest
    large = sorted((ln for ln in lines if _line_size(ln) >= threshold), key=lambda ln: ln.top)
    title = [large[0]]
    head = _line_above(large[0], lines, 1.25 * body) if measured else None
    if head is not None:
        title.insert(0, head)
    for line in large[1:]:
        last = title[-1]
        overlaps = line.x0 < last.x1 and last.x0 < line.x1
        same_size = _continues_size(_line_size(line), _line_size(last), measured)
        if overlaps and same_size and 0 <= line.top - last.bottom < 0.8 * _line_size(last):
            title.append(line)
    return title


def _legible(line: TextLine) -> bool:
    """Not a smudge Tesseract wrote out with no confidence in it (a blurred banner)."""
    confidences = [w.conf for w in line.words if w.conf is not None]
    return not confidences or statistics.mean(confidences) >= LEGIBLE_CONF


def _largest(lines: list[TextLine], measured: bool) -> float:
    """The largest type size on the page. Measured from OCR boxes, the largest of the lines
    that could be a title: a speck makes the box of a paragraph's last word, and so its size,
    tall ("innovation.")."""
    if not measured:
        return max(_line_size(line) for line in lines)
    return max(_line_size(line) for line in [ln for ln in lines if _could_be_title(ln)] or lines)


def _could_be_title(line: TextLine) -> bool:
    """Starts with a capital or a digit and ends without a sentence's stop, as titles do."""
    text = line.text.strip()
    first = next((c for c in text if c.isalnum()), "")
    return bool(first) and not first.islower() and not text.endswith((".", ",", ";"))


def _line_above(start: TextLine, lines: list[TextLine], large: float) -> TextLine | None:
    """A large line right above the title's start and over it: its first line, when a speck
    made the second read larger still."""
    for line in lines:
        overlaps = line.x0 < start.x1 and start.x0 < line.x1
        close = 0 <= start.top - line.bottom < 0.8 * _line_size(line)
        if overlaps and close and _line_size(line) >= large and _could_be_title(line):
            return line
    return None


def _continues_size(size: float, last: float, measured: bool) -> bool:
    """Whether a line below the title is set in the title's size. A measured size may read
    larger than it is (a speck makes a box tall), never much smaller."""
    if measured:
        return size >= 0.85 * last
    return abs(size - last) <= 0.15 * last


def title_of(lines: list[TextLine], log: ProvenanceLog) -> str | None:
    """The title's clean text (``title_lines``), its words logged as the title's provenance."""
    if not lines:
        return None
    log.add("title", [w for line in lines for w in line.words])
    return clean_lines([line.text for line in lines]) or None


def entities_block(
    found: list[Entity], topics: Iterable[str] = (), people: Iterable[str] = ()
) -> Entities:
    """The record's entities: the document's list settled as one (``reconcile``), each name once."""
    found = reconcile(found, topics, people)
    return Entities(
        organizations=unique(e.text for e in found if e.label == "ORG"),
        places=unique(e.text for e in found if e.label == "PLACE"),
        people=unique(e.text for e in found if e.label == "PERSON"),
    )


def title_case(text: str) -> str:
    """All-capitals words in title case ("INTERNATIONAL URBAN AND …" → "International Urban and …")."""
    small = {"and", "of", "the", "for", "in", "on", "to", "a", "an", "by"}
    words = text.split()
    out = []
    for i, word in enumerate(words):
        if word.isupper() and len(word) > 1:
            lower = word.lower()
            word = lower if (i and lower in small) else lower[:1].upper() + lower[1:]
        out.append(word)
    return " ".join(out)
