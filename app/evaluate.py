"""Field-by-field comparison of records with expected records.

Scalars score 1 when equal after normalisation (strict) or fuzzily equal (soft); lists of
strings score set F1 with fuzzy matching; lists of objects are paired by their key (partners
by name, sdgs by number, activities by date then description, …) and each pair scores the
mean of its fields. A document's score is the mean over the contract's fields of its kind;
the run's field F1 is the mean over documents.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rich.console import Console
from rich.table import Table

SOFT_MIN = 85.0
SKIP = {"schema_version", "source", "warnings", "provenance"}
KEYS = {
    "partners": ("name",),
    "sdgs": ("number",),
    "activities": ("date", "description"),
    "focus_areas": ("theme",),
    "contacts": ("email",),
    "sections": ("heading",),
    "cooperation_areas": ("title",),
    "key_figures": ("text",),
}


def _norm(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    return " ".join(text.replace("’", "'").replace("“", '"').replace("”", '"').split()).strip(" .")


@dataclass
class Score:
    strict: float
    soft: float


def score_scalar(got: Any, want: Any) -> Score:
    if want is None and got is None:
        return Score(1.0, 1.0)
    if want is None or got is None:
        return Score(0.0, 0.0)
    if (
        isinstance(want, (int, float))
        and isinstance(got, (int, float))
        and not isinstance(want, bool)
    ):
        equal = math.isclose(float(got), float(want), rel_tol=1e-4, abs_tol=1e-6)
        return Score(float(equal), float(equal))
    a, b = _norm(got), _norm(want)
    if a == b:
        return Score(1.0, 1.0)
    return Score(0.0, 1.0 if fuzz.ratio(a, b) >= SOFT_MIN else 0.0)


def _f1(matched: float, n_got: int, n_want: int) -> float:
    if n_got == 0 and n_want == 0:
        return 1.0
    return 2 * matched / (n_got + n_want) if n_got + n_want else 0.0


def score_strings(got: list[Any], want: list[Any]) -> Score:
    """Set F1: each expected item pairs with its best unused match."""
    strict = sum(1 for w in {_norm(x) for x in want} if w in {_norm(x) for x in got})
    unused = [_norm(x) for x in got]
    soft = 0
    for w in (_norm(x) for x in want):
        best = max(unused, key=lambda g: fuzz.ratio(g, w), default=None)
        if best is not None and fuzz.ratio(best, w) >= SOFT_MIN:
            soft += 1
            unused.remove(best)
    n_got, n_want = len({_norm(x) for x in got}), len({_norm(x) for x in want})
    return Score(_f1(strict, n_got, n_want), _f1(soft, len(got), len(want)))


def score_object(got: dict, want: dict) -> Score:
    scores = [score_value(got.get(k), v) for k, v in want.items()]
    if not scores:
        return Score(1.0, 1.0)
    return Score(
        sum(s.strict for s in scores) / len(scores), sum(s.soft for s in scores) / len(scores)
    )


def _pair_key(item: dict, keys: tuple[str, ...]) -> tuple:
    return tuple(_norm(item.get(k)) for k in keys)


def score_objects(got: list[dict], want: list[dict], keys: tuple[str, ...]) -> Score:
    """Pair items by key (exact first, then the fuzzy best on the last key), score each pair."""
    unused = list(got)
    strict = soft = 0.0
    for item in want:
        key = _pair_key(item, keys)
        match = next((g for g in unused if _pair_key(g, keys) == key), None)
        if match is None:
            candidates = [g for g in unused if _pair_key(g, keys)[:-1] == key[:-1]]
            match = max(
                candidates, key=lambda g: fuzz.ratio(_pair_key(g, keys)[-1], key[-1]), default=None
            )
            if match is not None and fuzz.ratio(_pair_key(match, keys)[-1], key[-1]) < 60:
                match = None
        if match is None:
            continue
        unused.remove(match)
        pair = score_object(match, item)
        strict += pair.strict
        soft += pair.soft
    return Score(_f1(strict, len(got), len(want)), _f1(soft, len(got), len(want)))


def score_value(got: Any, want: Any, name: str = "") -> Score:
    if isinstance(want, list):
        got_list = got if isinstance(got, list) else []
        if (want and isinstance(want[0], dict)) or (got_list and isinstance(got_list[0], dict)):
            return score_objects(
                got_list, want, KEYS.get(name, tuple(want[0]) if want else ("name",))
            )
        return score_strings(got_list, want)
    if isinstance(want, dict):
        return score_object(got if isinstance(got, dict) else {}, want)
    return score_scalar(got, want)


@dataclass
class DocumentScore:
    name: str
    kind: str
    fields: dict[str, Score] = field(default_factory=dict)

    @property
    def strict(self) -> float:
        return sum(s.strict for s in self.fields.values()) / max(len(self.fields), 1)

    @property
    def soft(self) -> float:
        return sum(s.soft for s in self.fields.values()) / max(len(self.fields), 1)


def score_record(got: dict, want: dict, name: str = "") -> DocumentScore:
    result = DocumentScore(name, str(want.get("doc_type")))
    for key, value in want.items():
        if key in SKIP:
            continue
        result.fields[key] = score_value(got.get(key), value, key)
    return result


@dataclass
class Report:
    documents: list[DocumentScore]
    missing: list[str] = field(default_factory=list)  # expected stems with no record (scored 0)

    @property
    def field_f1(self) -> float:
        return sum(d.soft for d in self.documents) / max(len(self.documents), 1)

    @property
    def strict_f1(self) -> float:
        return sum(d.strict for d in self.documents) / max(len(self.documents), 1)


def evaluate_folder(outdir: Path, expected: Path) -> Report:
    documents, missing = [], []
    for want_path in sorted(expected.glob("*.json")):
        got_path = outdir / want_path.name
        want = json.loads(want_path.read_text(encoding="utf-8"))
        if not got_path.exists():
            missing.append(want_path.stem)
        got = json.loads(got_path.read_text(encoding="utf-8")) if got_path.exists() else {}
        documents.append(score_record(got, want, want_path.stem))
    return Report(documents, missing)


def render(report: Report, console: Console) -> None:
    per_doc = Table(title="per document")
    for column in ("document", "kind", "strict", "soft"):
        per_doc.add_column(column)
    for doc in report.documents:
        per_doc.add_row(doc.name, doc.kind, f"{doc.strict:.3f}", f"{doc.soft:.3f}")
    console.print(per_doc)
    fields: dict[str, list[Score]] = {}
    for doc in report.documents:
        for name, score in doc.fields.items():
            fields.setdefault(name, []).append(score)
    per_field = Table(title="per field group")
    for column in ("field", "docs", "strict", "soft"):
        per_field.add_column(column)
    for name, scores in sorted(fields.items()):
        strict = sum(s.strict for s in scores) / len(scores)
        soft = sum(s.soft for s in scores) / len(scores)
        per_field.add_row(name, str(len(scores)), f"{strict:.3f}", f"{soft:.3f}")
    console.print(per_field)
    console.print(f"strict F1: {report.strict_f1:.3f}", markup=False, highlight=False)
    console.print(
        f"field F1: {report.field_f1:.3f} ({len(report.documents)} docs)",
        markup=False,
        highlight=False,
    )
