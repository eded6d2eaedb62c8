"""Benchmark `citydocs run` against the OCR and pdfplumber floors, and its growth with size.

    python bench/bench.py [--n 20] [--sizes 100,1000] [--dask] [--no-append]

Like with like: scanned and born-digital documents are run through `citydocs run` in folders
of their own, and each floor runs one process per core on the same pages, timed by the wall
clock: bare `tesseract` on the very pixels citydocs hands Tesseract first (the page's own
image, or its render at the configured dpi), and pdfplumber's `extract_words` on the
born-digital files. citydocs' fixed start-up (Prefect, worker warm-up), measured by a run of
one document, is taken out of its wall time. Then mixed corpora of each size in `--sizes`
(the generated corpus when the `corpus` package is present, else copies of the samples) go
through `citydocs run`, and through `citydocs run --dask local` with `--dask`, for the growth
table: wall time per document, the slope between sizes and the peak memory of the process
tree. Prints the tables and appends them, with the machine, to bench/results.md.
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
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.base.settings import get_settings  # noqa: E402
from pipeline.base.timing import STAGES  # noqa: E402
from pipeline.reading.raster import PageImages  # noqa: E402
from pipeline.reading.reader import ocr_reason  # noqa: E402
from samples import make_samples  # noqa: E402

CITYDOCS = str(Path(sys.executable).with_name("citydocs"))
CORES = os.cpu_count() or 2


def _samples(folder: Path) -> tuple[list[Path], list[Path]]:
    """The sample PDFs, freshly made: (scanned, born-digital)."""
    made = folder / "made"
    if not made.exists():
        for stem in make_samples.sources():
            make_samples.build(stem, made)
    pdfs = sorted(made.glob("*.pdf"))
    scanned = [p for p in pdfs if not "".join(_text(p)).strip()]
    return scanned, [p for p in pdfs if p not in scanned]


def _text(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _copies(pool: list[Path], n: int, target: Path, tag: str) -> list[Path]:
    """``n`` copies of the pool, round robin, each with bytes of its own (no cache hit)."""
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        source = pool[i % len(pool)]
        copy = target / f"{tag}-{i:04d}-{source.name}"
        copy.write_bytes(source.read_bytes() + f"\n% bench copy {i}\n".encode())
        out.append(copy)
    return out


def mixed_corpus(work: Path, count: int) -> Path:
    """``count`` mixed documents: the generated corpus if the `corpus` package is here."""
    target = work / f"mixed-{count}"
    if (ROOT / "corpus" / "__main__.py").exists():
        subprocess.run(
            [sys.executable, "-m", "corpus", "generate", "--range", "dev", "--count", str(count),
             "--out", str(target)],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(target / "expected", ignore_errors=True)
        return target
    scanned, digital = _samples(work)
    _copies(scanned + digital, count, target, "mixed")
    return target


def run_citydocs(corpus: Path, out: Path, dask: bool = False) -> dict:
    """Wall time, index lines and peak memory (resident, summed over the run's process tree,
    sampled every 0.1 s) of one `citydocs run`."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    log = out.with_suffix(".log")
    command = [CITYDOCS, "run", str(corpus), "--out", str(out), *(["--dask", "local"] * dask)]
    start = time.perf_counter()
    run = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    peak = 0
    root = psutil.Process(run.pid)
    while run.poll() is None:
        total = 0
        with contextlib.suppress(psutil.Error):
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if not (out / "_index.jsonl").exists():
        sys.exit(f"`citydocs run` wrote no index; its output:\n{log.read_text()[-3000:]}")
    index = [json.loads(line) for line in (out / "_index.jsonl").read_text().splitlines()]
    return {"wall_s": wall, "index": index, "peak_mb": peak / 1048576}


def ocr_floor(scanned: list[Path], work: Path) -> tuple[float, int]:
    """Bare tesseract on the pixels citydocs reads first, one process per core: wall, pages."""
    settings = get_settings()
    images = []
    for path in scanned:
        with pdfplumber.open(path) as pdf:
            pages = PageImages(path, None, settings, path.name)
            try:
                for i, page in enumerate(pdf.pages):
                    if ocr_reason(page, settings) is not None:
                        target = work / f"{path.stem}-{i}.pgm"
                        pages.first(i, page).image.save(target)
                        images.append(target)
            finally:
                pages.close()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(image: Path) -> None:
        subprocess.run(
            ["tesseract", str(image), str(image.with_suffix("")), "--psm", "3", "--oem", "1"],
            env=env,
            capture_output=True,
            check=True,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - start, len(images)


def _words_of(path: Path) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words()
        return len(pdf.pages)


def plumber_floor(digital: list[Path]) -> tuple[float, int]:
    """pdfplumber's extract_words on every page, one process per core: wall, pages."""
    with ProcessPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(_words_of, digital[:CORES]))  # start and warm the processes first
        start = time.perf_counter()
        pages = sum(pool.map(_words_of, digital))
        return time.perf_counter() - start, pages


