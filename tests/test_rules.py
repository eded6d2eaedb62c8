"""The extractors' rules on small hand-made inputs: words, lines and short texts, no PDF, no OCR."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc

from extractors import city_facts
from extractors.dates import parse_period
from extractors.entities import (
    Entity,
    entities_of,
    gazetteer_spelling,
    load_nlp,
    parse,
    unique,
    unnamed_capital,
)
from extractors.entities_reconcile import city_places, misread_as, place_spelling, reconcile
from extractors.envelope import title_lines
from extractors.figures import figures_in, may_hold_figures
from extractors.headed import lists_under
from extractors.lists import classify_line, split_cell, split_items
from extractors.numbers import parse_amount
from extractors.places import gazetteer
from extractors.profile import merged_paragraphs
from extractors.table import label_rows, match_label
from extractors.ucap import (
    parse_focus_areas,
    parse_sdgs,
    person_before,
    split_names,
    split_places,
)
from models import City
from pipeline.base.settings import Settings
from pipeline.reading.document import Block, Document, Page, TextLine, Word

SIZE = 10.0


def _line(cells: list[tuple[float, str]], top: float) -> list[Word]:
    """Words of one line: each cell's text starting at its x, a word after the other."""
    words = []
    for x, text in cells:
        for token in text.split():
            width = 5.5 * len(token)
            words.append(Word(token, x, top, x + width, top + SIZE, page=1, size=SIZE))
            x += width + 3
    return words


def _document(lines: list[list[tuple[float, str]]], gap: float = 6.0) -> Document:
    words = [w for i, cells in enumerate(lines) for w in _line(cells, 100 + i * (SIZE + gap))]
    return Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, words, "text")])


# ---------------------------------------------------------------------------- table


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Population", "population"),
        ("Population (inhabitants)", "population"),
        ("Popu1ation :", "population"),  # an OCR'd digit and a colon
        ("Province / State", "province"),
        ("Country", "country"),
        ("Population (inhabitants)", "population"),  # a gloss in parentheses
    ],
)
def test_a_row_label_names_its_field(text: str, field: str) -> None:
    found, score = match_label(text)
    assert found == field and score >= 78


def test_a_sentence_is_no_row_label() -> None:
    assert match_label("The delegation visited the port")[0] is None
    assert match_label("") == (None, 0.0)


def test_the_first_line_of_a_wrapped_label_matches_as_a_prefix() -> None:
    assert match_label("Short description of main", prefix=True)[0] == "activities"
    assert match_label("Short description of main")[0] is None


def test_an_open_table_is_rebuilt_from_word_positions() -> None:
    document = _document(
        [
            [(50, "City"), (200, "Zhengzhou"), (360, "Málaga")],
            [(50, "Province"), (200, "Henan"), (360, "Andalucía")],
            [(50, "Country"), (200, "China"), (360, "Spain")],
            [(50, "Population"), (200, "10 million"), (360, "570,000")],
        ]
    )
    rows = {row.field: row for row in label_rows(document)}
    assert list(rows) == ["city", "province", "country", "population"]
    assert rows["city"].label == "City"
    # The gutter of the City row splits the city's column from the partners'.
    assert [rows["city"].cell_text(i) for i in (0, 1)] == ["Zhengzhou", "Málaga"]
    assert [rows["population"].cell_text(i) for i in (0, 1)] == ["10 million", "570,000"]


def test_a_value_that_wraps_stays_in_its_row() -> None:
    document = _document(
        [
            [(50, "City"), (200, "Lisbon"), (360, "Xi'an")],
            [(50, "Country"), (200, "Portugal"), (360, "China")],
            [(50, "Population"), (200, "545,000"), (360, "12 million")],
            [(50, "Key focus"), (200, "Smart mobility and")],
            [(200, "circular economy")],
        ]
    )
    rows = {row.field: row for row in label_rows(document)}
    assert rows["focus_areas"].cell_text(0) == "Smart mobility and circular economy"


def _scanned(document: Document) -> Document:
    for word in document.words:
        word.source = "ocr"
    document.pages[0].source = "ocr"
    return document


def test_a_cell_border_read_as_a_bar_parts_label_and_value() -> None:
    # On a scanned grid the rule between the columns is read as "|", close to both cells.
    document = _scanned(
        _document(
            [
                [(50, "City |"), (200, "Porto")],
                [(50, "Country"), (200, "Portugal")],
                [(50, "Population"), (200, "230,000")],
                [(50, "Objectives | Create a joint roadmap")],
                [(200, "for the port district")],
            ]
        )
    )
    rows = {row.field: row for row in label_rows(document)}
    assert rows["objectives"].label == "Objectives"
    assert rows["objectives"].cell_text(0) == "Create a joint roadmap for the port district"
    assert rows["city"].cell_text(0) == "Porto"


def test_a_label_alone_on_a_tall_ocr_line_still_opens_its_row() -> None:
    # A slash makes the OCR line box of "Region/Province" tall: its gap above is measured in
    # body type, not in that box's height.
    document = _scanned(
        _document(
            [
                [(50, "City"), (200, "Grudziadz"), (360, "Hannover")],
                [(50, "Region/Province")],
                [(200, "Kuyavia-Pomerania")],
                [(50, "Country"), (200, "Poland")],
                [(50, "Population"), (200, "95,000")],
            ],
            gap=4.5,
        )
    )
    tall = [w for w in document.words if w.text == "Region/Province"]
    for word in tall:
        word.size = 2 * SIZE
    rows = {row.field: row for row in label_rows(document)}
    assert rows["province"].cell_text(0) == "Kuyavia-Pomerania"
    assert rows["city"].cell_text(0) == "Grudziadz"


def _skewed_row(label: str, value: str, top: float) -> list[Word]:
    """A row OCR read as two lines: the label, then its value a little lower in the value column."""
    return _line([(50, label)], top) + _line([(200, value)], top + 0.6 * SIZE)


