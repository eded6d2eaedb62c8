"""Extractors: one module per document kind, and the rules they share."""

from __future__ import annotations

from extractors.plausibility import plausibility_warnings
from models import ProfileRecord, UcapRecord
from pipeline.base import diskcache
from pipeline.base.settings import Settings
from pipeline.reading.document import Document


def warm_up(settings: Settings) -> None:
    """Load what the first document would otherwise pay for: the spaCy pipeline, the gazetteer
    and its place names, the word frequencies of the clean-up and dateparser's language data.
    A worker calls this before its first document, so that its time limit and its timings
    measure the document, not the start-up."""
    # Imported here, not at the top: this package is imported by processes that never extract
    # (the command line's parent), and spaCy, dateparser and wordfreq take seconds to import.
    from wordfreq import zipf_frequency

    from extractors.dates import parse_date
    from extractors.entities import load_nlp
    from extractors.entities_reconcile import warm_up as warm_reconcile
    from extractors.places import gazetteer

    diskcache.use_folder(settings.cache_dir)
    nlp = load_nlp(settings.spacy_model)
    nlp("The Municipal Government of the city met its partners in Europe on 12 March 2019.")
    gazetteer()
    warm_reconcile()
    parse_date("12 March 2019")
    zipf_frequency("cooperation", "en")


def extract_record(document: Document, kind: str, settings: Settings) -> UcapRecord | ProfileRecord:
    """The record of ``kind`` for a read document, its implausible values warned about."""
    # Imported here for start-up speed, as in ``warm_up``.
    from extractors.profile import extract_profile
    from extractors.ucap import extract_ucap

    diskcache.use_folder(settings.cache_dir)
    record: UcapRecord | ProfileRecord
    if kind == "ucap_summary":
        record = extract_ucap(document, settings.spacy_model)
    elif kind == "city_profile":
        record = extract_profile(document, settings.spacy_model)
    else:
        raise ValueError(f"no extractor for document kind {kind!r}")
    if document.ocr_pages:
        from extractors.spelling import respell_places

        respell_places(record)
    record.warnings = [*record.warnings, *plausibility_warnings(record)]
    return record
