"""Benchmark `citydocs run` against the OCR and pdfplumber floors, and its growth with size.

    python bench/bench.py [--n 60] [--digital-n 120] [--sizes 100,1000] [--dask] [--no-append]
    python bench/bench.py --growth-only --sizes 100,300,1000 --dask   # the growth table alone

Like with like: scanned and born-digital documents go through `citydocs run` in folders of
their own, N of them and then 2N (the same pages again), and each floor runs on the same files,
one process per core, as a command timed by the wall clock: bare `tesseract` on the very pixels
citydocs hands Tesseract first (the page's own image, or its render at the configured dpi), and
pdfplumber's `extract_words` on the born-digital files. The added wall time per added page is
compared, so neither side's start-up is estimated or subtracted. Each of the four runs is
made `--repeat` times, taking turns, and its median kept; these runs are not watched for
memory, which would cost citydocs' side a tenth of a core. Then mixed corpora of each size
in `--sizes` (nested, every one with the mix of the largest: ``mixed_corpora``; copies of the
samples when the `corpus` package is absent) go through `citydocs run`, and through `citydocs
run --dask local` with `--dask`, for the growth table: wall time, the slope between sizes with
the documents' own work and CPU beside it, and the peak memory of the process tree (its summed
PSS, which counts a shared page once; summed RSS beside it, which counts it once per process). Prints the tables and appends them, with the machine, to
bench/results.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
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
CURVE_STEP = 100  # documents per point of a run's progress curve


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


def mixed_corpora(work: Path, sizes: list[int]) -> dict[int, Path]:
    """Nested mixed corpora, one folder per size: the generated corpus when the `corpus`
    package is here, its documents in an order whose every prefix has the mix of the whole
    (kind, scan, pages: ``corpus.strata``), so that each growth step adds documents like those
    before it; else copies of the samples. Generated once, at the largest size; the smaller
    folders link to its first documents."""
    largest = work / f"mixed-{max(sizes)}"
    if not (ROOT / "corpus" / "__main__.py").exists():
        scanned, digital = _samples(work)
        return {n: _copies(scanned + digital, n, work / f"mixed-{n}", "mixed")[0].parent
                for n in sizes}  # fmt: skip
    if not (largest / "manifest.jsonl").exists():  # a kept ``--work`` folder has it already
        subprocess.run(
            [sys.executable, "-m", "corpus", "generate", "--range", "dev", "--count",
             str(max(sizes)), "--stratify-over", str(max(sizes)), "--out", str(largest)],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(largest / "expected", ignore_errors=True)
    manifest = (largest / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    names = [json.loads(line)["name"] for line in manifest]
    folders = {}
    for n in sizes:
        target = work / f"mixed-{n}"
        if target != largest and not target.exists():
            target.mkdir(parents=True, exist_ok=True)
            for name in names[:n]:
                os.link(largest / f"{name}.pdf", target / f"{name}.pdf")
        folders[n] = target
    return folders


def classes(corpus: Path) -> dict[str, tuple[bool, int]]:
    """Each PDF of a folder: (scanned, pages); scanned when its first page has no text."""
    out = {}
    for path in sorted(corpus.glob("*.pdf")):
        with pdfplumber.open(path) as pdf:
            out[path.name] = (not (pdf.pages[0].extract_text() or "").strip(), len(pdf.pages))
    return out


def composition(kinds: dict[str, tuple[bool, int]]) -> dict[str, int]:
    """Documents, scanned documents and pages of a folder's ``classes``."""
    return {
        "docs": len(kinds),
        "scanned": sum(scanned for scanned, _ in kinds.values()),
        "pages": sum(pages for _, pages in kinds.values()),
    }


