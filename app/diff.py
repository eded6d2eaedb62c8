"""Differences between two records, field by field.

Lists are compared by matching items, not positions: items of objects by their key (a
partner's name, an activity's date and description: the keys evaluation pairs them by), other
items by value, aligned with ``difflib.SequenceMatcher``, so one inserted item is one
difference. A value missing on one side is ``(absent)``; long texts show their changed words.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from typing import Any

from rich.markup import escape
from rich.table import Table

from app.evaluate import KEYS

ABSENT = object()  # a field or item one record does not have
LONG_TEXT = 60  # characters above which a text shows its changed words rather than whole


def _key(name: str, item: Any) -> str:
    """What identifies a list item: its key fields for objects of a known list, else itself."""
    if isinstance(item, dict):
        fields = KEYS.get(name)
        if fields and any(item.get(f) is not None for f in fields):
            return json.dumps([item.get(f) for f in fields], ensure_ascii=False, default=str)
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def _lists(path: str, a: list[Any], b: list[Any], rows: list[tuple[str, Any, Any]]) -> None:
    name = path.rsplit(".", 1)[-1].split("[", 1)[0]
    matcher = SequenceMatcher(
        None, [_key(name, x) for x in a], [_key(name, x) for x in b], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                _compare(f"{path}[{i}]", a[i], b[j], rows)
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):  # replaced in place: compare field by field
            _compare(f"{path}[{i1 + k}]", a[i1 + k], b[j1 + k], rows)
        for i in range(i1 + paired, i2):
            rows.append((f"{path}[{i}]", a[i], ABSENT))
        for j in range(j1 + paired, j2):
            rows.append((f"{path}[{j}]", ABSENT, b[j]))


def _compare(path: str, a: Any, b: Any, rows: list[tuple[str, Any, Any]]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            _compare(f"{path}.{key}" if path else key, a.get(key, ABSENT), b.get(key, ABSENT), rows)
    elif isinstance(a, list) and isinstance(b, list):
        _lists(path, a, b, rows)
    elif a != b:
        rows.append((path, a, b))


def diff(
    a: dict[str, Any], b: dict[str, Any], ignore: tuple[str, ...] = ()
) -> list[tuple[str, Any, Any]]:
    """``(path, value in a, value in b)`` for each difference; ``ABSENT`` where one lacks it."""
    rows: list[tuple[str, Any, Any]] = []
    _compare(
        "",
        {k: v for k, v in a.items() if k not in ignore},
        {k: v for k, v in b.items() if k not in ignore},
        rows,
    )
    return rows


def shown(value: Any) -> str:
    return "(absent)" if value is ABSENT else json.dumps(value, ensure_ascii=False)


def marked(a: str, b: str) -> tuple[str, str]:
    """Both texts as rich markup with the words that differ struck out (a) or underlined (b)."""
    wa, wb = a.split(), b.split()
    left, right = [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        one, two = escape(" ".join(wa[i1:i2])), escape(" ".join(wb[j1:j2]))
        if op == "equal":
            left.append(one)
            right.append(two)
            continue
        if one:
            left.append(f"[bold red strike]{one}[/bold red strike]")
        if two:
            right.append(f"[bold green underline]{two}[/bold green underline]")
    return " ".join(left), " ".join(right)


def table(rows: list[tuple[str, Any, Any]], title_a: str, title_b: str) -> Table:
    out = Table(title=f"A ↔ B: {len(rows)} difference(s)")
    for column in ("field", title_a, title_b):
        out.add_column(escape(column), overflow="fold")
    for path, va, vb in rows:
        if isinstance(va, str) and isinstance(vb, str) and max(len(va), len(vb)) > LONG_TEXT:
            left, right = marked(va, vb)
        else:
            left, right = escape(shown(va)), escape(shown(vb))
        out.add_row(escape(path), left, right)
    return out


def as_json(rows: list[tuple[str, Any, Any]]) -> list[dict[str, Any]]:
    """One object per difference; a side that lacks the field has no ``a`` or ``b`` key."""
    result = []
    for path, va, vb in rows:
        entry: dict[str, Any] = {"field": path}
        if va is not ABSENT:
            entry["a"] = va
        if vb is not ABSENT:
            entry["b"] = vb
        result.append(entry)
    return result
