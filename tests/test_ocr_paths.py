"""The pixels OCR reads and where its words land: skew, a page that is one image, large pages."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pipeline.base.request import Request
from pipeline.base.settings import Settings, get_settings
from pipeline.reading import ocr
from pipeline.reading import raster as raster_module
from pipeline.reading.document import Word
from pipeline.reading.raster import PageImages, fit_dpi
from pipeline.reading.reader import read_pdf
from samples import make_samples

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _read(path: Path, settings: Settings | None = None):  # type: ignore[no-untyped-def]
    settings = settings or get_settings()
    return read_pdf(Request.of(path, settings), settings)


@pytest.fixture(scope="module")
def born(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A born-digital profile: the true position of every word is in its text layer."""
    out = tmp_path_factory.mktemp("born")
    return next(p for p in make_samples.build("zhengzhou_profile", out) if "_scan" not in p.name)


def _truth(pdf: Path) -> dict[str, tuple[float, float]]:
    """Centres of the words that occur once on the first page, in points."""
    with pdfplumber.open(pdf) as document:
        words = document.pages[0].extract_words(x_tolerance=1.5)
    counts = Counter(w["text"] for w in words)
    return {
        w["text"]: ((w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2)
        for w in words
        if counts[w["text"]] == 1 and len(w["text"]) >= 5 and w["text"].isalpha()
    }


_PUNCT = ".,;:()\"'"


def _offsets(pdf: Path, truth: dict[str, tuple[float, float]], settings=None) -> list[float]:
    page = _read(pdf, settings).pages[0]
    counts = Counter(w.text.strip(_PUNCT) for w in page.words)
    found = []
    for w in page.words:
        text = w.text.strip(_PUNCT)
        if counts[text] == 1 and text in truth:
            tx, ty = truth[text]
            found.append(max(abs((w.x0 + w.x1) / 2 - tx), abs((w.top + w.bottom) / 2 - ty)))
    return found


@pytest.mark.parametrize("skew", [-2.5, 0.6, 4.0])
@pytest.mark.parametrize("source", ["image", "render"])
def test_leveled_pixels_put_a_mark_where_the_box_rotation_puts_it(skew: float, source: str) -> None:
    """The bitmap rotation and the boxes' rotation agree: a dark square on the skewed page
    lands, once the page is levelled, where ``_unrotate`` takes its centre; the uncovered
    corners are white, the size is kept."""
    height, width = 300, 400
    page = np.full((height, width), 255, np.uint8)
    top, left = 60, 310
    page[top : top + 6, left : left + 6] = 0
    level = ocr.level_pixels(page, skew, ocr._ROTATION[source])
    assert level.shape == page.shape and level.dtype == np.uint8
    assert level[0, 0] == level[0, -1] == level[-1, 0] == level[-1, -1] == 255
    ink = 255 - level.astype(float)
    rows, cols = np.indices(level.shape)
    found = ((cols * ink).sum() / ink.sum() + 0.5, (rows * ink).sum() / ink.sum() + 0.5)
    want = ocr._unrotate(left + 3, top + 3, -skew, width / 2, height / 2)
    assert abs(found[0] - want[0]) < 0.3 and abs(found[1] - want[1]) < 0.3, (found, want)


@pytest.mark.parametrize("skew", [-2.5, 0.6])
def test_a_render_is_levelled_as_pils_bilinear_rotation_levels_it(skew: float) -> None:
    """Grey levels rounded down as PIL's rotation rounds them, not to the nearest as OpenCV's
    warp does by itself (a page a fraction of a level lighter lost fields on coarse scans):
    within a level of PIL's nearly everywhere, and not lighter on average."""
    image = Image.new("L", (800, 600), 250)
    draw = ImageDraw.Draw(image)
    for line in range(12):
        draw.text((40, 30 + 45 * line), "Urban Cooperation Action Plan 2019", fill=20, font_size=28)
    image = image.filter(ImageFilter.GaussianBlur(1.2))  # the soft edges a renderer draws
    pils = np.asarray(image.rotate(-skew, resample=Image.Resampling.BILINEAR, fillcolor=255))
    level = ocr.level_pixels(np.asarray(image), skew, ocr._ROTATION["render"])
    difference = level.astype(int) - pils.astype(int)
    assert level.dtype == np.uint8
    assert (np.abs(difference) <= 1).mean() > 0.995
    assert abs(difference.mean()) < 0.05, difference.mean()


@pytest.mark.parametrize("small_skew", [0.25, 3.0], ids=["pixels-rotated", "boxes-rotated"])
def test_words_of_a_skewed_scan_land_on_their_true_positions(
    born: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_skew: float
) -> None:
    """Scanned 1.5° askew, the words come back where the born-digital page has them, whether
    the bitmap or only the boxes are turned (the scan turns about the page centre)."""
    monkeypatch.setattr(ocr, "SMALL_SKEW", small_skew)
    scan = tmp_path / "skewed.pdf"
    make_samples.scan(born, scan, dpi=200, skew=1.5)
    truth = _truth(born)
    offsets = _offsets(scan, truth)
    assert len(offsets) >= 0.6 * len(truth)
    # Level lines would be off by up to 300 pt × sin 1.5° ≈ 8 pt at the page's edges.
    assert sorted(offsets)[int(0.9 * len(offsets))] <= 2.5, sorted(offsets)[-10:]


@pytest.mark.parametrize("dpi", [200, 300], ids=["rendered", "own-image"])
def test_a_rasters_image_and_pixels_are_one_grey_array_as_pdfium_draws_it(
    born: Path, tmp_path: Path, dpi: int
) -> None:
    """The pixels are PDFium's grey render (or the page's own image), copied once and shared
    with the image, read-only: a step that wrote into them would change every other's page."""
    scan = tmp_path / "scan.pdf"
    make_samples.scan(born, scan, dpi=dpi, skew=0.4)
    with pdfplumber.open(scan) as pdf:
        images = PageImages(scan, None, get_settings(), scan.name)
        try:
            raster = images.first(0, pdf.pages[0])
        finally:
            images.close()
    document = pypdfium2.PdfDocument(str(scan))
    try:
        if raster.source == "render":
            scale = raster.dpi / 72
            drawn = document[0].render(scale=scale, grayscale=True).to_pil()
        else:
            (image,) = document[0].get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE])
            drawn = image.get_bitmap(render=False).to_pil()
        want = np.asarray(drawn.convert("L"))
    finally:
        document.close()
    assert raster.source == ("image" if dpi == 300 else "render")
    assert raster.pixels is raster.pixels and not raster.pixels.flags.writeable
    assert np.array_equal(raster.pixels, want)
    assert np.array_equal(np.asarray(raster.image), want) and raster.image.mode == "L"


