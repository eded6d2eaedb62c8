"""The U-CAP summary record: the label/value table, the dated timeline, results and contacts."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from extractors.dates import parse_date, parse_period, split_leading_date
from extractors.entities import Entity, entities_of, org_words, parse, unique
from extractors.entities_reconcile import document_countries, place_spelling
from extractors.envelope import entities_block, source_of, title_lines, title_of
from extractors.labels import label_config
from extractors.lists import Item, split_items
from extractors.numbers import NOT_STATED, parse_area_km2, parse_population
from extractors.places import fold, gazetteer
from extractors.provenance import ProvenanceLog, words_for_text
from extractors.table import Row, match_label, table_rows
from models import Activity, City, Contact, FocusArea, Partner, Period, Sdg, UcapRecord
from pipeline.reading.document import Document, TextLine, Word

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A space OCR put inside an address's domain: after a hyphen (no label ends in one), or after
# a dot before the last label, a short run of small letters that ends the line or a clause.
_SPACE_IN_DOMAIN = re.compile(r"(@[\w.-]*?(?:-|\.(?=\s+[a-z]{2,4}(?:$|[,;)]))))\s+(?=[a-z])")


# A dot OCR read as a colon or comma before an address's last label.
_STOP_IN_DOMAIN = re.compile(r"(@[\w-]+(?:\.[\w-]+)*)[:,](?=[a-z]{2,4}(?:$|[\s;)]))")


def closed_addresses(text: str) -> str:
    """The text with the spaces OCR put inside e-mail addresses' domains taken out, and a
    dot it read as a colon or comma restored: a domain holds neither."""
    while (closed := _SPACE_IN_DOMAIN.sub(r"\1", text)) != text:
        text = closed
    return _STOP_IN_DOMAIN.sub(r"\1.", text)


_SDG = re.compile(
    r"\b(?:SDGs?|(?:Sustainable\s+Development\s+)?Goal)\s*(?:#|No\.?|n°)?\s*(\d{1,2})\b", re.I
)
SDGS_PATH = Path(__file__).with_name("data") / "sdgs.json"
COMMA_NAMES_PATH = Path(__file__).with_name("data") / "names_with_commas.json"
_AGENDA = re.compile(r"(?:EU\s+)?Urban\s+Agenda(?:\s+for\s+the\s+EU)?(?:\s+[a-z]+)?\s*[:–—-]", re.I)
# "Theme: description" or "Theme – description", at the start of the text or of a sentence.
_FOCUS_SPLIT = re.compile(r"(?:^|(?<=[.!?]))\s*([A-Z][^:.!?]{1,70}?)(?::|\s+[-–—])\s+")


def _name_word(token: str) -> bool:
    """A word of a person's name: letters of any script, a hyphen or apostrophe inside."""
    return token[:1].isupper() and re.sub(r"['’-]", "", token).isalpha()


def person_before(text: str) -> str | None:
    """The person named right before a contact's address ("Ana de Vries (ana@…)"), or None.

    Capitalised words read backwards from the address, the name particles ("de", "van der")
    allowed between them; two capitalised words at least, so a lone label word is no name.
    """
    particles = set(org_words()["name_particles"])
    tokens = text.rstrip().rstrip(",(<:–-").split()
    name: list[str] = []
    for token in reversed(tokens):
        if _name_word(token) or (name and token in particles):
            name.insert(0, token)
        else:
            break
    while name and name[0] in particles:
        name.pop(0)
    return " ".join(name) if sum(map(_name_word, name)) >= 2 else None


def split_names(text: str) -> list[str]:
    """A written list of names, cut at semicolons and at commas outside parentheses.

    Never at "and": theme, topic and organisation names hold it ("Heritage and
    Culture"); ``split_places`` cuts "Aville and Btown" where both sides are known places.
    """
    if not text or NOT_STATED.match(text):
        return []
    parts = [p.strip(" .") for p in re.split(r"\s*[;,]\s*(?![^()]*\))", text)]
    names = [p for p in _rejoin_known(parts) if p and not NOT_STATED.match(p)]
    return names


@lru_cache(maxsize=1)
def _names_with_commas() -> frozenset[str]:
    data = json.loads(COMMA_NAMES_PATH.read_text(encoding="utf-8"))
    return frozenset(fold(name) for name in data["names"])


def _rejoin_known(parts: list[str]) -> list[str]:
    """Parts cut at commas joined again where together they make a name known to hold one."""
    known = _names_with_commas()
    out: list[str] = []
    i = 0
    while i < len(parts):
        for n in (3, 2):
            joined = ", ".join(parts[i : i + n])
            if i + n <= len(parts) and fold(joined) in known:
                out.append(joined)
                i += n
                break
        else:
            out.append(parts[i])
            i += 1
    return out


