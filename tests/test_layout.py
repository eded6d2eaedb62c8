"""Words → lines on hand-made OCR words: what Tesseract's line boxes do and do not prove."""

from __future__ import annotations

import numpy as np

from pipeline.reading.document import TextLine, Word
from pipeline.reading.layout import blocks_in_order, group_lines, join_split_words, split_at_gaps
from pipeline.reading.ocr import size_step


def _ocr(text: str, x0: float, x1: float, top: float, bottom: float) -> Word:
    return Word(text, x0, top, x1, bottom, 1, 10.0, False, "ocr", 95)


def _words(
    text: str,
    x: float,
    top: float,
    *,
    height: float,
    size: float,
    conf: float | None = None,
) -> list[Word]:
    """One OCR'd line of words set 6 pt a letter, 3 pt apart, each ``height`` tall."""
    words = []
    for token in text.split():
        words.append(
            Word(token, x, top, x + 6 * len(token), top + height, 1, size, False, "ocr", conf)
        )
        x += 6 * len(token) + 3
    return words


def test_a_tall_ocr_line_does_not_swallow_the_line_under_it() -> None:
    # Tesseract took two lines for one: its box (and so each word's) reaches into the next.
    first = [
        _ocr("Jing'an", 60, 95, 254, 278),
        _ocr("is", 99, 107, 254, 278),
        _ocr("a", 111, 116, 254, 278),
        _ocr("city.", 120, 142, 254, 278),
    ]
    second = [_ocr("development", 60, 118, 268, 278), _ocr("plan.", 122, 145, 268, 278)]
    lines = group_lines(first + second)
    assert [line.text for line in lines] == ["Jing'an is a city.", "development plan."]


def test_overlapping_boxes_of_one_tesseract_line_stay_one_line() -> None:
    # A word box drawn too wide overlaps its neighbour; both have the line's own box.
    words = [
        _ocr("Funded", 343, 370, 83, 94),
        _ocr("by", 374, 383, 83, 94),
        _ocr("European", 401, 464, 83, 94),
        _ocr("Union", 441, 464, 83, 94),
    ]
    assert [line.text for line in group_lines(words)] == ["Funded by European Union"]


def test_a_cell_border_read_as_a_bar_splits_the_line_and_is_dropped() -> None:
    line = TextLine(
        [
            _ocr("Objectives", 50, 100, 100, 110),
            _ocr("|", 103, 105, 100, 110),
            _ocr("Create", 108, 140, 100, 110),
            _ocr("a", 143, 148, 100, 110),
        ]
    )
    assert [run.text for run in split_at_gaps(line, 20)] == ["Objectives", "Create a"]


def test_pieces_of_a_large_word_are_joined_when_the_document_spells_it_whole() -> None:
    # Tesseract cut a title set in large type; a space would be wider than these gaps.
    title = [
        _ocr("Ponteved", 74, 177, 64, 88),
        _ocr("ra", 180, 201, 64, 88),
        _ocr("City", 226, 270, 64, 88),
        _ocr("Profi", 279, 330, 64, 88),
        _ocr("le", 333, 350, 64, 88),
    ]
    tight = [_ocr("in", 60, 70, 120, 130), _ocr("to", 71, 81, 120, 130)]
    known = frozenset({"pontevedra", "profile", "into"})
    texts = [w.text for w in join_split_words(title + tight, known)]
    assert texts == ["Pontevedra", "City", "Profile", "in", "to"]  # two words stay two words


def test_a_scanned_paragraph_line_read_larger_does_not_split_its_paragraph() -> None:
    def line(text: str, top: float, size: float) -> list[Word]:
        return _words(text, 60.0, top, height=11, size=size)

    words = (
        line("Disaster risk reduction. The city", 546, 11.8)
        + line("hopes to connect its clusters active", 560, 14.4)  # letters without ascenders
        + line("in disaster risk reduction with partners.", 574, 12.0)
        + [w for i in range(30) for w in line("filler body text of the page", 600 + 14 * i, 11.8)]
    )
    blocks = blocks_in_order(words, 1, 595, 842)
    assert blocks[0].lines[1].text == "hopes to connect its clusters active"
    assert len(blocks[0].lines) == 3


