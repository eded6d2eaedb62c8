"""``read_pdf``: a PDF file → a ``Document`` of pages, words, clean blocks and tables.

Each page is read from its text layer with pdfplumber, unless that layer is missing, too thin
for the page's area or mostly unmappable glyphs: then the page alone is rendered and OCR'd.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pypdfium2
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.base.errors import DETAIL, CitydocsError, describe, printable
from pipeline.base.request import Request, sha256_file
from pipeline.base.settings import Settings
from pipeline.base.timing import stage
from pipeline.reading.cleanup import clean_lines, vocabulary
from pipeline.reading.document import Block, Document, Page, Word
from pipeline.reading.layout import blocks_in_order, body_size, group_lines, join_split_words
from pipeline.reading.notes import library_notes
from pipeline.reading.objects import parse_once
from pipeline.reading.ocr import (
    OcrResult,
    head_down,
    ocr_image,
    orientation,
    orientation_guess,
    page_lie,
    size_step,
)
from pipeline.reading.raster import PageImages, Raster
from pipeline.reading.rulings import ruled_tables, words_in

BAD_GLYPHS = ("(cid:", "\ufffd")


def preflight(path: Path, settings: Settings) -> None:
    """Refuse what is not a readable PDF before any parser sees it."""
    if path.is_dir():
        raise CitydocsError("not_a_pdf", f"{path.name} is a directory, not a PDF file.")
    size = path.stat().st_size
    if size == 0:
        raise CitydocsError("empty", f"{path.name} is an empty file (0 bytes): export it again.")
    if size > settings.max_file_mb * 1024 * 1024:
        raise CitydocsError(
            "too_large",
            f"{path.name} is {size / 1048576:.0f} MB, above the {settings.max_file_mb:.0f} MB "
            "limit (CITYDOCS_MAX_FILE_MB).",
        )
    with path.open("rb") as handle:
        head = handle.read(1024)
    if b"%PDF-" not in head:
        raise CitydocsError(
            "not_a_pdf",
            f"{path.name} does not start like a PDF (no %PDF- header); check that it is not "
            "another kind of file renamed to .pdf.",
        )


def text_words(plumber_page, page: int) -> list[Word]:
    """Words of the text layer with their font size and weight.

    A long document holds hundreds of thousands of words: their texts are interned and the
    values a line's words repeat (top, bottom, size) share one float each, so that memory grows
    with what the pages say rather than with a copy of it per word.
    """
    words = plumber_page.extract_words(extra_attrs=["fontname", "size"], x_tolerance=1.5)
    shared: dict[float, float] = {}
    share = shared.setdefault
    result = []
    for raw in words:
        font = str(raw.get("fontname", ""))
        top, bottom = round(float(raw["top"]), 2), round(float(raw["bottom"]), 2)
        size = round(float(raw.get("size", 0.0)), 2)
        result.append(
            Word(
                text=sys.intern(raw["text"]),
                x0=round(float(raw["x0"]), 2),
                top=share(top, top),
                x1=round(float(raw["x1"]), 2),
                bottom=share(bottom, bottom),
                page=page,
                size=share(size, size),
                bold="bold" in font.lower() or "black" in font.lower(),
            )
        )
    return result


def ocr_reason(plumber_page, settings: Settings) -> str | None:
    """Why this page needs OCR, or None when its text layer is usable.

    Little text is a reason only on a page that draws something else (an image, or curves
    that may be outlined type): on a page of nothing but that text, such as the last lines of
    a document run over, the pixels hold no word the text layer lacks.
    """
    chars = [c["text"] for c in plumber_page.chars if c["text"].strip()]
    bad = sum(1 for c in chars if c.startswith(BAD_GLYPHS))
    usable = len(chars) - bad
    area = (plumber_page.width / 72) * (plumber_page.height / 72)
    if not chars:
        return "no text layer"
    if bad / len(chars) > settings.max_bad_glyph_share:
        return f"{bad} of {len(chars)} glyphs cannot be mapped to text"
    thin = (
        usable < settings.min_chars_per_page or usable / max(area, 1e-6) < settings.min_char_density
    )
    if thin and (plumber_page.images or plumber_page.curves):
        return f"only {usable} characters of text on the page"
    return None


def _refuse_bombs(plumber_page, settings: Settings, name: str) -> None:
    """An image that would decode into more pixels than the cap is refused before rendering.

    pdfplumber reads an image's declared size without decoding it; the renderer would decode it
    whole, however small it is drawn (20,000 × 20,000 pixels of zeros compress to a few MB).
    """
    for image in plumber_page.images:
        width, height = (int(v) for v in image.get("srcsize") or (0, 0))
        if width * height > settings.max_image_pixels:
            raise CitydocsError(
                "too_large",
                f"page {plumber_page.page_number} of {name} holds a {width} × {height} pixel "
                f"image ({width * height / 1e6:.0f} megapixels), above the "
                f"{settings.max_image_pixels / 1e6:.0f} megapixel limit "
                "(CITYDOCS_MAX_IMAGE_PIXELS); it may be a decompression bomb. Rescan or "
                "downsample it.",
            )


def _doubtful(result: OcrResult, settings: Settings) -> bool:
    return not result.words or (result.confidence or 0) < settings.low_ocr_confidence


def _on_its_side(result: OcrResult) -> bool:
    """Most words of four letters or more stand taller than wide: Tesseract read the lines of a
    page lying on its side, but layout needs them across."""
    longer = [w for w in result.words if len(w.text) >= 4]
    tall = sum(1 for w in longer if w.bottom - w.top > w.x1 - w.x0)
    return bool(longer) and tall > len(longer) / 2


def _plain(result: OcrResult, settings: Settings) -> bool:
    """A reading Tesseract is sure of, with its lines across: no other turn is tried."""
    return not (_doubtful(result, settings) or _on_its_side(result))


def _turn_to_try(raster: Raster, settings: Settings) -> int:
    """The turn a doubtful reading of a page whose lines lie across is tried at: the
    detection's when it is sure, and its unsure guess of head down too. Such a page can only
    be upright or head down, and the more confident of the two readings is kept; a coarse scan
    in a serif face left the detection unsure of pages it had right."""
    turn, sure = orientation_guess(raster, timeout=settings.ocr_timeout_s)
    return turn if sure or turn == 180 else 0


def _upright_reading(
    first: OcrResult,
    raster: Raster,
    read_turned: Callable[[int], OcrResult],
    settings: Settings,
    tried: dict[int, OcrResult] | None = None,
) -> OcrResult:
    """The reading of a page whose lines lie across, after a first one that is doubtful or on
    its side: turned as the detection says, keeping the better of the two readings.

    A doubtful reading across is first read head down before the detection is asked: a page
    whose lines lie across is upright or head down, a head-down page reads confidently turned,
    and a confident reading is the one the detection's turn would have kept, without its
    Tesseract run. Only a page that reads doubtfully both ways is left to the detection.
    ``tried``: readings made already, by their turn.
    """
    tried = dict(tried or {})
    if not _on_its_side(first):
        if 180 not in tried:
            tried[180] = read_turned(180)
        if not _doubtful(tried[180], settings):
            return _better(first, tried[180])
    turn = _turn_to_try(raster, settings)
    if not turn and _on_its_side(first):  # read on its side, the detection unsure
        turn = 90
    if not turn:
        return first
    upright = tried[turn] if turn in tried else read_turned(turn)
    sideways = _on_its_side(first) and not _on_its_side(upright)
    return upright if sideways else _better(first, upright)


def _better(first: OcrResult, second: OcrResult) -> OcrResult:
    """The more confident reading; the second on a tie (the sharper or the upright one)."""
    return second if (second.confidence or 0) >= (first.confidence or 0) else first


def _ocr_page(images: PageImages, pages, index: int, settings: Settings, name: str) -> OcrResult:
    """OCR a page from its own image or a render at ``ocr_dpi``; turned upright first when its
    text lines run down the page, or after a reading Tesseract doubts, head down or as its
    orientation detection says (a page on its side is asked before it is read, not read twice);
    again at ``ocr_retry_dpi`` when the print is small for the resolution or the reading stays
    doubtful, keeping the more confident reading. A page that is one image is not rendered
    again: a render only resamples its pixels, and Tesseract read upsampled scans no better.

    300 dpi, not 200: at 200 the words of the scanned samples were read as well in two thirds
    of the time, but type sizes came out too coarse to tell a heading from its paragraph.
    """
    _prefetch_next(images, pages, index, settings, name)

    def read(raster: Raster, turn: int, skew: float | None = None) -> OcrResult:
        turned = raster.turned(turn)
        result = ocr_image(
            turned,
            page=index + 1,
            lang=settings.ocr_lang,
            timeout=settings.ocr_timeout_s,
            skew=skew,
        )
        if turn:
            result.turned, result.size_pt = turn, turned.size_pt
        return result

    raster = images.first(index, pages[index])
    lie = page_lie(raster.pixels)
    # Lines running down the page: asked which way up before the first reading, not after.
    turn = orientation(raster, timeout=settings.ocr_timeout_s) if lie.sideways else 0
    if lie.sideways and turn not in (90, 270):  # the detection unsure: one side, then the other
        turn = 90

    def read_turned(turn: int, skew: float | None = None) -> OcrResult:
        """A reading turned by ``turn``; a doubtful one on its side read the other way too:
        lines lie across either way, and the detection can take one side for the other."""
        result = read(raster, turn, skew)
        if turn in (90, 270) and _doubtful(result, settings):
            result = _better(result, read(raster, (turn + 180) % 360))
        return result

    tried: dict[int, OcrResult] = {}
    if not lie.sideways and head_down(raster.image, lie.skew, raster.dpi):
        tried[180] = read_turned(180)  # kept when sure, else the reading upright is made too
    first = tried[180] if 180 in tried and _plain(tried[180], settings) else None
    if first is None:
        first = read_turned(turn, None if turn else lie.skew)
        if not lie.sideways and not _plain(first, settings):
            first = _upright_reading(first, raster, read_turned, settings, tried)
    if settings.ocr_retry_dpi <= first.dpi or not first.words or raster.source == "image":
        return first
    heights = sorted((w.bottom - w.top) * first.dpi / 72 for w in first.words)
    small = heights[len(heights) // 2] < settings.ocr_min_line_px
    if not (small or _doubtful(first, settings)):
        return first
    retry = images.render(index, settings.ocr_retry_dpi)
    if retry.dpi <= first.dpi:  # a large page already at the most the raster cap allows
        return first
    return _better(first, read(retry, first.turned))


def _prefetch_next(images: PageImages, pages, index: int, settings: Settings, name: str) -> None:
    """Prepare the next page's pixels while Tesseract reads this one, if it needs OCR too.

    Its OCR decision and bomb check run here, early (pdfplumber keeps the parsed page); a page
    the check refuses is left for the page loop to refuse in turn.
    """
    if index + 1 >= len(pages) or ocr_reason(pages[index + 1], settings) is None:
        return
    try:
        _refuse_bombs(pages[index + 1], settings, name)
    except CitydocsError:
        return
    images.prefetch(index + 1, pages[index + 1])


def _corrupt(path: Path, exc: BaseException) -> CitydocsError:
    return CitydocsError(
        "corrupt",
        f"{path.name} cannot be parsed as a PDF ({describe(exc)}); it may be truncated or "
        "damaged: copy or download it again, or open and re-save it.",
        detail=printable(f"{type(exc).__name__}: {exc}", DETAIL),
    )


def _encrypted(path: Path, password: str | None, exc: BaseException) -> CitydocsError:
    hint = (
        "the password given does not open it"
        if password
        else "give its password with --password, --password-file or CITYDOCS_PASSWORD"
    )
    return CitydocsError(
        "encrypted", f"{path.name} is password-protected: {hint}.", detail=describe(exc, DETAIL)
    )


def _open(path: Path, password: str | None) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(path, password=password or "")
    except PdfminerException as exc:
        if isinstance(exc.args[0] if exc.args else None, PDFPasswordIncorrect):
            raise _encrypted(path, password, exc) from exc
        raise _corrupt(path, exc) from exc
    except Exception as exc:
        raise _corrupt(path, exc) from exc


def _open_pdfium(path: Path, password: str | None) -> pypdfium2.PdfDocument:
    """The renderer's view of the file. pdfminer opens an AES-256 file with an empty owner
    password as its owner; pdfium insists on the user's, which is what a reader is asked for."""
    try:
        return pypdfium2.PdfDocument(str(path), password=password)
    except pypdfium2.PdfiumError as exc:
        if exc.err_code == pypdfium2.raw.FPDF_ERR_PASSWORD:
            raise _encrypted(path, password, exc) from exc
        raise _corrupt(path, exc) from exc


