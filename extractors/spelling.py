"""Place names of a scanned document spelled as the gazetteer spells them.

Tesseract's English model reads "Mỹ Hào" as "My Hao", or "Bełchatów" as "Betchatow": a place
takes back the gazetteer's spelling in every field that names it, and in the title where it
names the same place. The spelling is the one the document's entities settled on
(``entities_reconcile.place_spelling``, with the countries the document names), so a field and
the entity list never spell one place two ways.
"""

from __future__ import annotations

import re

from extractors.entities_reconcile import place_spelling, record_countries
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
    respell_organisations(record)


def respell_organisations(record: UcapRecord | ProfileRecord) -> None:
    """Organisations named after a place ("Lulea Energy Agency") in the place's spelling the
    record settled on ("Luleå"), where OCR dropped the accents: the same words, one spelling.
    Two names that became one are kept once."""
    named = [record.city.name, record.city.province, *record.entities.places]
    spelled = {fold(p): p for p in named if p and not p.isascii()}
    if not spelled:
        return
    record.entities.organizations = _once(
        [with_places_spelled(n, spelled) for n in record.entities.organizations]
    )
    if isinstance(record, UcapRecord):
        for activity in record.activities:
            activity.organizations = _once(
                [with_places_spelled(n, spelled) for n in activity.organizations]
            )


def with_places_spelled(name: str, spelled: dict[str, str]) -> str:
    """``name`` with each run of its words that folds to a place of ``spelled`` (keyed by the
    folded name) written as that place, punctuation after the run kept."""
    words = name.split(" ")
    longest = max(len(p.split()) for p in spelled.values())
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            run = " ".join(words[i : i + n])
            core = run.rstrip(".,;:")
            place = spelled.get(fold(core))
            if place and core[:1].isupper() and len(place) == len(core):
                words[i : i + n] = [_in_case_of(core, place) + run[len(core) :]]
                break
        i += 1
    return " ".join(words)


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
