"""One document's entities made consistent with each other and with the gazetteer.

The model and the rules see one text at a time; a document names the same place or person
several times, in its tables, its contact line and its prose, and OCR damages some of those
mentions. Here the whole document's list is settled at once: a place takes the gazetteer's
spelling (an OCR'd letter that had a diacritic read as another, within the countries the
document names), a name the model called an organisation or a person but that is one of the
document's places becomes a place, a name the document's structure says is a person (a
contact) is not also an organisation, and an organisation that is a listed theme ("Civic
Society and Care") is a topic. Nothing is invented: every spelling comes from the gazetteer or
from the document itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Hamming

from extractors.entities import Entity
from extractors.places import Place, fold, gazetteer
from models import City

# A letter OCR misread counts only where the gazetteer's spelling has a letter outside ASCII
# there (a diacritic, "ł"): elsewhere a different letter is a different name.
MAX_MISREAD = 2


def _strip(ch: str) -> str:
    """A letter without its accents, lower case ("Ő" → "o"); "ł" stays "ł"."""
    decomposed = unicodedata.normalize("NFKD", ch.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or ch.lower()


def misread_as(text: str, name: str) -> bool:
    """``text`` is ``name`` with at most ``MAX_MISREAD`` of its non-ASCII letters read as other
    characters, and nothing else changed but case and accents ("Betchatow" ~ "Bełchatów")."""
    text, name = unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", name)
    if len(text) != len(name) or text == name:
        return False
    misread = 0
    for t, n in zip(text, name, strict=True):
        if _strip(t) == _strip(n):
            continue
        if n.isascii() or not n.isalpha():
            return False
        misread += 1
    return 0 < misread <= min(MAX_MISREAD, len(name) // 4)


def _places_named(key: str) -> list[Place]:
    gaz = gazetteer()
    found = [gaz.countries.get(key), *gaz.regions.get(key, []), *gaz.cities.get(key, [])]
    return [p for p in found if p is not None and fold(p.name) == key]


def _stripped(text: str) -> str:
    """The text letter by letter without accents, lower case, of the same length."""
    return "".join(_strip(c)[0] for c in unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class _Shelf:
    """Places whose names have one length, with their names stripped for a Hamming search."""

    places: tuple[Place, ...]
    keys: tuple[str, ...]


@lru_cache(maxsize=1)
def _places_by_country_and_length() -> dict[tuple[str | None, int], _Shelf]:
    """The gazetteer's regions and cities with a non-ASCII letter (the only ones OCR can have
    misread), by country (``None``: any) and by the length of their names."""
    gaz = gazetteer()
    index: dict[tuple[str | None, int], dict[Place, None]] = {}
    for group in (gaz.regions, gaz.cities):
        for places in group.values():
            for p in places:
                if p.name.isascii():
                    continue
                length = len(unicodedata.normalize("NFC", p.name))
                index.setdefault((p.country, length), {})[p] = None
                index.setdefault((None, length), {})[p] = None
    return {
        key: _Shelf(tuple(places), tuple(_stripped(p.name) for p in places))
        for key, places in index.items()
    }


def warm_up() -> None:
    """Build the index of places OCR may have misread, before the first document needs it."""
    _places_by_country_and_length()


def _misread_places(text: str, countries: list[str | None]) -> set[str]:
    """Names of places of these countries (``None``: of any) that ``text`` is a misreading of;
    a Hamming search on the stripped names first, the exact test on the few it leaves."""
    index, key = _places_by_country_and_length(), _stripped(text)
    found: set[str] = set()
    for country in countries:
        shelf = index.get((country, len(key)))
        if shelf is None:
            continue
        near = process.extract(
            key, shelf.keys, scorer=Hamming.distance, score_cutoff=MAX_MISREAD, limit=None
        )
        found |= {
            shelf.places[i].name for _, _, i in near if misread_as(text, shelf.places[i].name)
        }
    return found


def _same_shape(text: str, name: str) -> bool:
    """Same length, with spaces and punctuation in the same places: only letters differ."""
    return len(text) == len(name) and all(
        a == b or (a.isalnum() and b.isalnum()) for a, b in zip(text, name, strict=True)
    )


def place_spelling(text: str, countries: frozenset[str]) -> str:
    """The gazetteer's spelling of a place the document wrote without its accents or with an
    OCR'd diacritic letter; the document's countries choose between places of one spelling
    ("Para" is "Pará" in a document about Brazil). The text stays as it is when it is already
    a gazetteer spelling, or when no single place fits."""
    text = unicodedata.normalize("NFC", text)
    candidates = _places_named(fold(text))
    local = [p for p in candidates if p.country in countries]
    if candidates and (local or not countries):
        return _spelling_of(text, local or candidates)
    # No place of this spelling in the document's countries ("Pita" is in Guinea): a misread
    # place of theirs, else of any country where the name is long enough to be its own.
    scopes = [sorted(countries)] if len(text) >= 4 else []
    scopes += [[None]] if len(text) >= 6 and not candidates else []
    for scope in scopes:
        near = _misread_places(text, scope)
        if near:
            return near.pop() if len(near) == 1 else text
    return _spelling_of(text, candidates) if candidates else text


def _spelling_of(text: str, places: list[Place]) -> str:
    """The one spelling these places of the text's name share, the text itself when it is one
    of them, or the text when they disagree; a city's spelling before a county's ("Iaşi")."""
    shaped = [p for p in places if _same_shape(text, p.name)]
    spellings = {p.name for p in shaped}
    if text in spellings or (not spellings and text in {p.name for p in places}):
        return text
    if len(spellings) > 1:  # "Iași" the county, "Iaşi" the city: a named place is a city
        spellings = {p.name for p in shaped if p.kind == "city"}
    return spellings.pop() if len(spellings) == 1 else text


def document_countries(found: Iterable[Entity]) -> frozenset[str]:
    """ISO codes of the countries the document's places name."""
    return record_countries(entity.text for entity in found if entity.label == "PLACE")