def measure_kinds(n: int, work: Path) -> dict:
    """citydocs against the floors, scanned and born-digital apart, start-up taken out."""
    scanned_pool, digital_pool = _samples(work)
    scanned = _copies(scanned_pool, n, work / "scanned", "scan")
    digital = _copies(digital_pool, n, work / "digital", "digital")
    one = _copies(digital_pool, 1, work / "one", "one")
    first = run_citydocs(one[0].parent, work / "out-one")
    startup = first["wall_s"] - sum(r["seconds"] for r in first["index"])
    scan_run = run_citydocs(scanned[0].parent, work / "out-scanned")
    digital_run = run_citydocs(digital[0].parent, work / "out-digital")
    floor_work = work / "ocr-floor"
    floor_work.mkdir()
    ocr_s, ocr_pages = ocr_floor(scanned, floor_work)
    plumber_s, digital_pages = plumber_floor(digital)
    stages = {s: sum(r.get("stages", {}).get(s, 0.0) for r in digital_run["index"]) for s in STAGES}
    return {
        "n": n,
        "startup_s": startup,
        "scan_s": scan_run["wall_s"] - startup,
        "ocr_s": ocr_s,
        "scan_pages": ocr_pages,
        "digital_s": digital_run["wall_s"] - startup,
        "plumber_s": plumber_s,
        "digital_pages": digital_pages,
        "failed": sum(r["status"] != "ok" for r in scan_run["index"] + digital_run["index"]),
        "stages_ms_per_page": {s: 1000 * v / digital_pages for s, v in stages.items()},
    }


def measure_growth(sizes: list[int], work: Path, dask: bool) -> list[dict]:
    rows = []
    for size in sizes:
        corpus = mixed_corpus(work, size)
        for on_dask in [False, True] if dask else [False]:
            run = run_citydocs(
                corpus, work / f"out-{size}-{'dask' if on_dask else 'local'}", on_dask
            )
            rows.append({
                "runner": "dask LocalCluster" if on_dask else "process pool",
                "documents": len(run["index"]),
                "failed": sum(r["status"] != "ok" for r in run["index"]),
                "wall_s": run["wall_s"],
                "peak_mb": run["peak_mb"],
            })  # fmt: skip
    return rows


def render(kinds: dict, growth: list[dict], note: str) -> str:
    k = kinds
    scan_ratio = k["scan_s"] / k["ocr_s"]
    digital_ratio = k["plumber_s"] / k["digital_s"]  # pages per second: citydocs ÷ floor
    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · {CORES} cores · "
        f"{platform.python_version()} · N={k['n']}",
        "",
        *([note, ""] if note else []),
        "Wall time, one process per core on both sides, citydocs' start-up "
        f"({k['startup_s']:.1f} s, from a run of one document) taken out.",
        "",
        "| measure | citydocs (s) | floor (s) | ratio |",
        "|---|---|---|---|",
        f"| scanned: {k['scan_pages']} pages | {k['scan_s']:.1f} | {k['ocr_s']:.1f} (tesseract "
        f"CLI, same pixels) | {scan_ratio:.2f}× the floor's time |",
        f"| born-digital: {k['digital_pages']} pages | {k['digital_s']:.1f} | "
        f"{k['plumber_s']:.1f} (extract_words) | {digital_ratio:.2f}× the floor's speed |",
        "",
        "| born-digital stage | ms per page (one worker) |",
        "|---|---|",
        *[f"| {s} | {ms:.1f} |" for s, ms in k["stages_ms_per_page"].items()],
        "",
        "| runner | documents | failed | wall (s) | per document (s) | added per added "
        "document (s) | peak memory (MB) |",
        "|---|---|---|---|---|---|---|",
        *growth_rows(growth),
        "",
    ]
    return "\n".join(lines)


def growth_rows(rows: list[dict]) -> list[str]:
    """Linear cost shows as a steady slope between successive sizes of the same runner."""
    out, previous = [], {}
    for r in rows:
        before = previous.get(r["runner"])
        slope = (
            f"{(r['wall_s'] - before['wall_s']) / (r['documents'] - before['documents']):.3f}"
            if before and r["documents"] > before["documents"]
            else "–"
        )
        out.append(
            f"| {r['runner']} | {r['documents']} | {r['failed']} | {r['wall_s']:.1f} | "
            f"{r['wall_s'] / max(r['documents'], 1):.3f} | {slope} | {r['peak_mb']:.0f} |"
        )
        previous[r["runner"]] = r
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20, help="scanned and born-digital documents each")
    parser.add_argument(
        "--sizes", default="100,1000", help="mixed corpus sizes for the growth table"
    )
    parser.add_argument("--dask", action="store_true", help="also run each size on a LocalCluster")
    parser.add_argument("--note", default="", help="a line printed under the heading")
    parser.add_argument("--no-append", action="store_true", help="do not append to results.md")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s})
    work = Path(tempfile.mkdtemp(prefix="citydocs-bench-"))
    try:
        kinds = measure_kinds(args.n, work)
        table = render(kinds, measure_growth(sizes, work, args.dask), args.note)
        print(table)
        if not args.no_append:
            with (ROOT / "bench" / "results.md").open("a", encoding="utf-8") as handle:
                handle.write(table + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
