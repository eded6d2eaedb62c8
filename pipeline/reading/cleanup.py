"""Text clean-up steps, each a plain function of text (or lines) so each can be tested alone.

``clean_lines`` runs them in order on the lines of one block and returns one clean string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from wordfreq import zipf_frequency

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
# A word is "real" for de-hyphenation when it is at least this frequent (Zipf scale).
REAL_WORD_ZIPF = 3.0
_HYPHENS = "-\u00ad\u2010\u2011"
_STRAY_TOKEN = re.compile(r"^[_|~^`¦¬'\"‘’“”]{1,3}$")
_STRAY_EDGE = re.compile(r"(?<=[A-Za-z])[_|~^`¦¬]+[’'‘]*(?=\s|$)")
_CID = re.compile(r"\(cid:\d+\)")
# A rule's mark glued before a capitalised word ("_Aville" of a cell's edge): no name begins so.
_STRAY_HEAD = re.compile(r"(?:^|(?<=\s))[_|¦¬]+(?=[A-Z])")


def normalize_unicode(text: str) -> str:
    """NFC, so that "a" + combining acute and "á" compare equal; soft hyphens dropped mid-line."""
    return unicodedata.normalize("NFC", text)


def unfold_ligatures(text: str) -> str:
    """ﬁ → fi, ﬂ → fl and the rest of the Latin ligature block."""
    return text.translate(str.maketrans(LIGATURES))


def collapse_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=50_000)
def zipf(word: str) -> float:
    return zipf_frequency(word.lower(), "en")


def _is_real(word: str) -> bool:
    return len(word) > 1 and zipf(word) >= REAL_WORD_ZIPF


def join_hyphenated(head: str, tail: str, known: frozenset[str] = frozenset()) -> str:
    """Join ``head`` (ending in a line-end hyphen) with ``tail``, the next line's first word.

    The hyphen is dropped when the layout put it there (``regio-``/``nal``) and kept when
    it belongs to the word (``low-carbon``, ``5-year``, ``peer-peer``, ``Asia-Europe``).
    ``known`` holds the lower-cased words seen elsewhere in the same document: a document that
    writes the joined word, or the hyphenated one, settles the question.
    """
    stem = head.rstrip(_HYPHENS)
    tail_core = re.sub(r"[^\w'-]+$", "", tail)
    joined, hyphenated = stem + tail, f"{stem}-{tail}"
    core = (stem + tail_core).lower()
    if not stem or not tail:
        return head + tail
    if f"{stem}-{tail_core}".lower() in known:
        return hyphenated
    if core in known:
        return joined
    if stem[-1].isdigit() or tail[0].isdigit() or tail[0].isupper():
        return hyphenated
    if "-" in stem:  # "state-of-" + "the-art": already a compound
        return hyphenated
    if _is_real(stem) and _is_real(tail_core) and not _is_real(core):
        return hyphenated
    return joined


def fix_ocr_confusions(text: str) -> str:
    """Fix OCR letter confusions only where context decides.

    ``lts``/``lt`` at a sentence start is "Its"/"It" (a lower-case l cannot start a sentence,
    nor a word of capitals);
    a word mixing letters with 0/1/5 becomes the dictionary word when the swap makes one.
    """
    text = re.sub(
        r"(^|[.!?]\s+|[“\"(]\s*)l(t|ts|n|s|f)\b", lambda m: m.group(1) + "I" + m.group(2), text
    )

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if zipf(word) >= 1.0:
            return word
        candidate = word.translate(str.maketrans("015", "ols"))
        return candidate if _is_real(candidate) else word

    text = re.sub(r"\b(?=\w*[A-Za-z])(?=\w*[015])[A-Za-z015]{3,}\b", swap, text)
    text = re.sub(r"\b[l1](?=[A-Z]{2,}\b)", "I", text)  # "lUC", "1UC": an I among capitals
    return square_units(text)


def square_units(text: str) -> str:
    """A superscript two after a number's km or m, read by OCR as a mark ("km?", "km’"): the
    small raised digit is what that mark stands for after a unit of length."""
    return re.sub(r"(?<=\d)(\s?k?m)[?’'*°](?=[\s.,;:)]|$)", r"\1²", text)


def drop_stray_marks(text: str) -> str:
    """Drop OCR debris: lone marks (``_``, ``|``, ``'``), marks glued to a word's end and a
    rule's mark glued before a capital."""
    text = _CID.sub("", text).replace("\ufffd", "")
    text = _STRAY_HEAD.sub("", _STRAY_EDGE.sub("", text))
    text = re.sub(r"(?<=[a-z]) - (?=[a-z])", " ", text)  # a speck read as a hyphen
    text = re.sub(r"(?<=\w)\s+[.,;:](?=\s|$)", "", text)  # a speck read as a full stop
    if "’" not in text:  # an opening quote that never closes is a speck too
        text = re.sub(r"(^|\s)‘(?=\w)", r"\1", text)
    return " ".join(t for t in text.split() if not _STRAY_TOKEN.match(t))


def join_lines(lines: Iterable[str], known: frozenset[str] = frozenset()) -> str:
    """Join a block's lines into one string, resolving line-end hyphens."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and out[-1] in _HYPHENS and len(out) > 1 and out[-2].isalnum():
            head_start = max(out.rfind(" "), 0)
            head = out[head_start:].strip()
            tail, _, rest = line.partition(" ")
            joined = join_hyphenated(head, tail, known)
            out = (
                out[:head_start]
                + (" " if head_start else "")
                + joined
                + (" " + rest if rest else "")
            )
        else:
            out = f"{out} {line}" if out else line
    return out


def clean_text(text: str) -> str:
    """Every single-string step, in order."""
    text = unfold_ligatures(normalize_unicode(text))
    text = drop_stray_marks(text)
    text = fix_ocr_confusions(text)
    return collapse_whitespace(text)


def clean_lines(lines: Iterable[str], known: frozenset[str] = frozenset()) -> str:
    """A block's lines → one clean string (ligatures, hyphens, OCR noise, whitespace)."""
    prepared = [drop_stray_marks(unfold_ligatures(normalize_unicode(line))) for line in lines]
    return collapse_whitespace(fix_ocr_confusions(join_lines(prepared, known)))


def vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words of a document that are not split at a line end, for ``join_hyphenated``."""
    words: set[str] = set()
    for text in texts:
        for token in unfold_ligatures(text).split():
            token = token.strip(".,;:!?()[]\"'“”‘’")
            if token and token[-1] not in _HYPHENS:
                words.add(token.lower())
    return frozenset(words)