def cpu_curve(index: list[dict], kinds: dict[str, tuple[bool, int]], step: int) -> list[float]:
    """Per ``step`` documents in the order they finished (their records' times): the mean of
    each document's CPU seconds over the mean of its class (kind, scanned, pages) in the run.
    Flat at 1 when a document costs the same late in a run as early, whatever the order of
    the documents and however busy the machine."""
    timed = []
    for line in index:
        with contextlib.suppress(OSError, TypeError):
            cls = (line["kind"], *kinds[line["file"]])
            timed.append((os.stat(line["record"]).st_mtime, cls, line["cpu_seconds"]))
    timed = [t for t in timed if t[2]]
    sums: dict[tuple, list[float]] = {}
    for _, cls, cpu in timed:
        sums.setdefault(cls, []).append(cpu)
    means = {cls: sum(v) / len(v) for cls, v in sums.items()}
    timed.sort()
    ratios = [cpu / means[cls] for _, cls, cpu in timed]
    return [
        sum(ratios[i : i + step]) / len(ratios[i : i + step]) for i in range(0, len(ratios), step)
    ]


def _tree_memory(root: psutil.Process) -> tuple[int, int]:
    """Proportional and resident size of a process tree, in bytes: (PSS, RSS).

    PSS charges each shared page to its processes in equal parts, so the sum over the tree
    counts once what workers share (the interpreter, libraries, copy-on-write warm state);
    summed RSS counts such a page once per process that maps it.
    """
    pss = rss = 0
    with contextlib.suppress(psutil.Error):
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                full = process.memory_full_info()
                pss += full.pss
                rss += full.rss
    return pss, rss


def _run_cpu(root: psutil.Process, seen: dict[int, float]) -> None:
    """Note the CPU seconds so far of each process of the tree that is not reading documents:
    the run itself, Prefect's server, the fork server, Dask's processes. A document worker (a
    child of the fork server) and its Tesseract runs are counted exactly by the run index's
    ``cpu_seconds`` instead; a sample of a short process would miss its last moments."""
    with contextlib.suppress(psutil.Error):
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                parent = process.parent()
                if process.name() == "tesseract" or (
                    parent is not None and "forkserver" in " ".join(parent.cmdline())
                ):
                    continue
                times = process.cpu_times()
                seen[process.pid] = times.user + times.system


def run_citydocs(corpus: Path, out: Path, dask: bool = False, watch: bool = True) -> dict:
    """Wall time, index lines, peak memory and CPU time of one `citydocs run`: the peak over
    0.1 s samples of the process tree's summed PSS (what the tree holds) and of its summed
    RSS; the CPU seconds of the processes that do not read documents (``_run_cpu``, sampled
    each second); and when each record appeared in ``out`` (the run's progress curve).

    Not ``watch``ed, the run is only waited for: reading every process's memory map ten times
    a second costs a tenth of a core, which a timing beside an unwatched floor must not carry.
    """
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    log = out.with_suffix(".log")
    command = [CITYDOCS, "run", str(corpus), "--out", str(out), *(["--dask", "local"] * dask)]
    start = time.perf_counter()
    run = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    peak_pss = peak_rss = 0
    root = psutil.Process(run.pid)
    progress: list[tuple[float, int]] = []
    run_cpu: dict[int, float] = {}
    if not watch:
        run.wait()
    while run.poll() is None:
        pss, rss = _tree_memory(root)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        now = time.perf_counter() - start
        if not progress or now - progress[-1][0] >= 1.0:
            progress.append((now, _records_in(out)))
            _run_cpu(root, run_cpu)
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if not (out / "_index.jsonl").exists():
        sys.exit(f"`citydocs run` wrote no index; its output:\n{log.read_text()[-3000:]}")
    index = [json.loads(line) for line in (out / "_index.jsonl").read_text().splitlines()]
    return {
        "wall_s": wall,
        "run_cpu_s": sum(run_cpu.values()),
        "index": index,
        "peak_mb": peak_pss / 1048576,
        "peak_rss_mb": peak_rss / 1048576,
        "progress": progress,
    }


def _records_in(out: Path) -> int:
    """Answers written so far: records and failure reports (the run index comes last)."""
    with contextlib.suppress(OSError):
        return sum(1 for _ in out.glob("*.json")) + sum(1 for _ in out.glob("quarantine/*.json"))
    return 0


