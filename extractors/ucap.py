"""The U-CAP summary record: the label/value table, the dated timeline, results and contacts."""

from __future__ import annotations

import re

from extractors.dates import parse_date, parse_period, split_leading_date
from extractors.entities import Entity, entities_of, parse, unique
from extractors.envelope import entities_block, source_of, title_block
from extractors.labels import label_config
from extractors.lists import Item, split_items
from extractors.numbers import NOT_STATED, parse_area_km2, parse_population
from extractors.places import fold, gazetteer
from extractors.provenance import ProvenanceLog, words_for_text
from extractors.table import Row, match_label, table_rows
from models import Activity, City, Contact, FocusArea, Partner, Period, Sdg, UcapRecord
from pipeline.reading.cleanup import clean_text
from pipeline.reading.document import Document, TextLine

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SDG = re.compile(r"\bSDG\s*#?\s*(\d{1,2})\b", re.I)
_AGENDA = re.compile(r"(?:EU\s+)?Urban\s+Agenda(?:\s+for\s+the\s+EU)?(?:\s+topics?)?\s*:", re.I)
_FOCUS_SPLIT = re.compile(r"(?:^|(?<=[.!?]))\s*([A-Z][^:.!?]{1,70}?):\s+")


def split_list(text: str) -> list[str]:
    """ "Bilbao, Porto and Lyon" → ["Bilbao", "Porto", "Lyon"]."""
    if not text or NOT_STATED.match(text):
        return []
    parts = re.split(r"\s*[;,\n]\s*|\s+and\s+(?=[A-Z])|\s+&\s+(?=[A-Z][a-z]+$)", text)
    return [p.strip(" .") for p in parts if p and p.strip(" .") and not NOT_STATED.match(p)]


def parse_sdgs(text: str) -> list[Sdg]:
    """SDGs as "SDG9: Industry, …", "Good Health and Well-Being: SDG 3" or plain "SDG 11"."""
    text = _AGENDA.split(text)[0]
    matches = list(_SDG.finditer(text))
    found: list[Sdg] = []
    for i, match in enumerate(matches):
        number = int(match.group(1))
        if not 1 <= number <= 17 or any(s.number == number for s in found):
            continue
        after_end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        after = text[match.end() : after_end].strip()
        title: str | None = None
        if after.startswith((":", "-", "–", "—", ".")):
            title = after.lstrip(":-–—. ").strip(" ;,")
        else:
            before_start = matches[i - 1].end() if i else 0
            before = text[before_start : match.start()].strip()
            backward = re.search(r"([A-Z][^:;]*?)\s*[:–-]\s*$", before)
            if backward:
                title = backward.group(1).strip(" ;,")
        found.append(Sdg(number=number, title=title or None))
    return found


def parse_agenda_topics(text: str) -> list[str]:
    parts = _AGENDA.split(text, maxsplit=1)
    return split_list(parts[1]) if len(parts) > 1 else []


def parse_focus_areas(text: str) -> list[FocusArea]:
    """ "Theme: description. Theme 2: description 2." → theme/description pairs."""
    heads = list(_FOCUS_SPLIT.finditer(text))
    if not heads:
        return [FocusArea(theme=None, description=text)] if text else []
    areas = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        description = text[head.end() : end].strip()
        areas.append(FocusArea(theme=head.group(1).strip(), description=description or None))
    return areas


def cell_items(row: Row, known: frozenset[str]) -> list[str]:
    """A cell as a list: one item per bullet, else the whole cell as one item."""
    items = split_items(row.cell_lines(0))
    if any(i.marker == "bullet" for i in items):
        return [text for text in (i.text(known) for i in items) if text]
    text = row.cell_text(0, known)
    return [text] if text else []


