"""Provenance: for each filled field, the page, box and method of the words it came from."""

from __future__ import annotations

from collections.abc import Iterable

from models import Provenance
from pipeline.reading.document import Word, union_bbox


def provenance_of(words: Iterable[Word]) -> Provenance | None:
    """Box around the words on the first page they occupy (a value may run onto the next)."""
    words = [w for w in words]
    if not words:
        return None
    page = min(w.page for w in words)
    on_page = [w for w in words if w.page == page]
    x0, top, x1, bottom = union_bbox([w.bbox for w in on_page])
    ocr = [w for w in on_page if w.source == "ocr"]
    confidence = round(sum(w.conf or 0 for w in ocr) / len(ocr), 1) if ocr else None
    return Provenance(
        page=page,
        bbox=(round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)),
        method="ocr" if ocr else "text",
        confidence=confidence,
    )


class ProvenanceLog:
    """Collects ``field path → Provenance`` while an extractor fills a record."""

    def __init__(self) -> None:
        self.entries: dict[str, Provenance] = {}

    def add(self, path: str, words: Iterable[Word]) -> None:
        found = provenance_of(words)
        if found is not None:
            self.entries[path] = found


def words_for_text(words: list[Word], text: str) -> list[Word]:
    """The run of ``words`` whose joined text best covers ``text`` (for values cut from a cell)."""
    target = [t.strip(".,;:()“”\"'").lower() for t in text.split()]
    target = [t for t in target if t]
    if not target:
        return []
    tokens = [w.text.strip(".,;:()“”\"'").lower() for w in words]
    first = target[0]
    for i, token in enumerate(tokens):
        if token == first or (len(first) > 3 and token.startswith(first[:4])):
            end = min(len(words), i + len(target))
            return words[i:end]
    return []