def test_a_short_scanned_block_in_capitals_is_a_heading() -> None:
    def line(text: str, top: float) -> list[Word]:
        return _words(text, 50.0, top, height=8, size=9.9)

    words = line("MAIN THEMATIC", 128) + line("INTERESTS", 140)
    words += [w for i in range(6) for w in line("Electric Mobility and more", 170 + 20 * i)]
    blocks = blocks_in_order(words, 1, 595, 842)
    assert (blocks[0].kind, blocks[0].lines[0].text) == ("heading", "MAIN THEMATIC")
    assert all(b.kind == "paragraph" for b in blocks[1:])


def test_a_wrapped_scanned_heading_read_a_pixel_smaller_stays_one_heading() -> None:
    # At 150 dpi a box is a whole number of 0.48 pt pixels high: body lines read 10.0 to 10.5,
    # and the heading's second line ("Cooperation", with a descender) a step under its first.
    def line(text: str, top: float, size: float) -> list[Word]:
        return _words(text, 40.0, top, height=10, size=size)

    body = [
        w
        for i in range(12)
        for w in line("body text of the page goes on here", 420 + 13 * i, (10.05, 10.47)[i % 3 > 0])
    ]
    words = line("Preferred Areas of", 387, 13.32) + line("Cooperation", 402, 12.51) + body
    blocks = blocks_in_order(words, 1, 595, 842, size_step=size_step(150))
    assert (blocks[0].kind, blocks[0].text or " ".join(x.text for x in blocks[0].lines)) == (
        "heading",
        "Preferred Areas of Cooperation",
    )
    assert all(b.kind == "paragraph" for b in blocks[1:])


def _row(text: str, x: float, top: float) -> list[Word]:
    return _words(text, x, top, height=9, size=9.5, conf=95)


def test_a_narrow_label_column_level_with_its_value_rows_is_no_sidebar() -> None:
    labels = ["COUNTRY:", "POPULATION", "SIZE (KM2)", "PERIOD:", "THEMES:"]
    words: list[Word] = []
    for i, label in enumerate(labels):
        top = 100 + 40 * i
        words += _row(label, 40, top)
        words += _row("a value that runs over two lines of the cell", 233, top)
        words += _row("of the table beside its label", 233, top + 11)
    blocks = blocks_in_order(words, 1, 612, 792)
    assert {b.region for b in blocks} == {"body"}
    assert blocks[0].lines[0].text == "COUNTRY:"


def test_label_boxes_stretched_up_by_a_ruling_still_open_level_with_their_values() -> None:
    # On a coarse scan a remnant of the ruling above a cell is read into its label's box: the
    # label's top rises by half a line, its bottom stays level with the value's.
    labels = ["COUNTRY:", "POPULATION", "SIZE (KM2)", "PERIOD:", "THEMES:"]
    words: list[Word] = []
    for i, label in enumerate(labels):
        top = 100 + 40 * i
        stretched = 5 if i % 2 == 0 else 0
        words += _words(label, 40, top - stretched, height=9 + stretched, size=9.5, conf=95)
        words += _row("a value that runs over two lines of the cell", 233, top)
        words += _row("of the table beside its label", 233, top + 11)
    blocks = blocks_in_order(words, 1, 612, 792)
    assert {b.region for b in blocks} == {"body"}


