"""Lists under a heading of their own: a flyer's thematic interests or key figures, wherever
the layout puts them (a sidebar, a box under the title, a section of the body, the end).

The list is the lines below a heading that names it, up to the next line that looks like a
heading (set apart from the items by weight, capitals or size), a heading of another known
list, or the end of the heading's region on its page.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from extractors.lists import CONNECTOR_END, Item, classify_line, split_cell
from pipeline.reading.document import Block, Document, TextLine


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s&-]", " ", text.lower()).split())


def names_heading(text: str, names: tuple[str, ...]) -> bool:
    """Whether a short line is a heading with one of these names (OCR noise and additions such
    as "of the city" allowed)."""
    norm = _norm(text)
    if not norm or len(norm.split()) > 8:
        return False
    return any(
        fuzz.ratio(norm, n) >= 85 or (norm.startswith(n) and len(norm) < 2 * len(n)) for n in names
    )


def _styled_apart(line: TextLine, item: TextLine) -> bool:
    """A line set apart from a list's items the way headings are: bolder, capitals, larger."""
    text = line.text
    letters = [c for c in text if c.isalpha()]
    caps = bool(letters) and all(c.isupper() for c in letters) and len(letters) > 3
    item_letters = [c for c in item.text if c.isalpha()]
    item_caps = bool(item_letters) and all(c.isupper() for c in item_letters)
    return (line.bold and not item.bold) or (caps and not item_caps) or line.size > 1.15 * item.size


def _continues_heading(
    heading: TextLine, text: str, line: TextLine, names: tuple[str, ...]
) -> bool:
    """A heading wrapped onto the next line: the same style, and still the heading's name.

    A line that opens with a list's marker is the list's first item, however short.
    """
    if text.rstrip().endswith(":") or len(line.text.split()) > 4:
        return False
    if classify_line(line.text)[0] != "plain" or not _unfinished(text, line, names):
        return False
    same = heading.bold == line.bold and heading.text.isupper() == line.text.isupper()
    return same and names_heading(f"{text} {line.text}", names)


def _unfinished(text: str, line: TextLine, names: tuple[str, ...]) -> bool:
    """A heading that still wants its next line: it ends on a connector ("… OF THE"), the line
    goes on in lower case, or the heading is not yet one of the names in full; a line after
    a whole name ("Themes of Interest") is the list's first item."""
    if CONNECTOR_END.search(text) or line.text[:1].islower():
        return True
    return not any(fuzz.ratio(_norm(text), n) >= 85 for n in names)


def _ends_list(body: list[tuple[Block, TextLine]], line: TextLine) -> bool:
    """A short line styled apart from the list's first item ends the list as the next heading,
    unless the line before it ends on a connector ("Research and"): an item wrapped there goes
    on in this line, whatever size OCR measured its one word at."""
    if not body or len(line.text.split()) > 8 or not _styled_apart(line, body[0][1]):
        return False
    return not CONNECTOR_END.search(body[-1][1].text) and not _in_step(body, line)


def _in_step(body: list[tuple[Block, TextLine]], line: TextLine) -> bool:
    """An OCR'd line set at the list's own line pitch after its last line: a heading takes
    space above it, and only OCR's measure of one line's size set it apart."""
    tops = [ln.top for _, ln in body]
    if len(tops) < 2 or not line.words or line.words[0].source != "ocr":
        return False
    pitch = max(b - a for a, b in itertools.pairwise(tops))  # from item to item, not a wrap
    return 0 < line.top - tops[-1] <= _PITCH_SLACK * pitch


_PITCH_SLACK = 1.15  # a heading's space above it is more than a line's pitch and this much


def _wrapped_on(items: list[Item], group: list[Item]) -> list[Item]:
    """A paragraph's items, its unmarked first one joined to the last item before it where that
    item ends on a connector: one item the reader cut in two paragraphs at its wrap."""
    if not (items and group and group[0].marker == "plain"):
        return group
    last = items[-1]
    if not CONNECTOR_END.search(last.lines[-1]):
        return group
    last.lines.extend(group[0].lines)
    last.words.extend(group[0].words)
    return group[1:]