def _page_list(pdf: pdfplumber.PDF, path: Path) -> list:
    """pdfplumber builds every page up front; a broken page tree fails here (and again in
    ``pdf.close()``, so the file is closed by hand)."""
    try:
        return pdf.pages
    except Exception as exc:
        if not pdf.stream_is_external:
            pdf.stream.close()
        raise _corrupt(path, exc) from exc


def read_pdf(request: Request, settings: Settings) -> Document:
    """Read every page of a PDF into words, clean blocks in reading order and table candidates."""
    path = request.path
    preflight(path, settings)
    # Hashed when the request was built; only a file unreadable then is hashed now.
    digest = request.sha256 if request.sha256 is not None else sha256_file(path)
    warnings: list[str] = []
    with library_notes(path.name, warnings):
        pages = _read_pages(request, settings, warnings)
    document = Document(path=path, sha256=digest, pages=pages, warnings=warnings)
    with stage("clean-up"):
        lay_out(document)
    return document


def _read_pages(request: Request, settings: Settings, warnings: list[str]) -> list[Page]:
    path, password = request.path, request.password
    pdf = _open(path, password)
    plumber_pages = _page_list(pdf, path)
    pages: list[Page] = []
    images: PageImages | None = None
    with pdf:
        count = len(plumber_pages)
        if count == 0:
            raise CitydocsError(
                "empty",
                f"{path.name} is a PDF with no pages: check the export or scan that made it.",
            )
        if count > request.max_pages:
            raise CitydocsError(
                "too_large",
                f"{path.name} has {count} pages, above the limit of {request.max_pages} "
                "(--max-pages).",
            )
        try:
            if pdf.doc.encryption is not None:  # the renderer's password rule, for every page
                _open_pdfium(path, password).close()
            for index, plumber_page in enumerate(plumber_pages):
                number = index + 1
                try:
                    with stage("read"):  # words, rulings and images: one parse, kept
                        parse_once(plumber_page)
                        reason = ocr_reason(plumber_page, settings)
                    if reason is None:
                        with stage("read"):
                            words = text_words(plumber_page, number)
                            page = Page(
                                number, plumber_page.width, plumber_page.height, words, "text"
                            )
                            page.tables = ruled_tables(plumber_page, words, number)
                    else:
                        with stage("ocr"):
                            _refuse_bombs(plumber_page, settings, path.name)
                            if images is None:
                                images = PageImages(path, password, settings, path.name)
                            result = _ocr_page(images, plumber_pages, index, settings, path.name)
                        width, height = result.size_pt or (plumber_page.width, plumber_page.height)
                        page = Page(
                            number,
                            width,
                            height,
                            result.words,
                            "ocr",
                            ocr_confidence=result.confidence,
                            skew_degrees=result.skew_degrees,
                            ocr_dpi=result.dpi,
                            ocr_reason=reason,
                        )
                        warnings.extend(_ocr_warnings(number, result, settings))
                finally:
                    # pdfplumber keeps a page's parsed objects until it is closed, so memory
                    # would grow with the page count; words and rulings are taken out above.
                    plumber_page.close()
                pages.append(page)
        finally:
            if images is not None:
                images.close()
    return pages


