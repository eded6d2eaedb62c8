"""Content forms: numbers, dates, names and list markers as real documents write them."""

from __future__ import annotations

import random
import re
import unicodedata

from corpus.pools import load, split

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
MON3 = [m[:3] for m in MONTHS]
BULLETS = ["•", "-", "o", "○", "■", "–", "▪"]


def group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def population(rng: random.Random, true: int) -> tuple[str, int, str]:
    """A population as written, the value it states, and the form's name."""
    form = rng.choice(["comma", "space", "million", "million1", "mio", "mio_comma", "plain", "dot"])
    if true < 1_000_000 and form in ("million", "million1", "mio", "mio_comma"):
        form = "comma"
    if form == "comma":
        return group(true, ","), true, form
    if form == "space":
        return group(true, " "), true, form
    if form == "dot":
        return group(true, "."), true, form
    if form == "plain":
        return str(true), true, form
    millions = round(true / 1_000_000, 1)
    value = round(millions * 1_000_000)
    number = f"{millions:g}"
    if form == "million":
        millions = max(round(true / 1_000_000), 1)
        return f"{millions} million", millions * 1_000_000, form
    if form == "million1":
        return f"{number} million", value, form
    if form == "mio":
        return f"{number} Mio", value, form
    return f"{number.replace('.', ',')} Mio.", value, form


def area(rng: random.Random) -> tuple[str, float]:
    """An area in km² as the number is written (without the unit) and its value."""
    km2 = rng.choice([rng.randint(40, 999), rng.randint(1000, 20000)])
    if rng.random() < 0.2:
        tenths = rng.randint(0, 9)
        return f"{group(km2, ',')}.{tenths}", km2 + tenths / 10
    return (group(km2, rng.choice([",", " ", ""])) if km2 >= 1000 else str(km2)), float(km2)


def area_unit(rng: random.Random) -> str:
    return rng.choice(["km²", "km²", "km2", "sq km", "square kilometres"])


DATE_FORMS = ["month", "month", "day", "iso_month", "iso_day", "dotted", "slash_month", "range",
              "day_range", "year", "mon3", "mixed"]  # fmt: skip


def date(rng: random.Random, year: int, month: int, form: str) -> tuple[str, str, str]:
    """A date as written, its ISO value at the written precision, and the form's name."""
    day = rng.randint(1, 26)
    if form == "mixed":
        form = rng.choice(DATE_FORMS[:-1])
    m = MONTHS[month - 1]
    if form == "month":
        return f"{m} {year}", f"{year}-{month:02d}", form
    if form == "mon3":
        return f"{MON3[month - 1]} {year}", f"{year}-{month:02d}", form
    if form == "day":
        return f"{day} {m} {year}", f"{year}-{month:02d}-{day:02d}", form
    if form == "iso_month":
        return f"{year}-{month:02d}", f"{year}-{month:02d}", form
    if form == "iso_day":
        return f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}-{day:02d}", form
    if form == "dotted":
        return f"{day:02d}.{month:02d}.{year}", f"{year}-{month:02d}-{day:02d}", form
    if form == "slash_month":
        return f"{month:02d}/{year}", f"{year}-{month:02d}", form
    if form == "range" and month < 12:
        end = rng.randint(month + 1, 12)
        return f"{m}–{MONTHS[end - 1]} {year}", f"{year}-{month:02d}", form
    if form == "day_range":
        return f"{day}–{day + 2} {m} {year}", f"{year}-{month:02d}-{day:02d}", form
    return str(year), str(year), "year"


def period(rng: random.Random) -> tuple[str, str, str, int, int, int, int]:
    """Period of cooperation: text, start, end, and the year/month bounds for the timeline."""
    y0 = rng.randint(2015, 2022)
    m0 = rng.randint(1, 12)
    months = rng.randint(12, 36)
    y1, m1 = y0 + (m0 - 1 + months) // 12, (m0 - 1 + months) % 12 + 1
    form = rng.choice(["until", "dash", "from_to", "slash", "years", "iso"])
    a, b = MONTHS[m0 - 1], MONTHS[m1 - 1]
    if form == "until":
        text = f"{a} {y0} until {b} {y1}"
    elif form == "dash":
        text = f"{a} {y0} – {b} {y1}"
    elif form == "from_to":
        text = f"From {a} {y0} to {b} {y1}"
    elif form == "slash":
        text = f"{m0:02d}/{y0} – {m1:02d}/{y1}"
    elif form == "iso":
        text = f"{y0}-{m0:02d} to {y1}-{m1:02d}"
    else:
        return f"{y0}–{y1}", str(y0), str(y1), y0, m0, y1, m1
    return text, f"{y0}-{m0:02d}", f"{y1}-{m1:02d}", y0, m0, y1, m1


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


class Names:
    """Compositional organisations and people from the pools of one half."""

    def __init__(self, rng: random.Random, half: str) -> None:
        self.rng = rng
        people = load("people")
        orgs = load("organisations")
        self.first = split(people["first"], half)
        self.last = split(people["last"], half)
        self.fields = split(orgs["fields"], half)
        self.sectors = split(orgs["sectors"], half)
        self.suffixes = orgs["suffixes"]
        self.city_templates = orgs["city_templates"]
        self.company_templates = orgs["company_templates"]
        self.letters = orgs["acronym_letters"]
        self.used: set[str] = set()

    def _unique(self, make) -> str:  # type: ignore[no-untyped-def]
        for _ in range(30):
            name = make()
            if name not in self.used:
                self.used.add(name)
                return name
        return name

    def acronym(self) -> str:
        return "".join(self.rng.choice(self.letters) for _ in range(self.rng.randint(2, 4)))

    def person(self) -> str:
        return self._unique(lambda: f"{self.rng.choice(self.first)} {self.rng.choice(self.last)}")

    def city_org(self, city: str) -> str:
        rng = self.rng
        return self._unique(
            lambda: rng.choice(self.city_templates).format(
                city=city, field=rng.choice(self.fields), acronym=self.acronym()
            )
        )

    def company(self) -> str:
        rng = self.rng
        return self._unique(
            lambda: rng.choice(self.company_templates).format(
                surname=rng.choice(self.last),
                surname2=rng.choice(self.last),
                sector=rng.choice(self.sectors),
                suffix=rng.choice(self.suffixes),
                acronym=self.acronym(),
            )
        )


def marker(style: str, index: int) -> str:
    if style == "number":
        return f"{index + 1}."
    if style == "paren":
        return f"{index + 1})"
    return style
