"""``read_pdf``: a PDF file → a ``Document`` of pages, words, clean blocks and tables.

Each page is read from its text layer with pdfplumber, unless that layer is missing, too thin
for the page's area or mostly unmappable glyphs: then the page alone is rendered and OCR'd.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pdfplumber
import pypdfium2
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.base.errors import DETAIL, CitydocsError, describe, printable
from pipeline.base.settings import Settings, get_settings
from pipeline.base.timing import stage
from pipeline.reading.cleanup import clean_lines, vocabulary
from pipeline.reading.document import Block, Document, Page, Word
from pipeline.reading.layout import blocks_in_order, body_size, group_lines
from pipeline.reading.notes import library_notes
from pipeline.reading.ocr import OcrResult, ocr_image
from pipeline.reading.rulings import ruled_tables, words_in

BAD_GLYPHS = ("(cid:", "\ufffd")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_sha256(path: Path) -> str | None:
    """The sha256 of a regular file's bytes; None for links (never followed), folders, errors."""
    try:
        return sha256_file(path) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


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
    """Why this page needs OCR, or None when its text layer is usable."""
    chars = [c["text"] for c in plumber_page.chars if c["text"].strip()]
    bad = sum(1 for c in chars if c.startswith(BAD_GLYPHS))
    usable = len(chars) - bad
    area = (plumber_page.width / 72) * (plumber_page.height / 72)
    if not chars:
        return "no text layer"
    if bad / len(chars) > settings.max_bad_glyph_share:
        return f"{bad} of {len(chars)} glyphs cannot be mapped to text"
    if usable < settings.min_chars_per_page or usable / max(area, 1e-6) < settings.min_char_density:
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


def _render(pdfium_doc: pypdfium2.PdfDocument, index: int, dpi: int, settings: Settings, name: str):
    page = pdfium_doc[index]
    width, height = page.get_size()
    scale = dpi / 72
    if width * height * scale * scale > settings.max_render_pixels:
        raise CitydocsError(
            "too_large",
            f"page {index + 1} of {name} would render to {width * scale:.0f} × {height * scale:.0f} "
            "pixels, above CITYDOCS_MAX_RENDER_PIXELS; it may be a decompression bomb.",
        )
    return page.render(scale=scale, grayscale=True).to_pil().convert("L")


def _ocr_page(
    pdfium_doc: pypdfium2.PdfDocument, index: int, settings: Settings, name: str
) -> OcrResult:
    """OCR at ``ocr_dpi``; again at ``ocr_retry_dpi`` when the print is small for that
    resolution or Tesseract doubts its reading, keeping the more confident of the two.

    300 dpi, not 200: at 200 the words of the scanned samples were read as well (accuracy
    0.998 and 1.00 both) in two thirds of the time, but type sizes came out too coarse to tell
    a heading from its paragraph (field F1 of a scanned sample profile 0.942 against 0.971).
    """

    def read(dpi: int) -> OcrResult:
        image = _render(pdfium_doc, index, dpi, settings, name)
        return ocr_image(
            image, page=index + 1, dpi=dpi, lang=settings.ocr_lang, timeout=settings.ocr_timeout_s
        )

    first = read(settings.ocr_dpi)
    if settings.ocr_retry_dpi <= settings.ocr_dpi or not first.words:
        return first
    heights = sorted((w.bottom - w.top) * settings.ocr_dpi / 72 for w in first.words)
    small = heights[len(heights) // 2] < settings.ocr_min_line_px
    doubtful = (first.confidence or 0) < settings.low_ocr_confidence
    if not (small or doubtful):
        return first
    second = read(settings.ocr_retry_dpi)
    return second if (second.confidence or 0) >= (first.confidence or 0) else first


def _corrupt(path: Path, exc: BaseException) -> CitydocsError:
    return CitydocsError(
        "corrupt",
        f"{path.name} cannot be parsed as a PDF ({describe(exc)}); it may be truncated or "
        "damaged: copy or download it again, or open and re-save it.",
        detail=printable(f"{type(exc).__name__}: {exc}", DETAIL),
    )


def _encrypted(path: Path, password: str | None, exc: BaseException) -> CitydocsError:
    hint = "the password given does not open it" if password else "pass it with --password"
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


def read_pdf(
    path: Path | str, *, settings: Settings | None = None, password: str | None = None
) -> Document:
    """Read every page of a PDF into words, clean blocks in reading order and table candidates."""
    settings = settings or get_settings()
    path = Path(path)
    preflight(path, settings)
    digest = sha256_file(path)
    warnings: list[str] = []
    with library_notes(path.name, warnings):
        pages = _read_pages(path, settings, password, warnings)
    document = Document(path=path, sha256=digest, pages=pages, warnings=warnings)
    with stage("clean-up"):
        lay_out(document)
    return document


def _read_pages(
    path: Path, settings: Settings, password: str | None, warnings: list[str]
) -> list[Page]:
    pdf = _open(path, password)
    plumber_pages = _page_list(pdf, path)
    pages: list[Page] = []
    pdfium_doc: pypdfium2.PdfDocument | None = None
    with pdf:
        count = len(plumber_pages)
        if count == 0:
            raise CitydocsError(
                "empty",
                f"{path.name} is a PDF with no pages: check the export or scan that made it.",
            )
        if count > settings.max_pages:
            raise CitydocsError(
                "too_large",
                f"{path.name} has {count} pages, above the limit of {settings.max_pages} "
                "(--max-pages).",
            )
        try:
            if pdf.doc.encryption is not None:  # the same password rule for every page
                pdfium_doc = _open_pdfium(path, password)
            for index, plumber_page in enumerate(plumber_pages):
                number = index + 1
                try:
                    with stage("read"):  # the first look at .chars is what parses the page
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
                            if pdfium_doc is None:
                                pdfium_doc = _open_pdfium(path, password)
                            result = _ocr_page(pdfium_doc, index, settings, path.name)
                        page = Page(
                            number,
                            plumber_page.width,
                            plumber_page.height,
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
            if pdfium_doc is not None:
                pdfium_doc.close()
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
    size = body_size(document.words)
    for page in document.pages:
        in_tables = {id(w) for t in page.tables for w in words_in(page.words, t.bbox)}
        free = [w for w in page.words if id(w) not in in_tables]
        page_size = size if page.source == "text" else None
        blocks = blocks_in_order(free, page.number, page.width, page.height, page_size)
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
    known = vocabulary(line.text for b in document.blocks for line in b.lines)
    for block in document.blocks:
        block.text = clean_lines((line.text for line in block.lines), known)