def test_a_page_that_is_one_image_is_read_from_it_as_the_render_would_be(
    born: Path, tmp_path: Path
) -> None:
    scan = tmp_path / "scan.pdf"
    make_samples.scan(born, scan, dpi=300, skew=0.0)
    settings = get_settings()
    with pdfplumber.open(scan) as pdf:
        images = PageImages(scan, None, settings, scan.name)
        try:
            raster = images.first(0, pdf.pages[0])
        finally:
            images.close()
    assert raster.source == "image" and raster.dpi == 300 and raster.image.mode == "L"
    own = _read(scan, settings).pages[0]
    rendered = _read(scan, settings.model_copy(update={"ocr_image_dpi": 1200, "ocr_dpi": 300}))
    assert own.ocr_dpi == 300 and rendered.pages[0].ocr_dpi == settings.ocr_dpi
    a, b = Counter(w.text for w in own.words), Counter(w.text for w in rendered.pages[0].words)
    assert sum((a & b).values()) >= 0.97 * max(sum(a.values()), sum(b.values()))
    truth = _truth(born)
    offsets = _offsets(scan, truth)
    assert sorted(offsets)[int(0.9 * len(offsets))] <= 2.5


def _image_pdf(pages: list[tuple[Image.Image, float]], path: Path) -> Path:
    """Image-only pages, each image filling a page sized by the image and its resolution."""
    canvas = Canvas(str(path))
    for image, dpi in pages:
        size = (image.width * 72 / dpi, image.height * 72 / dpi)
        canvas.setPageSize(size)
        canvas.drawImage(ImageReader(image), 0, 0, *size)
        canvas.showPage()
    canvas.save()
    return path


