"""Real PDFs no one here wrote, through every path: `make realworld` (not in CI).

    python bench/realworld.py [--cache DIR] [--no-append]

Downloads the source distributions of four PDF libraries with pip (pinned below), gathers every
test PDF they ship, and runs them through `citydocs extract`, `citydocs run` (twice: the second
is served from the cache) and `citydocs watch --once`. Checks, per path: one outcome per input
name, no `internal`, no traceback on stderr, and the same kind for a name from every path (the
second run's index is checked apart: one line per input name). Prints the table of kinds, the
seconds per document and the peak memory of each command's process tree, and appends them to
bench/realworld.md; what each command printed on stderr is kept in the cache
folder's logs/. Exits 1 when a check fails.
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
import tarfile
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CITYDOCS = str(Path(sys.executable).with_name("citydocs"))
SOURCES = ["pypdf==7.1.0", "pikepdf==10.17.0", "ocrmypdf==17.13.0", "pdfminer==20191125"]
TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Pass:
    """One command over the whole set: what became of each input name, and at what cost."""

    name: str
    kinds: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    peak_mb: float = 0.0
    tracebacks: int = 0
    exit_code: int = 0
    problems: list[str] = field(default_factory=list)


def _pip() -> str:
    """A Python with pip: this one, or the system's (uv makes venvs without pip)."""
    # sys._base_executable: the interpreter the venv was made from, which usually has pip.
    base = getattr(sys, "_base_executable", None)
    for python in filter(None, (sys.executable, base, shutil.which("python3") or "python3")):
        probe = subprocess.run([python, "-m", "pip", "--version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return python
    raise SystemExit(
        "pip is needed to download the source distributions (apt-get install python3-pip)"
    )


def download(cache: Path) -> list[Path]:
    """The pinned source distributions (pip keeps what it already has)."""
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            _pip(),
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(cache),
            *SOURCES,
        ],
        check=True,
    )
    return sorted(cache.glob("*.tar.gz"))


def gather(archives: list[Path], folder: Path) -> list[Path]:
    """Every ``*.pdf`` in the archives, copied flat under a name made of its path (two packages
    ship a ``blank.pdf`` each: both are kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    found = []
    for archive in archives:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name.lower().endswith(".pdf"):
                    source = tar.extractfile(member)
                    assert source is not None
                    target = folder / member.name.replace("/", "__")
                    target.write_bytes(source.read())
                    found.append(target)
    return sorted(found)


def measured(args: list[str], env: dict[str, str], log: Path) -> tuple[int, float, float, str]:
    """Run a command; its exit code, wall seconds, peak resident MB of its process tree (polled
    every 0.2 s) and its stderr."""
    start = time.monotonic()
    with log.open("w") as err:
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        stop = threading.Event()

        def poll() -> None:
            nonlocal peak
            root = psutil.Process(process.pid)
            while not stop.is_set():
                total = 0
                try:
                    for proc in [root, *root.children(recursive=True)]:
                        with contextlib.suppress(psutil.Error):
                            total += proc.memory_info().rss
                except psutil.Error:
                    pass
                peak = max(peak, total)
                stop.wait(0.2)

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        code = process.wait()
        stop.set()
        watcher.join()
    return code, time.monotonic() - start, peak / 1048576, log.read_text(errors="replace")


def _from_folders(out: Path, names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Kinds from OUT/<stem>.json and OUT/quarantine/<name>.error.json (extract, watch)."""
    kinds: dict[str, str] = {}
    problems = []
    for name in names:
        found = []
        report = out / "quarantine" / f"{name}.error.json"
        if report.exists():
            found.append(json.loads(report.read_text())["error"]["kind"])
        stem = Path(name).stem
        for record in out.glob("*.json"):
            if record.stem == stem or record.stem.startswith(f"{stem}-"):
                data = json.loads(record.read_text())
                if data.get("source", {}).get("file_name") == name:
                    found.append(data["doc_type"])
        if len(found) != 1:
            problems.append(f"{name}: {len(found)} outcomes")
        if found:
            kinds[name] = found[0]
    return kinds, problems