def curve(progress: list[tuple[float, int]], step: int) -> list[float]:
    """Seconds each successive ``step`` answers took, from the run's progress samples: a
    linear run's are alike from the first full step on."""
    times, mark = [], step
    previous = None
    for at, count in progress:
        while count >= mark:
            if previous is not None:
                times.append(at - previous)
            previous, mark = at, mark + step
    return times


def _pages(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            total += len(pdf.pages)
    return total


def ocr_images(scanned: list[Path], work: Path) -> list[Path]:
    """The pixels citydocs hands Tesseract first, one image per page it OCRs."""
    settings = get_settings()
    work.mkdir(parents=True, exist_ok=True)
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
    return images


def bare_tesseract(image: Path) -> None:
    """The OCR floor on one image: the tesseract command, citydocs' page segmentation and
    engine, one thread."""
    subprocess.run(
        ["tesseract", str(image), str(image.with_suffix("")), "--psm", "3", "--oem", "1"],
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        capture_output=True,
        check=True,
    )


def ocr_floor(images: list[Path]) -> float:
    """Bare tesseract on the images, one process per core: wall seconds."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(bare_tesseract, images))
    return time.perf_counter() - start


def words_of(path: Path) -> int:
    """The born-digital floor on one file: pdfplumber's extract_words on every page; its
    pages."""
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words()
        return len(pdf.pages)


def words_floor_main(folder: Path) -> None:
    """pdfplumber's extract_words on every page of the folder's PDFs, one process per core
    (what ``--words-floor`` runs, in a process of its own like ``citydocs run``)."""
    with ProcessPoolExecutor(max_workers=CORES) as pool:
        list(pool.map(words_of, sorted(folder.glob("*.pdf")), chunksize=1))


def plumber_floor(folder: Path) -> float:
    """Wall seconds of ``words_floor_main`` as a command: its start-up included, as
    citydocs' is; the difference of two sizes takes both out."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--words-floor", str(folder)], check=True, capture_output=True
    )
    return time.perf_counter() - start


def _stage_seconds(index: list[dict]) -> dict[str, float]:
    return {s: sum(r.get("stages", {}).get(s, 0.0) for r in index) for s in STAGES}


