"""The reading layer on real generated PDFs: text layer, OCR, reading order, tables."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pikepdf
import pypdfium2
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from pipeline.base.request import Request
from pipeline.base.settings import get_settings
from pipeline.reading.document import Document
from pipeline.reading.objects import parse_objects
from pipeline.reading.raster import PageImages
from pipeline.reading.reader import ocr_reason, read_pdf
from samples import make_samples


def _words(text: str) -> list[str]:
    return [w for w in re.sub(r"[^\w%/&'-]+", " ", text.lower().replace("’", "'")).split() if w]


def profile_reference(stem: str) -> str:
    """The flyer's clean source text in reading order: banner, body, then sidebar."""
    src = make_samples.load_source(stem)
    parts = [src["programme"], src["funded_by"]]
    for section in src["sections"]:
        parts.append(section["heading"])
        parts.extend(p.replace("**", "") for p in section["paragraphs"])
    parts.append(src["city"])
    parts.extend(src["themes"])
    return " ".join(parts)


def word_accuracy(reference: str, hypothesis: str) -> float:
    ref, hyp = _words(reference), _words(hypothesis)
    matcher = difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(ref)


def test_born_digital_profile_reads_from_the_text_layer(documents: dict[str, Document]) -> None:
    doc = documents["zhengzhou_profile"]
    assert doc.ocr_pages == [] and doc.text_source == "text"
    assert word_accuracy(profile_reference("zhengzhou_profile"), doc.text) >= 0.99


def test_text_layer_holds_a_ligature_and_the_record_text_does_not(
    sample_dir: Path, documents
) -> None:
    with pdfplumber.open(sample_dir / "zhengzhou_profile.pdf") as pdf:
        chars = "".join(c["text"] for c in pdf.pages[0].chars)
    assert "ﬁ" in chars or "ﬂ" in chars
    assert (
        "ﬁ" not in documents["zhengzhou_profile"].text
        and "scientific" in documents["zhengzhou_profile"].text
    )


def test_hyphenated_line_ends_are_joined(documents: dict[str, Document]) -> None:
    text = documents["zhengzhou_profile"].text
    assert "-" in "".join(
        line.text[-1] for b in documents["zhengzhou_profile"].blocks for line in b.lines
    )
    for word in ("hinterland", "international", "enterprises", "high-speed", "2-hour"):
        assert word in text


@pytest.mark.parametrize("stem", ["zhengzhou_profile", "zhengzhou_profile_scan"])
def test_sidebar_is_its_own_region_after_the_body(
    documents: dict[str, Document], stem: str
) -> None:
    doc = documents[stem]
    src = make_samples.load_source("zhengzhou_profile")
    regions = [b.region for b in doc.blocks]
    assert regions[0] == "banner"
    assert "sidebar" in regions
    first_sidebar = regions.index("sidebar")
    assert all(r == "sidebar" for r in regions[first_sidebar:]), regions
    body = " ".join(b.text for b in doc.blocks if b.region == "body")
    sidebar = " ".join(b.text for b in doc.blocks if b.region == "sidebar")
    for theme in src["themes"]:
        assert theme.split(",")[0] not in body
    assert src["city"] in sidebar
    headings = [b.text for b in doc.blocks if b.kind == "heading" and b.region == "body"]
    assert [s["heading"] for s in src["sections"]] == headings


def test_scanned_profile_ocr_accuracy_and_skew(documents: dict[str, Document]) -> None:
    doc = documents["zhengzhou_profile_scan"]
    assert doc.ocr_pages == [1] and doc.text_source == "ocr"
    page = doc.pages[0]
    assert page.ocr_reason == "no text layer"
    # the generator rotated the page by 0.6°; the reader measured it and turned it back
    assert page.skew_degrees is not None and abs(abs(page.skew_degrees) - 0.6) <= 0.15
    assert page.ocr_dpi == 300  # body text is big enough for the first resolution
    accuracy = word_accuracy(profile_reference("zhengzhou_profile"), doc.text)
    assert accuracy >= 0.97, f"OCR word accuracy {accuracy:.3f}"


