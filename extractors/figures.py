"""Key figures: every quantity stated in prose, with its value, unit and context.

spaCy finds the noun a number counts (``nummod``: "300 million people" → people); rules read
the value ("300 million" → 3e8, "1/5" → 0.2, "80%" → 80) and the context: the phrase
after "of" ("2,000 years of river trade"), else the subject of the clause ("Its 3-hour
freight rail ring reaches 300 million people" → "3-hour freight rail ring").
Numbers inside names and dates ("Industry 5.0", "2017") are not figures.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from extractors.numbers import number_word, parse_amount
from models import KeyFigure

_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_DETERMINERS = {
    "the",
    "a",
    "an",
    "its",
    "their",
    "his",
    "her",
    "our",
    "this",
    "that",
    "these",
    "those",
    "all",
}
_UNIT_SKIP = {"more", "less", "than", "about", "around", "over", "some", "nearly", "almost"}


_SQUARE = {"square", "cubic", "sq", "sq."}  # "21,000 square kilometres", "79.5 sq km"
_MULTIPLIER_WORDS = {"million", "millions", "billion", "thousand", "hundred", "mio", "mln", "bn"}


def _number_tokens(token: Token) -> list[Token]:
    """The contiguous number tokens around ``token``: "300 million", "1.2 billion", "9.5 Mio.",
    and thousands grouped by spaces ("101 252"), which the tokenizer cuts apart."""
    tokens = [token]
    doc = token.doc
    nxt = token.i + 1
    grouped = re.fullmatch(r"\d{1,3}", token.text) is not None
    while nxt < len(doc):
        word = doc[nxt]
        if grouped and re.fullmatch(r"\d{3}", word.text) and doc[nxt - 1].whitespace_ != "":
            tokens.append(word)
        elif word.lower_.rstrip(".") in _MULTIPLIER_WORDS:
            tokens.append(word)
            grouped = False
        else:
            break
        nxt += 1
    return tokens


def _value(tokens: list[Token]) -> float | None:
    text = " ".join(t.text for t in tokens)
    fraction = _FRACTION.match(text)
    if fraction and int(fraction.group(2)):
        return round(int(fraction.group(1)) / int(fraction.group(2)), 6)
    word = number_word(tokens[0].text)
    if word is not None:
        return float(word)
    return parse_amount(text)


# A unit of length or surface written as a symbol: "km²", "km2", "sq", "ha", "m".
_UNIT_SYMBOL = re.compile(r"(?:[kcm]?m|ha|mi|ft|sq)[²³23]?\.?", re.IGNORECASE)


def _is_year(tokens: list[Token]) -> bool:
    """ "2017" is a year, "1854 km²" an amount: a unit symbol follows it."""
    text = tokens[0].text
    if len(tokens) != 1 or not re.fullmatch(r"(1[89]|20)\d{2}", text):
        return False
    doc = tokens[0].doc
    after = doc[tokens[0].i + 1] if tokens[0].i + 1 < len(doc) else None
    return after is None or not _UNIT_SYMBOL.fullmatch(after.text)


def _in_name(token: Token) -> bool:
    """Numbers in names ("Industry 5.0", "RIS 3", "SDG 11") follow a capitalised word."""
    prev = token.doc[token.i - 1] if token.i else None
    return bool(
        prev is not None
        and prev.is_title
        and not prev.is_sent_start
        and re.fullmatch(r"\d+(\.\d)?", token.text)
    )


def _named(token: Token) -> bool:
    """A number inside a name: an organisation's, person's or place's, or inside a law's or
    product's ("Directive 2010/31", "iPhone 15"); one that starts such an entity is an amount the
    model took for a product ("928 km2")."""
    if token.ent_type_ in ("ORG", "PERSON", "GPE"):
        return True
    return token.ent_type_ in ("LAW", "PRODUCT") and token.ent_iob_ != "B"


def _phrase(tokens: list[Token]) -> str:
    words = [t for t in tokens if not t.is_punct or t.text in "-/&'’"]
    while words and (words[0].lower_ in _DETERMINERS or words[0].is_punct):
        words = words[1:]
    if not words:
        return ""
    doc = words[0].doc
    return doc[words[0].i : words[-1].i + 1].text.strip(" ,;.")


def _of_owner(token: Token) -> str | None:
    """ "area" for "an area of 21,000 …": the noun an "of"-phrase holding ``token`` belongs to."""
    prep = token.head
    if token.dep_ == "pobj" and prep.lower_ == "of" and prep.head.pos_ in ("NOUN", "PROPN"):
        owner = prep.head
        return _phrase([t for t in owner.subtree if t.i <= owner.i]) or None
    return None


def _context(unit: Token) -> str | None:
    """What the figure measures: "of …" after the unit, else the clause's subject."""
    owner = _of_owner(unit)
    if owner:
        return owner
    if unit.dep_ in ("amod", "compound", "nmod") and unit.head.i > unit.i:
        # "3-hour freight rail ring": the figure qualifies the noun it stands before
        return _phrase(list(unit.doc[unit.i + 1 : unit.head.i + 1])) or None
    for child in unit.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                return _phrase(list(objects[0].subtree)) or None
    head = unit
    while head.dep_ not in ("ROOT", "ccomp", "conj", "relcl", "advcl") and head.head is not head:
        head = head.head
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if subjects and unit not in subjects[0].subtree and subjects[0].pos_ != "PRON":
        return _phrase(list(subjects[0].subtree)) or None
    return None