def test_a_label_whose_value_ocr_split_off_beside_it_opens_its_row() -> None:
    # Close under the last row, so no white space sets it off; its value still stands beside it.
    words = (
        _line([(50, "City"), (200, "Cheongju-si")], 100)
        + _line([(50, "Country"), (200, "South Korea")], 112)
        + _skewed_row("Inhabitants", "1.3 million", 123)
        + _line([(50, "Area"), (200, "940 km2")], 142)
    )
    document = _scanned(
        Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, words, "text")])
    )
    rows = {row.field: row for row in label_rows(document)}
    assert rows["country"].cell_text(0) == "South Korea"
    assert rows["population"].cell_text(0) == "1.3 million"


def test_a_label_word_opening_a_full_width_line_stays_in_its_value() -> None:
    words = (
        _line([(50, "City"), (200, "Porto")], 100)
        + _line([(50, "Country"), (200, "Portugal")], 112)
        + _line([(50, "Population"), (200, "230,000")], 124)
        + _line([(50, "Objectives")], 140)
        + _line([(50, "Country teams meet twice a year")], 151)
    )
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, words, "text")])
    rows = {row.field: row for row in label_rows(document)}
    assert rows["objectives"].cell_text(0) == "Country teams meet twice a year"
    assert rows["country"].cell_text(0) == "Portugal"


def test_a_wrapped_label_names_the_field_of_its_whole_wording() -> None:
    document = _document(
        [
            [(50, "City"), (200, "Lisbon")],
            [(50, "Country"), (200, "Portugal")],
            [(50, "Population"), (200, "545,000")],
            [(50, "Cooperation"), (200, "Renewable Energy")],  # also "Cooperation period"
            [(50, "Themes:"), (200, "Jobs and Skills")],
        ]
    )
    rows = {row.field: row for row in label_rows(document)}
    assert "period" not in rows
    assert rows["themes"].cell_text(0) == "Renewable Energy Jobs and Skills"


def test_fewer_than_three_labelled_rows_are_no_table() -> None:
    document = _document([[(50, "City"), (200, "Porto")], [(50, "Country"), (200, "Portugal")]])
    assert label_rows(document) == []


# ---------------------------------------------------------------------------- U-CAP cells


def test_places_split_on_commas_and_a_final_and() -> None:
    assert split_places("Bilbao, Porto and Lyon") == ["Bilbao", "Porto", "Lyon"]
    assert split_places("") == []


def test_places_run_together_split_after_their_parentheses() -> None:
    text = "Issy (Île-de-France, France) Braşov (Romania) Vejle"
    assert split_places(text) == ["Issy (Île-de-France, France)", "Braşov (Romania)", "Vejle"]
    assert split_places("Aville (Region) and beyond") == ["Aville (Region) and beyond"]


def test_contact_names_keep_accents_and_particles() -> None:
    assert person_before("Contact person: Mikko Rodríguez (") == "Mikko Rodríguez"
    assert person_before("Contact: Haruto de Vries, ") == "Haruto de Vries"
    assert person_before("please contact: ") is None
    assert person_before("Contact ") is None


def test_items_set_side_by_side_in_one_line_are_split_at_their_bullets() -> None:
    lines = [TextLine(_line([(50, "• Air Quality • Tourism, Culture and Creativity")], 100))]
    items = [item.text() for item in split_items(lines)]
    assert items == ["Air Quality", "Tourism, Culture and Creativity"]


def test_an_unmapped_symbol_glyph_marks_a_bullet() -> None:
    for glyph in ("\x00", "\ufffd", "\uf0b7", "(cid:12)"):
        assert classify_line(f"{glyph} Action plan approved.") == (
            "bullet",
            "Action plan approved.",
        )


def test_names_that_hold_and_or_a_known_comma_stay_whole() -> None:
    assert split_names("Cultural Heritage and Tourism; Logistics") == [
        "Cultural Heritage and Tourism",
        "Logistics",
    ]
    assert split_names("Tourism, Culture and Creativity, Air Quality") == [
        "Tourism, Culture and Creativity",
        "Air Quality",
    ]
    assert split_names("Lugo (Galicia, Spain), Płock") == ["Lugo (Galicia, Spain)", "Płock"]


def _cell(texts: list[str]) -> list[TextLine]:
    return [TextLine(_line([(200, text)], 100 + i * 14)) for i, text in enumerate(texts)]


def test_a_cell_line_broken_short_of_the_edge_ends_an_item() -> None:
    items = split_cell(_cell(["Low-Carbon Development", "Green Mobility"]), right=500)
    assert [item.lines for item in items] == [["Low-Carbon Development"], ["Green Mobility"]]


def test_a_wrapped_cell_line_continues_its_item() -> None:
    # The first line reaches the edge: the next word did not fit, so the item goes on.
    lines = _cell(["Rapid urban growth puts pressure on land", "and services."])
    assert len(split_cell(lines, right=lines[0].x1 + 4)) == 1
    # A line ending on a connector goes on however short.
    assert len(split_cell(_cell(["Climate Adaptation and", "Resilience"]), right=500)) == 1


def test_sdgs_in_every_written_form() -> None:
    found = parse_sdgs("Goal 5 (Gender Equality); Goal 9 (Industry, Innovation and Infrastructure)")
    assert [(s.number, s.title) for s in found] == [
        (5, "Gender Equality"),
        (9, "Industry, Innovation and Infrastructure"),
    ]
    assert [s.title for s in parse_sdgs("SDG 7, SDG 12 and SDG 15")] == [None, None, None]


def test_the_city_population_comes_from_a_sentence_about_the_city() -> None:
    text = (
        "The metropolitan area has about 1.7 million inhabitants. "
        "With a population of 77,487 and an area of 194 km², it is a major city."
    )
    people = city_facts.population(text, "Ualog")
    assert people is not None and (people.text, people.value) == ("77,487", 77487)
    area = city_facts.area_km2(text, "Ualog")
    assert area is not None and area.value == 194.0
    assert city_facts.population("A rail circle reaches 400 million people.", "X") is None