def measure_kind(pool: list[Path], n: int, work: Path, tag: str, repeat: int = 1) -> dict:
    """citydocs and its floor on ``n`` and on ``2n`` copies of the pool: the added wall time
    per added page on both sides, so that neither side's start-up is guessed. Each run
    ``repeat`` times, the two sides and the two sizes taking turns (citydocs first in even
    turns, the floor in odd ones), and the median wall time of each kept: a machine's slow
    moments then fall on both sides alike."""
    sizes = {}
    files = {count: _copies(pool, count, work / f"{tag}-{count}", tag) for count in (n, 2 * n)}
    walls: dict[int, list[float]] = {n: [], 2 * n: []}
    floors: dict[int, list[float]] = {n: [], 2 * n: []}
    index: dict[int, list[dict]] = {}
    images = {
        count: ocr_images(files[count], work / f"images-{count}") if tag == "scan" else []
        for count in (n, 2 * n)
    }

    def citydocs_side(count: int, turn: int) -> None:
        run = run_citydocs(files[count][0].parent, work / f"out-{tag}-{count}-{turn}", watch=False)
        walls[count].append(run["wall_s"])
        index[count] = run["index"]

    def floor_side(count: int, turn: int) -> None:
        if tag == "scan":
            floors[count].append(ocr_floor(images[count]))
        else:
            floors[count].append(plumber_floor(files[count][0].parent))

    for turn in range(repeat):
        # The side that goes first alternates by turn: a machine slowing down or speeding up
        # over a turn then favours neither side.
        sides = (citydocs_side, floor_side) if turn % 2 == 0 else (floor_side, citydocs_side)
        for count in (n, 2 * n):
            for side in sides:
                side(count, turn)
    for count in (n, 2 * n):
        sizes[count] = {
            "pages": _pages(files[count]),
            "docs": count,
            "wall_s": statistics.median(walls[count]),
            "floor_s": statistics.median(floors[count]),
            "index": index[count],
        }
    small, large = sizes[n], sizes[2 * n]
    pages = large["pages"] - small["pages"]
    # Each turn's own pair of sizes, on both sides: how far one turn's ratio is from another's
    # says how much the median can be trusted.
    turns = [
        (walls[2 * n][t] - walls[n][t]) / (floors[2 * n][t] - floors[n][t]) for t in range(repeat)
    ]
    docs = large["docs"] - small["docs"]
    task_s = sum(r["seconds"] for r in large["index"]) - sum(r["seconds"] for r in small["index"])
    stages_large, stages_small = _stage_seconds(large["index"]), _stage_seconds(small["index"])
    added_stages = {s: stages_large[s] - stages_small[s] for s in STAGES}
    return {
        "n": n,
        "pages": (small["pages"], large["pages"]),
        "walls": (small["wall_s"], large["wall_s"]),
        "floors": (small["floor_s"], large["floor_s"]),
        "citydocs_s_per_page": (large["wall_s"] - small["wall_s"]) / pages,
        "floor_s_per_page": (large["floor_s"] - small["floor_s"]) / pages,
        "turn_ratios": turns,  # citydocs' added time over the floor's, turn by turn
        "failed": sum(r["status"] != "ok" for r in small["index"] + large["index"]),
        "stages_ms_per_page": {s: 1000 * stages_large[s] / large["pages"] for s in STAGES},
        # Per added document: a task's own time beyond its stages (handing the file to the
        # worker and back), and the run's time beyond its tasks (Prefect: submission, states).
        "handover_ms": 1000 * (task_s - sum(added_stages.values())) / docs,
        "orchestration_ms": 1000 * ((large["wall_s"] - small["wall_s"]) * CORES - task_s) / docs,
    }


def measure_kinds(n: int, digital_n: int, work: Path, repeat: int = 1) -> dict:
    """Scanned and born-digital apart, each against its floor; a kind of no documents is
    left out."""
    scanned_pool, digital_pool = _samples(work)
    kinds: dict = {"repeat": repeat}
    if n:
        kinds["scanned"] = measure_kind(scanned_pool, n, work, "scan", repeat)
    if digital_n:
        kinds["digital"] = measure_kind(digital_pool, digital_n, work, "digital", repeat)
    return kinds


def measure_growth(sizes: list[int], work: Path, dask: bool, pool: bool = True) -> list[dict]:
    """Each size's corpus through the process pool (``pool``) and, with ``dask``, a
    LocalCluster: one row per run."""
    if not sizes:
        return []
    corpora = mixed_corpora(work, sizes)
    runners = [False] * pool + [True] * dask
    rows = []
    for size in sizes:
        kinds = classes(corpora[size])
        mix = composition(kinds)
        for on_dask in runners:
            runner = "dask LocalCluster" if on_dask else "process pool"
            out = work / f"out-{size}-{'dask' if on_dask else 'local'}"
            run = run_citydocs(corpora[size], out, on_dask)
            cpu = [r.get("cpu_seconds") for r in run["index"]]
            rows.append({
                "runner": runner,
                "documents": len(run["index"]),
                "failed": sum(r["status"] != "ok" for r in run["index"]),
                "wall_s": run["wall_s"],
                "run_cpu_s": run["run_cpu_s"],
                "work_s": sum(r["seconds"] for r in run["index"]),
                "scanned": mix["scanned"],
                "pages": mix["pages"],
                "peak_mb": run["peak_mb"],
                "peak_rss_mb": run["peak_rss_mb"],
                "curve": curve(run["progress"], CURVE_STEP),
                "worker_cpu_s": sum(c for c in cpu if c),
                "cpu_curve": cpu_curve(run["index"], kinds, CURVE_STEP),
            })  # fmt: skip
            print(json.dumps(rows[-1]), flush=True)
    return rows


