"""Extractors: one module per document kind, and the rules they share."""

from __future__ import annotations

from models import ProfileRecord, UcapRecord
from pipeline.base.settings import Settings
from pipeline.reading.document import Document


def warm_up(model: str | None = None) -> None:
    """Load what the first document would otherwise pay for: the spaCy pipeline, the gazetteer
    and its place names, the word frequencies of the clean-up and dateparser's language data.
    A worker calls this before its first document, so that its time limit and its timings
    measure the document, not the start-up."""
    from wordfreq import zipf_frequency

    from extractors.dates import parse_date
    from extractors.entities import load_nlp
    from extractors.places import gazetteer

    nlp = load_nlp(model)
    nlp("The Municipal Government of the city met its partners in Europe on 12 March 2019.")
    gazetteer()
    parse_date("12 March 2019")
    zipf_frequency("cooperation", "en")


def extract_record(
    document: Document, kind: str, *, settings: Settings | None = None
) -> UcapRecord | ProfileRecord:
    """The record of ``kind`` for a read document."""
    from extractors.entities import load_nlp

    load_nlp(settings.spacy_model if settings else None)
    if kind == "ucap_summary":
        from extractors.ucap import extract_ucap

        return extract_ucap(document)
    if kind == "city_profile":
        from extractors.profile import extract_profile

        return extract_profile(document)
    raise ValueError(f"no extractor for document kind {kind!r}")