def test_the_country_is_one_the_gazetteer_knows() -> None:
    assert city_facts.country(
        "Campana is a city in Argentina. It lies on a river.", gazetteer()
    ) == ("Argentina")


def test_a_province_name_may_hold_an_elided_article() -> None:
    text = "Aville is the second-largest city of Provence-Alpes-Côte d'Azur and lies by the sea."
    assert city_facts.province(text, gazetteer(), "FR", "Aville") == "Provence-Alpes-Côte d'Azur"
    text = "Aville is located in Pays de la Loire, France."
    assert city_facts.province(text, gazetteer(), "FR", "Aville") == "Pays de la Loire"


def test_the_country_may_follow_the_region_after_a_comma() -> None:
    text = "Saint George is located in Utah, United States. The city is big."
    assert city_facts.country(text, gazetteer()) == "United States"


def test_sdgs_with_titles_after_or_before_their_number() -> None:
    after = parse_sdgs("SDG 9: Industry, Innovation and Infrastructure; SDG 11")
    assert [(s.number, s.title) for s in after] == [
        (9, "Industry, Innovation and Infrastructure"),
        (11, None),
    ]
    before = parse_sdgs("Good Health and Well-Being: SDG 3")
    assert [(s.number, s.title) for s in before] == [(3, "Good Health and Well-Being")]
    assert parse_sdgs("SDG 18, SDG 9, SDG 9") == [parse_sdgs("SDG 9")[0]]  # 1-17, once each


def test_focus_areas_without_themes_keep_the_text() -> None:
    areas = parse_focus_areas("Cooperation on port logistics.")
    assert [(a.theme, a.description) for a in areas] == [(None, "Cooperation on port logistics.")]
    assert parse_focus_areas("") == []


# ---------------------------------------------------------------------------- profile


def _block(text: str, kind: str = "paragraph") -> Block:
    words = _line([(50, text)], 100)
    return Block(1, "body", [TextLine(words)], kind, text)  # type: ignore[arg-type]


def test_a_paragraph_cut_by_a_column_break_is_joined_again() -> None:
    blocks = [
        _block("Porto is a port city whose economy"),
        _block("grew around the river trade."),
        _block("Tourism", "heading"),
        _block("It draws visitors all year."),
    ]
    merged = merged_paragraphs(blocks)
    assert [b.text for b in merged] == [
        "Porto is a port city whose economy grew around the river trade.",
        "Tourism",
        "It draws visitors all year.",
    ]


def test_a_finished_sentence_is_not_joined_to_the_next() -> None:
    blocks = [_block("The city is old."), _block("the harbour is new.")]
    assert len(merged_paragraphs(blocks)) == 2


def test_a_word_and_a_run_in_title_cut_by_a_break_are_joined_again() -> None:
    blocks = [_block("The city hopes to con-"), _block("nect its clusters.")]
    assert [b.text for b in merged_paragraphs(blocks)] == [
        "The city hopes to connect its clusters."
    ]
    blocks = [_block("Youth entrepreneurship:"), _block("Soledad invites companies.")]
    assert [b.text for b in merged_paragraphs(blocks)] == [
        "Youth entrepreneurship: Soledad invites companies."
    ]
    blocks = [_block("Main sectors:"), _block("• Logistics")]
    assert len(merged_paragraphs(blocks)) == 2


# ---------------------------------------------------------------------------- spaCy rules


@pytest.fixture(scope="module")
def model(settings: Settings) -> str:
    return settings.spacy_model


def test_entities_put_organisations_and_places_apart(model: str) -> None:
    text = "A delegation of Zhengzhou Municipal People's Government visited Málaga in April 2017."
    found = {(e.text, e.label) for e in entities_of(parse([text], model))}
    assert ("Zhengzhou Municipal People's Government", "ORG") in found
    assert ("Málaga", "PLACE") in found
    assert not any(label == "PERSON" for _, label in found)


def _ruled(text: str, model: str) -> Doc:
    """A text with the rules' entities only (what the NER's choice is made on)."""
    nlp = load_nlp(model)
    with nlp.select_pipes(enable=["gazetteer_places", "entity_ruler"]):
        return nlp(text)


def test_the_ner_is_wanted_only_where_the_rules_leave_a_capital_unnamed(model: str) -> None:
    # A sentence's opening common word and the rules' places and organisations leave nothing.
    text = "The delegation of Zhengzhou Municipal People's Government met in Málaga."
    assert not unnamed_capital(_ruled(text, model))
    assert unnamed_capital(_ruled("The delegation met Ana Examplova in Málaga.", model))
    # All capitals may be a name even where a sentence opens; so may a common word the
    # gazetteer knows as a place.
    assert unnamed_capital(_ruled("DELEGATIONS met in Málaga.", model))
    assert unnamed_capital(_ruled("Carson has about 95,000 inhabitants.", model))


def test_a_lone_capitalised_common_word_leaves_the_ner_out(model: str) -> None:
    # Alone, such a word is no name the record keeps: an item's opening verb, an adjective.
    text = "The plan will • Promote green mobility with European companies in Málaga."
    assert not unnamed_capital(_ruled(text, model))
    assert not unnamed_capital(_ruled("Its part A on mobility was agreed in Málaga.", model))
    # Beside another capital it may be part of a name; a rare word may be one alone; and a
    # place the gazetteer knows stays a place.
    assert unnamed_capital(_ruled("The plan was drafted with Green Karin in Málaga.", model))
    assert unnamed_capital(_ruled("The plan was drafted with Examplova in Málaga.", model))
    assert unnamed_capital(_ruled("Rivers, parks and green belts cover the city.", model))