def test_a_narrow_edge_column_set_apart_from_the_body_rows_is_a_sidebar() -> None:
    words: list[Word] = []
    for i in range(20):
        words += _row("body text of the page that runs on and on", 40, 100 + 11 * i)
    for i, item in enumerate(["Green Development", "Tourism and Culture", "Health Services"]):
        words += _row(item, 420, 130 + 47 * i)
    blocks = blocks_in_order(words, 1, 612, 792)
    assert [b.text or b.lines[0].text for b in blocks if b.region == "sidebar"] == [
        "Green Development",
        "Tourism and Culture",
        "Health Services",
    ]


def test_a_scanned_body_line_read_a_step_large_stays_in_its_paragraph() -> None:
    # The pixel's slack is for a heading's second line only: a body line read just under the
    # heading threshold, after body lines, is no heading.
    def line(text: str, top: float, size: float) -> list[Word]:
        return _words(text, 40.0, top, height=10, size=size)

    words = [w for i in range(12) for w in line("body text of the page goes on", 100 + 13 * i, 9.4)]
    words += line("European institutions, associations and", 256, 10.9)
    words += line("enterprises to set up offices in the city.", 269, 9.4)
    blocks = blocks_in_order(words, 1, 595, 842, size_step=size_step(200))
    assert all(b.kind == "paragraph" for b in blocks)


def test_a_scanned_title_crossing_the_sidebar_gutter_stays_one_line() -> None:
    # A long scanned page: a sidebar and a body column under a title whose space falls where
    # the gutter runs; the programme's line under the title crosses the gutter, as the title.
    def word(text: str, x0: float, x1: float, top: float, size: float = 10.0) -> Word:
        return Word(text, x0, top, x1, top + 0.8 * size, 1, size, False, "ocr", 95)

    words = [word("City", 50, 100, 50, 24.0), word("Profile:", 110, 190, 50, 24.0)]
    words += [word("Aville", 215, 300, 50, 24.0)]
    words += [word("International", 50, 120, 76), word("Regional", 170, 230, 76)]
    for line in range(30):
        top = 92 + 12 * line
        words += [word("side", 50, 80, top), word("bar", 85, 110, top)]
        words += [word("the", 240, 260, top), word("body", 265, 300, top)]
        words += [word("column", 305, 350, top), word("runs", 355, 390, top)]
    blocks = blocks_in_order(words, 1, 595, 842)
    titles = [line.text for b in blocks for line in b.lines if "Profile:" in line.text]
    assert titles == ["City Profile: Aville"]


def test_a_title_and_a_banner_on_one_tesseract_line_keep_their_own_sizes() -> None:
    from pipeline.reading.ocr import _level_lines

    title = Word("Aville", 60, 61, 145, 77, 1, 0.0, False, "ocr", 96)  # 16 pt capitals: 22 pt
    banner = [
        Word("REGIONAL", 333, 61, 386, 68, 1, 0.0, False, "ocr", 96),  # 7 pt capitals: 9.6 pt
        Word("COOPERATION", 389, 61, 462, 68, 1, 0.0, False, "ocr", 96),
    ]
    label = Word("Population", 60, 100, 120, 110, 1, 0.0, False, "ocr", 96)
    value = Word("Aville", 300, 100, 340, 108, 1, 0.0, False, "ocr", 96)
    words = [title, *banner, label, value]
    _level_lines(words, [(1, 1, 1)] * 3 + [(1, 1, 2)] * 2)
    assert title.size > 2 * banner[0].size and banner[0].size == banner[1].size
    assert label.size == value.size  # near sizes: the line's one median


def test_a_table_row_with_a_rule_read_as_a_bar_keeps_one_size() -> None:
    from pipeline.reading.ocr import _level_lines

    label = [  # the label's box reaches the cell's rule: read tall
        Word("|", 35, 160, 39, 180, 1, 0.0, False, "ocr", 60),
        Word("Duration", 44, 160, 87, 180, 1, 0.0, False, "ocr", 96),
    ]
    value = Word("12/2016", 231, 162, 269, 170, 1, 0.0, False, "ocr", 96)
    _level_lines([*label, value], [(1, 1, 1)] * 3)
    assert label[1].size == value.size