def _kind_row(label: str, k: dict, speed: bool) -> str:
    citydocs, floor = k["citydocs_s_per_page"], k["floor_s_per_page"]
    turns = k.get("turn_ratios", [])
    each = [1 / r for r in turns] if speed else turns
    spread = f" (turns: {', '.join(f'{r:.2f}' for r in each)})" if len(each) > 1 else ""
    ratio = (
        f"{floor / citydocs:.2f}× the floor's speed"
        if speed
        else f"{citydocs / floor:.2f}× the floor's time"
    ) + spread
    return (
        f"| {label}: {k['pages'][0]} → {k['pages'][1]} pages ({k['n']} → {2 * k['n']} docs) | "
        f"{k['walls'][0]:.1f} → {k['walls'][1]:.1f} s: {1000 * citydocs:.0f} | "
        f"{k['floors'][0]:.1f} → {k['floors'][1]:.1f} s: {1000 * floor:.0f} | {ratio} |"
    )


def render(kinds: dict | None, growth: list[dict], note: str) -> str:
    heading = (
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · {CORES} cores · "
        f"{platform.python_version()}"
    )
    lines = [
        heading
        + (
            f" · N={kinds.get('scanned', {}).get('n', 0)} scanned, "
            f"{kinds.get('digital', {}).get('n', 0)} born-digital"
            if kinds
            else " · growth only"
        ),
        "",
        *([note, ""] if note else []),
        *(render_kinds(kinds) if kinds else []),
    ]
    if growth:  # ``--sizes ''`` measures the two kinds only
        lines += render_growth(growth)
    return "\n".join(lines)


def render_kinds(kinds: dict) -> list[str]:
    scanned, digital = kinds.get("scanned"), kinds.get("digital")
    lines = [
        "Each side runs as a command, one process per core, timed by the wall clock, on N and "
        "on 2N documents (the same pages); the added wall time per added page is compared, so "
        "neither side's start-up is estimated. Each run is made "
        f"{kinds['repeat']} times, the sides and sizes taking turns (citydocs first in even "
        "turns, the floor in odd ones), and its median wall time "
        "kept (each turn's own ratio in brackets); no run is watched for memory. Floors: bare `tesseract` on the pixels citydocs "
        "hands Tesseract first; pdfplumber's `extract_words` on the same born-digital files.",
        "",
        "| measure | citydocs wall N → 2N: ms per added page | floor wall N → 2N: ms per "
        "added page | ratio |",
        "|---|---|---|---|",
        *([_kind_row("scanned", scanned, speed=False)] if scanned else []),
        *([_kind_row("born-digital", digital, speed=True)] if digital else []),
        "",
    ]
    if digital is None:
        return lines
    return [
        *lines,
        "| born-digital stage | ms per page (one worker, 2N run) |",
        "|---|---|",
        *[f"| {s} | {ms:.1f} |" for s, ms in digital["stages_ms_per_page"].items()],
        "",
        "Per added born-digital document, beyond its stages: handing it to the worker process "
        f"and back {digital['handover_ms']:.0f} ms; the run's wall time × cores beyond its "
        f"tasks' own (Prefect's submission and state records, idle cores) "
        f"{digital['orchestration_ms']:.0f} ms.",
        "",
    ]


GROWTH_HEADER = [
    "Growth: nested corpora (each the first documents of the largest, in an order whose every "
    "prefix has the mix of the whole), so a step adds documents like those before it. Per "
    "added document: wall time; work (the tasks' own seconds, from the run index); overhead "
    "(wall × cores beyond the work: start-up, Prefect, idle cores); the documents' CPU (their "
    "workers' and Tesseract's, from the index); the run's CPU (every other process of the "
    "tree: the run, Prefect's server, the fork server, Dask). CPU seconds hold on a busy "
    "machine, where wall and work do not.",
    "",
    "| runner | documents (scanned, pages) | failed | wall (s) | added per added document: wall "
    "/ work / overhead / documents' CPU / run's CPU (s) | peak memory of the process tree: PSS (MB) | peak summed RSS "
    "(MB) |",
    "|---|---|---|---|---|---|---|",
]