def test_ocr_is_decided_page_by_page(sample_dir: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.pdf"
    with pikepdf.new() as out:
        for name in ("zhengzhou_profile.pdf", "zhengzhou_profile_scan.pdf"):
            with pikepdf.open(sample_dir / name) as src:
                out.pages.extend(src.pages)
        out.save(mixed)
    doc = read_pdf(Request.of(mixed, get_settings()), get_settings())
    assert doc.ocr_pages == [2] and doc.text_source == "mixed"
    assert [p.source for p in doc.pages] == ["text", "ocr"]
    assert all(w.source == "ocr" and w.conf is not None for w in doc.pages[1].words)


def test_ruled_table_found_with_wrapped_cells(documents: dict[str, Document]) -> None:
    doc = documents["zhengzhou_ucap"]
    tables = [t for p in doc.pages for t in p.tables]
    assert tables and tables[0].method == "ruled"
    first_rows = [[c.text if c else None for c in row] for row in tables[0].rows[:2]]
    assert first_rows[0][:2] == ["City:", "Zhengzhou"]
    assert first_rows[1][0] == "Province, State, Department...:"  # a label wrapped over two lines


def test_words_carry_boxes_in_pdf_points(documents: dict[str, Document]) -> None:
    for doc in documents.values():
        for page in doc.pages:
            for word in page.words:
                assert 0 <= word.x0 <= word.x1 <= page.width + 1
                assert 0 <= word.top <= word.bottom <= page.height + 1


def test_the_other_summaries_break_the_zhengzhou_template(documents: dict[str, Document]) -> None:
    # an open table: no ruling lines for pdfplumber to find
    assert not [t for p in documents["lisbon_ucap"].pages for t in p.tables]
    # a ruled table whose long cells run over the page break
    assert {t.page for p in documents["milan_ucap"].pages for t in p.tables} == {1, 2}
    # a scan: every page OCR'd
    assert documents["foshan_ucap"].text_source == "ocr"


def test_the_other_profiles_break_the_zhengzhou_template(documents: dict[str, Document]) -> None:
    porto = documents["porto_profile"]  # sidebar on the left, still read after the body
    sidebar = [b for b in porto.blocks if b.region == "sidebar"]
    body = [b for b in porto.blocks if b.region == "body"]
    assert sidebar and body and sidebar[0].bbox[0] < body[0].bbox[0]
    assert porto.blocks.index(sidebar[0]) > porto.blocks.index(body[-1])
    tampere = documents["tampere_profile"]  # one column over two pages, no sidebar
    assert tampere.page_count == 2 and not any(b.region == "sidebar" for b in tampere.blocks)
    assert documents["kunming_profile"].text_source == "ocr"


def test_a_speck_in_the_gutter_does_not_merge_scanned_columns() -> None:
    from pipeline.reading.document import Word
    from pipeline.reading.layout import blocks_in_order

    words = []
    for line in range(25):
        top = 100 + line * 12
        for column, x in (("left", 40), ("right", 320)):
            for k in range(4):
                words.append(
                    Word(
                        f"{column}{line}w{k}",
                        x + k * 55,
                        top,
                        x + k * 55 + 52,
                        top + 9,
                        1,
                        9.5,
                        False,
                        "ocr",
                        95,
                    )
                )
    words.append(Word("~~", 262, 250, 315, 256, 1, 9.5, False, "ocr", 70))  # the speck
    blocks = blocks_in_order(words, 1, 595, 842)
    text = " ".join(
        b.lines[0].text + " " + " ".join(line.text for line in b.lines[1:]) for b in blocks
    )
    assert text.index("left24w0") < text.index("right0w0")  # the left column is read first, whole


def test_small_print_is_read_again_at_the_higher_resolution(tmp_path: Path) -> None:
    text = "Cooperation between the municipalities covers mobility and water management"
    born = tmp_path / "small.pdf"
    canvas = Canvas(str(born), pagesize=A4)
    canvas.setFont("Helvetica", 6)
    for i in range(30):
        canvas.drawString(60, 780 - i * 9, f"{i + 1}. {text}.")
    canvas.save()
    scan = tmp_path / "small_scan.pdf"  # the same page as a 300 dpi picture, no text layer
    image = pypdfium2.PdfDocument(str(born))[0].render(scale=300 / 72, grayscale=True).to_pil()
    canvas = Canvas(str(scan), pagesize=A4)
    canvas.drawInlineImage(image, 0, 0, *A4)
    canvas.save()
    # rendered, not read from its own 300 dpi image, so that the first pass is at 200 dpi
    settings = get_settings().model_copy(
        update={"ocr_dpi": 200, "ocr_retry_dpi": 300, "ocr_image_dpi": 1200}
    )
    page = read_pdf(Request.of(scan, settings), settings).pages[0]  # 6 pt: under 20 px at 200 dpi
    assert page.source == "ocr" and page.ocr_dpi == 300
    # Tesseract reads the numbers as a column of their own: compare words, not their order.
    read = Counter(_words(" ".join(w.text for w in page.words)))
    expected = Counter(_words(text) * 30)
    assert sum((read & expected).values()) / sum(expected.values()) >= 0.95


def _fake_page(text: str, images: int = 0, curves: int = 0) -> SimpleNamespace:
    """What ``ocr_reason`` looks at on a pdfplumber page, made by hand."""
    return SimpleNamespace(
        chars=[{"text": c} for c in text],
        images=[{}] * images,
        curves=[{}] * curves,
        width=612,
        height=792,
    )


def test_a_page_of_a_few_words_and_nothing_else_keeps_its_text() -> None:
    # The last lines of a document run over onto a page: OCR could only read them back.
    assert ocr_reason(_fake_page("district.Page 2"), get_settings()) is None


@pytest.mark.parametrize("drawn", [{"images": 1}, {"curves": 3}])
def test_a_few_words_over_an_image_or_drawing_are_ocrd(drawn: dict[str, int]) -> None:
    reason = ocr_reason(_fake_page("Page 2", **drawn), get_settings())
    assert reason == "only 5 characters of text on the page"


def _same_objects(lean: dict, own: dict) -> None:
    """Equal values, kinds in the same order, every object's keys in the same order."""
    assert lean == own
    assert list(lean) == list(own)
    for kind, objects in own.items():
        assert [list(o) for o in lean[kind]] == [list(o) for o in objects]


@pytest.mark.parametrize("stem", ["zhengzhou_ucap", "zhengzhou_profile", "lisbon_ucap"])
def test_the_lean_parse_builds_pdfplumbers_own_objects(sample_dir: Path, stem: str) -> None:
    with pdfplumber.open(sample_dir / f"{stem}.pdf") as pdf:
        for page in pdf.pages:
            lean = parse_objects(page)
            _same_objects(lean, page.parse_objects())
            assert lean["char"]


def _awkward_text_page(path: Path) -> Path:
    """Characters raised, scaled, turned, in marked content and inside a form, after a rule,
    on a page whose media box does not start at the origin."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    form = pikepdf.Stream(pdf, b"BT /F1 9 Tf 10 10 Td (In a form) Tj ET")
    form["/Type"], form["/Subtype"] = pikepdf.Name.XObject, pikepdf.Name.Form
    form["/BBox"] = pikepdf.Array([0, 0, 200, 50])
    form["/Resources"] = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    content = (
        b"0 0 1 RG 2 w 40 600 m 300 600 l S "
        b"/P <</MCID 3>> BDC BT /F1 12 Tf 3 Ts 80 Tz 1 0 0.3 RG 60 700 Td (Raised and scaled) Tj ET EMC "
        b"BT /F1 10 Tf 0 1 -1 0 400 300 Tm (Turned) Tj ET "
        b"q 1 0 0 1 60 400 cm /Fm1 Do Q "
        b"BT /F1 11 Tf 60 500 Td [(Kern) -250 (ed)] TJ ET"
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[20, 30, 632, 822],
        Contents=pikepdf.Stream(pdf, content),
        Resources=pikepdf.Dictionary(
            Font=pikepdf.Dictionary(F1=font), XObject=pikepdf.Dictionary(Fm1=form)
        ),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def test_the_lean_parse_keeps_pdfplumbers_objects_on_an_awkward_page(tmp_path: Path) -> None:
    path = _awkward_text_page(tmp_path / "awkward.pdf")
    with pdfplumber.open(path) as pdf:
        lean = parse_objects(pdf.pages[0])
        _same_objects(lean, pdf.pages[0].parse_objects())
    texts = "".join(c["text"] for c in lean["char"])
    assert "Raised and scaled" in texts and "In a form" in texts and "Turned" in texts
    assert {c["mcid"] for c in lean["char"]} == {3, None}


def test_characters_the_lean_path_declines_take_pdfminers_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vertical font's character, or one whose numbers do not compute, goes through
    pdfminer's character object: the objects are the same either way."""
    from pipeline.reading import objects

    monkeypatch.setattr(objects._LeanDevice, "_horizontal", lambda self, *args: None)
    path = _awkward_text_page(tmp_path / "awkward.pdf")
    with pdfplumber.open(path) as pdf:
        _same_objects(parse_objects(pdf.pages[0]), pdf.pages[0].parse_objects())


def test_a_page_that_is_its_own_image_is_not_rendered_again_for_small_print(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render of a scanned page only resamples its pixels: small print on a page read from
    its own image keeps that reading."""
    born = tmp_path / "small.pdf"
    canvas = Canvas(str(born), pagesize=A4)
    canvas.setFont("Helvetica", 6)
    for i in range(30):
        canvas.drawString(60, 780 - i * 9, f"{i + 1}. Cooperation covers mobility and water.")
    canvas.save()
    scan = tmp_path / "small_scan.pdf"
    page_image = pypdfium2.PdfDocument(str(born))[0].render(scale=200 / 72, grayscale=True)
    page_image.to_pil().convert("L").save(scan, "PDF", resolution=200.0)
    settings = get_settings().model_copy(update={"ocr_image_dpi": 200, "ocr_retry_dpi": 400})

    def no_render(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was rendered again")

    monkeypatch.setattr(PageImages, "render", no_render)
    page = read_pdf(Request.of(scan, settings), settings).pages[0]  # 6 pt: under 20 px
    assert page.source == "ocr" and page.ocr_dpi == 200
    assert sum(w.text.startswith("Cooperation") for w in page.words) >= 25