def test_texts_not_read_for_figures_get_sentences_without_the_parser(model: str) -> None:
    texts = ["It met partners in Málaga. John Smith spoke.", "The city covers 928 km2."]
    plain, tagged = parse(texts, model, figures=lambda i, doc: i == 1)
    assert [s.text for s in plain.sents] == ["It met partners in Málaga.", "John Smith spoke."]
    assert not plain.has_annotation("DEP") and tagged.has_annotation("DEP")
    # The statistical NER ran on it: a capitalised name was left to it.
    assert ("John Smith", "PERSON") in {(e.text, e.label_) for e in plain.ents}


def _found(text: str, model: str) -> set[tuple[str, str]]:
    return {(e.text, e.label) for e in entities_of(parse([text], model))}


def test_people_after_a_contact_label_or_before_their_organisation(model: str) -> None:
    assert ("Ana Examplova", "PERSON") in _found("Contact: Ana Examplova, ana@example.eu", model)
    assert ("Ana Examplova", "PERSON") in _found("Contact person: Ana Examplova (ana@x.eu)", model)
    text = "Maya Sun from Exampleton Development Agency led a webinar. Mayor Joost Colombo spoke."
    found = _found(text, model)
    assert {("Maya Sun", "PERSON"), ("Joost Colombo", "PERSON")} <= found
    assert ("Exampleton Development Agency", "ORG") in found


def test_organisations_with_legal_forms_and_an_and_inside(model: str) -> None:
    text = (
        "Companies such as KU Architecture Ltd., OZLA Packaging S.p.A., Sun Automotive, "
        "Sun & Choi Automotive, Yang Packaging Co., Ltd., China Railway Shield Construction and "
        "Morales Construction Holding met the Exampleton Commission of Agriculture and Rural "
        "Affairs and the Exampleton Institute of Technology and Calama Municipal Commission."
    )
    found = _found(text, model)
    for name in (
        "KU Architecture Ltd.",
        "OZLA Packaging S.p.A.",
        "Sun Automotive",
        "Sun & Choi Automotive",
        "Yang Packaging Co., Ltd.",
        "China Railway Shield Construction",
        "Morales Construction Holding",
        "Exampleton Commission of Agriculture and Rural Affairs",
        "Exampleton Institute of Technology",
    ):
        assert (name, "ORG") in found


def test_no_entity_from_a_bullet_a_dash_a_hyphenated_word_or_an_opening_common_word(
    model: str,
) -> None:
    found = _found("• Green Infrastructure – Identifying needs of the U-CAP in Porto.", model)
    assert found == {("Porto", "PLACE")}
    text = "A pilot for Sustainable Master Planning & Construction of the Smart City."
    assert not any(label == "ORG" for _, label in _found(text, model))
    assert _found("Rivers, parks and green belts shape the city.", model) == set()
    assert ("Example Science Park", "ORG") in _found("Research at Example Science Park.", model)


def test_a_place_read_without_its_accents_takes_the_gazetteers_spelling() -> None:
    assert gazetteer_spelling("Resita") == "Reşiţa"
    assert gazetteer_spelling("Porto") == "Porto"
    assert gazetteer_spelling("Exampleton") == "Exampleton"


def test_hyphenated_names_and_legal_forms_at_a_sentence_end(model: str) -> None:
    text = "Visit of Saint-Maur-des-Fossés Urban Planning Institute and BH Automotive GmbH."
    found = _found(text, model)
    assert ("Saint-Maur-des-Fossés Urban Planning Institute", "ORG") in found
    assert ("BH Automotive GmbH", "ORG") in found
    text = "Visit of the Department of Urban Planning of Issy-les-Moulineaux to Porto."
    assert ("Department of Urban Planning of Issy-les-Moulineaux", "ORG") in _found(text, model)
    assert ("Haugen Biotech S.p.A.", "ORG") in _found("Firms such as Haugen Biotech S.p.A..", model)


def test_unique_ignores_case_and_accents() -> None:
    assert unique(["Málaga", "MALAGA", "Porto", "malaga"]) == ["Málaga", "Porto"]


def test_figures_read_amounts_units_and_what_they_measure(model: str) -> None:
    (doc,) = parse(
        ["The metropolitan area has a population of 8.5 million."], model, figures=lambda i, d: True
    )
    figures = figures_in(doc)
    assert [(f.value, f.context) for f in figures] == [(8_500_000, "population")]
    (doc,) = parse(
        ["The port handles 40 % of the region's exports since 2015."],
        model,
        figures=lambda i, d: True,
    )
    figures = figures_in(doc)
    assert [(f.value, f.unit) for f in figures] == [(40, "%")]  # the year is no figure


def _tagged(text: str, model: str) -> Doc:
    """One text parsed with the parts of speech and dependencies key figures read."""
    return parse([text], model, figures=lambda i, doc: True)


def test_figures_keep_surface_units_and_shares_of_their_subject(model: str) -> None:
    (doc,) = _tagged("The city covers 928 km2.", model)
    assert [(f.value, f.unit) for f in figures_in(doc)] == [(928, "km2")]
    (doc,) = _tagged("It covers 79.5 sq km of land.", model)
    assert [(f.value, f.unit) for f in figures_in(doc)] == [(79.5, "sq km")]
    (doc,) = _tagged("Area: 1854 km²", model)  # a four-digit area, no year
    assert [(f.value, f.unit) for f in figures_in(doc)] == [(1854, "km²")]
    (doc,) = _tagged("About 1/4 of the workforce is employed in manufacturing.", model)
    assert [(f.value, f.context) for f in figures_in(doc)] == [(0.25, "workforce")]


def test_amounts_grouped_by_dots_and_multiplied_exactly() -> None:
    assert parse_amount("1.514.105 inhabitants") == 1_514_105
    assert parse_amount("8.2 million passengers") == 8_200_000
    assert parse_amount("3.5 km") == 3.5


def _placed(region: str, x: float, top: float, text: str, kind: str = "paragraph") -> Block:
    words = _line([(x, text)], top)
    return Block(1, region, [TextLine(words)], kind, text)  # type: ignore[arg-type]


