"""Plausibility checks on hand-made records: an implausible value is warned about by field."""

from __future__ import annotations

from extractors.plausibility import plausibility_warnings
from models import ProfileRecord, UcapRecord

SOURCE = {"file_name": "x.pdf", "sha256": "0" * 64, "page_count": 1, "text_source": "text"}


def _ucap(**fields: object) -> UcapRecord:
    return UcapRecord.model_validate({"source": SOURCE, **fields})


def _profile(**fields: object) -> ProfileRecord:
    return ProfileRecord.model_validate({"source": SOURCE, **fields})


def test_a_plausible_record_has_no_warning() -> None:
    record = _ucap(
        city={"name": "A", "population": 10_000_000, "area_km2": 7446.0},
        period={"start": "2017-03", "end": "2018-11"},
        activities=[{"date": "2017-03", "description": "a visit"}, {"description": "undated"}],
    )
    assert plausibility_warnings(record) == []


def test_a_city_of_400_people_on_a_hundredth_of_a_square_kilometre() -> None:
    warnings = plausibility_warnings(_profile(city={"population": 400, "area_km2": 0.01}))
    assert warnings[0].startswith("city.population 400 looks implausible")
    assert "million" in warnings[0]
    assert warnings[1].startswith("city.area_km2 0.01 ")
    assert len(plausibility_warnings(_profile(city={"population": 60_000_000}))) == 1


def test_activity_dates_outside_the_period_or_the_plausible_years() -> None:
    record = _ucap(
        period={"start": "2017-03", "end": "2018"},
        activities=[
            {"date": "2017", "description": "same year as the start: fine"},
            {"date": "2018-12", "description": "within the end year: fine"},
            {"date": "2016-12", "description": "before the period"},
            {"date": "2091-01", "description": "a misread year"},
        ],
    )
    assert plausibility_warnings(record) == [
        "activities[2].date 2016-12 lies outside the period 2017-03 to 2018",
        "activities[3].date 2091-01 lies outside 1990–2040 (a misread year?)",
    ]


def test_shares_over_one_and_percentages_over_a_hundred() -> None:
    record = _profile(
        key_figures=[
            {"text": "1/7", "value": 1 / 7, "unit": "share"},
            {"text": "7/1", "value": 7.0, "unit": "share"},
            {"text": "90 %", "value": 90, "unit": "%"},
            {"text": "900 %", "value": 900, "unit": "%"},
        ]
    )
    assert plausibility_warnings(record) == [
        "key_figures[1].value 7 is a share over 1",
        "key_figures[3].value 900 is a percentage over 100",
    ]
