"""CPU seconds per page: citydocs against its floor on the same files, turn by turn.

    python bench/page_cpu.py [--rounds 3] PDF... (OMP_THREAD_LIMIT=1)

For a machine whose speed drifts, where wall time is noise: each file is read by its floor and
then by citydocs, one right after the other, for ``--rounds`` rounds, so a slow minute falls on
both sides alike. A scanned file's floor is `tesseract --psm 3 --oem 1` on the pixels citydocs
first hands Tesseract (as in bench.py), counted by the children's CPU time; a born-digital
file's is pdfplumber's `extract_words` on every page, in this process. citydocs reads in this
one warm process, its models frozen out of the collector as in a worker (so that neither side
pays for collections over them), Tesseract's model loaded as a worker has it: its own CPU
(every thread, Tesseract's included) plus that of any child (the orientation check).
Neither a worker's handover nor Prefect is in it.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose bench.py would hide the package

from bench.bench import bare_tesseract, ocr_images, words_of  # noqa: E402
from extractors import warm_up  # noqa: E402
from pipeline.base.request import Request  # noqa: E402
from pipeline.base.settings import get_settings  # noqa: E402
from pipeline.reading import ocr  # noqa: E402
from pipeline.running.extract import run_here  # noqa: E402


def cpu() -> float:
    """CPU seconds of this process (every thread) and of its ended children (the floor's
    Tesseract commands, citydocs' orientation checks)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + usage.ru_utime + usage.ru_stime


def floor_seconds(path: Path, folder: Path) -> tuple[float, int, bool]:
    """The floor's CPU seconds on one file, its pages, and whether it was OCR'd."""
    images = ocr_images([path], folder)
    start = cpu()
    if images:
        for image in images:
            bare_tesseract(image)
        return cpu() - start, len(images), True
    pages = words_of(path)
    return cpu() - start, pages, False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3, help="turns over all the files")
    args = parser.parse_args()
    settings = get_settings()
    warm_up(settings)
    ocr.warm(settings.ocr_lang)
    run_here(Request.of(args.files[0], settings), settings)  # first-use costs, not counted
    gc.collect()
    gc.freeze()
    totals = {True: [0.0, 0.0, 0], False: [0.0, 0.0, 0]}  # scanned?: floor, citydocs, pages
    turns = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.rounds):
            turn = {True: [0.0, 0.0], False: [0.0, 0.0]}
            for path in args.files:
                floor, pages, scanned = floor_seconds(path, Path(folder))
                start = cpu()
                run_here(Request.of(path, settings), settings)
                own = cpu() - start
                for into in (totals[scanned], turn[scanned]):
                    into[0], into[1] = into[0] + floor, into[1] + own
                totals[scanned][2] += pages
            turns.append(turn)
    for scanned, (floor, own, pages) in totals.items():
        if pages:
            each = ", ".join(f"{t[scanned][1] / t[scanned][0]:.2f}" for t in turns if t[scanned][0])
            print(
                f"{'scanned' if scanned else 'born-digital'}: {pages // args.rounds} pages; "
                f"floor {1000 * floor / pages:.0f} ms a page, citydocs {1000 * own / pages:.0f}: "
                f"{own / floor:.3f}× the floor's CPU (rounds: {each})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