def test_every_headed_list_is_found_each_split_within_its_own_column() -> None:
    blocks = [  # a column beside the list reaches further right than the list's own
        _placed("body", 300, 100, "The port handles freight from the whole region every year."),
        _placed("body", 50, 100, "Key Figures", "heading"),
        _placed("body", 50, 120, "Airport: 7.7 million"),
        _placed("sidebar", 450, 100, "Key Figures", "heading"),
        _placed("sidebar", 450, 120, "Area: 726 km²"),
    ]
    blocks[2].lines.append(TextLine(_line([(50, "passengers")], 132)))
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "text", blocks)])
    found = lists_under(document, ("key figures",))
    texts = [[item.text() for item in headed.items] for headed in found]
    assert texts == [["Airport: 7.7 million passengers"], ["Area: 726 km²"]]


def test_small_print_set_close_beside_the_title_is_no_part_of_it() -> None:
    big = [
        Word(t, x, 43, x + 10 * len(t), 67, page=1, size=24.0)
        for x, t in ((42, "Aville"), (110, "Profile"))
    ]
    small = [Word("COOPERATION", 205, 54, 270, 64, page=1, size=9.5)]
    body = [
        Word(t, 42 + 40 * i, 200, 70 + 40 * i, 209, page=1, size=9.0)
        for i, t in enumerate(["The", "city", "is", "old", "and", "green"])
    ]
    blocks = [
        Block(1, "banner", [TextLine(big + small)], "heading"),
        Block(1, "body", [TextLine(body)]),
    ]
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "text", blocks)])
    assert [line.text for line in title_lines(document)] == ["Aville Profile"]


def test_a_bulleted_list_set_in_two_columns_keeps_both_under_its_heading() -> None:
    blocks = [
        _placed("body", 50, 120, "• Jobs and Skills"),  # read before the heading, as body
        _placed("body", 50, 132, "• Green Infrastructure"),
        _placed("sidebar", 300, 100, "Thematic Interests", "heading"),
        _placed("sidebar", 300, 120, "• Electric Mobility"),
        _placed("sidebar", 300, 132, "• Renewable Energy"),
        _placed("body", 50, 200, "The city lies on a river and has grown fast in recent years."),
    ]
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "text", blocks)])
    (found,) = lists_under(document, ("thematic interests",))
    assert [item.text() for item in found.items] == [
        "Jobs and Skills",
        "Electric Mobility",
        "Green Infrastructure",
        "Renewable Energy",
    ]


def test_only_the_picked_texts_get_parts_of_speech(model: str) -> None:
    texts = ["Exampleton has 2 million inhabitants.", "Funded by the European Union"]
    plain = parse(texts, model)
    assert not any(doc.has_annotation("POS") for doc in plain)
    docs = parse(texts, model, figures=lambda i, doc: may_hold_figures(doc))
    assert [doc.has_annotation("POS") for doc in docs] == [True, False]
    assert [(f.value, f.unit) for f in figures_in(docs[0])] == [(2_000_000, "inhabitants")]
    assert entities_of(docs) == entities_of(plain)


def _scanned_line(text: str, x: float, top: float, size: float, conf: float = 95) -> TextLine:
    words = []
    for token in text.split():
        words.append(Word(token, x, top, x + 0.5 * size * len(token), top + size, 1, size))
        words[-1].source, words[-1].conf = "ocr", conf
        x += 0.5 * size * (len(token) + 1)
    return TextLine(words)


def _scanned_page(*lines: TextLine) -> Document:
    blocks = [Block(1, "body", [line]) for line in lines]
    return Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "ocr", blocks)])


def test_a_lone_scanned_word_read_tall_by_a_speck_is_not_the_title() -> None:
    document = _scanned_page(
        _scanned_line("Aville U-CAP Summary", 60, 77, 14.0),
        _scanned_line("The partners met twice a year in Aville and Btown", 60, 120, 10.0),
        _scanned_line("innovation.", 60, 500, 21.0),  # a paragraph's last word and a speck
        _scanned_line("They agreed on a joint roadmap for the coming years", 60, 520, 10.0),
    )
    assert [line.text for line in title_lines(document)] == ["Aville U-CAP Summary"]


def test_a_scanned_title_is_read_above_the_table() -> None:
    document = _scanned_page(
        _scanned_line("Aville U-CAP Summary", 60, 77, 14.0),
        _scanned_line("Province / State: Cregion", 60, 150, 27.0),  # a speck in the row
        _scanned_line("The partners met twice a year in Aville and Btown", 60, 200, 10.0),
    )
    assert [line.text for line in title_lines(document, above=150)] == ["Aville U-CAP Summary"]


def test_a_smudge_tesseract_read_without_confidence_is_not_the_title() -> None:
    document = _scanned_page(
        _scanned_line("Waouacocrenenon", 330, 50, 26.0, conf=0),
        _scanned_line("Aville City Profile", 60, 51, 23.0),
        _scanned_line("The city lies on a river and has an old harbour", 60, 120, 10.0),
    )
    assert [line.text for line in title_lines(document)] == ["Aville City Profile"]


def test_a_bullet_ocr_read_as_another_mark_still_opens_its_item() -> None:
    lines = [
        TextLine(_line([(198, "m Share good practices on citizen participation in")], 100)),
        TextLine(_line([(207, "planning processes with the partner cities.")], 112)),
        TextLine(_line([(198, "= Support the internationalisation of small firms")], 124)),
        TextLine(_line([(207, "from Aville.")], 136)),
    ]
    items = [item.text() for item in split_items(lines)]
    assert items == [
        "Share good practices on citizen participation in planning processes with the "
        "partner cities.",
        "Support the internationalisation of small firms from Aville.",
    ]


