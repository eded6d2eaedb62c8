"""The document's own city as a flyer's prose states it: "about 232,000 inhabitants on 88 km²",
"Around 4.2 million people", "the second-largest city of <Province>", "a city in <Country>".

Each finder returns the phrase as written (for the record's ``_text`` fields and provenance)
with its value; places are checked against the gazetteer, never taken on the wording alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.numbers import MULTIPLIERS, NUMBER, parse_amount, parse_area_km2
from extractors.places import Gazetteer

_MULT = "|".join(sorted((m for m in MULTIPLIERS if len(m) > 1), key=len, reverse=True))
_AMOUNT = rf"(?:{NUMBER})(?:\s*(?:{_MULT})\b\.?)?"
_ABOUT = (
    r"(?:(?:about|around|some|approximately|nearly|almost|over|more\s+than|roughly|close\s+to)\s+)?"
)
_POPULATION = (
    re.compile(rf"(?P<n>{_AMOUNT})\s+(?:inhabitants|residents|people|citizens)\b", re.I),
    re.compile(
        rf"population\s+(?:of|is|was|stands\s+at|reached|reaches|:)\s+{_ABOUT}(?P<n>{_AMOUNT})",
        re.I,
    ),
    re.compile(rf"home\s+to\s+{_ABOUT}(?P<n>{_AMOUNT})", re.I),
)
_AREA = re.compile(
    rf"(?P<n>(?:{NUMBER})\s*(?:km\s*[²2]|square\s+kilomet(?:re|er)s|sq\.?\s*km|hectares|ha\b))",
    re.I,
)
# A place's name: capitalised words, with the particles between them ("Pays de la Loire") and
# elided articles ("Provence-Alpes-Côte d'Azur").
_NAME = (
    r"([A-Z][\w'’.-]*(?:(?:\s+(?:de|del|do|da|di|la|le|of|upon|am|an|im|sur|en))*\s+[A-Z][\w'’.-]*"
    r"|\s+[dl]['’][A-Z][\w'’.-]*)*)"
)
_PROVINCE = re.compile(
    rf"(?:capital|largest\s+city|city|cities|part|centre|center|heart|seat)\s+of\s+(?:the\s+)?{_NAME}"
    rf"|(?:lies|located|situated|is)\s+in\s+(?:the\s+)?(?:province|region|state)?\s*(?:of\s+)?{_NAME}"
)
# "in Spain", "of the Netherlands", and the country after a region: "in Utah, United States".
_COUNTRY = re.compile(rf"\b(?:of|in)\s+(?:the\s+)?{_NAME}(?:,\s+(?:the\s+)?{_NAME})?")


@dataclass
class Stated:
    """A fact as the prose writes it, and what it means."""

    text: str
    value: float | str


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
# Words before a figure that say it measures something other than the city itself.
_ELSEWHERE = re.compile(
    r"\b(?:metropolitan|metro\s+area|region|regional|province|county|greater|circle|radius|"
    r"within|surrounding|hinterland|catchment|agglomeration|country|nation|district)\b",
    re.I,
)
_SUBJECT = re.compile(r"\b(?:the\s+city|the\s+municipality|it|its)\b", re.I)


def _about_the_city(sentence: str, start: int, city: str | None) -> bool:
    """A figure states the city's own size when its sentence is about the city (named, or "the
    city", "it") and nothing before the figure points elsewhere (a region, a metropolitan area)."""
    if _ELSEWHERE.search(sentence[:start]):
        return False
    named = bool(city) and city.lower() in sentence.lower()
    return named or bool(_SUBJECT.search(sentence))


def population(text: str, city: str | None = None) -> Stated | None:
    for sentence in _SENTENCE.split(text):
        for pattern in _POPULATION:
            match = pattern.search(sentence)
            if match and _about_the_city(sentence, match.start(), city):
                amount = parse_amount(match.group("n"))
                if amount is not None and amount >= 100:
                    return Stated(match.group("n").strip(" ."), amount)
    return None


def area_km2(text: str, city: str | None = None) -> Stated | None:
    for sentence in _SENTENCE.split(text):
        match = _AREA.search(sentence)
        if match and _about_the_city(sentence, match.start(), city):
            value = parse_area_km2(match.group("n"))
            if value:
                return Stated(match.group("n"), value)
    return None


def province(text: str, gaz: Gazetteer, country_code: str | None, city: str | None) -> str | None:
    """A region the prose places the city in, when the gazetteer knows it (in that country)."""
    for match in _PROVINCE.finditer(text):
        name = next(g for g in match.groups() if g)
        for candidate in (name, re.sub(r"\s+(?:Province|Region|State)$", "", name)):
            if city and candidate == city:
                continue
            regions = gaz.region(candidate)
            if (
                regions
                and (country_code is None or any(r.country == country_code for r in regions))
                and not gaz.country(candidate)
            ):
                return candidate
    return None


def country(text: str, gaz: Gazetteer) -> str | None:
    """The first country the prose names after "of" or "in"."""
    for match in _COUNTRY.finditer(text):
        for name in (g for g in match.groups() if g):
            words = name.split()
            for end in range(len(words), 0, -1):  # "Spain Several…" → "Spain"
                candidate = " ".join(words[:end]).rstrip(".")
                found = gaz.country(candidate)
                if found and len(candidate) >= 4:
                    return candidate
    return None
