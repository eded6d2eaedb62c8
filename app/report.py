"""``OUT/report.html``: a static page of a run, one row per document with its warnings,
failures with their reasons, and the fill rate of each field."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from app.record_view import load
from pipeline.running.output import ERROR_SUFFIX, filled_fields, quarantine_dir


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