def _after_qualifier(text: str) -> list[str]:
    """ "Aville (Region, Country) Btown (Country)" → two places: a capital word after a closing
    parenthesis starts the next place (a list written one place a line, its lines run together).
    """
    pieces = re.split(r"(?<=\))\s+(?=[^\W\d_])", text)
    out = pieces[:1]
    for piece in pieces[1:]:
        if piece[:1].isupper():
            out.append(piece)
        else:
            out[-1] = f"{out[-1]} {piece}"
    return out


def split_places(text: str) -> list[str]:
    """ "Aville, Btown and Ctown" → three names: "and" cuts between known places."""
    gaz = gazetteer()
    names: list[str] = []
    for part in (p for name in split_names(text) for p in _after_qualifier(name)):
        pieces = re.split(r"\s+(?:and|&)\s+", part)
        if len(pieces) > 1 and all(gaz.countries_of(_bare(p)) for p in pieces):
            names.extend(pieces)
        else:
            names.append(part)
    return names


def _bare(name: str) -> str:
    """A place name without what follows it in parentheses: "Aville (Region, Country)" → "Aville"."""
    return re.sub(r"\s*\(.*$", "", name).strip()


def _in_parentheses(name: str) -> list[str]:
    match = re.search(r"\(([^()]*)\)", name)
    return [p.strip() for p in match.group(1).split(",") if p.strip()] if match else []


@lru_cache(maxsize=1)
def sdg_titles() -> dict[int, str]:
    data = json.loads(SDGS_PATH.read_text(encoding="utf-8"))
    return {int(number): title for number, title in data["goals"].items()}


