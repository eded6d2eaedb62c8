"""The city profile record: banner, city, sections, sidebar themes, cooperation areas, figures."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from extractors import city_facts
from extractors.entities import entities_of, parse
from extractors.entities_reconcile import city_places
from extractors.envelope import (
    entities_block,
    phrase_runs,
    source_of,
    title_case,
    title_lines,
    title_of,
)
from extractors.figures import figures_in, may_hold_figures
from extractors.headed import list_under, lists_under
from extractors.lists import Item, classify_line, split_items
from extractors.numbers import parse_amount, parse_area_km2
from extractors.places import gazetteer
from extractors.provenance import ProvenanceLog, words_for_text
from models import City, CooperationArea, KeyFigure, ProfileRecord, Section
from pipeline.reading.cleanup import clean_lines
from pipeline.reading.document import Block, Document, TextLine, Word

_PROGRAMME = re.compile(r"international\s+urban(?:\s+and\s+regional)?\s+cooperation", re.I)
_FUNDED = re.compile(r"funded\s+by\s+(?:\S+\s+)??(?:the\s+)?((?:[A-Z][\w-]*\s*)+)", re.I)
_PROVINCE = re.compile(
    r"(?:(?:capital|part|city)\s+of|located\s+in|lies\s+in)\s+(?:the\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)\s+"
    r"(Province|Region|State|Prefecture|County|Department|Autonomous Region)\b"
)
_PROFILE_WORDS = re.compile(r"\s*[–—:|-]?\s*\b(?:city\s+)?profile\b(?:\s+of\b)?\s*", re.I)
_AREA_TITLE = re.compile(r"^([A-Z][^.:!?]{2,60}?)[.:]\s+(\S.*)$", re.DOTALL)
COOPERATION_HEADINGS = (
    "preferred areas of cooperation",
    "areas of cooperation",
    "areas for cooperation",
    "fields of cooperation",
    "cooperation interests",
    "cooperation priorities",
    "opportunities for cooperation",
)
THEME_HEADINGS = (
    "thematic interests",
    "thematic areas",
    "themes of interest",
    "areas of interest",
    "thematic priorities",
)
FIGURE_HEADINGS = (
    "key figures",
    "facts and figures",
    "the city in figures",
    "in figures",
    "in numbers",
)
_FIGURE_PAIR = re.compile(r"^\s*([A-Z][^:]{1,40}):\s*(\S.*)$")


def _heading_like(block: Block, *names: str) -> bool:
    text = block.text.lower().rstrip(":")
    return any(fuzz.ratio(text, n) >= 85 or n in text for n in names)


def _run_in_title(block: Block) -> bool:
    """A line of a few words ending in a colon: the title of the paragraph that follows."""
    words = block.text.split()
    return len(block.lines) == 1 and 0 < len(words) <= 6 and block.text.endswith(":")


def _continues(previous: Block, block: Block) -> bool:
    """A paragraph cut by a column or page break: no closing stop, next starts lower-case; or
    a run-in title ("Youth entrepreneurship:") cut from its text."""
    if previous.kind != "paragraph" or not previous.text or not block.text:
        return False
    if _run_in_title(previous):
        return classify_line(block.lines[0].text)[0] == "plain" if block.lines else True
    return previous.text[-1] not in ".!?:" and (
        block.text[0].islower() or previous.text.endswith("-")
    )


def merged_paragraphs(blocks: list[Block], known: frozenset[str] = frozenset()) -> list[Block]:
    """Body blocks with paragraphs cut by a column or page break joined again (a word cut by
    a hyphen at the break made whole)."""
    merged: list[Block] = []
    for block in blocks:
        if merged and block.kind == "paragraph" and _continues(merged[-1], block):
            last = merged[-1]
            merged[-1] = Block(
                last.page,
                last.region,
                last.lines + block.lines,
                last.kind,
                clean_lines([last.text, block.text], known),
            )
        else:
            merged.append(block)
    return merged


def _without(block: Block, taken: set[int]) -> Block | None:
    """The block without the lines a headed list took (None when nothing is left)."""
    lines = [ln for ln in block.lines if not any(id(w) in taken for w in ln.words)]
    if len(lines) == len(block.lines):
        return block
    if not lines:
        return None
    return Block(
        block.page, block.region, lines, block.kind, clean_lines([ln.text for ln in lines])
    )


def banner_words(document: Document, title: list[TextLine]) -> tuple[list[Word], list[Word]]:
    """The words naming the programme and those naming its funder on the first page.

    Lines are cut into runs at wide gaps (a banner set beside the title shares its baseline),
    banner blocks first, the title's runs left out; the programme's name may wrap over up to
    three runs.
    """
    if not document.pages:
        return [], []
    blocks = document.pages[0].blocks
    ordered = [b for b in blocks if b.region == "banner"] + [
        b for b in blocks if b.region != "banner"
    ]
    in_title = {id(w) for line in title for w in line.words}
    runs = [
        run
        for b in ordered
        for line in b.lines
        for run in phrase_runs(line)
        if not all(id(w) in in_title for w in run.words)  # a title between a banner's lines
    ]
    funder = next((run.words for run in runs if _FUNDED.search(run.text)), [])
    programme: list[Word] = []
    for start in range(len(runs)):
        words = [w for run in runs[start : start + 3] for w in run.words]
        found = _PROGRAMME.match(" ".join(w.text for w in words))
        if found:
            programme = words[: len(found.group(0).split())]
            break
    return programme, funder


def _as_in(name: str, prose: str) -> str:
    """A name set in capitals (a title's) as the prose writes it, where the prose names it."""
    if not name.isupper():
        return name
    found = re.search(re.escape(name), prose, re.I)
    return found.group(0) if found else name.title()


class ProfileExtractor:
    def __init__(self, document: Document, model: str) -> None:
        self.document = document
        self.model = model  # the spaCy pipeline to parse with
        self.log = ProvenanceLog()
        self.warnings: list[str] = list(document.warnings)
        self.known = document.vocabulary
        others = (*COOPERATION_HEADINGS, "socio-economic profile")
        self.theme_list = list_under(document, THEME_HEADINGS, FIGURE_HEADINGS + others)
        self.figure_lists = lists_under(document, FIGURE_HEADINGS, THEME_HEADINGS + others)
        listed = {
            id(w) for found in (self.theme_list, *self.figure_lists) if found for w in found.words
        }
        # The title and the programme's banner are no prose, wherever the layout set them.
        self.title = title_lines(document)
        listed.update(id(w) for line in self.title for w in line.words)
        self.banner_words = banner_words(document, self.title)
        listed.update(id(w) for words in self.banner_words for w in words)
        blocks = [b for b in (_without(b, listed) for b in document.blocks) if b is not None]
        self.banner = [b for b in blocks if b.region == "banner"]
        self.sidebar = [b for b in blocks if b.region == "sidebar"]
        self.body = merged_paragraphs([b for b in blocks if b.region == "body"], self.known)

    def programme(self) -> tuple[str | None, str | None]:
        programme_words, funder_words = self.banner_words
        name = funder = None
        if funder_words:
            funded = _FUNDED.search(" ".join(w.text for w in funder_words))
            assert funded is not None
            # "the" read as debris by OCR is dropped
            funder = re.sub(r"^(?:\S*[^\w\s]\S*\s+)", "", " ".join(funded.group(1).split()))
            self.log.add("funded_by", funder_words)
        if programme_words:
            name = title_case(" ".join(w.text for w in programme_words))
            self.log.add("programme", programme_words)
        else:
            self.warnings.append("no programme banner found")
        return name, funder

    def sections(self) -> list[tuple[Block | None, list[Block]]]:
        sections: list[tuple[Block | None, list[Block]]] = []
        for block in self.body:
            if not block.text:  # OCR debris alone in a block ("|"): it heads nothing
                continue
            if block.kind == "heading":
                sections.append((block, []))
            elif sections:
                sections[-1][1].append(block)
            else:
                sections.append((None, [block]))
        return sections

    def city_name(self, sections: list[tuple[Block | None, list[Block]]], prose: str):
        """The city's name and its words: from the title ("<City> – City Profile"), an "About
        <City>" heading, a sidebar heading the gazetteer knows, or the first sentence's subject."""
        title = self.title
        text = " ".join(line.text for line in title)
        bare = _PROFILE_WORDS.sub("", text).strip(" –—-:|,")
        if bare and len(bare.split()) <= 5 and bare[:1].isupper() and bare != text:
            return _as_in(bare, prose), [w for line in title for w in line.words]
        for heading, _ in sections:
            about = re.match(
                r"^(?:about|welcome to|discover)\s+(.+)$", heading.text if heading else "", re.I
            )
            if about and len(about.group(1).split()) <= 5:
                return _as_in(about.group(1).strip(" :"), prose), heading.words
        gaz = gazetteer()
        big = [
            b for b in self.sidebar + self.body if b.kind == "heading" and len(b.text.split()) <= 4
        ]
        block = next((b for b in big if gaz.countries_of(b.text)), None)
        if block is not None:
            return block.text, block.words
        subject = re.match(r"^([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s*(?:,|is\b)", prose)
        if subject is None:
            return None, []
        first = next((p for _, paras in sections for p in paras if p.text), None)
        return subject.group(1), words_for_text(first.words, subject.group(1)) if first else []

    def city(self, sections: list[tuple[Block | None, list[Block]]]) -> City:
        gaz = gazetteer()
        paragraphs = [p for _, paras in sections for p in paras if p.text]
        prose = " ".join(p.text for p in paragraphs)
        name, name_words = self.city_name(sections, prose)
        if name_words:
            self.log.add("city.name", name_words)
        country = city_facts.country(prose, gaz)
        if country is None and name:
            codes = gaz.countries_of(name)
            country = gaz.country_name(codes[0]) if codes else None
        found = gaz.country(country) if country else None
        explicit = _PROVINCE.search(prose)
        province = (
            explicit.group(1)
            if explicit
            else city_facts.province(prose, gaz, found.country if found else None, name)
        )
        people = city_facts.population(prose, name)
        area = city_facts.area_km2(prose, name)
        for path, stated in (
            ("city.country", country),
            ("city.province", province),
            ("city.population", people.text if people else None),
            ("city.population_text", people.text if people else None),
            ("city.area_km2", area.text if area else None),
        ):
            holder = next((p for p in paragraphs if stated and stated in p.text), None)
            if holder is not None:
                self.log.add(path, words_for_text(holder.words, stated))
        if name is None:
            self.warnings.append("could not find the city's name")
        return City(
            name=name,
            province=province,
            country=country,
            population=round(people.value) if people else None,
            population_text=people.text if people else None,
            area_km2=area.value if area else None,
        )

    def themes(self) -> list[str]:
        themes: list[str] = []
        if self.theme_list is not None:
            for item in self.theme_list.items:
                text = item.text(self.known)
                if text and not _FIGURE_PAIR.match(text):
                    self.log.add(f"thematic_interests[{len(themes)}]", item.words)
                    themes.append(text)
            return themes
        for block in (b for b in self.sidebar if b.kind == "paragraph"):
            text = classify_line(block.text)[1]  # an item's mark is no part of the theme
            if text and not _FIGURE_PAIR.match(text):
                self.log.add(f"thematic_interests[{len(themes)}]", block.words)
                themes.append(text)
        return themes

    def city_from_figures(self, city: City, listed: list[KeyFigure]) -> None:
        """A facts box's "Population: …" and "Area: …" state the city's own, where the prose
        did not."""
        for figure in listed:
            label = (figure.context or "").lower()
            if city.population is None and re.match(r"(population|inhabitants|residents)\b", label):
                city.population = round(figure.value)
                city.population_text = figure.text
                self.log.add("city.population", self._figure_words(figure))
                self.log.add("city.population_text", self._figure_words(figure))
            elif city.area_km2 is None and re.match(r"(area|surface|size)\b", label):
                value = parse_area_km2(figure.text)
                if value:
                    city.area_km2 = value
                    self.log.add("city.area_km2", self._figure_words(figure))

    def _figure_words(self, figure: KeyFigure) -> list[Word]:
        for item in (item for found in self.figure_lists for item in found.items):
            found = words_for_text(item.words, figure.text)
            if found:
                return found
        return []

    def figure_pairs(self) -> list[tuple[str, str]]:
        """The "Label: value" items listed under the key figures' own headings."""
        return [
            (m.group(1).strip(), m.group(2).strip())
            for found in self.figure_lists
            for item in found.items
            if (m := _FIGURE_PAIR.match(item.text(self.known)))
        ]

    def listed_figures(self, pairs: list[tuple[str, str]], docs: list) -> list[KeyFigure]:
        """Key figures listed as "Label: value" under their own heading, from their parsed values."""
        figures: list[KeyFigure] = []
        for (label, value), doc in zip(pairs, docs, strict=True):
            found = figures_in(doc)
            if not found:
                amount = parse_amount(value)
                if amount is None:
                    continue
                found = [KeyFigure(text=value, value=amount, unit=None, context=None)]
            figure = found[0]
            figure.context = label.lower()
            figures.append(figure)
        return figures

    def unmarked(self, block: Block) -> str:
        """A paragraph's text without its list markers: a bullet is printing, not words."""
        if not block.lines or classify_line(block.lines[0].text)[0] != "bullet":
            return block.text
        return " ".join(t for item in split_items(block.lines) if (t := item.text(self.known)))

    def cooperation_areas(self, sections) -> list[CooperationArea]:
        areas: list[CooperationArea] = []
        for heading, paragraphs in sections:
            if heading is None or not _heading_like(heading, *COOPERATION_HEADINGS):
                continue
            for block in paragraphs:
                items = split_items(block.lines)
                if not any(item.marker == "bullet" for item in items):
                    items = [Item("plain", [block.text], block.words)]
                for item in items:
                    text = item.text(self.known)
                    match = _AREA_TITLE.match(text)
                    if match and len(match.group(1).split()) <= 7:
                        title, description = match.group(1), match.group(2)
                    else:
                        title, description = None, text
                    self.log.add(f"cooperation_areas[{len(areas)}]", item.words)
                    areas.append(CooperationArea(title=title, description=description))
        return areas

    def extract(self) -> ProfileRecord:
        programme, funded_by = self.programme()
        sections = self.sections()
        city = self.city(sections)
        # The thematic interests listed under a heading of their own are not a prose section.
        sections = [
            (h, paras)
            for h, paras in sections
            if h is None or not _heading_like(h, *THEME_HEADINGS, *FIGURE_HEADINGS)
        ]
        section_models = []
        for heading, paragraphs in sections:
            text = " ".join(t for p in paragraphs if (t := self.unmarked(p)))
            if not text:
                continue
            self.log.add(
                f"sections[{len(section_models)}]", [w for p in paragraphs for w in p.words]
            )
            section_models.append(Section(heading=heading.text if heading else None, text=text))
        cooperation = self.cooperation_areas(sections)
        themes = self.themes()
        prose = [p.text for _, paras in sections for p in paras if p.text]
        # Names come from the prose and the banner's funder (in title case: an all-capitals
        # line reads as a row of acronyms); headings and the themes are topics, not names.
        banner = [f"Funded by the {funded_by}"] if funded_by else []
        pairs = self.figure_pairs()

        # One pass over every text the record needs parsed: prose, banner and listed values;
        # the tags and dependencies only for the prose and values that hold a number.
        def needs_figures(i: int, doc) -> bool:
            return (i < len(prose) or i >= len(prose) + len(banner)) and may_hold_figures(doc)

        texts = prose + banner + [value for _, value in pairs]
        parsed = parse(texts, self.model, figures=needs_figures)
        docs, values = parsed[: len(prose) + len(banner)], parsed[len(prose) + len(banner) :]
        listed = self.listed_figures(pairs, values)
        figures = [f for doc in docs[: len(prose)] for f in figures_in(doc)] + listed
        self.city_from_figures(city, listed)
        for figure in figures:  # the city's own size measures its population or area
            if city.population and abs(figure.value - city.population) <= 0.005 * city.population:
                figure.context = "population"
            elif city.area_km2 and abs(figure.value - city.area_km2) <= 0.005 * city.area_km2:
                figure.context = "area"
        found = entities_of(docs)
        found += city_places(city, found)
        topics = [*themes, *(a.title for a in cooperation if a.title)]
        topics += [h.text for h, _ in sections if h is not None]
        record = ProfileRecord(
            title=title_of(self.title, self.log),
            source=source_of(self.document),
            city=city,
            entities=entities_block(found, topics),
            programme=programme,
            funded_by=funded_by,
            sections=section_models,
            thematic_interests=themes,
            cooperation_areas=cooperation,
            key_figures=figures,
        )
        record.warnings = self.warnings
        record.provenance = self.log.entries
        return record


def extract_profile(document: Document, model: str) -> ProfileRecord:
    """Fill every field of a city profile record from a read document."""
    return ProfileExtractor(document, model).extract()