def record_countries(places: Iterable[str]) -> frozenset[str]:
    """ISO codes of the countries among these place names."""
    countries = gazetteer().countries
    return frozenset(c.country for name in places if (c := countries.get(fold(name))))


def _topic_keys(topics: Iterable[str]) -> list[str]:
    return [f" {fold(t)} " for t in topics if t]


def _is_topic(text: str, topics: list[str]) -> bool:
    """The name is (part of) a theme the document lists: a topic, not an organisation."""
    key = f" {fold(text)} "
    return key.strip() != "" and any(key in topic for topic in topics)


def _as_place(entity: Entity, countries: frozenset[str], places: dict[str, str]) -> Entity:
    """A name the model called an organisation or a person that is one of the document's places,
    or a gazetteer place of a country the document names, is that place."""
    spelling = place_spelling(entity.text, countries)
    key = fold(spelling)
    if key in places:
        return replace(entity, text=places[key], label="PLACE")
    if any(p.country in countries for p in _places_named(key)):
        return replace(entity, text=spelling, label="PLACE")
    return entity


def reconcile(
    found: list[Entity], topics: Iterable[str] = (), people: Iterable[str] = ()
) -> list[Entity]:
    """The document's entities settled as one list (see the module's docstring): ``topics``
    are the document's listed themes, ``people`` the names its structure gives to persons."""
    countries = document_countries(found)
    topic_keys = _topic_keys(topics)
    people_keys = {fold(p) for p in people if p}
    places: dict[str, str] = {}
    settled: list[Entity] = []
    for entity in found:
        if entity.label == "PLACE":
            entity = replace(entity, text=place_spelling(entity.text, countries))
            places.setdefault(fold(entity.text), entity.text)
        settled.append(entity)
    out: list[Entity] = []
    for entity in settled:
        key = fold(entity.text)
        if entity.label != "PLACE":
            entity = _as_place(entity, countries, places)
        if entity.label == "ORG" and (key in people_keys or _is_topic(entity.text, topic_keys)):
            continue
        out.append(entity)
    out += [Entity(name, "PERSON", 0, 0, rule=True) for name in people if name]
    return out


_GLUED = re.compile(r"[a-z][A-Z]{2,}")


def city_places(city: City, found: list[Entity]) -> list[Entity]:
    """The record's own city, region and country as places (a profile's sidebar names them by
    definition), where no place found in the text already holds the name ("Hubei" in
    "Hubei Province")."""
    held = [f" {fold(e.text)} " for e in found if e.label == "PLACE"]
    out = []
    for name in (city.name, city.province, city.country):
        if name and _GLUED.search(name):
            continue  # "ExampletonCOOPERATION": a heading read into the cell
        if name and fold(name) and not any(f" {fold(name)} " in h for h in held):
            out.append(Entity(name, "PLACE", 0, 0, rule=True))
            held.append(f" {fold(name)} ")
    return out