def test_a_bullet_ocr_lost_after_an_item_ended_short_still_opens_its_item() -> None:
    lines = [
        TextLine(_line([(226, "u Prepare joint applications for funding from all the")], 100)),
        TextLine(_line([(235, "programmes.")], 112)),
        TextLine(_line([(235, "Connect business clusters of Aville and Btown")], 124)),
    ]
    items = [item.text() for item in split_items(lines)]
    assert items == [
        "Prepare joint applications for funding from all the programmes.",
        "Connect business clusters of Aville and Btown",
    ]


def test_a_sub_item_set_deeper_under_a_dated_entry_is_an_output_though_its_bullet_is_lost() -> None:
    lines = [
        TextLine(
            _line(
                [(73, "2019: Visit of the delegation of Btown to the pilot sites of the port in")],
                100,
            )
        ),
        TextLine(_line([(85, "Aville.")], 112)),
        TextLine(_line([(94, "Three companies from Aville met partners in Btown.")], 124)),
        TextLine(_line([(94, "MoU signed between the two universities.")], 136)),
        TextLine(_line([(73, "07/2019: Technical mission of Aville to Btown.")], 148)),
    ]
    items = [(item.marker, item.text()) for item in split_items(lines)]
    assert items == [
        (
            "timeline",
            "2019: Visit of the delegation of Btown to the pilot sites of the port in Aville.",
        ),
        ("bullet", "Three companies from Aville met partners in Btown."),
        ("bullet", "MoU signed between the two universities."),
        ("timeline", "07/2019: Technical mission of Aville to Btown."),
    ]


def test_a_scanned_one_word_title_beside_the_headings_is_the_title() -> None:
    document = _scanned_page(
        _scanned_line("General Socio-economic", 41, 118, 13.0),
        _scanned_line("Aville", 427, 121, 20.7),  # the sidebar's name, set large
        _scanned_line("The city lies on a river and has an old harbour", 41, 150, 10.0),
        _scanned_line("and a university founded long ago by the city", 41, 162, 10.0),
    )
    assert [line.text for line in title_lines(document)] == ["Aville"]


def test_a_scanned_title_whose_second_line_a_speck_made_taller_keeps_its_first() -> None:
    document = _scanned_page(
        _scanned_line("Aville - City", 43, 43, 25.0),
        _scanned_line("Profile", 43, 72, 42.0),
        _scanned_line("The city lies on a river and has an old harbour", 43, 150, 10.0),
    )
    assert [line.text for line in title_lines(document)] == ["Aville - City", "Profile"]


def test_a_scanned_place_name_takes_back_its_accents_in_its_fields_and_the_title() -> None:
    from extractors.spelling import respell_places
    from models import City, ProfileRecord, Source

    source = Source(file_name="x.pdf", sha256="0" * 64, page_count=1, text_source="ocr")
    record = ProfileRecord(
        title="GO CONG - CITY PROFILE",
        source=source,
        city=City(name="Go Cong", province="Pays de la Loire"),
    )
    respell_places(record)
    assert record.city.name == "Gò Công" and record.title == "GÒ CÔNG - CITY PROFILE"
    assert record.city.province == "Pays de la Loire"  # punctuation is not an accent


def test_a_scanned_partner_misread_at_its_diacritics_is_spelled_as_its_entity() -> None:
    from extractors.spelling import respell_places
    from models import City, Entities, Partner, Source, UcapRecord

    source = Source(file_name="x.pdf", sha256="0" * 64, page_count=1, text_source="ocr")
    record = UcapRecord(
        title="U-CAP Summary",
        source=source,
        city=City(name="Aville"),
        partners=[Partner(name="Betchatow", country="Poland")],
        entities=Entities(places=["Poland", "Bełchatów"]),
    )
    respell_places(record)
    assert record.partners[0].name == "Bełchatów"  # "ł" read as "t", in a Polish document


def test_a_place_misread_at_its_diacritics_takes_the_gazetteers_spelling() -> None:
    assert place_spelling("Betchatow", frozenset({"PL"})) == "Bełchatów"  # "ł" read as "t"
    assert place_spelling("KoSice", frozenset({"SK"})) == "Košice"
    assert place_spelling("Panevézys", frozenset({"LT"})) == "Panevėžys"
    # the document's countries choose between places of one spelling; without them, no choice
    assert place_spelling("Para", frozenset({"BR"})) == "Pará"
    assert place_spelling("Para", frozenset()) == "Para"
    # a different ASCII letter is a different name, and spacing is the document's own
    assert place_spelling("Budapest XV", frozenset({"HU"})) == "Budapest XV"
    assert place_spelling("Pays de la Loire", frozenset({"FR"})) == "Pays de la Loire"
    assert not misread_as("Mitta", "Mitte")
    assert misread_as("K6banya", "Kőbánya")
    # a county and a city of one spelling but for a cedilla: the named place is the city
    assert place_spelling("Iasi", frozenset({"RO"})) == "Iaşi"
    # no country the document names has it: a single misread match anywhere still counts
    assert place_spelling("Betchatow", frozenset({"US"})) == "Bełchatów"
    assert place_spelling("Exampleton", frozenset({"US"})) == "Exampleton"
    # a spelling of a place abroad does not hide the document's own country's misread place
    assert place_spelling("Pita", frozenset({"PL"})) == "Piła"
    assert place_spelling("Lima", frozenset({"PL"})) == "Lima"


def test_a_qualifier_before_a_gazetteer_place_is_part_of_its_name(model: str) -> None:
    found = _found("Wrocław, the capital of Lower Silesia, lies near East Helsinki.", model)
    assert {("Lower Silesia", "PLACE"), ("East Helsinki", "PLACE")} <= found
    found = _found("San Juan del Rio lies in Mexico, near Paris-based firms.", model)
    assert ("San Juan del Río", "PLACE") in found  # the particle and the gazetteer's accent
    assert ("San Juan", "PLACE") not in found
    found = _found("It runs China-Europe freight trains.", model)
    assert ("China", "PLACE") in found  # a hyphen joins two places, not one name