def _ocr_warnings(number: int, result: OcrResult, settings: Settings) -> list[str]:
    found = []
    if result.confidence is not None and result.confidence < settings.low_ocr_confidence:
        found.append(
            f"page {number}: low OCR confidence ({result.confidence:.0f} < "
            f"{settings.low_ocr_confidence:.0f})"
        )
    if not result.words:
        found.append(f"page {number}: OCR found no text")
    return found


def lay_out(document: Document) -> None:
    """Blocks in reading order for every page, with their text cleaned."""
    if document.ocr_pages:
        spelled = vocabulary(w.text for w in document.words)
        for page in document.pages:
            page.words = join_split_words(page.words, spelled)
    size = body_size(document.words)
    for page in document.pages:
        in_tables = {id(w) for t in page.tables for w in words_in(page.words, t.bbox)}
        free = [w for w in page.words if id(w) not in in_tables]
        page_size = size if page.source == "text" else None
        step = size_step(page.ocr_dpi) if page.source == "ocr" and page.ocr_dpi else 0.0
        blocks = blocks_in_order(free, page.number, page.width, page.height, page_size, step)
        for table in page.tables:
            inside = words_in(page.words, table.bbox)
            if inside:
                block = Block(page.number, "table", group_lines(inside))
                position = next(
                    (
                        i
                        for i, b in enumerate(blocks)
                        if b.region != "banner" and b.bbox[1] > table.bbox[1]
                    ),
                    len(blocks),
                )
                blocks.insert(position, block)
        page.blocks = blocks
    document.vocabulary = vocabulary(line.text for b in document.blocks for line in b.lines)
    for block in document.blocks:
        block.text = clean_lines((line.text for line in block.lines), document.vocabulary)
