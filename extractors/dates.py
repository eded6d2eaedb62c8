"""Dates at the precision the document gives: "2017", "2017-04", "2017-04-24".

dateparser does the parsing (month names, orders, languages); this module decides precision,
handles day ranges ("12-20 September 2018") and periods ("March 2017 until November 2018").
"""

from __future__ import annotations

import re
from functools import lru_cache

from dateparser.date import DateDataParser

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAY_RANGE = re.compile(
    rf"^\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*[-–—]\s*\d{{1,2}}(?:st|nd|rd|th)?\s+({MONTHS})\.?,?\s+(\d{{4}})",
    re.IGNORECASE,
)
_MONTH_RANGE = re.compile(rf"^\s*({MONTHS})\.?\s*[-–—/]\s*({MONTHS})\.?\s+(\d{{4}})", re.IGNORECASE)
_YEAR = re.compile(r"^\s*((?:19|20)\d{2})\s*$")
# A date written at the start of a timeline entry, up to its colon or dash.
DATE_PHRASE = (
    rf"(?:(?:19|20)\d{{2}}-[01]\d(?:-[0-3]\d)?"
    rf"|\d{{1,2}}[./][01]?\d[./](?:19|20)\d{{2}}"
    rf"|[01]?\d/(?:19|20)\d{{2}}"
    rf"|(?:\d{{1,2}}(?:st|nd|rd|th)?\s*(?:[-–—]\s*\d{{1,2}}(?:st|nd|rd|th)?\s*)?)?"
    rf"(?:{MONTHS})\.?(?:\s*[-–—/]\s*(?:{MONTHS})\.?)?,?\s+(?:\d{{1,2}},\s*)?(?:19|20)\d{{2}}"
    rf"|(?:19|20)\d{{2}}(?:\s*[-–—]\s*(?:19|20)\d{{2}})?"
    rf"|(?:Q[1-4]|spring|summer|autumn|fall|winter)\s+(?:19|20)\d{{2}})"
)
_PERIOD_SPLIT = re.compile(
    r"\s+(?:until|till|to|through|thru)\s+|\s*[–—]\s*|\s+-\s+|(?<=\d{4})-(?=\d{4})", re.I
)

# Where a date that ends in its year gives way to the next: "12/2019 ⎵ 11/2022".
_AFTER_YEAR = re.compile(r"(?<=(?:19|20)\d{2})\s+(?=\S)")


@lru_cache(maxsize=1)
def _parser() -> DateDataParser:
    return DateDataParser(
        languages=["en"],
        settings={
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "DMY",  # the programme's documents write day before month
            "REQUIRE_PARTS": ["year"],
            "STRICT_PARSING": False,
        },
    )


@lru_cache(maxsize=4096)
def parse_date(text: str | None) -> str | None:
    """ISO date at the written precision, or None when ``text`` holds no date with a year."""
    if not text or not text.strip():
        return None
    text = text.strip().strip(".,:;()")
    year = _YEAR.match(text) or re.match(
        r"^\s*(?:Q[1-4]|spring|summer|autumn|fall|winter|early|mid|late)\s+((?:19|20)\d{2})\s*$",
        text,
        re.I,
    )
    if year:
        return year.group(1)
    month_year = re.match(r"^([01]?\d)\s*/\s*((?:19|20)\d{2})$", text)  # "03/2016"
    if month_year and 1 <= int(month_year.group(1)) <= 12:
        return f"{month_year.group(2)}-{int(month_year.group(1)):02d}"
    day_range = _DAY_RANGE.match(text)
    if day_range:
        text = f"{day_range.group(1)} {day_range.group(2)} {day_range.group(3)}"
    month_range = _MONTH_RANGE.match(text)
    if month_range:
        text = f"{month_range.group(1)} {month_range.group(3)}"
    if not re.search(r"(?:19|20)\d{2}", text):
        return None
    try:
        data = _parser().get_date_data(text)
    except Exception:  # dateparser raises on some odd inputs; a non-date is just None
        return None
    if data is None or data.date_obj is None:
        return None
    value, period = data.date_obj, data.period
    if period == "year":
        return f"{value.year:04d}"
    if period == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def parse_period(text: str | None) -> tuple[str | None, str | None]:
    """Start and end of "March 2017 until November 2018", "from June 2017 to 2018", "2017 – 2018"."""
    if not text:
        return None, None
    cleaned = re.sub(r"^\s*(?:from|since|between)\s+", "", text.strip(), flags=re.I)
    cleaned = re.sub(r"\s+and\s+(?=\S+\s*\d{4}|\d{4})", " to ", cleaned)
    parts = [p for p in _PERIOD_SPLIT.split(cleaned, maxsplit=1) if p.strip()]
    if len(parts) < 2:
        return _side_by_side(cleaned) or ((parse_date(parts[0]) if parts else None), None)
    start_text, end_text = parts[0], parts[1]
    end = parse_date(end_text)
    start = parse_date(start_text)
    if start is None and end is not None and not re.search(r"\d{4}", start_text):
        start = parse_date(f"{start_text} {end[:4]}")  # "March – November 2018"
    return start, end


def _side_by_side(text: str) -> tuple[str, str] | None:
    """Start and end of two dates with no word or dash between them ("12/2019 11/2022"): OCR
    drops a thin dash, and a period's two ends are still the two dates it holds."""
    halves = _AFTER_YEAR.split(text.strip(), maxsplit=1)
    if len(halves) != 2:
        return None
    start, end = parse_date(halves[0]), parse_date(halves[1])
    return (start, end) if start and end and start <= end else None


def split_leading_date(text: str) -> tuple[str, str] | None:
    """``"April 2017: A delegation…"`` → (``"April 2017"``, ``"A delegation…"``)."""
    match = re.match(rf"^\s*({DATE_PHRASE})\s*[:–—-]\s*(.*)$", text, re.IGNORECASE | re.DOTALL)
    if not match or parse_date(match.group(1)) is None:
        return None
    return match.group(1).strip(), match.group(2).strip()