def _share_context(share: Token) -> str | None:
    """What a fraction is a share of: the clause's subject ("The output … accounts for 1/7"),
    or, when the share is the subject itself ("About 1/4 of the workforce is employed …"), the
    "of" phrase after it."""
    if share.dep_ in ("nsubj", "nsubjpass"):
        for child in share.children:
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if child.dep_ == "prep" and child.lower_ == "of" and objects:
                return _phrase(list(objects[0].subtree)) or None
    return _context(share.head) if share.head is not share else None


def _may_be_figure(token: Token) -> bool:
    return bool(token.like_num or _FRACTION.match(token.text))


def may_hold_figures(doc: Doc) -> bool:
    """Whether the text has a number a key figure could stand on (else it needs no tags)."""
    return any(_may_be_figure(token) for token in doc)


def figures_in(doc: Doc | Span) -> list[KeyFigure]:
    """Key figures of one parsed text, in order."""
    found: list[KeyFigure] = []
    used: set[int] = set()
    for token in doc:
        if token.i in used or not _may_be_figure(token):
            continue
        if _in_name(token) or _named(token):
            continue
        numbers = _number_tokens(token)
        if _is_year(numbers):
            continue
        value = _value(numbers)
        if value is None or (value == 1 and number_word(token.text) == 1):
            continue  # "in one district": an article more than a figure
        last = numbers[-1]
        after = token.doc[last.i + 1] if last.i + 1 < len(token.doc) else None
        fraction = _FRACTION.match(token.text)
        if fraction:
            unit_token: Token | None = None
            unit, end = "share", last
        elif after is not None and after.text in ("%", "percent", "per"):
            unit_token, unit, end = after, "%", after
            if after.text == "per" and last.i + 2 < len(token.doc):
                end = token.doc[last.i + 2]
        else:
            head = last.head if last.dep_ in ("nummod", "compound", "quantmod") else None
            owner = _of_owner(last)
            if (head is None or head.i < last.i or head.pos_ not in ("NOUN", "PROPN")) and owner:
                # "a population of 8.5 million": a bare amount, measuring the noun before "of"
                text = token.doc[numbers[0].i : last.i + 1].text
                used.update(range(numbers[0].i, last.i + 1))
                found.append(KeyFigure(text=text, value=value, unit=None, context=owner))
                continue
            if head is None or head.i < last.i or head.pos_ not in ("NOUN", "PROPN"):
                continue
            if head.lower_ in _UNIT_SKIP:
                continue
            unit_token, unit, end = head, head.lower_, head
            before = head.doc[head.i - 1] if head.i else None
            if before is not None and before.lower_ in _SQUARE and before.i > last.i:
                unit = f"{before.lower_} {head.lower_}"  # "21,000 square kilometres"
        start = numbers[0]
        text = token.doc[start.i : end.i + 1].text
        context = _context(unit_token if unit_token is not None else last)
        if fraction:
            context = _share_context(last)
        used.update(range(start.i, end.i + 1))
        found.append(KeyFigure(text=text, value=value, unit=unit, context=context))
    return found
