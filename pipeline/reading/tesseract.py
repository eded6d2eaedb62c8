"""Tesseract's word boxes for a grey page, read by the library in this process.

Run as a command (what pytesseract does), Tesseract loads its language model again for every
page, and the page travels as an image file written by one process and decoded by the other:
a tenth of a scanned page's recognition time went on that. The library the command is built on
(libtesseract, installed with it) is called here through its C API instead: the model is
loaded once per thread, the pixels handed over from memory, and the words, boxes and
confidences come back as the same TSV the command writes, parsed by pytesseract's own parser.
Where the library cannot be loaded, pages go to the command through pytesseract.

The engine is called by the thread that reads the page, one engine per thread and language (a
Tesseract handle is not to be shared between threads). ctypes releases the GIL while
Tesseract works, so the thread preparing the next page runs alongside. A crash inside
Tesseract now ends the process that reads the page, which is why documents are read in
worker processes: the worker is replaced and the document reported, as for any crash there.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import tempfile
import threading
import time
from functools import lru_cache

import numpy as np
import pytesseract
from PIL import Image

from pipeline.base.errors import CitydocsError

# Page segmentation and engine, the same for the library and the command: fully automatic
# segmentation without orientation detection, the LSTM engine only.
PAGE_SEGMENTATION = 3
ENGINE_LSTM = 1
COMMAND_CONFIG = f"--psm {PAGE_SEGMENTATION} --oem {ENGINE_LSTM}"

# The header of the command's TSV; the library's TSV has the same columns and no header.
_TSV_HEADER = "\t".join(
    (
        "level",
        "page_num",
        "block_num",
        "par_num",
        "line_num",
        "word_num",
        "left",
        "top",
        "width",
        "height",
        "conf",
        "text",
    )
)
# The library's names, tried in turn: Linux's, then what the platform's loader finds.
_LIBRARY_NAMES = ("libtesseract.so.5",)


def words_data(pixels: np.ndarray, *, page: int, lang: str, timeout: float) -> dict:
    """Tesseract's TSV of a grey page as pytesseract's ``image_to_data`` dictionary (columns of
    ``level`` … ``text``), read within ``timeout`` seconds. Raises ``CitydocsError``."""
    engine = _engine(lang)
    if engine is None:
        return by_command(pixels, page=page, lang=lang, timeout=timeout)
    tsv = engine.tsv(pixels, page, timeout)
    return pytesseract.pytesseract.file_to_dict(f"{_TSV_HEADER}\n{tsv}", "\t", -1)


def in_process() -> bool:
    """Whether pages are read by the library in this process (else by the command)."""
    return _library() is not None


def warm(lang: str) -> None:
    """Load the language model for this thread now, not on the first page: the workers' fork
    server does so once for every worker it forks, whose pages then share it."""
    _engine(lang)


def _timeout_message(timeout: float, page: int) -> str:
    return (
        f"Tesseract took longer than {timeout:.0f} s on page {page}; raise "
        "CITYDOCS_OCR_TIMEOUT_S or lower CITYDOCS_OCR_DPI."
    )


class _Engine:
    """One Tesseract handle with its language model loaded."""

    def __init__(self, library: ctypes.CDLL, lang: str) -> None:
        self.library = library
        self.handle = library.TessBaseAPICreate()
        # Tesseract's notes ("Estimating resolution as …") go nowhere, as the command's stderr
        # did under pytesseract, instead of onto the run's console.
        library.TessBaseAPISetVariable(self.handle, b"debug_file", os.devnull.encode())
        if library.TessBaseAPIInit2(self.handle, None, lang.encode(), ENGINE_LSTM) != 0:
            library.TessBaseAPIDelete(self.handle)
            self.handle = None
            raise CitydocsError(
                "internal",
                f"Tesseract has no model for language {lang!r}: install its traineddata "
                "(apt-get install tesseract-ocr-<lang>) or set CITYDOCS_OCR_LANG.",
            )
        library.TessBaseAPISetPageSegMode(self.handle, PAGE_SEGMENTATION)

    def tsv(self, pixels: np.ndarray, page: int, timeout: float) -> str:
        """The page's TSV rows. Tesseract stops at the deadline between two words."""
        library, handle = self.library, self.handle
        pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
        height, width = pixels.shape
        monitor = library.TessMonitorCreate()
        try:
            # Tesseract copies the pixels into an image of its own here.
            library.TessBaseAPISetImage(handle, pixels.ctypes.data, width, height, 1, width)
            deadline_ms = max(int(timeout * 1000), 1)
            start = time.monotonic()
            library.TessMonitorSetDeadlineMSecs(monitor, deadline_ms)
            if library.TessBaseAPIRecognize(handle, monitor) != 0:
                # Against the deadline as set (whole milliseconds), not the float asked for.
                if 1000 * (time.monotonic() - start) >= deadline_ms:
                    raise CitydocsError("timeout", _timeout_message(timeout, page))
                raise CitydocsError("internal", f"Tesseract could not read page {page}")
            text = library.TessBaseAPIGetTsvText(handle, 0)
            try:
                return ctypes.string_at(text).decode("utf-8", "replace") if text else ""
            finally:
                library.TessDeleteText(text)
        finally:
            library.TessBaseAPIClear(handle)
            library.TessMonitorDelete(monitor)

    def __del__(self) -> None:
        if getattr(self, "handle", None) is not None:
            self.library.TessBaseAPIEnd(self.handle)
            self.library.TessBaseAPIDelete(self.handle)
            self.handle = None


