"""``citydocs export``: the records of a run as flat tables, one row per item.

Tables: ``documents`` (one row per record), ``partners``, ``activities``, ``themes`` (a U-CAP's
themes and focus areas, a profile's thematic interests) and ``key_figures``, each row keyed by
its document's ``sha256`` (and its ``position`` in the record's list), so the tables join in a
spreadsheet or DuckDB. ``FILE.csv`` becomes ``FILE.documents.csv``, ``FILE.partners.csv``, …;
the same for ``.jsonl`` and ``.parquet`` (written through pyarrow, with typed columns).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

FORMATS = ("csv", "jsonl", "parquet")
LIST_JOIN = "; "  # lists inside a cell (an activity's places) as one text

COLUMNS: dict[str, dict[str, pa.DataType]] = {
    "documents": {
        "sha256": pa.string(), "record": pa.string(), "file_name": pa.string(),
        "doc_type": pa.string(), "title": pa.string(), "city": pa.string(),
        "province": pa.string(), "country": pa.string(), "population": pa.int64(),
        "area_km2": pa.float64(), "period_start": pa.string(), "period_end": pa.string(),
        "page_count": pa.int64(), "ocr_pages": pa.int64(), "warnings": pa.string(),
    },
    "partners": {
        "sha256": pa.string(), "position": pa.int64(), "name": pa.string(),
        "region": pa.string(), "country": pa.string(),
    },
    "activities": {
        "sha256": pa.string(), "position": pa.int64(), "date": pa.string(),
        "date_text": pa.string(), "description": pa.string(), "places": pa.string(),
        "organizations": pa.string(), "outputs": pa.string(),
    },
    "themes": {
        "sha256": pa.string(), "position": pa.int64(), "field": pa.string(),
        "theme": pa.string(), "description": pa.string(),
    },
    "key_figures": {
        "sha256": pa.string(), "position": pa.int64(), "text": pa.string(),
        "value": pa.float64(), "unit": pa.string(), "context": pa.string(),
    },
}  # fmt: skip


def records(out_dir: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The records of a run folder (failure reports and the index left out)."""
    for path in sorted(out_dir.glob("*.json")):
        if path.name.startswith(("_", ".")):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "doc_type" in data:
            yield path, data


def _joined(values: list[Any] | None) -> str | None:
    return LIST_JOIN.join(str(v) for v in values) if values else None


def rows(out_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, from every record of ``out_dir``."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in COLUMNS}
    for path, record in records(out_dir):
        source, city = record.get("source") or {}, record.get("city") or {}
        period = record.get("period") or {}
        sha = source.get("sha256")
        tables["documents"].append(
            {
                "sha256": sha,
                "record": path.name,
                "file_name": source.get("file_name"),
                "doc_type": record["doc_type"],
                "title": record.get("title"),
                "city": city.get("name"),
                "province": city.get("province"),
                "country": city.get("country"),
                "population": city.get("population"),
                "area_km2": city.get("area_km2"),
                "period_start": period.get("start"),
                "period_end": period.get("end"),
                "page_count": source.get("page_count"),
                "ocr_pages": len(source.get("ocr_pages") or []),
                "warnings": _joined(record.get("warnings")),
            }
        )
        for i, partner in enumerate(record.get("partners") or []):
            tables["partners"].append({"sha256": sha, "position": i, **partner})
        for i, activity in enumerate(record.get("activities") or []):
            tables["activities"].append(
                {
                    "sha256": sha,
                    "position": i,
                    "date": activity.get("date"),
                    "date_text": activity.get("date_text"),
                    "description": activity.get("description"),
                    "places": _joined(activity.get("places")),
                    "organizations": _joined(activity.get("organizations")),
                    "outputs": _joined(activity.get("outputs")),
                }
            )
        themes = [("themes", t, None) for t in record.get("themes") or []]
        themes += [("thematic_interests", t, None) for t in record.get("thematic_interests") or []]
        themes += [
            ("focus_areas", f.get("theme"), f.get("description"))
            for f in record.get("focus_areas") or []
        ]
        for i, (field, theme, description) in enumerate(themes):
            tables["themes"].append(
                {
                    "sha256": sha,
                    "position": i,
                    "field": field,
                    "theme": theme,
                    "description": description,
                }
            )
        for i, figure in enumerate(record.get("key_figures") or []):
            tables["key_figures"].append({"sha256": sha, "position": i, **figure})
    return tables


def table_path(to: Path, name: str) -> Path:
    """``runs.csv`` + ``partners`` → ``runs.partners.csv``."""
    return to.with_name(f"{to.stem}.{name}{to.suffix.lower()}")


def export_tables(out_dir: Path, to: Path) -> list[tuple[Path, int]]:
    """Write one file per table beside ``to``; ``[]`` when ``out_dir`` holds no record."""
    fmt = to.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{to}: the name must end in .csv, .jsonl or .parquet")
    tables = rows(out_dir)
    if not tables["documents"]:
        return []
    written = []
    for name, columns in COLUMNS.items():
        data = [{c: row.get(c) for c in columns} for row in tables[name]]
        target = table_path(to, name)
        if fmt == "jsonl":
            target.write_text(
                "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in data),
                encoding="utf-8",
            )
        else:
            table = pa.Table.from_pylist(data, schema=pa.schema(list(columns.items())))
            if fmt == "csv":
                pa_csv.write_csv(table, target)
            else:
                pq.write_table(table, target)
        written.append((target, len(data)))
    return written
