"""``make eval``: generate the report range, run ``citydocs run`` over it, score, append results.

    python eval/run.py [--range report|dev] [--n 300] [--workdir DIR] [--no-recovery]

Field F1 uses the project's scorer (``pipeline.evaluate``), overall and by document kind,
digital/scanned, field group and each value of each generation axis; entities per category.
Paragraph recovery is the share of long expected strings (>= 60 characters) found whole in the
reading layer's text (``pipeline.reader.read_pdf``), beside ``pdftotext`` on born-digital PDFs
and plain ``tesseract`` on a 300 dpi grey render of scanned ones. The report range appends its
table to ``eval/results.md``; the development range writes to a scratch folder only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.evaluate import score_record, score_strings  # noqa: E402
from corpus.__main__ import write_corpus  # noqa: E402
from corpus.generate import DEV_START, REPORT_START  # noqa: E402

RESULTS = ROOT / "eval" / "results.md"
LONG = 60
GROUPS = {
    "envelope/city": ["doc_type", "title", "city"],
    "partners": ["partners"],
    "period": ["period"],
    "themes": ["themes"],
    "sdgs": ["sdgs"],
    "agenda": ["urban_agenda_topics"],
    "focus areas": ["focus_areas"],
    "challenges/objectives": ["challenges", "objectives"],
    "activities": ["activities"],
    "expected results": ["expected_results"],
    "contacts": ["contacts"],
    "sections": ["sections"],
    "thematic interests": ["thematic_interests"],
    "cooperation areas": ["cooperation_areas"],
    "key figures": ["key_figures"],
    "programme/funded_by": ["programme", "funded_by"],
    "entities": ["entities"],
}


# --------------------------------------------------------------------------- scoring


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def score_all(corpus: Path, out: Path, manifest: list[dict]) -> list[dict]:
    """One row per document: overall soft F1, per-field soft F1, entity categories."""
    rows = []
    for item in manifest:
        want = json.loads((corpus / "expected" / f"{item['name']}.json").read_text("utf-8"))
        got_path = out / f"{item['name']}.json"
        got = json.loads(got_path.read_text("utf-8")) if got_path.exists() else {}
        doc = score_record(got, want, item["name"])
        entities = {
            cat: score_strings(
                (got.get("entities") or {}).get(cat) or [], want["entities"][cat]
            ).soft
            for cat in ("organizations", "places", "people")
        }
        rows.append(
            {
                "name": item["name"],
                "kind": item["kind"],
                "scanned": item["scanned"],
                "axes": item["axes"],
                "f1": doc.soft,
                "strict": doc.strict,
                "fields": {k: s.soft for k, s in doc.fields.items()},
                "entities": entities,
                "failed": not got,
            }
        )
    return rows


# --------------------------------------------------------------------------- paragraph recovery


def squash(text: str) -> str:
    """Both sides alike: NFKC (unfolds ligatures), lower case, letters and digits only."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u00ad", "")
    return re.sub(r"[\W_]+", "", text)


def long_strings(want: dict) -> list[str]:
    found: list[str] = []
    for section in want.get("sections", []):
        found.append(section["text"])
    for area in want.get("cooperation_areas", []):
        found.append(area.get("description") or "")
    for focus in want.get("focus_areas", []):
        found.append(focus.get("description") or "")
    found += want.get("challenges", []) + want.get("objectives", [])
    found += want.get("expected_results", [])
    for activity in want.get("activities", []):
        found.append(activity["description"])
        found += activity["outputs"]
    return [s for s in found if len(s) >= LONG]


def _reader_text(path: str) -> str:
    # Imported in the pool's process: each loads its own reading layer.
    from pipeline.base.request import Request
    from pipeline.base.settings import get_settings
    from pipeline.reading.reader import read_pdf

    settings = get_settings()
    document = read_pdf(Request.of(Path(path), settings), settings)
    parts = []
    for page in document.pages:
        parts += [b.text for b in page.blocks]
        for table in page.tables:
            parts += [c.text for row in table.rows for c in row if c is not None]
    return "\n".join(parts)


def _baseline_text(path: str, scanned: bool) -> dict[str, str]:
    if not scanned:
        if not shutil.which("pdftotext"):
            return {}
        out = {}
        for mode, flags in (("pdftotext -layout", ["-layout"]), ("pdftotext", [])):
            run = subprocess.run(["pdftotext", *flags, path, "-"], capture_output=True, text=True)
            out[mode] = run.stdout
        return out
    import pypdfium2
    import pytesseract

    document = pypdfium2.PdfDocument(path)
    texts = []
    try:
        for page in document:
            image = page.render(scale=300 / 72, grayscale=True).to_pil().convert("L")
            texts.append(pytesseract.image_to_string(image, lang="eng"))
    finally:
        document.close()
    return {"tesseract": "\n".join(texts)}


def _recovery_one(args: tuple[str, bool, list[str]]) -> dict[str, tuple[int, int]]:
    path, scanned, strings = args
    wanted = [squash(s) for s in strings]
    texts = {"citydocs read": _reader_text(path), **_baseline_text(path, scanned)}
    result = {}
    for name, text in texts.items():
        flat = squash(text)
        result[name] = (sum(1 for w in wanted if w and w in flat), len(wanted))
    return result


