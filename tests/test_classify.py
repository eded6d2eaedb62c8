"""Kinds come from content: every sample is classified right, and names do not matter."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.base.request import Request
from pipeline.base.settings import Settings
from pipeline.reading.classify import classify, classify_text
from pipeline.reading.document import Document
from pipeline.reading.reader import read_pdf
from samples import make_samples


def test_every_sample_is_classified_by_its_source_kind(documents: dict[str, Document]) -> None:
    for stem, doc in documents.items():
        source = stem.removesuffix("_scan")
        expected = make_samples.load_source(source)["kind"]
        result = classify(doc)
        assert result.kind == expected, f"{stem}: {result.reason}"


def test_the_file_name_is_not_a_signal(
    sample_dir: Path, tmp_path: Path, settings: Settings
) -> None:
    misleading = tmp_path / "ucap_summary_profile.pdf"
    shutil.copy(sample_dir / "zhengzhou_profile.pdf", misleading)
    assert classify(read_pdf(Request.of(misleading, settings), settings)).kind == "city_profile"


def test_unrelated_text_is_unknown() -> None:
    assert classify_text("Quarterly maintenance report for the water treatment plant.").kind is None


def test_a_flyer_whose_banner_reads_apart_is_a_profile_by_its_section_headings() -> None:
    # The title set between the banner's lines cuts "International Urban and Regional
    # Cooperation" apart; the flyer's own headings still say what it is.
    text = (
        "INTERNATIONAL URBAN AND REGIONAL Aville COOPERATION Funded by the European Union "
        "Economy and Society Aville is a city on a river. Themes of Interest Air Quality "
        "Cooperation Interests Electric mobility: the city looks for partners."
    )
    assert classify_text(text).kind == "city_profile"


def test_a_summary_with_short_labels_is_a_ucap_summary() -> None:
    # Short row labels leave "U-CAP" alone against a profile's "thematic" and "inhabitants".
    text = (
        "INTERNATIONAL URBAN AND REGIONAL COOPERATION U-CAP Summary - Aville CITIES Aville "
        "POPULATION (INHABITANTS) 169,921 COOPERATION PERIOD 2022-06 to 2023-09 THEMATIC FOCUS "
        "Cycling and Walking MAIN OBJECTIVES: Share planning tools. Timeline of activities"
    )
    assert classify_text(text).kind == "ucap_summary"
