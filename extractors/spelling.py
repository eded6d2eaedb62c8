"""Place names of a scanned document spelled as the gazetteer spells them.

Tesseract's English model reads "Mỹ Hào" as "My Hao": a name the gazetteer holds under a
single accented spelling takes that spelling back, in every field that names a place, and in
the title where it names the same place.
"""

from __future__ import annotations

import re
import unicodedata

from extractors.entities import gazetteer_spelling
from models import ProfileRecord, UcapRecord


def respell_places(record: UcapRecord | ProfileRecord) -> None:
    """The record's place names with their accents restored, in place."""
    restored: dict[str, str] = {}

    def respell(name: str | None) -> str | None:
        if not name:
            return name
        spelled = gazetteer_spelling(name)
        if spelled == name or _unaccented(spelled).lower() != name.lower():
            return name  # the gazetteer's other punctuation ("Pays-de-la-Loire") is no accent
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


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def respelled_in(text: str, restored: dict[str, str]) -> str:
    """``text`` with each name of ``restored`` written as restored, where it stands whole."""
    for name, spelled in restored.items():
        pattern = rf"(?<!\w){re.escape(name)}(?!\w)"
        text = re.sub(pattern, lambda m, s=spelled: _in_case_of(m.group(0), s), text, flags=re.I)
    return text


def _in_case_of(found: str, spelled: str) -> str:
    """``spelled`` in capitals where the text set the name in capitals (a title's)."""
    return spelled.upper() if found.isupper() else spelled
