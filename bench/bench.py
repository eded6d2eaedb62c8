"""Benchmark `citydocs run` against the OCR and pdfplumber floors on a generated corpus.

    python bench/bench.py [--n 20] [--sizes 10,20,40] [--no-append]

The corpus: N scanned and N born-digital documents made by samples/make_samples.py, each
made unique (a trailing PDF comment) so the cache cannot serve them. Measured in the same run,
on the same pages: the OCR floor (bare `tesseract` on the same page images at the same dpi,
one process per core, OMP_THREAD_LIMIT=1) and the born-digital floor (pdfplumber's
extract_words alone). Prints one table and appends it, with the machine, to bench/results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber
import psutil
import pypdfium2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.base.settings import get_settings  # noqa: E402
from pipeline.base.timing import STAGES  # noqa: E402
from samples import make_samples  # noqa: E402

CITYDOCS = str(Path(sys.executable).with_name("citydocs"))


def make_corpus(folder: Path, n: int) -> tuple[list[Path], list[Path]]:
    """N scanned and N born-digital PDFs, every one with its own bytes."""
    made = folder / "made"
    for stem in make_samples.sources():
        make_samples.build(stem, made)
    pdfs = sorted(made.glob("*.pdf"))
    scanned = [p for p in pdfs if not "".join(_text(p)).strip()]
    digital = [p for p in pdfs if p not in scanned]
    corpus = folder / f"corpus-{n}"
    corpus.mkdir()
    out_scanned, out_digital = [], []
    for kind, pool, out in (("scan", scanned, out_scanned), ("digital", digital, out_digital)):
        for i in range(n):
            source = pool[i % len(pool)]
            target = corpus / f"{kind}-{i:03d}-{source.name}"
            target.write_bytes(source.read_bytes() + f"\n% bench copy {i}\n".encode())
            out.append(target)
    return out_scanned, out_digital


def _text(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def run_citydocs(corpus: Path, out: Path) -> tuple[float, list[dict], float]:
    """Wall time, index lines and peak memory (resident, summed over the run's process tree,
    sampled every 0.1 s) of one `citydocs run`."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    start = time.perf_counter()
    log = corpus.parent / "run.log"
    run = subprocess.Popen(
        [CITYDOCS, "run", str(corpus), "--out", str(out)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    peak = 0
    root = psutil.Process(run.pid)
    while run.poll() is None:
        total = 0
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if not (out / "_index.jsonl").exists():
        sys.exit(f"`citydocs run` wrote no index; its output:\n{log.read_text()[-3000:]}")
    index = [json.loads(line) for line in (out / "_index.jsonl").read_text().splitlines()]
    return wall, index, peak / 1048576


def ocr_floor(scanned: list[Path], work: Path, dpi: int) -> float:
    """Bare tesseract on the same page images, one process per core."""
    images = []
    for path in scanned:
        document = pypdfium2.PdfDocument(str(path))
        for i in range(len(document)):
            target = work / f"{path.stem}-{i}.png"
            document[i].render(scale=dpi / 72, grayscale=True).to_pil().save(target)
            images.append(target)
        document.close()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(image: Path) -> None:
        subprocess.run(
            ["tesseract", str(image), str(image.with_suffix("")), "--psm", "3"],
            env=env,
            capture_output=True,
            check=True,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - start


def plumber_floor(digital: list[Path]) -> tuple[float, int]:
    start = time.perf_counter()
    pages = 0
    for path in digital:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words()
                pages += 1
    return time.perf_counter() - start, pages


def measure(n: int, work: Path) -> dict:
    folder = work / f"n{n}"
    folder.mkdir()
    scanned, digital = make_corpus(folder, n)
    wall, index, peak_mb = run_citydocs(scanned[0].parent, folder / "out")
    stages = {s: sum(r.get("stages", {}).get(s, 0.0) for r in index) for s in STAGES}
    scan_names = {p.name for p in scanned}
    scan_seconds = sum(r["seconds"] for r in index if r["file"] in scan_names)
    digital_seconds = sum(r["seconds"] for r in index if r["file"] not in scan_names)
    scan_pages = sum(len(pypdfium2.PdfDocument(str(p))) for p in scanned)
    ocr_work = folder / "ocr-floor"
    ocr_work.mkdir()
    ocr_seconds = ocr_floor(scanned, ocr_work, get_settings().ocr_dpi)
    plumber_seconds, digital_pages = plumber_floor(digital)
    cores = os.cpu_count() or 2
    return {
        "n": n,
        "wall_s": wall,
        "failed": sum(1 for r in index if r["status"] != "ok"),
        "scan_pages": scan_pages,
        "digital_pages": digital_pages,
        # citydocs' per-file seconds are spent on `cores` workers at once
        "scan_s": scan_seconds / cores,
        "digital_pps": digital_pages / max(digital_seconds / cores, 1e-9),
        "ocr_floor_s": ocr_seconds,
        "plumber_pps": digital_pages / max(plumber_seconds, 1e-9),
        "stages": stages,
        "peak_mb": peak_mb,
        # what the files' own seconds do not explain: Prefect's start, the workers' warm-up
        "startup_s": wall - (scan_seconds + digital_seconds) / cores,
    }


def render(results: list[dict]) -> str:
    main = results[-1]
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} cores · "
        f"{platform.python_version()} · N={main['n']}",
        "",
        "| measure | citydocs | floor | ratio |",
        "|---|---|---|---|",
        f"| scanned pages: seconds ({main['scan_pages']} pages) | {main['scan_s']:.1f} | {main['ocr_floor_s']:.1f} (tesseract CLI) | {main['scan_s'] / main['ocr_floor_s']:.2f}× |",
        f"| born-digital pages per second ({main['digital_pages']} pages) | {main['digital_pps']:.1f} | {main['plumber_pps']:.1f} (extract_words) | {main['digital_pps'] / main['plumber_pps']:.2f}× |",
        f"| wall time of `citydocs run` | {main['wall_s']:.1f} s | | |",
        f"| of which fixed start-up (Prefect, worker warm-up) | {main['startup_s']:.1f} s | | |",
        f"| peak memory (all processes of the run) | {main['peak_mb']:.0f} MB | | |",
        "",
        "| stage | seconds (summed over files) |",
        "|---|---|",
        *[f"| {stage} | {seconds:.2f} |" for stage, seconds in main["stages"].items()],
        "",
        "| N | documents | wall time (s) | start-up (s) | wall − start-up per document (s) | added per added document (s) |",
        "|---|---|---|---|---|---|",
        *growth(results),
        "",
    ]
    return "\n".join(lines)


def growth(results: list[dict]) -> list[str]:
    """Rows of the growth table, smallest N first. Linear cost means the last two columns hold
    steady: the wall time less the fixed start-up, and the slope between successive sizes."""
    rows, previous = [], None
    for r in sorted(results, key=lambda r: r["n"]):
        docs = 2 * r["n"]
        slope = (
            f"{(r['wall_s'] - previous['wall_s']) / (docs - 2 * previous['n']):.2f}"
            if previous
            else "–"
        )
        rows.append(
            f"| {r['n']} | {docs} | {r['wall_s']:.1f} | {r['startup_s']:.1f} | "
            f"{(r['wall_s'] - r['startup_s']) / docs:.2f} | {slope} |"
        )
        previous = r
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20, help="scanned and born-digital documents each")
    parser.add_argument("--sizes", default="10,20,40", help="N values for the growth table")
    parser.add_argument(
        "--no-append", action="store_true", help="do not append to bench/results.md"
    )
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | {args.n})
    work = Path(tempfile.mkdtemp(prefix="citydocs-bench-"))
    try:
        results = [measure(n, work) for n in sizes if n != args.n] + [measure(args.n, work)]
        results.sort(key=lambda r: r["n"])
        main_result = next(r for r in results if r["n"] == args.n)
        results.remove(main_result)
        results.append(main_result)
        table = render(results)
        print(table)
        if not args.no_append:
            with (ROOT / "bench" / "results.md").open("a", encoding="utf-8") as handle:
                handle.write(table + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
