"""Looking at one record: load it, a field by its path and that field's provenance, a tree.

Plain functions over record JSON (dicts), so the CLI, the other views and the tests share them.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from rich.tree import Tree

from pipeline.base.request import readable_sha256
from pipeline.running.output import INDEX

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
NOT_VALUES = {"provenance"}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def source_pdf(record: Path, data: dict[str, Any]) -> Path | None:
    """The PDF a record was read from. Records hold no path (a folder of one machine means
    nothing on another), so look where it would be: the input that the run index beside the
    record (``_index.jsonl``) names for it, then a file of the source's name beside the record.
    Only a file whose sha256 is the record's counts."""
    source = data.get("source") or {}
    candidates = []
    try:
        lines = (record.parent / INDEX).read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for raw in lines:
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(line, dict) or not line.get("input") or not line.get("record"):
            continue
        if Path(line["record"]).name == record.name:
            candidates.append(Path(line["input"]))
    if source.get("file_name"):
        candidates.append(record.parent / source["file_name"])
    for candidate in candidates:
        if readable_sha256(candidate) == source.get("sha256"):
            return candidate
    return None


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": [1]}}`` → ``{"a.b[0]": 1}``: every leaf under its field path."""
    flat: dict[str, Any] = {}
    if isinstance(value, dict):
        if not value and prefix:
            flat[prefix] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else key))
    elif isinstance(value, list):
        if not value and prefix:
            flat[prefix] = []
        for index, item in enumerate(value):
            flat.update(flatten(item, f"{prefix}[{index}]"))
    else:
        flat[prefix] = value
    return flat


def get_path(record: dict[str, Any], path: str) -> Any:
    """The value at ``activities[2].date``; KeyError when the path leads nowhere."""
    value: Any = record
    for name, index in _STEP.findall(path):
        try:
            value = value[int(index)] if index else value[name]
        except (IndexError, KeyError, TypeError) as exc:
            raise KeyError(path) from exc
    return value


def provenance_for(record: dict[str, Any], path: str) -> tuple[str, dict[str, Any]] | None:
    """The provenance of ``path`` or, failing that, of the nearest item that holds it."""
    entries = record.get("provenance", {})
    candidate = path
    while candidate:
        if candidate in entries:
            return candidate, entries[candidate]
        cut = max(candidate.rfind("."), candidate.rfind("["))
        candidate = candidate[:cut] if cut > 0 else ""
    return None


def tree(record: dict[str, Any], title: str) -> Tree:
    """The record as a rich tree; warnings in yellow, empty values dimmed."""
    root = Tree(f"[bold]{html.escape(title)}[/bold]")

    def add(node: Tree, key: str, value: Any) -> None:
        if isinstance(value, dict):
            branch = node.add(f"[cyan]{key}[/cyan]")
            for k, v in value.items():
                add(branch, k, v)
        elif isinstance(value, list):
            style = "yellow" if key == "warnings" and value else "cyan"
            branch = node.add(f"[{style}]{key}[/{style}] [dim]({len(value)})[/dim]")
            for i, item in enumerate(value):
                add(branch, f"[{i}]", item)
        else:
            shown = (
                "[dim]null[/dim]"
                if value is None
                else _escape(repr(value) if not isinstance(value, str) else value)
            )
            style = (
                "yellow"
                if key.startswith("[") and node.label and "warnings" in str(node.label)
                else ""
            )
            node.add(f"{key}: [{style}]{shown}[/{style}]" if style else f"{key}: {shown}")

    for key, value in record.items():
        if key not in NOT_VALUES:
            add(root, key, value)
    return root


def _escape(text: str) -> str:
    return text.replace("[", "\\[")