def test_a_documents_entities_are_settled_together() -> None:
    found = [
        Entity("KoSice", "PLACE", 0, 0, rule=True),
        Entity("Slovakia", "PLACE", 0, 0, rule=True),
        Entity("KoSice", "ORG", 0, 0),
        Entity("Pregov", "PERSON", 0, 0),
        Entity("Civic Society", "ORG", 0, 0, rule=True),
        Entity("Budi de Vries", "ORG", 0, 0),
        Entity("Example Water Company", "ORG", 0, 0, rule=True),
    ]
    settled = reconcile(found, topics=["Civic Society and Care"], people=["Budi de Vries"])
    got = {(e.text, e.label) for e in settled}
    assert got == {
        ("Košice", "PLACE"),
        ("Slovakia", "PLACE"),
        ("Prešov", "PLACE"),
        ("Budi de Vries", "PERSON"),
        ("Example Water Company", "ORG"),
    }


def test_a_profiles_own_city_is_a_place_unless_a_longer_name_holds_it() -> None:
    city = City(name="Exampleton", province="Hubei", country="China")
    found = [Entity("Hubei Province", "PLACE", 0, 0)]
    assert [e.text for e in city_places(city, found)] == ["Exampleton", "China"]
    glued = City(name="ExampletonCOOPERATION", country="China")
    assert [e.text for e in city_places(glued, [])] == ["China"]


def test_acronyms_of_titles_and_capitals_of_headings(model: str) -> None:
    assert _found("IUC Urban Cooperation Action Plan (U-CAP) Summary", model) == {("IUC", "ORG")}
    assert not any(label == "PERSON" for _, label in _found("Exampleton U-CAP Summary", model))
    text = "Firms such as ABCD Robotics Holding and XKRD Split met."
    assert {("ABCD Robotics Holding", "ORG"), ("XKRD Split", "ORG")} <= _found(text, model)
    assert _found("INTERNATIONAL URBAN AND REGIONAL COOPERATION", model) == set()
    assert ("EU", "ORG") in _found("ABOUT EXAMPLETON The city receives EU funding.", model)
    assert _found("Contact: IUC-EXAMPLE_office@iuc-cooperation.eu", model) == set()
    assert _found("Contact: IUC-EXAMPLE_ office@iuc-cooperation.eu", model) == set()
    assert _found("More information: IUC-EXAMPLE office@iuc-cooperation.eu", model) == set()


def test_people_beside_places_organisations_and_ocr_debris(model: str) -> None:
    found = _found("Mayor Sofia Examplova has made cooperation a priority.", model)
    assert ("Sofia Examplova", "PERSON") in found
    found = _found("Mia Almeida of Exampleton Startup Incubator presented the plan.", model)
    assert {("Mia Almeida", "PERSON"), ("Exampleton Startup Incubator", "ORG")} <= found
    assert not any(label == "PERSON" for _, label in _found("gj Strengthen the staff.", model))
    assert not any(label == "PERSON" for _, label in _found("m@ MoU signed in Porto.", model))


def test_organisations_with_a_head_before_of_and_a_hyphenated_tail(model: str) -> None:
    text = "Researchers of Split Municipal Commission of Urban Planning met in Porto."
    assert ("Split Municipal Commission of Urban Planning", "ORG") in _found(text, model)
    text = "Talks with Exampleton Municipal Bureau of Housing and Urban-Rural Development. Done."
    name = "Exampleton Municipal Bureau of Housing and Urban-Rural Development"
    assert (name, "ORG") in _found(text, model)
    found = _found("Talks with Goyang-si Tourism Board in Porto.", model)
    assert ("Goyang-si Tourism Board", "ORG") in found  # a place the patterns cannot spell
    assert ("Tourism Board", "ORG") not in found
    text = "Research at Department of Development and Reform of Goyang-si is linked to firms."
    assert ("Department of Development and Reform of Goyang-si", "ORG") in _found(text, model)


# ---------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("12/2019 11/2022", "2019-12", "2022-11"),  # OCR dropped the dash between the ends
        ("June 2017 February 2019", "2017-06", "2019-02"),
        ("2018 2021", "2018", "2021"),
    ],
)
def test_a_period_of_two_dates_side_by_side_runs_from_the_first_to_the_second(
    text: str, start: str, end: str
) -> None:
    assert parse_period(text) == (start, end)


def test_one_date_or_two_out_of_order_is_no_period_span() -> None:
    assert parse_period("June 2017") == ("2017-06", None)
    assert parse_period("2021 2018")[1] is None


def test_the_texts_a_place_name_is_looked_up_by_are_the_spans_own() -> None:
    from spacy.vocab import Vocab

    from extractors.entities import _texts_from

    words = [
        "Visit",
        "to",
        "Rio",
        "de",
        "Janeiro",
        ",",
        "São",
        "Paulo",
        "and",
        "Bielsko-Biała",
        ".",
    ]
    spaces = [True, True, True, True, False, True, True, True, True, False, False]
    doc = Doc(Vocab(), words=words, spaces=spaces)
    texts, gaps = [t.text for t in doc], [t.whitespace_ for t in doc]
    for i in range(len(doc)):
        found = _texts_from(texts, gaps, i)
        assert found, "a token alone is always a candidate here"
        assert found == [(n, doc[i : i + n].text) for n, _ in found]
    assert (3, "Rio de Janeiro") in _texts_from(texts, gaps, 2)


def test_the_gazetteers_fuzzy_answers_are_remembered_within_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from extractors import places

    gaz = gazetteer()
    assert gaz.country("Germny") is not None and gaz.country("Germny").country == "DE"
    assert gaz.country("Germny") == gaz.country("Germany")
    monkeypatch.setattr(places, "MEMO_SIZE", 3)
    for name in ("Atlantis", "Lemuria", "Mu", "Hyperborea", "Thule"):
        assert gaz.region(name) == []
    assert len(gaz._memo["regions"]) <= 3


