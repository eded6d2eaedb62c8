"""Looking at records: a tree, one field with its provenance, overlays, diffs and a run report.

Plain functions over record JSON (dicts), so the CLI and the tests share them.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from rich.tree import Tree

from pipeline.base.request import Request
from pipeline.base.settings import Settings
from pipeline.running.output import ERROR_SUFFIX, filled_fields, quarantine_dir

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
NOT_VALUES = {"provenance"}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


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


def diff(
    a: dict[str, Any], b: dict[str, Any], ignore: tuple[str, ...] = ()
) -> list[tuple[str, Any, Any]]:
    """Field paths whose values differ: (path, value in a, value in b); missing is ``…``."""
    fa, fb = flatten(a), flatten(b)
    missing = "…"
    rows = []
    for path in sorted(set(fa) | set(fb), key=_natural):
        if any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in ignore):
            continue
        va, vb = fa.get(path, missing), fb.get(path, missing)
        if va != vb:
            rows.append((path, va, vb))
    return rows


def _natural(path: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


# --------------------------------------------------------------------------- overlays


def overlays(
    record: dict[str, Any], pdf: Path, out_dir: Path, settings: Settings, resolution: int = 100
) -> list[Path]:
    """One PNG per page: every field's box drawn and labelled, OCR'd words shaded by confidence."""
    import pdfplumber
    from PIL import ImageDraw

    from pipeline.reading.reader import read_pdf

    out_dir.mkdir(parents=True, exist_ok=True)
    request = Request.of(pdf, settings)
    document = read_pdf(request, settings)
    by_page: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for path, prov in record.get("provenance", {}).items():
        by_page.setdefault(prov["page"], []).append((path, prov))
    written = []
    with pdfplumber.open(pdf, password=request.password or "") as plumber:
        for number, page in enumerate(plumber.pages, start=1):
            image = page.to_image(resolution=resolution)
            for word in document.pages[number - 1].words:
                if word.source == "ocr" and word.conf is not None:
                    # red for doubtful words, fading to nothing for sure ones
                    alpha = int(max(0.0, 100 - word.conf) * 1.6)
                    image.draw_rect(
                        word.bbox, fill=(220, 40, 40, alpha), stroke=None, stroke_width=0
                    )
            for _path, prov in by_page.get(number, []):
                image.draw_rect(
                    tuple(prov["bbox"]),
                    fill=(40, 90, 220, 25),
                    stroke=(40, 90, 220),
                    stroke_width=1,
                )
            annotated = image.annotated.convert("RGB")
            draw = ImageDraw.Draw(annotated)
            scale = resolution / 72
            for path, prov in by_page.get(number, []):
                x0, top = prov["bbox"][0] * scale, prov["bbox"][1] * scale
                draw.text((x0 + 1, max(0, top - 10)), path, fill=(20, 40, 160))
            target = out_dir / f"page-{number}.png"
            annotated.save(target)
            written.append(target)
    return written


# --------------------------------------------------------------------------- run report


def fields_of(record: dict[str, Any]) -> dict[str, bool]:
    """Each top-level field of the kind (and each city field): filled or not."""
    return filled_fields(record)


def report_html(out_dir: Path) -> Path:
    """``OUT/report.html``: one row per document, failures with reasons, fill rate per field."""
    records = sorted(p for p in out_dir.glob("*.json") if not p.name.startswith("_"))
    failures = sorted(quarantine_dir(out_dir).glob(f"*{ERROR_SUFFIX}"))
    rows, fill, kinds = [], {}, {}
    for path in records:
        record = load(path)
        if "doc_type" not in record:
            continue
        filled = fields_of(record)
        kinds.setdefault(record["doc_type"], 0)
        kinds[record["doc_type"]] += 1
        for field, ok in filled.items():
            fill.setdefault((record["doc_type"], field), []).append(ok)
        overlay_dir = out_dir / "overlays" / path.stem
        links = [f'<a href="{html.escape(path.name)}">JSON</a>']
        links += [
            f'<a href="{html.escape(str(png.relative_to(out_dir)))}">{html.escape(png.stem)}</a>'
            for png in sorted(overlay_dir.glob("*.png"))
        ]
        warnings = record.get("warnings", [])
        rows.append(
            "<tr class='ok'>"
            f"<td>{html.escape(record['source']['file_name'])}</td><td>{record['doc_type']}</td>"
            f"<td>ok</td><td>{sum(filled.values())}/{len(filled)}</td>"
            f"<td>{'<br>'.join(html.escape(w) for w in warnings) or '—'}</td><td>{' · '.join(links)}</td></tr>"
        )
    for path in failures:
        report = load(path)
        rows.append(
            "<tr class='failed'>"
            f"<td>{html.escape(report['file_name'])}</td><td>—</td>"
            f"<td>failed: {html.escape(report['error']['kind'])}</td><td>—</td>"
            f"<td>{html.escape(report['error']['message'])}</td>"
            f'<td><a href="quarantine/{html.escape(path.name)}">report</a></td></tr>'
        )
    fill_rows = "".join(
        f"<tr><td>{kind}</td><td>{html.escape(field)}</td><td>{sum(v)}/{len(v)}</td>"
        f"<td><div class='bar' style='width:{100 * sum(v) / len(v):.0f}px'></div></td></tr>"
        for (kind, field), v in sorted(fill.items())
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>citydocs report</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
tr.failed td {{ background: #fde8e8; }}
.bar {{ height: 10px; background: #3b6fd8; }}
</style></head><body>
<h1>citydocs report</h1>
<p>{len(records)} record(s), {len(failures)} failure(s); {", ".join(f"{n} {k}" for k, n in kinds.items()) or "no records"}.</p>
<h2>Documents</h2>
<table id="documents"><thead><tr><th>file</th><th>kind</th><th>status</th><th>fields filled</th><th>warnings / reason</th><th>links</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<h2>Fill rate per field</h2>
<table id="fill"><thead><tr><th>kind</th><th>field</th><th>filled</th><th></th></tr></thead><tbody>{fill_rows}</tbody></table>
<script>
document.body.dataset.rows = document.querySelectorAll("#documents tbody tr").length;
</script>
</body></html>
"""
    target = out_dir / "report.html"
    target.write_text(page, encoding="utf-8")
    return target
