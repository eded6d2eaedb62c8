"""What the PDF libraries log or warn while a file is read, kept and told with the file's name.

pdfminer, pdfplumber and pypdfium2 report damage they work around ("Data-loss while
decompressing corrupted data", "MediaBox missing") through ``logging`` and ``warnings``; left
alone those lines reach stderr with no word of the file they are about. While a file is read
they are collected instead (by thread: other threads may be reading other files), counted,
kept in the document's warnings and logged once each with the file's name.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2", "PIL", "py.warnings")
log = logging.getLogger("citydocs.reading")


class _Router(logging.Handler):
    """One handler on the libraries' loggers while any file is read: a reading thread's
    records are counted for its file, any other thread's go on to the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.readers: dict[int, Counter[str]] = {}
        self.saved: list[tuple[logging.Logger, bool, int]] = []

    def emit(self, record: logging.LogRecord) -> None:
        seen = self.readers.get(record.thread or 0)
        if seen is None:
            logging.getLogger().callHandlers(record)
        else:
            seen[_message(record)] += 1


def _message(record: logging.LogRecord) -> str:
    if record.name == "py.warnings":  # "path:line: Category: text\n  source line"
        text = record.getMessage().strip().splitlines()[0]
        parts = text.split(": ", 1)
        return parts[1] if len(parts) == 2 else text
    return record.getMessage()


_router = _Router()
_lock = threading.Lock()


def _install() -> None:
    logging.captureWarnings(True)
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        _router.saved.append((logger, logger.propagate, logger.level))
        logger.addHandler(_router)
        logger.propagate = False  # told below, once, with the file's name
        if logger.level == logging.NOTSET or logger.level > logging.WARNING:
            logger.setLevel(logging.WARNING)


def _uninstall() -> None:
    for logger, propagate, level in _router.saved:
        logger.removeHandler(_router)
        logger.propagate, logger.level = propagate, level
    _router.saved.clear()
    logging.captureWarnings(False)


@contextmanager
def library_notes(name: str, kept: list[str]) -> Iterator[None]:
    """Collect the libraries' warnings while the body reads ``name``; append each to ``kept``
    and log it with the file's name, even when the body fails."""
    thread = threading.get_ident()
    seen: Counter[str] = Counter()
    with _lock:
        if not _router.readers:
            _install()
        _router.readers[thread] = seen
    try:
        yield
    finally:
        with _lock:
            del _router.readers[thread]
            if not _router.readers:
                _uninstall()
        for message, count in seen.items():
            note = message if count == 1 else f"{message} ({count} times)"
            kept.append(note)
            log.warning("%s: %s", name, note)
