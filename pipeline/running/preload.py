"""Warm state for the worker processes, loaded once in multiprocessing's fork server.

The fork server imports this module before it forks its first worker (see
``isolation.worker_context``): spaCy, the gazetteer, the word frequencies, dateparser's data,
OpenCV and Tesseract's language model are loaded here once, and every worker forked from the
server starts with them already in memory, its pages shared copy-on-write with its siblings
instead of a private copy each. The objects are frozen out of the collector first: a
collection would write to every object's header and so copy the pages the workers share.
"""

from __future__ import annotations

import contextlib
import gc

from pipeline.base.environment import set_process_defaults


def warm() -> None:
    """Load the extractors' models with the environment's settings; a worker whose settings
    name other models loads those itself, so any failure here is left for it to report."""
    set_process_defaults()
    with contextlib.suppress(Exception):
        from extractors import warm_up
        from pipeline.base.settings import get_settings
        from pipeline.reading import ocr
        from pipeline.running import extract  # noqa: F401  (what a worker runs, imported once)

        settings = get_settings()
        warm_up(settings)
        ocr.warm(settings.ocr_lang)
    gc.collect()
    gc.freeze()


warm()
