"""Bulleted and dated lists from lines: which line starts an item, which continues one.

Shared by the U-CAP timeline, its expected results, and any cell that holds a list. Markers
are data (``data/ucap_labels.json``), and OCR renderings of them ("e", "©" for "o") are listed
there too.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractors.dates import DATE_PHRASE
from extractors.labels import label_config
from pipeline.reading.cleanup import clean_lines
from pipeline.reading.document import TextLine, Word


@dataclass
class Item:
    """One list entry: what marked it, its lines' text, and the words (for provenance)."""

    marker: str  # "timeline" | "bullet" | "plain"
    lines: list[str] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)

    def text(self, known: frozenset[str] = frozenset()) -> str:
        return clean_lines(self.lines, known)


def _marker_pattern(markers: list[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
    return re.compile(rf"^\s*(?:{alternatives})(?:\s+|(?=[A-Z0-9]))")


# A symbol-font bullet with no Unicode mapping in the PDF reads as a control character, the
# replacement character, a private-use code point or pdfminer's "(cid:N)".
UNMAPPED_GLYPH = r"[\x00-\x08\x0e-\x1f\ufffd\ue000-\uf8ff]|\(cid:\d+\)"


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    config = label_config()
    timeline = _marker_pattern(config["timeline_markers"])
    # One-letter markers ("o", "e") only count when a capital or digit follows: "o Wide press…".
    # Letters and digits ("o", and "0" or "e" for an OCR'd "o") only mark an item when a space
    # and a capital follow: "o Wide press…", never "0.5 million" or "e-commerce".
    letters = [m for m in config["item_markers"] if m.isalnum()]
    signs = [m for m in config["item_markers"] if not m.isalnum()]
    bullet = re.compile(
        rf"^\s*(?:(?:{'|'.join(map(re.escape, signs))}|{UNMAPPED_GLYPH})\s*(?=\S)|(?:{'|'.join(letters)})\s+(?=[A-Z“\"])"
        rf"|\(?\d{{1,2}}[.)]\s+(?=[A-Z“\"])|\(?[a-h]\)\s+(?=[A-Z“\"]))"
    )
    dated = re.compile(rf"^\s*(?:{DATE_PHRASE})\s*[:–—]", re.IGNORECASE)
    return timeline, bullet, dated


def classify_line(text: str) -> tuple[str, str]:
    """(``timeline`` | ``bullet`` | ``plain``, the text without its marker)."""
    timeline, bullet, dated = _patterns()
    match = timeline.match(text)
    if match:
        return "timeline", text[match.end() :].strip()
    if dated.match(text):
        return "timeline", text.strip()
    stripped = re.sub(r"^\s*[^\w\s“\"(]{1,3}\s*", "", text)  # an arrow OCR read as "—" or ">"
    if stripped != text and dated.match(stripped):
        return "timeline", stripped.strip()
    match = bullet.match(text)
    if match and len(text[match.end() :].strip()) > 1:
        return "bullet", text[match.end() :].strip()
    return "plain", text.strip()


def _side_by_side(line: TextLine) -> list[TextLine]:
    """A line cut before each bullet glyph inside it: items set side by side in one line."""
    glyphs = set(label_config()["inline_item_markers"])
    parts: list[list[Word]] = [[]]
    for word in line.words:
        if word.text in glyphs and parts[-1]:
            parts.append([])
        parts[-1].append(word)
    return [TextLine(words) for words in parts] if len(parts) > 1 else [line]


def split_items(lines: list[TextLine], unmarked_sentences: bool = False) -> list[Item]:
    """Group lines into items: a marked line opens one, an unmarked line continues the last.

    With ``unmarked_sentences``, a list whose markers were all lost (OCR drops small bullets)
    opens an item at each line that starts a sentence after a line that ended one.
    """
    if unmarked_sentences and all(classify_line(line.text)[0] == "plain" for line in lines):
        items = []
        for line in lines:
            text = line.text.strip()
            if items and not (
                items[-1].lines[-1].rstrip().endswith((".", "!", "?")) and text[:1].isupper()
            ):
                items[-1].lines.append(text)
                items[-1].words.extend(line.words)
            else:
                items.append(Item("plain", [text], list(line.words)))
        return items
    items: list[Item] = []
    parts = [part for whole in lines for part in _side_by_side(whole)]
    column = _marker_column(parts)
    right = max((line.x1 for line in parts), default=0.0)
    previous: TextLine | None = None
    for line in parts:
        marker, text = classify_line(line.text)
        if marker == "plain" and items and previous is not None:
            marker, text = _unread_marker(items[-1].marker, previous, line, column, right)
            if marker == "plain":
                items[-1].lines.append(text)
                items[-1].words.extend(line.words)
                previous = line
                continue
        items.append(Item(marker, [text], list(line.words)))
        previous = line
    return items


def _unread_marker(
    last: str, previous: TextLine, line: TextLine, column: tuple[float, float] | None, right: float
) -> tuple[str, str]:
    """(marker, text) of an unmarked line in a list: "bullet" where the list's geometry says
    it opens an item whose marker OCR misread or lost, else "plain"."""
    text = line.text.strip()
    if last == "bullet" and _at_marker_column(line, column):
        return "bullet", STRAY_MARK.sub("", text, count=1)
    if last == "bullet" and _lost_marker(previous, line, right):
        return "bullet", text
    if last == "timeline" and _lost_marker(previous, line, right) and _indented(line, previous):
        return "bullet", text  # an entry's sub-item
    return "plain", text


# A mark OCR made of a bullet it could not read: a sign or two, or one or two small letters,
# before the capital that starts the item ("= Support", "@ Transfer", "us Establish").
STRAY_MARK = re.compile(
    r"^\s*(?:[^\w\s“\"(]{1,2}|[a-z]{1,2}|[A-Za-z][^\w\s“\"(]|[A-Z])\s+(?=[A-Z“\"])"
)


def _marker_column(lines: list[TextLine]) -> tuple[float, float] | None:
    """Where a bulleted list sets its markers and where its text starts after them, from the
    lines whose marker was read (None: no marker stands apart from its text)."""
    marked = [
        line for line in lines if len(line.words) > 1 and classify_line(line.text)[0] == "bullet"
    ]
    outdented = [ln for ln in marked if ln.words[1].x0 - ln.words[0].x0 > 0.5 * ln.size]
    if not outdented:
        return None
    return min(ln.words[0].x0 for ln in outdented), min(ln.words[1].x0 for ln in outdented)


def _at_marker_column(line: TextLine, column: tuple[float, float] | None) -> bool:
    """A line that starts at the markers' column, left of where the items' text runs: it
    opens an item whose marker OCR read as another mark."""
    if column is None or not STRAY_MARK.match(line.text):
        return False
    markers, text = column
    return abs(line.x0 - markers) < 0.5 * line.size and line.x0 < text - 0.5 * line.size


def _indented(line: TextLine, previous: TextLine) -> bool:
    """Set in deeper than the line before: a sub-item under an entry, not its wrapped text."""
    return line.x0 > previous.x0 + 0.5 * line.size


def _lost_marker(previous: TextLine, line: TextLine, right: float) -> bool:
    """A line that starts a sentence after one the writer ended short of the list's edge:
    an item whose marker OCR lost (a wrapped item's lines run to the edge)."""
    ended = previous.text.rstrip().endswith((".", "!", "?"))
    return ended and line.text.lstrip()[:1].isupper() and _ends_short(previous, line, right)


# A line that ends on a connector ("Water and") goes on in the next, however short.
CONNECTOR_END = re.compile(r"(?:\b(?:and|or|of|for|the|in|on|to|with|a|an)|[&,/–-])\s*$", re.I)


def _ends_short(line: TextLine, following: TextLine, right: float) -> bool:
    """A line broken before the cell's edge although the next line's first word would fit."""
    first = following.words[0]
    room = right - line.x1
    return room > (first.x1 - first.x0) + 1.5 * max(line.size, 1.0)  # a wrap leaves < 1.5 em


def split_cell(lines: list[TextLine], right: float) -> list[Item]:
    """A table cell as a list of items.

    Markers decide when the cell has any. Without them, a line that stops short of the cell's
    right edge although the next line's first word would have fitted ends an item: the writer
    broke it there (an item per line, a paragraph's end), where wrapping would have filled it.
    """
    if not lines:
        return []
    if any(classify_line(line.text)[0] != "plain" for line in lines):
        return split_items(lines)
    items = [Item("plain", [lines[0].text.strip()], list(lines[0].words))]
    for previous, line in itertools.pairwise(lines):
        if _ends_short(previous, line, right) and not CONNECTOR_END.search(previous.text):
            items.append(Item("plain", [line.text.strip()], list(line.words)))
        else:
            items[-1].lines.append(line.text.strip())
            items[-1].words.extend(line.words)
    return items