def _from_index(out: Path, names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Kinds from OUT/_index.jsonl (run): one line per input name."""
    lines = [json.loads(line) for line in (out / "_index.jsonl").read_text().splitlines()]
    counts = Counter(line["file"] for line in lines)
    problems = [f"{name}: {counts[name]} index lines" for name in names if counts[name] != 1]
    problems += [f"{name}: not an input" for name in counts if name not in set(names)]
    kinds = {
        line["file"]: line["kind"] or line["status"].removeprefix("failed: ") for line in lines
    }
    return kinds, problems


def _exception_lines(stderr: str) -> list[str]:
    """The line that names the exception, after each traceback."""
    found = []
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(TRACEBACK):
            rest = [x for x in lines[i + 1 :] if x and not x.startswith(" ")]
            found.append(rest[0][:160] if rest else "?")
    return found


def run_pass(
    name: str, args: list[str], out: Path, names: list[str], env: dict[str, str], logs: Path
) -> Pass:
    code, seconds, peak, stderr = measured(
        [CITYDOCS, *args], env, logs / f"{name.replace(' ', '-')}.stderr"
    )
    result = Pass(name, seconds=seconds, peak_mb=peak, exit_code=code)
    result.tracebacks = stderr.count(TRACEBACK)
    reader = _from_index if name.startswith("run") else _from_folders
    result.kinds, result.problems = reader(out, names)
    internal = sorted(n for n, k in result.kinds.items() if k == "internal")
    result.problems += [f"{n}: internal" for n in internal]
    if result.tracebacks:
        last = _exception_lines(stderr)
        result.problems.append(f"{result.tracebacks} traceback(s) on stderr ({'; '.join(last)})")
    return result


def report(passes: list[Pass], names: list[str]) -> tuple[str, bool]:
    """The markdown table of kinds and costs, and whether every check held."""
    kinds = sorted({k for p in passes for k in p.kinds.values()})
    head = "| kind | " + " | ".join(p.name for p in passes) + " |"
    rows = [head, "|---" * (len(passes) + 1) + "|"]
    for kind in kinds:
        counts = [str(sum(1 for k in p.kinds.values() if k == kind)) for p in passes]
        rows.append(f"| {kind} | " + " | ".join(counts) + " |")
    rows.append("| s/document | " + " | ".join(f"{p.seconds / len(names):.2f}" for p in passes))
    rows[-1] += " |"
    rows.append("| peak MB (tree) | " + " | ".join(f"{p.peak_mb:.0f}" for p in passes) + " |")
    rows.append("| tracebacks | " + " | ".join(str(p.tracebacks) for p in passes) + " |")
    checks = []
    ok = True
    for p in passes:
        twin = p.name == "run (cached)"
        verdict = (
            "ok"
            if not p.problems
            else f"{len(p.problems)} problem(s): " + "; ".join(p.problems[:6])
        )
        label = "one line per input name (twins)" if twin else "outcomes, internal, tracebacks"
        checks.append(f"- {p.name}: {label}: {verdict}")
        ok = ok and not p.problems
    disagree = [
        n for n in names if len({p.kinds.get(n) for p in passes if p.name != "run (cached)"}) > 1
    ]
    checks.append(
        "- same kind from every path: "
        + ("ok" if not disagree else f"{len(disagree)} differ: " + ", ".join(disagree[:6]))
    )
    ok = ok and not disagree
    return "\n".join(rows) + "\n\n" + "\n".join(checks), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / "realworld-cache")
    parser.add_argument("--no-append", action="store_true", help="do not write realworld.md")
    options = parser.parse_args()
    archives = download(options.cache)
    with tempfile.TemporaryDirectory(prefix="citydocs-realworld-") as scratch:
        work = Path(scratch)
        pdfs = gather(archives, work / "pdfs")
        names = [p.name for p in pdfs]
        print(f"{len(pdfs)} PDFs from {len(archives)} source distributions", flush=True)
        env = {**os.environ, "PREFECT_HOME": str(work / "prefect")}
        logs = options.cache / "logs"  # kept: what each command printed on stderr
        logs.mkdir(parents=True, exist_ok=True)
        inbox = work / "inbox"
        inbox.mkdir()
        for pdf in pdfs:
            shutil.copy(pdf, inbox / pdf.name)
        plan = [
            ("extract", ["extract", str(work / "pdfs"), "--out", str(work / "extract")]),
            ("run", ["run", str(work / "pdfs"), "--out", str(work / "run")]),
            ("run (cached)", ["run", str(work / "pdfs"), "--out", str(work / "run")]),
            ("watch --once", ["watch", str(inbox), "--out", str(work / "watch"), "--once"]),
        ]
        passes = []
        for label, args in plan:
            out = work / args[args.index("--out") + 1]
            print(f"{label} …", flush=True)
            passes.append(run_pass(label, args, out, names, env, logs))
            print(f"  {passes[-1].seconds:.0f} s, {len(passes[-1].problems)} problem(s)")
        table, ok = report(passes, names)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    text = f"## {stamp} ({len(names)} PDFs; {machine})\n\n{table}\n"
    print("\n" + text)
    if not options.no_append:
        with (ROOT / "bench" / "realworld.md").open("a") as handle:
            handle.write("\n" + text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
