"""Numbers as documents write them: "12 million", "3.1 Mio", "14 904 400", "7 434.4 km2", "1/5"."""

from __future__ import annotations

import re

MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "mio": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "billions": 1e9,
}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip
NOT_STATED = re.compile(
    r"^\s*(n/?a|n\.a\.|none|unknown|-+|–|—|not (?:available|applicable))\s*$", re.I
)
# Digits grouped by commas, thin/normal spaces or apostrophes, with an optional decimal part.
# Two dots or more group thousands whatever follows ("1.514.105"); one dot may be a decimal.
NUMBER = (
    r"\d{1,3}(?:\.\d{3}){2,}(?!\d)|\d{1,3}(?:[,\u202f\u00a0 ']\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
)
_AMOUNT = re.compile(
    rf"(?P<num>{NUMBER})\s*(?P<mult>{'|'.join(sorted(MULTIPLIERS, key=len, reverse=True))})?\b\.?",
    re.IGNORECASE,
)


def to_float(digits: str) -> float | None:
    """ "6,512" → 6512; "14 904 400" → 14904400; "7 434.4" → 7434.4; "3,1" → 3.1; "96.866" →
    96866 (a dot before exactly three digits groups thousands, as much of Europe writes)."""
    s = digits.strip().replace("\u202f", " ").replace("\u00a0", " ").replace("'", " ")
    if re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?", s):
        s = s.replace(",", "").replace(" ", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", s):  # "96.866": thousands grouped by dots
        s = s.replace(".", "")
    elif re.fullmatch(r"\d+,\d{1,2}", s):  # a decimal comma
        s = s.replace(",", ".")
    s = s.replace(" ", "")
    try:
        return float(s)
    except ValueError:
        return None


def parse_amount(text: str | None) -> float | None:
    """The first amount in ``text`` with its multiplier applied, or None ("N/A", no number)."""
    if not text or NOT_STATED.match(text):
        return None
    match = _AMOUNT.search(text)
    if not match:
        return None
    value = to_float(match.group("num"))
    if value is None:
        return None
    mult = match.group("mult")
    if mult:
        # A bare "m" after a number is metres in "6,512 m"; only trust it for populations.
        value = round(value * MULTIPLIERS[mult.lower()], 6)  # 8.2 × 1e6 is 8199999.999…
    return value


def parse_population(text: str | None) -> int | None:
    value = parse_amount(text)
    return round(value) if value is not None else None


def parse_area_km2(text: str | None) -> float | None:
    """ "6,512 km ²", "13,756 km²", "7 434.4 km2" → km²; hectares and square miles converted."""
    if not text or NOT_STATED.match(text):
        return None
    match = re.search(rf"({NUMBER})", text)
    if not match:
        return None
    value = to_float(match.group(1))
    if value is None:
        return None
    unit = text[match.end() :].lower()
    if re.match(r"\s*(ha|hectares?)\b", unit):
        value /= 100
    elif re.match(r"\s*(sq\.?\s*mi|square miles?|mi²|mi2)", unit):
        value *= 2.589988
    return round(value, 4)


def number_word(text: str) -> int | None:
    return NUMBER_WORDS.get(text.lower())