def _card(text: str, size: tuple[int, int] = (600, 160)) -> Image.Image:
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((20, 50), text, fill=0, font=ImageFont.truetype(FONT, 40))
    return image


def test_a_poster_page_is_read_at_a_lower_resolution_not_refused(tmp_path: Path) -> None:
    # 25 × 50 inches holding an ordinary 500 × 1000 image
    poster = _image_pdf([(_card("Poster", (500, 1000)), 20.0)], tmp_path / "poster.pdf")
    settings = get_settings()
    page = _read(poster, settings).pages[0]
    assert page.source == "ocr"
    assert settings.ocr_min_dpi <= page.ocr_dpi < settings.ocr_dpi
    assert (25 * page.ocr_dpi) * (50 * page.ocr_dpi) <= settings.max_render_pixels


def test_a_document_with_one_30_inch_page_reads_every_page(tmp_path: Path) -> None:
    pages = [(_card(f"Chapter {n}"), 200.0) for n in range(1, 6)]
    pages.insert(3, (_card("Plan", (300, 300)), 10.0))  # page 4: 30 × 30 inches
    document = _image_pdf(pages, tmp_path / "six.pdf")
    read = _read(document)
    assert len(read.pages) == 6 and all(p.source == "ocr" for p in read.pages)
    assert read.pages[3].ocr_dpi < 300
    words = [" ".join(w.text for w in p.words) for i, p in enumerate(read.pages) if i != 3]
    assert words == [f"Chapter {n}" for n in range(1, 6)]


def test_only_a_page_too_big_even_at_the_lowest_resolution_is_refused() -> None:
    settings = get_settings()
    assert fit_dpi(612, 792, 300, settings, "p") == 300
    assert 100 <= fit_dpi(25 * 72, 50 * 72, 300, settings, "p") < 300
    with pytest.raises(Exception, match="CITYDOCS_MAX_RENDER_PIXELS") as caught:
        fit_dpi(200 * 72, 200 * 72, 300, settings, "p")
    assert caught.value.kind == "too_large"


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_page_scanned_on_its_side_or_head_is_turned_upright(
    born: Path, tmp_path: Path, turn: int
) -> None:
    page = pypdfium2.PdfDocument(str(born))[0].render(scale=200 / 72, grayscale=True).to_pil()
    scan = tmp_path / f"turned{turn}.pdf"
    page.convert("L").rotate(turn, expand=True, fillcolor=255).save(scan, "PDF", resolution=200.0)
    read = _read(scan).pages[0]
    assert (read.width, read.height) == pytest.approx((595.44, 842.04), abs=1)
    truth = _truth(born)
    offsets = _offsets(scan, truth)
    assert len(offsets) >= 0.6 * len(truth)
    assert sorted(offsets)[int(0.9 * len(offsets))] <= 2.5