def test_a_first_item_short_enough_to_continue_the_heading_stays_an_item() -> None:
    blocks = [
        _placed("sidebar", 50, 100, "Themes of Interest"),
        _placed("sidebar", 50, 120, "• Logistics"),
        _placed("sidebar", 50, 132, "• Water Management"),
    ]
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "text", blocks)])
    (found,) = lists_under(document, ("themes of interest",))
    assert [item.text() for item in found.items] == ["Logistics", "Water Management"]


def test_an_item_wrapped_after_a_connector_goes_on_however_its_last_word_is_sized() -> None:
    big = Block(1, "sidebar", [TextLine(_line([(50, "Innovation")], 132))], "heading")
    for word in big.lines[0].words:  # its box read taller than its neighbours'
        word.size, word.bottom = 13.5, word.top + 13.5
    blocks = [
        _placed("sidebar", 50, 100, "Themes of Interest"),
        _placed("sidebar", 50, 120, "• Education, Research and"),
        big,
        _placed("sidebar", 50, 146, "• Urban Mobility Planning"),
    ]
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "text", blocks)])
    (found,) = lists_under(document, ("themes of interest",))
    assert [item.text() for item in found.items] == [
        "Education, Research and Innovation",
        "Urban Mobility Planning",
    ]


def test_an_address_ocr_cut_with_spaces_or_a_colon_is_closed_again() -> None:
    from extractors.ucap import closed_addresses

    assert closed_addresses("Mail: UNIT_office@city- hall. eu") == "Mail: UNIT_office@city-hall.eu"
    assert closed_addresses("UNIT_office@city-hall:eu") == "UNIT_office@city-hall.eu"
    assert closed_addresses("Write to a@b.eu. the office") == "Write to a@b.eu. the office"
    assert closed_addresses("a@b.eu, or c@d.org") == "a@b.eu, or c@d.org"


def test_an_organisation_named_after_a_place_takes_the_places_restored_spelling() -> None:
    from extractors.places import fold
    from extractors.spelling import with_places_spelled

    spelled = {fold(p): p for p in ("Luleå", "Ostrów Wielkopolski")}
    assert with_places_spelled("Lulea Energy Agency", spelled) == "Luleå Energy Agency"
    assert with_places_spelled("Port of Lulea.", spelled) == "Port of Luleå."
    assert with_places_spelled("Ostrow Wielkopolski Board", spelled) == "Ostrów Wielkopolski Board"
    assert with_places_spelled("LULEA Hub", spelled) == "LULEÅ Hub"
    assert with_places_spelled("Luleaborg Hub", spelled) == "Luleaborg Hub"
    assert with_places_spelled("Ostréw Wielkopolski Board", spelled) == "Ostrów Wielkopolski Board"


def test_a_scanned_records_prose_names_its_places_in_their_restored_spelling() -> None:
    from extractors.spelling import respell_prose
    from models import Activity, Entities, UcapRecord

    record = UcapRecord.model_validate(
        {
            "source": {
                "file_name": "a.pdf",
                "sha256": "0" * 64,
                "page_count": 1,
                "text_source": "ocr",
            },
            "city": {"name": "Aville"},
            "entities": Entities(organizations=["Kosice Energy Agency"], places=["Košice"]),
            "expected_results": ["Transfer of good practices from Kosice.", "Kosice"],
            "activities": [Activity(description="A visit to Kosice.", places=["Kosice"])],
        }
    )
    respell_prose(record)
    assert record.entities.organizations == ["Košice Energy Agency"]
    assert record.expected_results == ["Transfer of good practices from Košice.", "Košice"]
    assert record.activities[0].description == "A visit to Košice."


def _ocr_placed(top: float, text: str, size: float = SIZE) -> Block:
    words = _line([(50, text)], top)
    for word in words:
        word.source, word.size, word.bottom = "ocr", size, top + size
    return Block(1, "sidebar", [TextLine(words)], "paragraph", text)


def test_an_ocr_line_at_the_lists_own_pitch_is_an_item_however_large_it_measured() -> None:
    blocks = [
        _ocr_placed(100, "Themes of Interest"),
        _ocr_placed(118, "Clean Energy"),
        _ocr_placed(136, "Biodiversity"),
        _ocr_placed(154, "Renewable Energy", 14.7),  # OCR's measure of one line
        _ocr_placed(172, "Logistics"),
        _ocr_placed(210, "Facts and Figures", 14.7),  # space above it: the next heading
        _ocr_placed(228, "Airport"),
    ]
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "ocr", blocks)])
    (found,) = lists_under(document, ("themes of interest",))
    assert [item.text() for item in found.items] == [
        "Clean Energy",
        "Biodiversity",
        "Renewable Energy",
        "Logistics",
    ]


def test_a_sidebar_of_themes_without_a_heading_gives_them_without_their_marks() -> None:
    from extractors.profile import ProfileExtractor

    blocks = [
        _placed("body", 50, 60, "Aville City Profile", "heading"),
        _placed("sidebar", 50, 120, "• Green Infrastructure"),
        _placed("sidebar", 50, 138, "Renewable Energy"),
        _placed("body", 200, 120, "The city lies on a river and has grown fast in recent years."),
    ]
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "text", blocks)])
    themes = ProfileExtractor(document, "unused").themes()
    assert themes == ["Green Infrastructure", "Renewable Energy"]


def test_a_block_of_debris_alone_heads_no_section() -> None:
    from extractors.profile import ProfileExtractor

    debris = _placed("body", 50, 90, "|", "heading")
    debris.text = ""  # what the clean-up leaves of it
    blocks = [
        _placed("body", 50, 60, "Aville City Profile", "heading"),
        debris,
        _placed("body", 50, 120, "Economy", "heading"),
        _placed("body", 50, 140, "The city lies on a river and has grown fast in recent years."),
    ]
    document = Document(Path("hand-made.pdf"), "0" * 64, [Page(1, 595, 842, [], "text", blocks)])
    sections = ProfileExtractor(document, "unused").sections()
    assert [heading.text if heading else None for heading, _ in sections] == ["Economy"]
