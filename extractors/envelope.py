"""The parts of a record every kind shares: source, title, entities, warnings."""

from __future__ import annotations

from extractors.entities import Entity, unique
from models import Entities, Source
from pipeline.reading.document import Block, Document


def source_of(document: Document) -> Source:
    return Source(
        file_name=document.path.name,
        path=str(document.path.resolve()),
        sha256=document.sha256,
        page_count=document.page_count,
        ocr_pages=document.ocr_pages,
        text_source=document.text_source,
    )


def title_block(document: Document) -> Block | None:
    """The document's own title: the largest-type heading of the first page outside the banner."""
    first = [b for b in document.pages[0].blocks if b.region != "table"] if document.pages else []
    if not first:
        return None
    return max(first, key=lambda b: (max(line.size for line in b.lines), -b.bbox[1]))


def entities_block(found: list[Entity]) -> Entities:
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