def _title_near(text: str, number: int) -> str | None:
    """The goal's name when the text beside its number writes it (OCR noise allowed)."""
    title = sdg_titles()[number]
    window = text.strip(" :;,.–—-()")[: len(title) + 6]
    if not window:
        return None
    if fuzz.partial_ratio(title.lower(), window.lower()) >= 88 and abs(
        len(title) - len(window.split(")")[0].split(";")[0].strip())
    ) <= max(6, len(title) // 4):
        return title
    return None


def parse_sdgs(text: str) -> list[Sdg]:
    """SDGs however written: "SDG 9: Industry, …", "Goal 5 (Gender Equality)", "SDG 1 No
    Poverty", "Good Health and Well-Being: SDG 3", several in one cell, or a bare "SDG 11"."""
    text = _AGENDA.split(text)[0]
    matches = [m for m in _SDG.finditer(text) if 1 <= int(m.group(1)) <= 17]
    found: list[Sdg] = []
    for i, match in enumerate(matches):
        number = int(match.group(1))
        if any(s.number == number for s in found):
            continue
        after_end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        before_start = matches[i - 1].end() if i else 0
        title = _title_near(text[match.end() : after_end], number)
        if title is None:
            before = text[before_start : match.start()].rstrip(" :–—-(")
            title = _title_near(before[-(len(sdg_titles()[number]) + 4) :], number)
        found.append(Sdg(number=number, title=title))
    return found


def parse_agenda_topics(text: str) -> list[str]:
    parts = _AGENDA.split(text, maxsplit=1)
    return split_names(parts[1]) if len(parts) > 1 else []


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

    def table_top(self) -> float | None:
        """Where the table starts on the first page: the top of its first label read there."""
        tops = [w.top for row in self.rows for w in row.label_words if w.page == 1]
        return min(tops, default=None)

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
        written = [n for text, _ in self.items("city", 1) for n in split_places(text)]
        regions = [r for text, _ in self.items("province", 1) for r in split_places(text)]
        countries = [c for text, _ in self.items("country", 1) for c in split_places(text)]
        listed = {code: name for name in countries for code in gaz.countries_of(name)[:1]}
        aligned_regions = len(regions) == len(written)
        partners: list[Partner] = []
        for i, written_name in enumerate(written):
            name = _bare(written_name) or written_name
            region = regions[i] if aligned_regions else None
            country: str | None = None
            inside = _in_parentheses(written_name)  # "Aville (Region, Country)"
            if inside and gaz.country(inside[-1]):
                country = inside[-1]
                inside = inside[:-1]
            if inside:
                region = inside[0]
            if region and gaz.country(region):  # the region row names a country for this partner
                country, region = region, None
            if country is None and len(countries) == len(written):
                country = countries[i]
            elif country is None:
                candidates = (gaz.countries_of(region) if region else []) + gaz.countries_of(name)
                code = next((c for c in candidates if c in listed), None)
                if code:
                    country = listed[code]
                elif len(listed) == 1:
                    country = next(iter(listed.values()))
            partners.append(Partner(name=name, region=region, country=country))
            self.log.add(f"partners[{i}]", words_for_text(self.cell_words("city", 1), name))
        if not written:
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

    def items(self, field: str, index: int = 0) -> list[tuple[str, list[Word]]]:
        """A cell's items (per marker or per deliberate line break), cleaned, with their words."""
        row = self.by_field.get(field)
        if row is None:
            return []
        return [(t, item.words) for item in row.cell_items(index) if (t := item.text(self.known))]

    def listed(self, field: str, path: str) -> list[str]:
        """Names listed in a cell: its items, each cut at commas and semicolons."""
        names: list[str] = []
        for text, words in self.items(field):
            for name in split_names(text):
                self.log.add(f"{path}[{len(names)}]", words_for_text(words, name))
                names.append(name)
        return names

    def paragraphs(self, field: str) -> list[str]:
        """A cell of prose items (challenges, objectives): one string per item."""
        found = self.items(field)
        for i, (_, words) in enumerate(found):
            self.log.add(f"{field}[{i}]", words)
        return [text for text, _ in found]

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
        """The timeline, results and contact lines: their rows' values, then what follows."""
        parts: dict[str, list[TextLine]] = {"activities": [], "expected_results": [], "contact": []}
        current = "activities"
        for name in ("activities", "expected_results"):
            row = self.by_field.get(name)
            if row is not None:
                parts[name].extend(row.cell_lines(0))
                current = name
        for line in self.following_lines():
            heading = re.split(r":\s*$", line.text)[0]
            field, _score = match_label(heading)
            if field in ("activities", "expected_results") and len(line.text) < 120:
                current = field
                continue
            parts[current].append(line)
        cues = label_config()["contact_cues"]
        for name in ("activities", "expected_results"):
            lines = parts[name]
            cut = next(
                (
                    i
                    for i, line in enumerate(lines)
                    if EMAIL.search(line.text) or any(line.text.lower().startswith(c) for c in cues)
                ),
                None,
            )
            if cut is not None:
                parts["contact"].extend(lines[cut:])
                del lines[cut:]
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
            text = closed_addresses(line.text)
            for match in EMAIL.finditer(text):
                email = match.group(0).rstrip(".")
                if any(c.email == email for c in contacts):
                    continue
                name = person_before(text[: match.start()])
                contacts.append(Contact(name=name, email=email))
                self.log.add(f"contacts[{len(contacts) - 1}]", words_for_text(line.words, email))
        return contacts

    @staticmethod
    def table_places(city: City, partners: list[Partner]) -> list[Entity]:
        """The table's city, region and country cells name places by definition."""
        names = [city.name, city.province, city.country]
        for partner in partners:
            names += [partner.name, partner.region, partner.country]
        # A cell's stray fragment ("er") names no place: a place's name starts with a capital.
        return [Entity(n, "PLACE", 0, 0, rule=True) for n in names if n and n[:1].isupper()]

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
        focus: list[FocusArea] = []
        for text, words in self.items("focus_areas"):
            for area in parse_focus_areas(text):
                if area.theme is None and focus and focus[-1].description:
                    focus[-1].description = f"{focus[-1].description} {area.description}"
                    continue
                self.log.add(f"focus_areas[{len(focus)}]", words)
                focus.append(area)
        challenges = self.paragraphs("challenges")
        objectives = self.paragraphs("objectives")
        sdgs = parse_sdgs(sdg_text)
        for i, _ in enumerate(sdgs):
            self.log.add(f"sdgs[{i}]", self.cell_words("sdgs"))

        # Entities: each value and list item on its own (a cell or bullet is one context),
        # parsed in one nlp.pipe pass; an activity's are those of its description and outputs.
        expected = self.bullets(parts["expected_results"], "expected_results")
        prose_cells = [self.cell(name) for name in ("focus_areas", "challenges", "objectives")]
        title = title_of(title_lines(self.document, self.table_top()), self.log)
        # The title too: an organisation may stand in it ("IUC Urban Cooperation …").
        other = [t for t in [title, *prose_cells] if t] + expected
        other += [line.text for line in parts["contact"]]
        per_activity = [[a.description, *a.outputs] for a in activities]
        docs = parse(other + [t for texts in per_activity for t in texts], self.model)
        own = fold(city.name or "")
        found = self.table_places(city, partners) + entities_of(docs)
        countries = document_countries(found)
        cursor = len(other)
        for activity, texts in zip(activities, per_activity, strict=True):
            named = entities_of(docs[cursor : cursor + len(texts)])
            cursor += len(texts)
            activity.places = unique(
                place_spelling(e.text, countries)
                for e in named
                if e.label == "PLACE" and fold(e.text) != own
            )
            activity.organizations = unique(e.text for e in named if e.label == "ORG")
        contacts = self.contacts(parts["contact"])
        topics = [*themes, *(a.theme for a in focus if a.theme)]
        record = UcapRecord(
            title=title,
            source=source_of(self.document),
            city=city,
            entities=entities_block(found, topics, [c.name for c in contacts if c.name]),
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
            contacts=contacts,
        )
        record.warnings = self.warnings
        record.provenance = self.log.entries
        return record


def extract_ucap(document: Document, model: str) -> UcapRecord:
    """Fill every field of a U-CAP summary record from a read document."""
    return UcapExtractor(document, model).extract()