def recovery(corpus: Path, manifest: list[dict], workers: int) -> dict[str, dict[str, float]]:
    jobs = []
    for item in manifest:
        want = json.loads((corpus / "expected" / f"{item['name']}.json").read_text("utf-8"))
        jobs.append((str(corpus / f"{item['name']}.pdf"), item["scanned"], long_strings(want)))
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    with ProcessPoolExecutor(workers) as pool:
        for item, result in zip(manifest, pool.map(_recovery_one, jobs), strict=True):
            group = "scanned" if item["scanned"] else "born-digital"
            for tool, (hit, total) in result.items():
                totals[group][tool][0] += hit
                totals[group][tool][1] += total
    return {
        group: {
            tool: hit / total if total else float("nan") for tool, (hit, total) in tools.items()
        }
        for group, tools in totals.items()
    }


# --------------------------------------------------------------------------- report


def table(rows: list[dict], recovered: dict | None, n_docs: int, seconds: dict) -> str:
    lines: list[str] = []

    def add(section: str, entries: list[tuple[str, list[float]]]) -> None:
        lines.append(f"\n| {section} | docs | field F1 |\n|---|---:|---:|")
        for label, values in entries:
            lines.append(f"| {label} | {len(values)} | {mean(values):.3f} |")

    digital = [r["f1"] for r in rows if not r["scanned"]]
    scanned = [r["f1"] for r in rows if r["scanned"]]
    add(
        "overall",
        [
            ("all", [r["f1"] for r in rows]),
            ("strict (all)", [r["strict"] for r in rows]),
            ("born-digital", digital),
            ("scanned", scanned),
            *(
                (kind, [r["f1"] for r in rows if r["kind"] == kind])
                for kind in sorted({r["kind"] for r in rows})
            ),
            ("share with no record (quarantined)", [float(r["failed"]) for r in rows]),
        ],
    )
    group_entries = []
    for group, fields in GROUPS.items():
        values = [mean([r["fields"][f] for f in fields if f in r["fields"]]) for r in rows]
        values = [v for v in values if v == v]
        if values:
            group_entries.append((group, values))
    add("field group", group_entries)
    add(
        "entities",
        [
            (cat, [r["entities"][cat] for r in rows])
            for cat in ("organizations", "places", "people")
        ],
    )
    by_axis: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        for axis, value in r["axes"].items():
            if axis != "kind":
                by_axis[axis][str(value)].append(r["f1"])
    entries = []
    for axis in sorted(by_axis):
        for value in sorted(by_axis[axis]):
            entries.append((f"{axis} = {value}", by_axis[axis][value]))
    add("axis value", entries)
    if recovered:
        lines.append(
            "\n| paragraph recovery (strings >= 60 chars found whole) | share |\n|---|---:|"
        )
        for group in sorted(recovered):
            for tool, share in sorted(recovered[group].items()):
                lines.append(f"| {group}: {tool} | {share:.3f} |")
    lines.append(
        "\ntimes: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()) + f" ({n_docs} docs)"
    )
    return "\n".join(lines)


def git_commit() -> str:
    run = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    )
    return run.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--range", choices=["report", "dev"], default="report")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--start", type=int, default=None)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--no-recovery", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="score the corpus and records already in the work folder (no generation, no run)",
    )
    parser.add_argument("--no-append", action="store_true", help="do not append to eval/results.md")
    args = parser.parse_args(argv)
    start = (
        args.start
        if args.start is not None
        else (REPORT_START if args.range == "report" else DEV_START)
    )
    work = args.workdir or ROOT / ".eval" / args.range
    corpus, out = work / "corpus", work / "out"
    seconds: dict[str, float] = {}
    if args.reuse:
        lines = (corpus / "manifest.jsonl").read_text("utf-8").splitlines()
        manifest = [json.loads(line) for line in lines if line.strip()]
    else:
        shutil.rmtree(work, ignore_errors=True)
        t0 = time.monotonic()
        manifest = write_corpus(corpus, list(range(start, start + args.n)), workers=args.workers)
        seconds["generate"] = time.monotonic() - t0
        print(f"generated {len(manifest)} documents in {seconds['generate']:.0f} s", flush=True)
        t0 = time.monotonic()
        citydocs = shutil.which("citydocs") or str(Path(sys.executable).with_name("citydocs"))
        subprocess.run([citydocs, "run", str(corpus), "--out", str(out)], check=False)
        seconds["citydocs run"] = time.monotonic() - t0

    rows = score_all(corpus, out, manifest)
    recovered = None
    if not args.no_recovery:
        t0 = time.monotonic()
        recovered = recovery(corpus, manifest, args.workers)
        seconds["recovery"] = time.monotonic() - t0
    (work / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")

    digital = mean([r["f1"] for r in rows if not r["scanned"]])
    scanned = mean([r["f1"] for r in rows if r["scanned"]])
    last = (
        f"{args.range} range field F1: {mean([r['f1'] for r in rows]):.3f} "
        f"(born-digital {digital:.3f}, scanned {scanned:.3f}, {len(rows)} docs)"
    )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = (
        f"\n## {stamp} · commit {git_commit()} · {args.range} seeds {start}-{start + args.n - 1}\n"
        + table(rows, recovered, len(rows), seconds)
        + f"\n\n{last}\n"
    )
    print(body)
    if args.range == "report" and not args.no_append:
        if not RESULTS.exists():
            RESULTS.write_text("# Generalization results (`make eval`)\n", "utf-8")
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(body)
    else:
        (work / "results.md").write_text(body, "utf-8")
        print(f"(written to {work / 'results.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