class UcapExtractor:
    def __init__(self, document: Document, model: str) -> None:
        self.document = document
        self.model = model  # the spaCy pipeline to parse with
        self.known = document.vocabulary
        self.log = ProvenanceLog()
        self.warnings: list[str] = list(document.warnings)
        self.rows = table_rows(document)
        self.by_field: dict[str, Row] = {}
        for row in self.rows:
            self.by_field.setdefault(row.field or "", row)

    # ------------------------------------------------------------------ table fields
    def cell(self, name: str, index: int = 0) -> str:
        row = self.by_field.get(name)
        return row.cell_text(index, self.known) if row else ""

    def cell_words(self, name: str, index: int = 0) -> list:
        row = self.by_field.get(name)
        return row.cells[index] if row and index < len(row.cells) else []

    def city(self) -> City:
        def stated(text: str) -> str | None:
            return None if not text or NOT_STATED.match(text) else text

        population_text = stated(self.cell("population"))
        area_text = stated(self.cell("area"))
        city = City(
            name=stated(self.cell("city")),
            province=stated(self.cell("province")),
            country=stated(self.cell("country")),
            population=parse_population(population_text),
            population_text=population_text,
            area_km2=parse_area_km2(area_text),
        )
        paths = {"name": "city", "province": "province", "country": "country",
                 "population": "population", "population_text": "population", "area_km2": "area"}  # fmt: skip
        for attr, row in paths.items():
            if getattr(city, attr) is not None:
                self.log.add(f"city.{attr}", self.cell_words(row))
        for row in ("city", "population"):
            if self.by_field.get(row) is None:
                self.warnings.append(f"no '{row}' row found in the table")
        return city

    def partners(self) -> list[Partner]:
        gaz = gazetteer()
        names = split_list(self.cell("city", 1))
        regions = split_list(self.cell("province", 1))
        countries = split_list(self.cell("country", 1))
        listed = {code: name for name in countries for code in gaz.countries_of(name)[:1]}
        aligned_regions = len(regions) == len(names)
        partners: list[Partner] = []
        for i, name in enumerate(names):
            region = regions[i] if aligned_regions else None
            country: str | None = None
            if region and gaz.country(region):  # the region row names a country for this partner
                country, region = region, None
            if len(countries) == len(names):
                country = countries[i]
            elif country is None:
                candidates = (gaz.countries_of(region) if region else []) + gaz.countries_of(name)
                code = next((c for c in candidates if c in listed), None)
                if code:
                    country = listed[code]
                elif len(listed) == 1:
                    country = next(iter(listed.values()))
                elif candidates and not countries:
                    country = gaz.country_name(candidates[0])
            partners.append(Partner(name=name, region=region, country=country))
            self.log.add(f"partners[{i}]", words_for_text(self.cell_words("city", 1), name))
        if not names:
            self.warnings.append("no partner cities found in the table")
        return partners

    def period(self) -> Period:
        text = self.cell("period")
        if not text:
            self.warnings.append("no period of cooperation found")
            return Period()
        start, end = parse_period(text)
        if start is None:
            self.warnings.append(f"could not read a date in the period {text!r}")
        self.log.add("period", self.cell_words("period"))
        return Period(start=start, end=end, text=text)

    def listed(self, field: str, path: str, splitter=split_list) -> list[str]:
        items = splitter(self.cell(field))
        for i, item in enumerate(items):
            self.log.add(f"{path}[{i}]", words_for_text(self.cell_words(field), item))
        return items

    # ------------------------------------------------------------------ after the table
    def following_lines(self) -> list[TextLine]:
        """Lines after the table in reading order (the timeline, results, contact)."""
        table_words = {id(w) for row in self.rows for w in row.label_words + row.value_words}
        lines: list[TextLine] = []
        for block in self.document.blocks:
            if block.region in ("banner", "footer"):
                continue
            for line in block.lines:
                if not any(id(w) in table_words for w in line.words):
                    lines.append(line)
        if self.rows:
            last = max(
                (w for r in self.rows for w in r.value_words),
                key=lambda w: (w.page, w.bottom),
                default=None,
            )
            if last is not None:
                lines = [ln for ln in lines if (ln.words[0].page, ln.top) > (last.page, last.top)]
        return lines

    def sections(self) -> dict[str, list[TextLine]]:
        """The lines after the table, cut at the headings they contain."""
        parts: dict[str, list[TextLine]] = {"activities": [], "expected_results": [], "contact": []}
        activities_row = self.by_field.get("activities")
        if activities_row:
            parts["activities"].extend(activities_row.cell_lines(0))
        current = "activities"
        cues = label_config()["contact_cues"]
        for line in self.following_lines():
            text = line.text
            heading = re.split(r":\s*$", text)[0]
            field, _score = match_label(heading)
            if field in ("activities", "expected_results") and len(text) < 120:
                current = field
                continue
            if EMAIL.search(text) or any(text.lower().startswith(c) for c in cues):
                current = "contact"
            parts[current].append(line)
        return parts

    def activities(self, lines: list[TextLine]) -> list[Activity]:
        items = split_items(lines)
        activities: list[tuple[Item, list[Item]]] = []
        for item in items:
            if item.marker == "timeline" or (
                item.marker == "plain" and split_leading_date(item.lines[0])
            ):
                activities.append((item, []))
            elif activities:
                activities[-1][1].append(item)
        result: list[Activity] = []
        for entry, outputs in activities:
            text = entry.text(self.known)
            split = split_leading_date(text)
            date_text, description = split if split else (None, text)
            kept = [(o, t) for o in outputs if (t := o.text(self.known))]
            output_texts = [t for _, t in kept]
            result.append(
                Activity(
                    date=parse_date(date_text) if date_text else None,
                    date_text=date_text,
                    description=description or text,
                    outputs=output_texts,
                )
            )
            index = len(result) - 1
            self.log.add(f"activities[{index}]", entry.words)
            if date_text:
                self.log.add(f"activities[{index}].date", words_for_text(entry.words, date_text))
            for j, (output, _) in enumerate(kept):
                self.log.add(f"activities[{index}].outputs[{j}]", output.words)
        if not result:
            self.warnings.append("no dated activities found")
        return result

    def bullets(self, lines: list[TextLine], path: str) -> list[str]:
        kept = [
            (i, t) for i in split_items(lines, unmarked_sentences=True) if (t := i.text(self.known))
        ]
        for n, (item, _) in enumerate(kept):
            self.log.add(f"{path}[{n}]", item.words)
        return [t for _, t in kept]

    def contacts(self, lines: list[TextLine]) -> list[Contact]:
        contacts: list[Contact] = []
        source = lines or [ln for b in self.document.blocks for ln in b.lines]
        for line in source:
            for match in EMAIL.finditer(line.text):
                email = match.group(0).rstrip(".")
                if any(c.email == email for c in contacts):
                    continue
                before = line.text[: match.start()]
                name = re.search(r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)\s*[,(<:–-]?\s*$", before)
                contacts.append(Contact(name=name.group(1) if name else None, email=email))
                self.log.add(f"contacts[{len(contacts) - 1}]", words_for_text(line.words, email))
        return contacts

    @staticmethod
    def table_places(city: City, partners: list[Partner]) -> list[Entity]:
        """The table's city, region and country cells name places by definition."""
        names = [city.name, city.province, city.country]
        for partner in partners:
            names += [partner.name, partner.region, partner.country]
        return [Entity(n, "PLACE", 0, 0) for n in names if n]

    # ------------------------------------------------------------------ the record
    def extract(self) -> UcapRecord:
        city = self.city()
        partners = self.partners()
        parts = self.sections()
        activities = self.activities(parts["activities"])
        sdg_text = self.cell("sdgs")
        agenda = self.listed("urban_agenda_topics", "urban_agenda_topics") or parse_agenda_topics(
            sdg_text
        )
        themes = self.listed("themes", "themes")
        focus = parse_focus_areas(self.cell("focus_areas"))
        for i, _ in enumerate(focus):
            self.log.add(f"focus_areas[{i}]", self.cell_words("focus_areas"))
        challenges = (
            cell_items(self.by_field["challenges"], self.known)
            if "challenges" in self.by_field
            else []
        )
        objectives = (
            cell_items(self.by_field["objectives"], self.known)
            if "objectives" in self.by_field
            else []
        )
        for name, items in (("challenges", challenges), ("objectives", objectives)):
            for i, _ in enumerate(items):
                self.log.add(f"{name}[{i}]", self.cell_words(name))
        sdgs = parse_sdgs(sdg_text)
        for i, _ in enumerate(sdgs):
            self.log.add(f"sdgs[{i}]", self.cell_words("sdgs"))

        # Entities: each value and list item on its own (a cell or bullet is one context),
        # parsed in one nlp.pipe pass; an activity's are those of its description and outputs.
        expected = self.bullets(parts["expected_results"], "expected_results")
        prose_cells = [self.cell(name) for name in ("focus_areas", "challenges", "objectives")]
        other = [t for t in prose_cells if t] + expected + [line.text for line in parts["contact"]]
        per_activity = [[a.description, *a.outputs] for a in activities]
        docs = parse(other + [t for texts in per_activity for t in texts], self.model)
        own = fold(city.name or "")
        cursor = len(other)
        for activity, texts in zip(activities, per_activity, strict=True):
            found = entities_of(docs[cursor : cursor + len(texts)])
            cursor += len(texts)
            activity.places = unique(
                e.text for e in found if e.label == "PLACE" and fold(e.text) != own
            )
            activity.organizations = unique(e.text for e in found if e.label == "ORG")
        title = title_block(self.document)
        if title is not None:
            self.log.add("title", title.words)
        record = UcapRecord(
            title=clean_text(title.text) if title is not None and title.text else None,
            source=source_of(self.document),
            city=city,
            entities=entities_block(self.table_places(city, partners) + entities_of(docs)),
            partners=partners,
            period=self.period(),
            themes=themes,
            sdgs=sdgs,
            urban_agenda_topics=agenda,
            focus_areas=focus,
            challenges=challenges,
            objectives=objectives,
            activities=activities,
            expected_results=expected,
            contacts=self.contacts(parts["contact"]),
        )
        record.warnings = self.warnings
        record.provenance = self.log.entries
        return record


def extract_ucap(document: Document, model: str) -> UcapRecord:
    """Fill every field of a U-CAP summary record from a read document."""
    return UcapExtractor(document, model).extract()
