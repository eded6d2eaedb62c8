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


def respelled_in(text: str, restored: dict[str, str]) -> str:
    """``text`` with each name of ``restored`` written as restored, where it stands whole."""
    for name, spelled in restored.items():
        pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
        text = re.sub(pattern, lambda m, s=spelled: _in_case_of(m.group(0), s), text, flags=re.I)
    return text


def _in_case_of(found: str, spelled: str) -> str:
    """``spelled`` in capitals where the text set the name in capitals (a title's)."""
    return spelled.upper() if found.isupper() else spelled
