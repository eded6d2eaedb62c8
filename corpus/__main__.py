"""``python -m corpus generate --range dev|report --count N --out DIR``."""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from corpus.generate import DEV_START, REPORT_START, generate
from corpus.strata import stratified_seeds


def _one(args: tuple[int, Path, float, dict[str, str]]) -> dict:
    seed, out, share, force = args
    doc = generate(seed, scanned_share=share, force=force)
    (out / f"{doc.name}.pdf").write_bytes(doc.pdf)
    (out / "expected" / f"{doc.name}.json").write_text(
        json.dumps(doc.expected, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {
        "name": doc.name,
        "seed": seed,
        "kind": doc.kind,
        "scanned": doc.scanned,
        "axes": doc.axes,
    }


def write_corpus(
    out: Path,
    seeds: list[int],
    scanned_share: float = 1 / 3,
    workers: int = 1,
    force: dict[str, str] | None = None,
) -> list[dict]:
    (out / "expected").mkdir(parents=True, exist_ok=True)
    jobs = [(seed, out, scanned_share, force or {}) for seed in seeds]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            rows = list(pool.map(_one, jobs, chunksize=4))
    else:
        rows = [_one(job) for job in jobs]
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write PDFs, expected records and a manifest")
    gen.add_argument("--range", choices=["dev", "report"], default="dev")
    gen.add_argument("--count", type=int, default=20)
    gen.add_argument("--start", type=int, default=None, help="first seed (default: the range's)")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--scanned-share", type=float, default=1 / 3)
    gen.add_argument("--workers", type=int, default=1)
    gen.add_argument(
        "--stratify-over",
        type=int,
        default=None,
        metavar="M",
        help="the COUNT documents are the first of the M seeds from --start in an order whose "
        "every prefix has the same mix of kind, scan and page count (corpus.strata), so that "
        "corpora of several counts over one M are nested and alike; the manifest keeps it",
    )
    gen.add_argument(
        "--force",
        action="append",
        default=[],
        metavar="AXIS=VALUE",
        help="dev only: set a scan axis (dpi, turn, colour) after it is drawn, e.g. turn=180",
    )
    args = parser.parse_args(argv)
    force = dict(item.split("=", 1) for item in args.force)
    if force and args.range != "dev":
        parser.error("--force is for the development range only")
    if set(force) - {"dpi", "turn", "colour"}:
        parser.error("--force takes dpi, turn or colour")
    start = (
        args.start
        if args.start is not None
        else (DEV_START if args.range == "dev" else REPORT_START)
    )
    if args.range == "report" and start < REPORT_START:
        parser.error(f"report seeds start at {REPORT_START}")
    span = args.stratify_over if args.stratify_over is not None else args.count
    if span < args.count:
        parser.error("--stratify-over must be at least --count")
    if args.range == "dev" and start + span > REPORT_START:
        parser.error("the development range ends below the report range's first seed")
    seeds = list(range(start, start + span))
    if args.stratify_over is not None:
        seeds = stratified_seeds(seeds, args.scanned_share)
    rows = write_corpus(args.out, seeds[: args.count], args.scanned_share, args.workers, force)
    print(f"{len(rows)} documents in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