def test_a_tesseract_line_across_a_gutter_keeps_each_phrase_its_own_box() -> None:
    from pipeline.reading.ocr import _level_lines

    item = [  # a sidebar item, its line run on by Tesseract into a lower body line
        Word("Renewable", 45, 107.5, 88, 115.0, 1, 0.0, False, "ocr", 96),
        Word("Energy", 92, 107.5, 120, 116.6, 1, 0.0, False, "ocr", 96),
    ]
    body = [
        Word("an", 182, 112.8, 193, 118.1, 1, 0.0, False, "ocr", 95),
        Word("important", 197, 111.4, 236, 119.8, 1, 0.0, False, "ocr", 96),
    ]
    _level_lines([*item, *body], [(3, 1, 3)] * 4)
    assert {(w.top, w.bottom) for w in item} == {(107.5, 116.6)}
    assert {(w.top, w.bottom) for w in body} == {(111.4, 119.8)}


def test_a_bullet_mark_does_not_shrink_its_items_type_size() -> None:
    from pipeline.reading.ocr import _level_lines

    short = [  # a dot's box is a third of a letter's height: measured as a letter, 5.5 pt
        Word("•", 59, 281, 62, 284, 1, 0.0, False, "ocr", 40),
        Word("Logistics", 66, 278, 107, 287.5, 1, 0.0, False, "ocr", 96),
    ]
    long = [
        Word("•", 59, 299, 62, 302, 1, 0.0, False, "ocr", 40),
        Word("Carbon", 66, 296, 96, 303.3, 1, 0.0, False, "ocr", 96),
        Word("Reform", 99, 296, 141, 303.3, 1, 0.0, False, "ocr", 96),
    ]
    _level_lines([*short, *long], [(1, 1, 1)] * 2 + [(1, 1, 2)] * 3)
    assert short[0].size == short[1].size == 10.0
    assert long[0].size == 10.0


def _tesseract_line(boxes: list[tuple[str, int, int]]) -> dict:
    """Tesseract's data for one line of words: (text, left, width), 20 px high at top 10."""
    n = len(boxes)
    return {
        "text": [t for t, _, _ in boxes],
        "left": [x for _, x, _ in boxes],
        "width": [w for _, _, w in boxes],
        "top": [10] * n,
        "height": [20] * n,
        "conf": [95.0] * n,
        "block_num": [1] * n,
        "par_num": [1] * n,
        "line_num": [1] * n,
    }


def test_an_underscore_under_the_gap_before_an_address_joins_it() -> None:
    from pipeline.reading.ocr import _join_underscored

    pixels = np.full((40, 200), 250, dtype=np.uint8)
    pixels[27:29, 62:80] = 60  # the underscore, below the letters' boxes, short of both words
    data = _tesseract_line([("More", 0, 30), ("UNIT", 35, 25), ("office@city.eu", 76, 90)])
    _join_underscored(data, pixels)
    assert data["text"] == ["More", "", "UNIT_office@city.eu"]
    assert (data["left"][2], data["width"][2]) == (35, 131)


def test_a_plain_space_before_an_address_keeps_the_words_apart() -> None:
    from pipeline.reading.ocr import _join_underscored

    pixels = np.full((40, 200), 250, dtype=np.uint8)
    pixels[25:29, 55:57] = 60  # a comma's tail, no line under the gap
    data = _tesseract_line([("Garcia,", 0, 57), ("carmen@city.eu", 70, 90)])
    _join_underscored(data, pixels)
    assert data["text"] == ["Garcia,", "carmen@city.eu"]
    read = _tesseract_line([("UNIT_", 0, 40), ("office@city-", 45, 60), ("hall.eu", 110, 40)])
    _join_underscored(read, pixels)
    assert read["text"] == ["", "UNIT_office@city-", "hall.eu"]