@pytest.mark.parametrize("answer", ["other side", "unsure"])
def test_a_page_on_its_side_is_read_upright_when_the_detection_errs(
    born: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    from pipeline.reading import reader

    page = pypdfium2.PdfDocument(str(born))[0].render(scale=200 / 72, grayscale=True).to_pil()
    scan = tmp_path / "turned90.pdf"
    page.convert("L").rotate(90, expand=True, fillcolor=255).save(scan, "PDF", resolution=200.0)
    right = reader.orientation

    def wrong(raster, timeout: float = 60.0) -> int:  # type: ignore[no-untyped-def]
        return (right(raster, timeout) + 180) % 360 if answer == "other side" else 0

    monkeypatch.setattr(reader, "orientation", wrong)
    read = _read(scan).pages[0]
    truth = _truth(born)
    offsets = _offsets(scan, truth)
    assert read.ocr_confidence and read.ocr_confidence > 80
    assert len(offsets) >= 0.6 * len(truth)


@pytest.mark.parametrize(("full", "expected"), [(8.0, 180), (1.0, 0)])
def test_a_turn_the_reduced_copy_leaves_unsure_is_asked_again_at_full_size(
    monkeypatch: pytest.MonkeyPatch, full: float, expected: int
) -> None:
    from pipeline.reading.raster import Raster

    raster = Raster(Image.new("L", (2480, 3508), 255), (0.24, 0.24), dpi=300)
    asked: list[tuple[int, int]] = []

    def detection(image: Image.Image, timeout: float) -> tuple[int, float]:
        asked.append(image.size)
        return 180, (full if image.size == raster.image.size else 1.2)

    monkeypatch.setattr(ocr, "_osd", detection)
    assert ocr.orientation(raster) == expected
    assert asked == [(1240, 1754), (2480, 3508)]


def test_a_turn_the_reduced_copy_is_sure_of_is_not_asked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline.reading.raster import Raster

    raster = Raster(Image.new("L", (2480, 3508), 255), (0.24, 0.24), dpi=300)
    asked: list[tuple[int, int]] = []

    def detection(image: Image.Image, timeout: float) -> tuple[int, float]:
        asked.append(image.size)
        return 180, 6.0

    monkeypatch.setattr(ocr, "_osd", detection)
    assert ocr.orientation(raster) == 180
    assert asked == [(1240, 1754)]


@pytest.mark.parametrize(
    ("guess", "tried"), [((180, False), 180), ((90, False), 0), ((90, True), 90), ((0, False), 0)]
)
def test_a_doubtful_page_is_tried_head_down_on_an_unsure_guess_only_of_head_down(
    monkeypatch: pytest.MonkeyPatch, guess: tuple[int, bool], tried: int
) -> None:
    from pipeline.reading import reader
    from pipeline.reading.raster import Raster

    monkeypatch.setattr(reader, "orientation_guess", lambda raster, timeout: guess)
    raster = Raster(Image.new("L", (100, 100), 255), (0.24, 0.24), dpi=300)
    assert reader._turn_to_try(raster, get_settings()) == tried


def _ruled_table(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A label / value table of short cells between thin rulings, like a U-CAP's first page."""
    canvas = Canvas(str(path), pagesize=(595, 842))
    canvas.setFont("Times-Roman", 10)
    canvas.setLineWidth(0.6)
    top = 760
    for label, value in rows:
        canvas.rect(60, top - 22, 150, 22)
        canvas.rect(210, top - 22, 320, 22)
        canvas.drawString(66, top - 15, label)
        canvas.drawString(216, top - 15, value)
        top -= 22
    canvas.save()
    return path


def test_the_short_cells_of_a_skewed_ruled_table_are_read(tmp_path: Path) -> None:
    """A scan read from its own pixels and rotated level keeps the one-word cells between its
    rulings (a bilinear rotation blurred them away)."""
    rows = [
        ("City", "Osijek"),
        ("Countries", "Croatia"),
        ("Population", "96,313"),
        ("Size", "171"),
        ("Period", "March 2017 until July 2018"),
        ("Partners", "Aveiro, Portugal"),
    ]
    born = _ruled_table(tmp_path / "table.pdf", rows)
    scan = tmp_path / "table_scan.pdf"
    make_samples.scan(born, scan, dpi=250, skew=1.3)
    page = _read(scan).pages[0]
    assert page.ocr_dpi == 250 and abs(page.skew_degrees) > ocr.SMALL_SKEW
    read = {w.text.strip(",") for w in page.words}
    assert {label for label, _ in rows} <= read, read
    assert {"Osijek", "Croatia", "96,313", "171", "Aveiro"} <= read, read


def test_thin_rulings_are_painted_white_and_a_dark_band_is_kept() -> None:
    """Rulings go; a filled band keeps its ink, gaps between its light letters included, and
    a letter's short stroke stays."""
    pixels = np.full((400, 600), 250, np.uint8)
    pixels[200:202, 50:550] = 20  # a ruling across
    pixels[250:390, 300:302] = 20  # a ruling down
    pixels[20:160, 50:550] = 30  # a dark band …
    pixels[40:140, 100:110] = 240  # … with two light letter strokes: a dark gap between them
    pixels[40:140, 113:123] = 240
    pixels[300:320, 100:103] = 0  # a letter's stroke
    out = np.asarray(ocr._without_rulings(Image.fromarray(pixels, mode="L"), dpi=200))
    assert (out[199:203, 50:550] == 255).all() and (out[250:390, 299:303] == 255).all()
    assert (out[20:160] == pixels[20:160]).all()
    assert (out[300:320, 100:103] == 0).all()


def test_a_ruling_just_over_a_line_of_blurred_capitals_is_painted_white() -> None:
    """Capitals blurred on a coarse scan fill their squares mostly with ink; the ruling a few
    pixels over them is still a ruling, not the edge of a filled band."""
    pixels = np.full((300, 600), 250, np.uint8)
    pixels[100:102, 50:550] = 20  # a ruling across
    for x in range(60, 400, 20):  # a line of fat capitals under it, strokes nearly touching
        pixels[112:150, x : x + 16] = 40
    out = np.asarray(ocr._without_rulings(Image.fromarray(pixels, mode="L"), dpi=200))
    assert (out[100:102, 50:550] == 255).all()
    assert (out[112:150] == pixels[112:150]).all()


def test_runs_along_rows_are_found_as_in_a_full_search() -> None:
    """The search along rows that skips rows without long runs finds what the full one does:
    runs at every offset against the groups of eight, one pixel short of the length, none."""
    rng = np.random.default_rng(7)
    ink = rng.random((60, 403)) < 0.3
    for row, (start, length) in enumerate([(0, 150), (3, 150), (250, 153), (9, 149), (100, 300)]):
        ink[10 * row] = False
        ink[10 * row, start : start + length] = True
    assert (ocr._row_runs(ink, 150) == ocr._runs(ink, 150, 1)).all()
    assert ocr._row_runs(ink, 150).any(axis=1).sum() == 4


def test_runs_down_columns_are_found_as_in_a_full_search() -> None:
    """The search down columns that skips columns without long runs finds what the full one
    does, with rows past the last whole group of eight holding the end of a run."""
    rng = np.random.default_rng(11)
    for height in (403, 400, 157):
        ink = rng.random((height, 60)) < 0.3
        for col, (start, length) in enumerate([(0, 150), (3, 150), (height - 150, 150), (9, 149)]):
            ink[:, 10 * col] = False
            ink[start : start + length, 10 * col] = True
        assert (ocr._column_runs(ink, 150) == ocr._runs(ink, 150, 0)).all()
        assert ocr._column_runs(ink, 150).any(axis=0).sum() == 3


def test_runs_where_set_are_the_runs_of_a_full_search() -> None:
    """Runs searched only over stretches of lines holding a set pixel are all the runs: two
    stretches of a sparse mask, one shorter than a run."""
    mask = np.zeros((300, 200), bool)
    mask[10:40, 20:180] = np.random.default_rng(3).random((30, 160)) < 0.9
    mask[100:104, 50:60] = True  # a stretch of four rows: no run of nine down it
    mask[200:260, 5] = True
    for axis in (0, 1):
        assert (ocr._runs_where_set(mask, 9, axis) == ocr._runs(mask, 9, axis)).all()


def test_dense_squares_are_asked_at_the_given_pixels_only() -> None:
    """A pixel in or within half a square of a mostly-ink square is dense; one further off,
    past the page's last whole square, or on a page with no such square is not."""
    ink = np.zeros((100, 130), bool)
    ink[20:40, 20:40] = True  # one square of 20 wholly ink
    ys = np.array([30, 30, 30, 30, 5, 95])
    xs = np.array([30, 50, 51, 10, 30, 125])
    assert ocr._dense_at(ink, 20, ys, xs).tolist() == [True, True, False, True, False, False]
    assert not ocr._dense_at(np.zeros_like(ink), 20, ys, xs).any()


def test_a_page_of_grey_images_renders_as_in_grey_mode(tmp_path: Path) -> None:
    """A page that draws grey images only is rendered to a grey bitmap without PDFium's grey
    mode, pixel for pixel the same; a colour image keeps the mode."""
    grey = tmp_path / "grey.pdf"
    colour = tmp_path / "colour.pdf"
    rng = np.random.default_rng(5)
    Image.fromarray(rng.integers(0, 256, (300, 200), dtype=np.uint8)).save(grey, resolution=72)
    Image.fromarray(rng.integers(0, 256, (300, 200, 3), dtype=np.uint8)).save(colour, resolution=72)
    settings = get_settings()
    for path, expected in ((grey, True), (colour, False)):
        document = pypdfium2.PdfDocument(path)
        assert raster_module._grey_images_only(document[0]) is expected
        images = PageImages(path, None, settings, path.name)
        try:
            ours = np.asarray(images.render(0, 150).image)
        finally:
            images.close()
        mode = document[0].render(scale=150 / 72, grayscale=True).to_pil().convert("L")
        assert (ours == np.asarray(mode)).all()
        document.close()


def _lines_of_words(width: int = 1200, height: int = 1600) -> Image.Image:
    """A page of text-like lines: rows of dark word-sized dashes, two columns."""
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    for top in range(100, height - 100, 40):
        for left in range(100, width - 150, 90):
            if left // 90 != 6:  # the gutter
                draw.rectangle((left, top, left + 60, top + 14), fill=20)
    return page


@pytest.mark.parametrize("skew", [-1.5, 0.0, 1.2])
def test_a_page_on_its_side_is_told_by_its_profiles_and_keeps_its_skew(skew: float) -> None:
    """Lines across read as upright, lines down as a page on its side; a quarter turn leaves
    the skew of the lines as it was."""
    page = _lines_of_words().rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    upright = ocr.page_lie(page)
    side = ocr.page_lie(page.transpose(Image.Transpose.ROTATE_90))
    assert not upright.sideways and side.sideways
    assert upright.skew == pytest.approx(skew, abs=0.15)
    assert side.skew == pytest.approx(skew, abs=0.15)


def _ocr_word(text: str, x0: float, width: float, height: float, conf: float) -> Word:
    return Word(text, x0, 100.0, x0 + width, 100.0 + height, 1, source="ocr", conf=conf)


def test_a_mark_that_opens_a_line_of_words_is_kept_as_a_bullet() -> None:
    """A dot Tesseract doubts or reads as another sign is a bullet, read "•", where it opens a
    line of words; the same mark inside a line, alone on one, as wide as a rule or as small as
    a speck is not; a sure dash and a sign of prose stay as read."""
    words = [
        _ocr_word("-", 68, 3.6, 1.2, 40),  # doubted, opens an item
        _ocr_word("Strengthen", 75, 40, 8, 95),
        _ocr_word("¢«", 120, 3.0, 3.4, 30),  # inside the line: a speck
        _ocr_word("@", 68, 3.0, 3.4, 90),  # sure, but a dot read as "@"
        _ocr_word("Support", 75, 30, 8, 95),
        _ocr_word("-", 68, 3.6, 1.2, 40),  # alone on its line
        _ocr_word("—", 68, 200, 1.2, 40),  # a rule read as a dash
        _ocr_word("Improve", 270, 30, 8, 95),
        _ocr_word("'", 68, 0.8, 0.8, 20),  # a speck
        _ocr_word("Water", 75, 30, 8, 95),
        _ocr_word("–", 68, 3.6, 1.2, 90),  # a sure dash
        _ocr_word("2019", 75, 30, 8, 95),
        _ocr_word("&", 68, 4.0, 6.0, 95),  # "Research & Development" wrapped
        _ocr_word("Development", 75, 30, 8, 95),
    ]
    lines = [(1, 1, n) for n in (1, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 6, 7, 7)]
    ink = [ocr._is_ink(w) for w in words]
    keep = ocr._keep_bullets(words, lines, ink)
    assert [w.text for w, k in zip(words, keep, strict=True) if k] == [
        "•", "Strengthen", "•", "Support", "Improve", "Water", "–", "2019", "&", "Development"
    ]  # fmt: skip


def test_marks_read_as_letters_are_bullets_only_where_they_stand_one_under_another() -> None:
    """Small squares read as "a" or "ws", doubted, opening capitalised lines at one place
    across are a list's marks; a doubted "a" opening a line elsewhere, a sure "a" in line with
    them and a doubted "in" before a lower-case word stay words."""
    words = [
        _ocr_word("a", 44, 5.3, 9.6, 78),
        _ocr_word("New", 52, 20, 8, 95),
        _ocr_word("ws", 44.2, 5.3, 9.8, 46),
        _ocr_word("Reduced", 52, 30, 8, 95),
        _ocr_word("a", 44, 4.8, 9.0, 96),  # sure: a word
        _ocr_word("Joint", 52, 20, 8, 95),
        _ocr_word("a", 120, 5.0, 9.0, 70),  # alone at its place across
        _ocr_word("European", 128, 30, 8, 95),
        _ocr_word("in", 44, 6.0, 9.0, 70),  # prose goes on in lower case
        _ocr_word("the", 52, 12, 8, 95),
    ]
    lines = [(1, 1, n) for n in (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)]
    ink = [ocr._is_ink(w) for w in words]
    keep = ocr._keep_bullets(words, lines, ink)
    assert [w.text for w, k in zip(words, keep, strict=True) if k] == [
        "•", "New", "•", "Reduced", "a", "Joint", "a", "European", "in", "the"
    ]  # fmt: skip


def test_a_mark_opening_a_table_cell_beside_its_label_is_a_bullet_too() -> None:
    """A value cell read on one Tesseract line with its label: a mark after the gap opens the
    cell's item; a cell's rule read as a thin "-" before it does not count; a doubted digit
    and a sure "=" in line with the list's other marks are marks, a sure digit is a number."""
    label = _ocr_word("Results", 10, 30, 8, 96)
    words = [
        label,
        _ocr_word("-", 49, 0.5, 8, 87),  # the cell's rule
        _ocr_word("M", 58, 5, 8, 10),
        _ocr_word("Reduced", 66, 30, 8, 96),
        _ocr_word("•", 58, 5, 5, 60),
        _ocr_word("New", 66, 20, 8, 96),
        _ocr_word("8", 58, 5, 8, 40),
        _ocr_word("Joint", 66, 20, 8, 96),
        _ocr_word("=", 58, 5, 4, 92),
        _ocr_word("Better", 66, 20, 8, 96),
        _ocr_word("3", 58, 5, 8, 95),
        _ocr_word("Cities", 66, 20, 8, 96),
        _ocr_word("|", 49, 0.3, 12, 90),  # a cell's rule, kept for the layout to cut at
        _ocr_word("¢", 58, 5, 5, 24),
        _ocr_word("Involving", 66, 30, 8, 96),
    ]
    lines = [(1, 1, n) for n in (1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6)]
    ink = [ocr._is_ink(w) for w in words]
    keep = ocr._keep_bullets(words, lines, ink)
    assert [w.text for w, k in zip(words, keep, strict=True) if k] == [
        "Results", "-", "•", "Reduced", "•", "New", "•", "Joint", "•", "Better", "3", "Cities",
        "|", "•", "Involving",
    ]  # fmt: skip


def test_a_hyphen_set_apart_between_words_is_read_as_the_en_dash() -> None:
    """Tesseract reads a title's or a period's en dash as "-"; a mark opening a phrase after a
    gap and a speck between lower-case words stay as read."""
    words = [
        _ocr_word("Aville", 10, 30, 8, 96),
        _ocr_word("-", 44, 4, 1, 90),
        _ocr_word("City", 52, 20, 8, 96),
        _ocr_word("Results", 10, 30, 8, 96),
        _ocr_word("-", 60, 4, 1, 90),  # a cell's item after the label
        _ocr_word("Reduced", 68, 30, 8, 96),
        _ocr_word("the", 10, 15, 8, 96),
        _ocr_word("-", 28, 4, 1, 60),
        _ocr_word("city", 36, 20, 8, 96),
    ]
    lines = [(1, 1, n) for n in (1, 1, 1, 2, 2, 2, 3, 3, 3)]
    ocr._spaced_dashes(words, lines)
    assert [w.text for w in words if w.text in "-–"] == ["–", "-", "-"]


def _reading(confidence: float | None, turned: int = 0) -> ocr.OcrResult:
    words = [Word("Cooperation", 10, 10, 80, 20, 1)] if confidence is not None else []
    return ocr.OcrResult(words, confidence, 0.0, 300, turned=turned)


@pytest.mark.parametrize(
    ("head_down", "guess", "expected", "reads", "asked"),
    [
        (93.0, (0, True), 180, [180], False),  # confident head down: the detection not asked
        (40.0, (180, False), 180, [180], True),  # doubtful both ways: head down read once
        (30.0, (0, True), 0, [180], True),  # doubtful both ways, detection upright
        (30.0, (90, True), 90, [180, 90], True),  # the detection sure of a side
    ],
)
def test_a_doubtful_reading_across_is_read_head_down_before_the_detection_is_asked(
    monkeypatch: pytest.MonkeyPatch,
    head_down: float,
    guess: tuple[int, bool],
    expected: int,
    reads: list[int],
    asked: bool,
) -> None:
    from pipeline.reading import reader
    from pipeline.reading.raster import Raster

    calls: list[str] = []

    def detection(raster: Raster, timeout: float) -> tuple[int, bool]:
        calls.append("asked")
        return guess

    monkeypatch.setattr(reader, "orientation_guess", detection)
    done: list[int] = []

    def read_turned(turn: int) -> ocr.OcrResult:
        done.append(turn)
        return _reading(head_down if turn == 180 else 95.0, turned=turn)

    raster = Raster(Image.new("L", (100, 100), 255), (0.24, 0.24), dpi=300)
    result = reader._upright_reading(_reading(35.0), raster, read_turned, get_settings())
    assert result.turned == expected
    assert done == reads
    assert bool(calls) == asked


def _prose_page() -> Image.Image:
    """A 300 dpi page of ordinary prose lines, upright."""
    image = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    text = [
        "The city and its partners agreed a plan for cleaner transport",
        "and held workshops on district heating with local businesses.",
        "Delegations visited the harbour, the old town and the library",
        "to learn how public buildings were refitted to save energy.",
    ]
    for i in range(24):
        draw.text((120, 150 + 80 * i), text[i % len(text)], fill=0, font=font)
    return image


@pytest.mark.parametrize("turn", [0, 180])
def test_a_page_of_prose_is_found_head_down_by_its_ink_alone(turn: int) -> None:
    page = _prose_page().rotate(turn)
    assert ocr.head_down(page, 0.0, 300) is (turn == 180)


def test_a_page_with_too_few_lines_is_not_called_head_down() -> None:
    page = _prose_page().crop((0, 0, 1700, 500)).rotate(180)
    assert not ocr.head_down(page, 0.0, 300)
