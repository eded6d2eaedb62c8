"""Place names of a scanned document spelled as the gazetteer spells them.

Tesseract's English model reads "Mỹ Hào" as "My Hao", or "Bełchatów" as "Betchatow": a place
takes back the gazetteer's spelling in every field that names it, and in the title, the
organisations' names and the prose where they name the same place. The spelling is the one
the document's entities settled on (``entities_reconcile.place_spelling``, with the countries
the document names), so a field and the entity list never spell one place two ways.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from extractors.entities_reconcile import misread_as, place_spelling, record_countries
from extractors.places import fold
from models import ProfileRecord, UcapRecord


def respell_places(record: UcapRecord | ProfileRecord) -> None:
    """The record's place names with their accents restored, in place."""
    restored: dict[str, str] = {}
    countries = record_countries(record.entities.places)

    def respell(name: str | None) -> str | None:
        if not name:
            return name
        spelled = place_spelling(name, countries)
        if spelled == name or len(spelled) != len(name):
            return name
        restored[name] = spelled
        return spelled

    record.city.name = respell(record.city.name)
    record.city.province = respell(record.city.province)
    if isinstance(record, UcapRecord):
        for partner in record.partners:
            partner.name = respell(partner.name) or partner.name
            partner.region = respell(partner.region)
        for activity in record.activities:
            activity.places = [respell(p) or p for p in activity.places]
    if record.title:
        record.title = respelled_in(record.title, restored)
    respell_prose(record)


def respell_prose(record: UcapRecord | ProfileRecord) -> None:
    """Every name and sentence of the record that names a place the record restored
    ("Lulea Energy Agency", "companies of Kosice and …") in the place's settled spelling:
    OCR dropped the accents in the prose as in the place's own field. A list whose two
    names became one keeps it once."""
    named = [record.city.name, record.city.province, *record.entities.places]
    spelled = {fold(p): p for p in named if p and not p.isascii()}
    if spelled:
        _respell_fields(record, spelled)


# Fields that name no place or hold a value of their own: the file, dates, addresses, the
# entity places (settled already), warnings and provenance.
_NOT_PROSE = frozenset(
    {"source", "provenance", "warnings", "email", "date", "start", "end", "places", "doc_type"}
)


def _respell_fields(model: BaseModel, spelled: dict[str, str]) -> None:
    for name in type(model).model_fields:
        if name in _NOT_PROSE:
            continue
        value = getattr(model, name)
        if isinstance(value, str):
            setattr(model, name, with_places_spelled(value, spelled))
        elif isinstance(value, BaseModel):
            _respell_fields(value, spelled)
        elif isinstance(value, list):
            if value and all(isinstance(v, str) for v in value):
                setattr(model, name, _once([with_places_spelled(v, spelled) for v in value]))
            for item in value:
                if isinstance(item, BaseModel):
                    _respell_fields(item, spelled)


def with_places_spelled(name: str, spelled: dict[str, str]) -> str:
    """``name`` with each run of its words that folds to a place of ``spelled`` (keyed by the
    folded name), or misreads one, written as that place, punctuation after the run kept."""
    words = name.split(" ")
    longest = max(len(p.split()) for p in spelled.values())
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            run = " ".join(words[i : i + n])
            core = run.rstrip(".,;:")
            place = spelled.get(fold(core)) or _misread_one(core, spelled)
            if place and core[:1].isupper() and len(place) == len(core):
                words[i : i + n] = [_in_case_of(core, place) + run[len(core) :]]
                break
        i += 1
    return " ".join(words)


def _misread_one(text: str, spelled: dict[str, str]) -> str | None:
    """The one place of ``spelled`` whose accented letters OCR read as others in ``text``
    ("Concepcién" for "Concepción"), else None."""
    found = {p for p in spelled.values() if len(p) == len(text) and misread_as(text, p)}
    return found.pop() if len(found) == 1 else None


def _once(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def respelled_in(text: str, restored: dict[str, str]) -> str:
    """``text`` with each name of ``restored`` written as restored, where it stands whole."""
    for name, spelled in restored.items():
        pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
        text = re.sub(pattern, lambda m, s=spelled: _in_case_of(m.group(0), s), text, flags=re.I)
    return text


def _in_case_of(found: str, spelled: str) -> str:
    """``spelled`` in capitals where the text set the name in capitals (a title's)."""
    return spelled.upper() if found.isupper() else spelled
