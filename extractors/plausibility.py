"""Plausibility checks on a finished record: numbers and dates no city document would state.

OCR can turn "400 million" into "400 millian", and the number parser then reads 400: the
value validates, so only its size can tell. Each check adds a warning naming the field; none
changes a value (the document may really say it, and a person decides).
"""

from __future__ import annotations

from models import ProfileRecord, UcapRecord

POPULATION = (1_000, 50_000_000)
AREA_KM2 = (1.0, 100_000.0)
YEARS = (1990, 2040)


def _outside(value: float, bounds: tuple[float, float]) -> bool:
    return not bounds[0] <= value <= bounds[1]


def _before(a: str, b: str) -> bool:
    """``a`` is earlier than ``b`` at the precision both give (``2017`` is not before
    ``2017-03``)."""
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def city_warnings(record: UcapRecord | ProfileRecord) -> list[str]:
    city = record.city
    found = []
    if city.population is not None and _outside(city.population, POPULATION):
        found.append(
            f"city.population {city.population} looks implausible for a city (OCR may have "
            "misread a word such as 'million')"
        )
    if city.area_km2 is not None and _outside(city.area_km2, AREA_KM2):
        found.append(
            f"city.area_km2 {city.area_km2:g} looks implausible for a city (a unit such as "
            "'km²' or 'ha' may have been misread)"
        )
    return found


def date_warnings(record: UcapRecord) -> list[str]:
    found = []
    start, end = record.period.start, record.period.end
    for i, activity in enumerate(record.activities):
        date = activity.date
        if date is None:
            continue
        if _outside(int(date[:4]), YEARS):
            found.append(
                f"activities[{i}].date {date} lies outside {YEARS[0]}–{YEARS[1]} (a misread year?)"
            )
        elif start is not None and end is not None and (_before(date, start) or _before(end, date)):
            found.append(f"activities[{i}].date {date} lies outside the period {start} to {end}")
    for name in ("start", "end"):
        value = getattr(record.period, name)
        if value is not None and _outside(int(value[:4]), YEARS):
            found.append(f"period.{name} {value} lies outside {YEARS[0]}–{YEARS[1]}")
    return found


def figure_warnings(record: ProfileRecord) -> list[str]:
    found = []
    for i, figure in enumerate(record.key_figures):
        if figure.unit == "share" and not 0 <= figure.value <= 1:
            found.append(f"key_figures[{i}].value {figure.value:g} is a share over 1")
        elif figure.unit == "%" and not 0 <= figure.value <= 100:
            found.append(f"key_figures[{i}].value {figure.value:g} is a percentage over 100")
    return found


def plausibility_warnings(record: UcapRecord | ProfileRecord) -> list[str]:
    """A warning per implausible number or date of the record, naming its field."""
    found = city_warnings(record)
    if isinstance(record, UcapRecord):
        found += date_warnings(record)
    else:
        found += figure_warnings(record)
    return found