_engines = threading.local()


def _engine(lang: str) -> _Engine | None:
    """This thread's engine for ``lang``; None where the library cannot be loaded."""
    library = _library()
    if library is None:
        return None
    engines: dict[str, _Engine] = _engines.__dict__.setdefault("by_lang", {})
    if lang not in engines:
        engines[lang] = _Engine(library, lang)
    return engines[lang]


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    """libtesseract with the C API's signatures declared; None where it cannot be loaded."""
    found = ctypes.util.find_library("tesseract")
    for name in (*_LIBRARY_NAMES, *([found] if found else [])):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        return _declared(library)
    return None


def _declared(library: ctypes.CDLL) -> ctypes.CDLL:
    """The C API's argument and result types, so ctypes passes pointers whole."""
    handle, text, number = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    signatures = {
        "TessBaseAPICreate": ([], handle),
        "TessBaseAPIInit2": ([handle, text, text, number], number),
        "TessBaseAPISetVariable": ([handle, text, text], number),
        "TessBaseAPISetPageSegMode": ([handle, number], None),
        "TessBaseAPISetImage": ([handle, handle, number, number, number, number], None),
        "TessBaseAPIRecognize": ([handle, handle], number),
        "TessBaseAPIGetTsvText": ([handle, number], handle),
        "TessDeleteText": ([handle], None),
        "TessBaseAPIClear": ([handle], None),
        "TessBaseAPIEnd": ([handle], None),
        "TessBaseAPIDelete": ([handle], None),
        "TessMonitorCreate": ([], handle),
        "TessMonitorSetDeadlineMSecs": ([handle, number], None),
        "TessMonitorDelete": ([handle], None),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(library, name)
        function.argtypes, function.restype = arguments, result
    return library


def by_command(pixels: np.ndarray, *, page: int, lang: str, timeout: float) -> dict:
    """The same through the ``tesseract`` command, where the library is not at hand."""
    try:
        # Handed over as an uncompressed PGM file: given the image, pytesseract encodes a PNG
        # first, which took as long as the recognition itself on a 300 dpi page.
        with tempfile.TemporaryDirectory(prefix="citydocs-ocr-") as folder:
            source = os.path.join(folder, "page.pgm")
            Image.fromarray(pixels).save(source)
            return pytesseract.image_to_data(
                source,
                lang=lang,
                config=COMMAND_CONFIG,
                output_type=pytesseract.Output.DICT,
                timeout=timeout,
            )
    except pytesseract.TesseractNotFoundError as exc:
        raise CitydocsError(
            "internal",
            "Tesseract is not installed: run `make run` or apt-get install tesseract-ocr",
        ) from exc
    except pytesseract.TesseractError as exc:
        raise CitydocsError(
            "internal", f"Tesseract failed on page {page}: {exc.message or exc.status}"
        ) from exc
    except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
        raise CitydocsError("timeout", _timeout_message(timeout, page)) from exc
