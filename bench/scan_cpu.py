"""CPU seconds per scanned page: citydocs against bare Tesseract on the same pixels.

    python bench/scan_cpu.py PDF... (OMP_THREAD_LIMIT=1)

For a busy machine, where wall time is noise: the floor is `tesseract --psm 3 --oem 1` on the
pixels citydocs first hands Tesseract (as in bench.py), counted by the children's CPU time;
citydocs reads the same files in this one warm process (the first file once more beforehand,
not counted), its own CPU (every thread) plus its Tesseract children's. Neither a worker's
handover nor Prefect is in it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose bench.py would hide the package

from bench.bench import ocr_images  # noqa: E402
from pipeline.base.request import Request  # noqa: E402
from pipeline.base.settings import get_settings  # noqa: E402
from pipeline.running.extract import run_here  # noqa: E402


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    files = [Path(p) for p in sys.argv[1:]]
    if not files:
        sys.exit(__doc__)
    settings = get_settings()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory() as folder:
        images = ocr_images(files, Path(folder))
        start = children_cpu()
        for image in images:
            command = [
                "tesseract",
                str(image),
                str(image.with_suffix("")),
                "--psm",
                "3",
                "--oem",
                "1",
            ]
            subprocess.run(command, env=env, capture_output=True, check=True)
        floor = children_cpu() - start
    run_here(Request.of(files[0], settings), settings)  # warm: spaCy, gazetteer, dateparser
    own, tess = time.process_time(), children_cpu()
    for path in files:
        run_here(Request.of(path, settings), settings)
    own, tess = time.process_time() - own, children_cpu() - tess
    n = max(len(images), 1)
    print(
        f"{len(images)} pages: floor {1000 * floor / n:.0f} ms a page; citydocs "
        f"{1000 * own / n:.0f} own + {1000 * tess / n:.0f} Tesseract = "
        f"{1000 * (own + tess) / n:.0f} ms a page; {(own + tess) / max(floor, 1e-9):.3f}× the floor"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
