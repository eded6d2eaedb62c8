"""Soak: hundreds of mixed documents through the watch flow while processes are SIGKILLed.

    python -m tests.tools.soak [--docs 500] [--kill-every 8] [--budget 1800]

Generates a corpus (born-digital and scanned samples, each copy with bytes of its own, and the
hostile set of tests/tools/hostile.py), starts `citydocs watch` (a served deployment on a local
Prefect server), drops the corpus into its inbox in waves, and meanwhile SIGKILLs, at random
moments, a random process doing the work: a flow run or one of its citydocs worker processes.
When the inbox is drained it prints, per input file: processed (a record or a failure report),
quarantined, lost (neither, and not waiting in the inbox) and duplicated (more than one record,
report or archived copy). Lost and duplicated must be 0; the exit status is their sum.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pdfplumber
import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script (`python tests/tools/soak.py`) as well

from samples import make_samples  # noqa: E402
from tests.tools import hostile  # noqa: E402

CITYDOCS = str(Path(sys.executable).with_name("citydocs"))


def make_corpus(folder: Path, docs: int, seed: int) -> list[Path]:
    """``docs`` files: about 84% born-digital, 4% scanned, 12% hostile, in a shuffled order."""
    made = folder / "made"
    for stem in make_samples.sources():
        make_samples.build(stem, made)
    samples = sorted(made.glob("*.pdf"))
    scanned = [p for p in samples if not _has_text(p)]
    digital = [p for p in samples if p not in scanned]
    bad_dir = folder / "hostile"
    bad_dir.mkdir()
    good = made / "zhengzhou_ucap.pdf"
    bad = [
        hostile.empty(bad_dir),
        hostile.text_named_pdf(bad_dir),
        hostile.png_named_pdf(bad_dir),
        hostile.cut_in_half(bad_dir, good),
        hostile.broken_xref(bad_dir, good),
        hostile.encrypted(bad_dir, good),
        hostile.zero_pages(bad_dir),
        hostile.javascript_and_attachment(bad_dir, good),
        hostile.decompression_bomb(bad_dir),
    ]
    rare = [hostile.slow_content_stream(bad_dir), hostile.many_pages(bad_dir, good, 2000)]
    rng = random.Random(seed)
    corpus = folder / "corpus"
    corpus.mkdir()
    n_scanned, n_bad = max(1, docs * 4 // 100), max(len(bad) + len(rare), docs * 12 // 100)
    plan = (
        [("scan", scanned[i % len(scanned)]) for i in range(n_scanned)]
        + [("bad", rare[i]) for i in range(len(rare))]
        + [("bad", bad[i % len(bad)]) for i in range(n_bad - len(rare))]
    )
    plan += [("good", digital[i % len(digital)]) for i in range(docs - len(plan))]
    rng.shuffle(plan)
    files = []
    for i, (kind, source) in enumerate(plan):
        target = corpus / f"{i:04d}-{kind}-{source.name}"
        data = source.read_bytes()
        if kind != "bad" or data.startswith(b"%PDF"):  # own bytes; an empty file stays empty
            data += f"\n% soak copy {i}\n".encode() if data else b""
        target.write_bytes(data)
        files.append(target)
    return files


def _has_text(path: Path) -> bool:
    with pdfplumber.open(path) as pdf:
        return any(page.chars for page in pdf.pages)


def workers_of(watch: psutil.Process) -> list[psutil.Process]:
    """Processes doing the work under `citydocs watch`: flow runs and citydocs workers (never
    the Prefect server, whose death would be a different test)."""
    found = []
    for child in watch.children(recursive=True):
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if any(word in line for word in ("server", "uvicorn", "tesseract", "resource_tracker")):
            continue
        found.append(child)
    return found


def killer(watch: psutil.Process, every: float, stop: threading.Event, log: list[str]) -> None:
    rng = random.Random(7)
    while not stop.wait(rng.uniform(0.3, 1.7) * every):
        victims = workers_of(watch)
        if not victims:
            continue
        victim = rng.choice(victims)
        try:
            what = " ".join(victim.cmdline())[-60:]
            victim.send_signal(signal.SIGKILL)
            log.append(f"{time.strftime('%H:%M:%S')} SIGKILL {victim.pid} …{what}")
        except psutil.Error:
            pass


def drop(files: list[Path], inbox: Path, waves: int, pause: float) -> None:
    """Copy the corpus in as an uploader would: a temporary name, then a rename."""
    size = -(-len(files) // waves)
    for start in range(0, len(files), size):
        for path in files[start : start + size]:
            part = inbox / f"{path.name}.part"
            shutil.copyfile(path, part)
            part.rename(inbox / path.name)
        time.sleep(pause)


def drained(inbox: Path) -> bool:
    waiting = [p for p in inbox.iterdir() if p.name != ".processing"]
    processing = inbox / ".processing"
    claimed = (
        [p for p in processing.iterdir() if not p.name.startswith(".")]
        if processing.is_dir()
        else []
    )
    return not waiting and not claimed


def count(files: list[Path], out: Path) -> dict[str, int]:
    names = {p.name for p in files}
    outputs: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    for record in out.glob("*.json"):
        outputs[json.loads(record.read_text())["source"]["file_name"]] += 1
    for report in (out / "quarantine").glob("*.error.json"):
        name = json.loads(report.read_text())["file_name"]
        outputs[name] += 1
        failures[name] += 1
    archived = Counter(
        p.name for p in (out / "archive").rglob("*") if p.is_file() or p.is_symlink()
    )
    # an archived copy beyond the first shows as "name-2.pdf": count it against its input
    extra_copies = sum(1 for name in archived if name not in names)
    return {
        "inputs": len(names),
        "processed": sum(1 for n in names if outputs[n] >= 1),
        "records": sum(1 for n in names if outputs[n] - failures[n] >= 1),
        "quarantined": sum(1 for n in names if failures[n] >= 1),
        "lost": sum(1 for n in names if outputs[n] == 0),
        "duplicated": sum(1 for n in names if outputs[n] > 1) + extra_copies,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--kill-every", type=float, default=20.0, help="mean seconds between kills")
    parser.add_argument("--budget", type=float, default=1800.0, help="give up after (seconds)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citydocs-soak-"))
    print(f"corpus of {args.docs} in {work} …", flush=True)
    files = make_corpus(work, args.docs, args.seed)
    inbox, out = work / "inbox", work / "out"
    inbox.mkdir()
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect"),
        "CITYDOCS_DOC_TIMEOUT_S": "20",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    log_file = (work / "watch.log").open("w")
    watch = subprocess.Popen(
        [CITYDOCS, "watch", str(inbox), "--out", str(out), "--every", "5s", "--settle", "1"],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    kills: list[str] = []
    stop = threading.Event()
    started = time.monotonic()
    try:
        threading.Thread(
            target=killer,
            args=(psutil.Process(watch.pid), args.kill_every, stop, kills),
            daemon=True,
        ).start()
        drop(files, inbox, waves=5, pause=20)
        while not drained(inbox) and time.monotonic() - started < args.budget:
            time.sleep(5)
            print(f"  {time.monotonic() - started:5.0f} s: {count(files, out)}", flush=True)
        stop.set()
        time.sleep(8)  # the pass under way when the killer stopped finishes its files
        while not drained(inbox) and time.monotonic() - started < args.budget:
            time.sleep(5)
    finally:
        stop.set()
        watch.send_signal(signal.SIGINT)
        try:
            watch.wait(60)
        except subprocess.TimeoutExpired:
            watch.kill()
    figures = count(files, out)
    figures["kills"] = len(kills)
    figures["seconds"] = round(time.monotonic() - started)
    print("\n".join(kills[-10:]))
    print(json.dumps(figures))
    print(f"work folder: {work}")
    return figures["lost"] + figures["duplicated"]


if __name__ == "__main__":
    raise SystemExit(main())