@dataclass
class HeadedList:
    heading: TextLine
    block: Block
    items: list[Item]

    @property
    def words(self) -> list:
        """The heading's words and every item's: what the list takes out of the prose."""
        return [*self.heading.words, *(w for item in self.items for w in item.words)]


def _column_right(document: Document, block: Block) -> float:
    """The right edge of the block's column over every page (a short last page is no narrower
    column): lines of its region that start where its lines start, not a column beside it."""
    left = min(line.x0 for line in block.lines)
    reach = 3 * max(line.size for line in block.lines)  # a hanging indent, a bullet
    return max(
        (
            ln.x1
            for b in document.blocks
            if b.region == block.region
            for ln in b.lines
            if left - reach <= ln.x0 <= left + reach
        ),
        default=0.0,
    )


def _placed_lines(document: Document) -> list[tuple[Block, TextLine]]:
    return [(block, line) for block in document.blocks for line in block.lines]


def list_under(
    document: Document, names: tuple[str, ...], others: tuple[str, ...] = ()
) -> HeadedList | None:
    """The first list under a heading with one of ``names``; ``others`` name headings that end it."""
    return next(iter(lists_under(document, names, others)), None)


def _beside(
    placed: list[tuple[Block, TextLine]], body: list[tuple[Block, TextLine]], heading: TextLine
) -> list[tuple[Block, TextLine]]:
    """Bulleted items set in a column beside a bulleted list, row by row under its heading, that
    the reader gave another region: a list set in two columns in a box."""
    if not body or classify_line(body[0][1].text)[0] != "bullet":
        return []
    taken = {id(ln) for _, ln in body}
    tops = [ln.top for _, ln in body]
    page = body[0][0].page
    left, right = min(ln.x0 for _, ln in body), max(ln.x1 for _, ln in body)
    found: list[tuple[Block, TextLine]] = []
    for block in {id(b): b for b, _ in placed if b.page == page}.values():
        lines = [ln for ln in block.lines if id(ln) not in taken]
        if not lines or len(lines) != len(block.lines):
            continue
        aligned = all(
            ln.top >= heading.bottom
            and (ln.x1 <= left or ln.x0 >= right)
            and classify_line(ln.text)[0] == "bullet"
            and any(abs(ln.top - top) <= 0.3 * max(ln.size, 1.0) for top in tops)
            for ln in lines
        )
        if aligned:
            found.extend((block, ln) for ln in lines)
    return found


def lists_under(
    document: Document, names: tuple[str, ...], others: tuple[str, ...] = ()
) -> list[HeadedList]:
    """Every list under a heading with one of ``names``: a flyer may give one in its body and
    another in its sidebar."""
    placed = _placed_lines(document)
    found: list[HeadedList] = []
    for index, (block, line) in enumerate(placed):
        if not names_heading(line.text, names):
            continue
        body: list[tuple[Block, TextLine]] = []
        rest = placed[index + 1 :]
        heading_text = line.text
        while rest and _continues_heading(line, heading_text, rest[0][1], names):
            heading_text = f"{heading_text} {rest[0][1].text}"  # "… OF THE" / "CITY"
            rest = rest[1:]
        for other_block, other in rest:
            if other_block.region != block.region or other_block.page != block.page:
                break
            if names_heading(other.text, names + others):
                break
            if _ends_list(body, other):
                break
            body.append((other_block, other))
        beside = _beside(placed, body, line)
        # The reader's paragraphs are items already, and lines within one are split further.
        items: list[Item] = []
        for _, group in itertools.groupby(body + beside, key=lambda placed: id(placed[0])):
            placed_group = list(group)
            right = _column_right(document, placed_group[0][0])
            items.extend(_wrapped_on(items, split_cell([ln for _, ln in placed_group], right)))
        if beside:  # two columns read row by row
            items.sort(key=lambda item: (round(item.words[0].top), item.words[0].x0))
        found.append(HeadedList(line, block, items))
    return found
