"""Property-based tests: parsers and clean-up steps never raise, and known forms round-trip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.dates import parse_date, parse_period, split_leading_date
from extractors.numbers import parse_amount, parse_area_km2, parse_population
from extractors.ucap import parse_sdgs
from pipeline.reading.cleanup import (
    clean_lines,
    clean_text,
    drop_stray_marks,
    fix_ocr_confusions,
    join_hyphenated,
    normalize_unicode,
    unfold_ligatures,
)

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
anything = st.text(max_size=200)


@settings(max_examples=150, deadline=None)
@given(anything)
def test_parsers_never_raise(text: str) -> None:
    parse_date(text)
    parse_period(text)
    split_leading_date(text)
    parse_amount(text)
    parse_population(text)
    parse_area_km2(text)
    parse_sdgs(text)


@settings(max_examples=150, deadline=None)
@given(anything, anything)
def test_cleanup_steps_never_raise_and_settle(a: str, b: str) -> None:
    for step in (
        normalize_unicode,
        unfold_ligatures,
        drop_stray_marks,
        fix_ocr_confusions,
        clean_text,
    ):
        step(a)
    join_hyphenated(a + "-", b)
    clean_lines([a, b])
    once = clean_text(a)
    assert clean_text(once) == once  # cleaning clean text changes nothing


@settings(deadline=None)  # speed is the benchmark's business, not a test's
@given(st.integers(1900, 2099), st.integers(1, 12), st.integers(1, 28))
def test_dates_round_trip_at_their_precision(year: int, month: int, day: int) -> None:
    name = MONTHS[month - 1]
    assert parse_date(str(year)) == f"{year}"
    assert parse_date(f"{name} {year}") == f"{year}-{month:02d}"
    assert parse_date(f"{day} {name} {year}") == f"{year}-{month:02d}-{day:02d}"
    assert parse_date(f"{day}-{day + 1} {name} {year}") == f"{year}-{month:02d}-{day:02d}"


@settings(deadline=None)
@given(st.integers(0, 10**9))
def test_grouped_numbers_round_trip(n: int) -> None:
    assert parse_population(f"{n:,}") == n
    assert parse_population(f"{n:,}".replace(",", " ")) == n
    assert parse_population(str(n)) == n


@settings(deadline=None)
@given(st.integers(1, 17), st.sampled_from(["SDG{}", "SDG {}", "SDG {}:", "SDG #{}"]))
def test_sdg_numbers_round_trip(number: int, form: str) -> None:
    assert [s.number for s in parse_sdgs(form.format(number) + " Title words")] == [number]
