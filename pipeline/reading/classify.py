"""Tell a U-CAP summary from a city profile by what the document says, never by its name.

Each kind has weighted phrases (``data/doc_signals.json``); a phrase counts once when it
occurs in the text, fuzzily enough to survive OCR noise. The kind with the highest score wins
when it clears a floor and leads the other by a margin; otherwise the document is unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from pipeline.reading.document import Document

SIGNALS_PATH = Path(__file__).with_name("data") / "doc_signals.json"
FUZZY_MIN = 90.0


@dataclass
class Classification:
    kind: str | None
    scores: dict[str, float]
    evidence: dict[str, list[str]]

    @property
    def reason(self) -> str:
        parts = [
            f"{k} {v:.1f} ({', '.join(self.evidence[k]) or 'no signal'})"
            for k, v in self.scores.items()
        ]
        return "; ".join(parts)


@lru_cache(maxsize=1)
def load_signals() -> dict:
    return json.loads(SIGNALS_PATH.read_text(encoding="utf-8"))


def classify_text(text: str) -> Classification:
    config = load_signals()
    haystack = " ".join(text.lower().split())
    scores: dict[str, float] = {}
    evidence: dict[str, list[str]] = {}
    for kind, phrases in config["kinds"].items():
        found = [
            p for p in phrases if p in haystack or fuzz.partial_ratio(p, haystack) >= FUZZY_MIN
        ]
        evidence[kind] = found
        scores[kind] = round(sum(phrases[p] for p in found), 2)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    ok = best_score >= config["min_score"] and best_score - runner_up >= config["min_margin"]
    return Classification(best if ok else None, scores, evidence)


def classify(document: Document) -> Classification:
    """``ucap_summary``, ``city_profile`` or None (unknown) for a read document."""
    return classify_text(document.text)
