"""Each clean-up step on its own."""

from __future__ import annotations

import pytest

from pipeline.reading.cleanup import (
    clean_lines,
    clean_text,
    drop_stray_marks,
    fix_ocr_confusions,
    join_hyphenated,
    join_lines,
    normalize_unicode,
    square_units,
    unfold_ligatures,
)


def test_nfc_composes_accents() -> None:
    assert normalize_unicode("Ma\u0301laga") == "Málaga"


def test_ligatures_unfold() -> None:
    assert unfold_ligatures("scientiﬁc ﬂows oﬃce") == "scientific flows office"


@pytest.mark.parametrize(
    ("head", "tail", "joined"),
    [
        ("interna-", "tional", "international"),
        ("enterpris-", "es", "enterprises"),
        ("Commodi-", "ty", "Commodity"),
        ("high-", "speed", "high-speed"),
        ("2-", "hour", "2-hour"),
        ("city-", "city", "city-city"),
        ("China-", "Europe", "China-Europe"),
        ("new-", "generation", "new-generation"),
    ],
)
def test_line_end_hyphens(head: str, tail: str, joined: str) -> None:
    assert join_hyphenated(head, tail) == joined


def test_document_vocabulary_settles_unknown_words() -> None:
    # "Zheng-" + "zhou" are not dictionary words, but the document writes "zhengzhou" elsewhere.
    assert join_hyphenated("Zheng-", "zhou", frozenset({"zhengzhou"})) == "Zhengzhou"
    assert join_hyphenated("match-", "making", frozenset({"match-making"})) == "match-making"


def test_join_lines_keeps_following_words() -> None:
    text = join_lines(["one of China's 12 highest-level interna-", "tional transportation hubs."])
    assert text == "one of China's 12 highest-level international transportation hubs."


def test_ocr_confusions_fixed_only_in_context() -> None:
    assert fix_ocr_confusions("form. lts 2-hour circle") == "form. Its 2-hour circle"
    assert fix_ocr_confusions("the lts protocol") == "the lts protocol"
    assert fix_ocr_confusions("is l0cated in") == "is located in"
    assert fix_ocr_confusions("SDG9 and 2017") == "SDG9 and 2017"


def test_a_misread_superscript_two_after_a_unit_is_squared_again() -> None:
    assert square_units("on 11360 km?. The port") == "on 11360 km². The port"
    assert square_units("Area: 640.2 km’") == "Area: 640.2 km²"
    assert square_units("flats of 80 m?, each") == "flats of 80 m², each"
    # Only after a number: a question stays a question.
    assert square_units("How many km? Ask.") == "How many km? Ask."


def test_stray_marks_dropped() -> None:
    assert drop_stray_marks("covers | 90% _ of the") == "covers 90% of the"
    assert drop_stray_marks("international - educational") == "international educational"
    assert drop_stray_marks("glyph (cid:12) \ufffd gone") == "glyph gone"
    assert drop_stray_marks("CITY: _Aville |Beta") == "CITY: Aville Beta"
    assert drop_stray_marks("UNIT_office@x.eu a_b") == "UNIT_office@x.eu a_b"


def test_clean_text_and_lines_chain_the_steps() -> None:
    assert clean_text("  ﬁeld   work\u00a0 ") == "field work"
    assert (
        clean_lines(["The Zheng-", "zhou Price"], frozenset({"zhengzhou"})) == "The Zhengzhou Price"
    )
