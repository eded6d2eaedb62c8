"""The city profile record: banner, city, sections, sidebar themes, cooperation areas, figures."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from extractors.entities import entities_of, parse
from extractors.envelope import entities_block, source_of, title_block, title_case
from extractors.figures import figures_in
from extractors.places import gazetteer
from extractors.provenance import ProvenanceLog
from models import City, CooperationArea, ProfileRecord, Section
from pipeline.reading.document import Block, Document

_PROGRAMME = re.compile(r"international\s+urban(?:\s+and\s+regional)?\s+cooperation", re.I)
_FUNDED = re.compile(r"funded\s+by\s+(?:\S+\s+)??(?:the\s+)?((?:[A-Z][\w-]*\s*)+)", re.I)
_PROVINCE = re.compile(
    r"(?:(?:capital|part|city)\s+of|located\s+in|lies\s+in)\s+(?:the\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)\s+"
    r"(Province|Region|State|Prefecture|County|Department|Autonomous Region)\b"
)
_AREA_TITLE = re.compile(r"^([A-Z][^.:!?]{2,60}?)[.:]\s+(\S.*)$", re.DOTALL)
COOPERATION_HEADINGS = (
    "preferred areas of cooperation",
    "areas of cooperation",
    "cooperation interests",
)
THEME_HEADINGS = ("thematic interests", "thematic areas", "themes of interest", "areas of interest")


def _heading_like(block: Block, *names: str) -> bool:
    text = block.text.lower().rstrip(":")
    return any(fuzz.ratio(text, n) >= 85 or text.startswith(n) for n in names)


def _continues(previous: Block, block: Block) -> bool:
    """A paragraph cut by a column or page break: no closing stop, next starts lower-case."""
    return bool(
        previous.kind == "paragraph"
        and previous.text
        and block.text
        and previous.text[-1] not in ".!?:"
        and (block.text[0].islower() or previous.text.endswith("-"))
    )


def merged_paragraphs(blocks: list[Block]) -> list[Block]:
    """Body blocks with paragraphs cut by a column or page break joined again."""
    merged: list[Block] = []
    for block in blocks:
        if merged and block.kind == "paragraph" and _continues(merged[-1], block):
            last = merged[-1]
            merged[-1] = Block(
                last.page,
                last.region,
                last.lines + block.lines,
                last.kind,
                f"{last.text} {block.text}",
            )
        else:
            merged.append(block)
    return merged


class ProfileExtractor:
    def __init__(self, document: Document, model: str) -> None:
        self.document = document
        self.model = model  # the spaCy pipeline to parse with
        self.log = ProvenanceLog()
        self.warnings: list[str] = list(document.warnings)
        blocks = document.blocks
        self.banner = [b for b in blocks if b.region == "banner"]
        self.sidebar = [b for b in blocks if b.region == "sidebar"]
        self.body = merged_paragraphs([b for b in blocks if b.region == "body"])

    def programme(self) -> tuple[str | None, str | None]:
        text = " ".join(b.text for b in self.banner) or self.document.text[:600]
        programme = _PROGRAMME.search(text)
        funded = _FUNDED.search(text)
        words = [w for b in self.banner for w in b.words]
        name = title_case(programme.group(0)) if programme else None
        if name:
            self.log.add(
                "programme", [w for w in words if w.text.isupper() and len(w.text) > 2] or words
            )
        funder = " ".join(funded.group(1).split()) if funded else None
        if funder:
            funder = re.sub(r"^(?:\S*[^\w\s]\S*\s+)", "", funder)  # OCR debris for "the"
            self.log.add("funded_by", [w for w in words if not w.text.isupper()] or words)
        if not name:
            self.warnings.append("no programme banner found")
        return name, funder

    def sections(self) -> list[tuple[Block | None, list[Block]]]:
        sections: list[tuple[Block | None, list[Block]]] = []
        for block in self.body:
            if block.kind == "heading":
                sections.append((block, []))
            elif sections:
                sections[-1][1].append(block)
            else:
                sections.append((None, [block]))
        return sections

    def city(self, sections: list[tuple[Block | None, list[Block]]]) -> City:
        gaz = gazetteer()
        big = [
            b for b in self.sidebar + self.body if b.kind == "heading" and len(b.text.split()) <= 4
        ]
        name_block = next((b for b in big if gaz.countries_of(b.text)), None)
        first_text = next((p.text for _, paras in sections for p in paras if p.text), "")
        name = name_block.text if name_block else None
        if name is None:
            subject = re.match(r"^([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)\s*,", first_text)
            name = subject.group(1) if subject else None
        if name_block is not None:
            self.log.add("city.name", name_block.words)
        province_match = _PROVINCE.search(first_text)
        province = province_match.group(1) if province_match else None
        country = None
        for sentence_country in re.findall(
            r"\b(?:of|in)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)", first_text
        ):
            found = gaz.country(sentence_country)
            if found:
                country = sentence_country
                break
        if country is None and name:
            codes = gaz.countries_of(name)
            country = gaz.country_name(codes[0]) if codes else None
        if name is None:
            self.warnings.append("could not find the city's name")
        return City(name=name, province=province, country=country)

    def themes(self) -> list[str]:
        candidates = [b for b in self.sidebar if b.kind == "paragraph"]
        if not candidates:
            for heading, paragraphs in self.sections():
                if heading is not None and _heading_like(heading, *THEME_HEADINGS):
                    candidates = paragraphs
        themes = []
        for block in candidates:
            self.log.add(f"thematic_interests[{len(themes)}]", block.words)
            themes.append(block.text)
        return themes

    def cooperation_areas(self, sections) -> list[CooperationArea]:
        areas: list[CooperationArea] = []
        for heading, paragraphs in sections:
            if heading is None or not _heading_like(heading, *COOPERATION_HEADINGS):
                continue
            for block in paragraphs:
                match = _AREA_TITLE.match(block.text)
                if match and len(match.group(1).split()) <= 7:
                    title, description = match.group(1), match.group(2)
                else:
                    title, description = None, block.text
                self.log.add(f"cooperation_areas[{len(areas)}]", block.words)
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
            if h is None or not _heading_like(h, *THEME_HEADINGS)
        ]
        section_models = []
        for heading, paragraphs in sections:
            text = " ".join(p.text for p in paragraphs if p.text)
            if not text:
                continue
            self.log.add(
                f"sections[{len(section_models)}]", [w for p in paragraphs for w in p.words]
            )
            section_models.append(Section(heading=heading.text if heading else None, text=text))
        cooperation = self.cooperation_areas(sections)
        prose = [p.text for _, paras in sections for p in paras if p.text]
        # Names come from the prose and the banner's funder (in title case: an all-capitals
        # line reads as a row of acronyms); headings and the themes are topics, not names.
        banner = [
            title_case(funded.group(0))
            for b in self.banner
            if (funded := re.search(r"funded\s+by\b.*", b.text, re.I | re.S))
        ]
        docs = parse(prose + banner, self.model)
        figures = [f for doc in docs[: len(prose)] for f in figures_in(doc)]
        title = title_block(self.document)
        if title is not None:
            self.log.add("title", title.words)
        record = ProfileRecord(
            title=title.text if title is not None and title.text else None,
            source=source_of(self.document),
            city=city,
            entities=entities_block(entities_of(docs)),
            programme=programme,
            funded_by=funded_by,
            sections=section_models,
            thematic_interests=self.themes(),
            cooperation_areas=cooperation,
            key_figures=figures,
        )
        record.warnings = self.warnings
        record.provenance = self.log.entries
        return record


def extract_profile(document: Document, model: str) -> ProfileRecord:
    """Fill every field of a city profile record from a read document."""
    return ProfileExtractor(document, model).extract()