def growth_rows(rows: list[dict]) -> list[str]:
    """Linear cost shows as a steady slope between successive sizes of the same runner; the
    work and the overhead per added document tell the documents' cost from the run's."""
    out, previous = [], {}
    for r in rows:
        before = previous.get(r["runner"])
        slope = "–"
        if before and r["documents"] > before["documents"]:
            docs = r["documents"] - before["documents"]
            wall, work = r["wall_s"] - before["wall_s"], r["work_s"] - before["work_s"]
            cpu = r["run_cpu_s"] - before["run_cpu_s"]
            worker = r["worker_cpu_s"] - before["worker_cpu_s"]
            slope = f"{wall / docs:.3f} / {work / docs:.3f} / {(wall * CORES - work) / docs:.3f}"
            slope += f" / {worker / docs:.3f} / {cpu / docs:.3f}"
        out.append(
            f"| {r['runner']} | {r['documents']} ({r['scanned']}, {r['pages']}) | "
            f"{r['failed']} | {r['wall_s']:.1f} | {slope} | {r['peak_mb']:.0f} | "
            f"{r['peak_rss_mb']:.0f} |"
        )
        previous[r["runner"]] = r
    return out


def curve_lines(rows: list[dict]) -> list[str]:
    """The largest run of each runner, per successive hundred documents: wall seconds, and
    the documents' CPU over their class's mean in the run (flat at 1.00 when nothing grows)."""
    largest = {}
    for r in rows:
        largest[r["runner"]] = r
    lines = []
    for runner, r in largest.items():
        lines.append(
            f"- {runner}, {r['documents']} documents, per {CURVE_STEP} in the order they "
            "finished: wall s (after the first) "
            + ", ".join(f"{s:.0f}" for s in r["curve"])
            + "; CPU over its class's mean "
            + ", ".join(f"{c:.2f}" for c in r["cpu_curve"])
        )
    return lines


def render_growth(growth: list[dict]) -> list[str]:
    return [*GROWTH_HEADER, *growth_rows(growth), "", *curve_lines(growth), ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Enough documents that one more or less at a run's end (a scanned one takes seconds, while
    # the other core waits) is a small share of the added time.
    parser.add_argument("--n", type=int, default=60, help="scanned documents (N; then 2N; 0: none)")
    parser.add_argument(
        "--digital-n", type=int, default=120, help="born-digital documents (N; then 2N; 0: none)"
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each kind's sides and sizes (median kept)"
    )
    parser.add_argument("--words-floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--sizes", default="100,1000", help="mixed corpus sizes for the growth table"
    )
    parser.add_argument("--dask", action="store_true", help="also run each size on a LocalCluster")
    parser.add_argument("--note", default="", help="a line printed under the heading")
    parser.add_argument("--no-append", action="store_true", help="do not append to results.md")
    parser.add_argument(
        "--growth-only", action="store_true", help="the growth table only, not the two kinds"
    )
    parser.add_argument(
        "--no-pool", action="store_true", help="growth on Dask only (with --dask), no pool rows"
    )
    parser.add_argument(
        "--work",
        type=Path,
        help="a folder to work in and keep (its corpora are reused by the next run), instead "
        "of a temporary one",
    )
    args = parser.parse_args()
    if args.words_floor:
        words_floor_main(args.words_floor)
        return 0
    sizes = sorted({int(s) for s in args.sizes.split(",") if s})
    work = args.work or Path(tempfile.mkdtemp(prefix="citydocs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        kinds = (
            None if args.growth_only else measure_kinds(args.n, args.digital_n, work, args.repeat)
        )
        growth = measure_growth(sizes, work, args.dask, pool=not args.no_pool)
        table = render(kinds, growth, args.note)
        print(table)
        if not args.no_append:
            with (ROOT / "bench" / "results.md").open("a", encoding="utf-8") as handle:
                handle.write(table + "\n")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        else:  # the outputs go; the corpora stay for the next run
            for out in work.glob("out-*"):
                shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
