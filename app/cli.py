"""The ``citydocs`` command: extract, read, schema, evaluate, run, watch."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pipeline import __version__

app = typer.Typer(
    name="citydocs",
    help=(
        "Turn IURC city profiles and U-CAP summaries (PDF, scanned or born-digital) into "
        "validated JSON records. Every input ends as a record in OUT/ or a failure report in "
        "OUT/quarantine/."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "models" / "schema" / "record.schema.json"


def _version(value: bool) -> None:
    if value:
        print(f"citydocs {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """citydocs: PDFs about international city cooperation → validated JSON records."""


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given, and the PDFs (``*.pdf``, any case) inside directories, sorted."""
    from pipeline.running.process import pdfs_in

    found: list[Path] = []
    for path in paths:
        if path.is_dir() and path.suffix.lower() != ".pdf":
            found.extend(pdfs_in(path))
        else:
            found.append(path)
    return found


@app.command()
def extract(
    pdfs: Annotated[list[Path], typer.Argument(help="PDF files (or folders of PDFs) to extract.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the records.")] = Path(
        "output"
    ),
    password: Annotated[
        str | None, typer.Option(help="Password for encrypted PDFs.", envvar="CITYDOCS_PASSWORD")
    ] = None,
    max_pages: Annotated[
        int | None, typer.Option(help="Refuse PDFs with more pages (too_large). Default 500.")
    ] = None,
) -> None:
    """Extract records without Prefect: OUT/<stem>.json per PDF, a line per file.

    Each document is read in a worker process, with the limits of CITYDOCS_DOC_TIMEOUT_S and
    CITYDOCS_DOC_MEMORY_MB.

    A PDF that cannot become a record gets OUT/quarantine/<name>.error.json instead, and the
    command exits with the number of failed files (capped at 100).
    """
    from pipeline.base.settings import get_settings
    from pipeline.running import isolation

    settings = get_settings()
    if max_pages is not None:
        settings = settings.model_copy(update={"max_pages": max_pages})
    isolation.prestart(settings, 1)  # one at a time: one worker (app.__main__ started it)
    from pipeline.running.process import process_file

    inputs = expand_inputs(pdfs)
    if not inputs:
        console.print("[red]no PDF files given[/red]")
        raise typer.Exit(2)
    failed = 0
    taken: set[Path] = set()
    for path in inputs:
        outcome = process_file(path, out, settings=settings, password=password, taken=taken)
        if outcome.record is not None:
            source = outcome.record.source
            ocr = ",".join(map(str, source.ocr_pages)) or "-"
            print(
                f"ok      {path.name}  {outcome.kind}  pages={source.page_count}  ocr={ocr}  "
                f"{outcome.seconds:.1f}s  → {outcome.written}"
            )
        else:
            failed += 1
            assert outcome.failure is not None
            print(
                f"FAILED  {path.name}  {outcome.failure.error.kind}: {outcome.failure.error.message}"
            )
    isolation.pool().close()
    if failed:
        console.print(f"[red]{failed} of {len(inputs)} file(s) failed[/red]")
    raise typer.Exit(min(failed, 100))


@app.command()
def read(
    pdf: Annotated[Path, typer.Argument(help="The PDF to read.")],
    password: Annotated[str | None, typer.Option(help="Password for encrypted PDFs.")] = None,
) -> None:
    """Print the clean blocks of a PDF by page and region, as the reading layer sees them."""
    from pipeline.base.errors import CitydocsError
    from pipeline.reading.classify import classify
    from pipeline.reading.reader import read_pdf

    try:
        document = read_pdf(pdf, password=password)
    except CitydocsError as error:
        console.print(f"[red]{error.kind}[/red]: {error.message}")
        raise typer.Exit(1) from error
    out = Console()
    for page in document.pages:
        extra = ""
        if page.source == "ocr":
            extra = f" (OCR: {page.ocr_reason}; confidence {page.ocr_confidence}; skew {page.skew_degrees}°)"
        out.rule(f"page {page.number} · {page.source}{extra}")
        for block in page.blocks:
            style = "bold" if block.kind == "heading" else ""
            out.print(f"[dim]\\[{block.region} {block.kind}][/dim] ", end="")
            out.print(block.text, style=style, markup=False, highlight=False)
    result = classify(document)
    out.rule(f"kind: {result.kind or 'unknown'} · {result.reason}")
    for warning in document.warnings:
        out.print(f"[yellow]warning[/yellow]: {warning}")


@app.command()
def schema(
    check: Annotated[
        bool, typer.Option(help="Exit 1 when models/schema/record.schema.json is out of date.")
    ] = False,
    write: Annotated[bool, typer.Option(help="Rewrite models/schema/record.schema.json.")] = False,
) -> None:
    """Print the JSON Schema of the records and failure reports citydocs writes."""
    from models import record_json_schema

    text = json.dumps(record_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if write:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
    if check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            console.print(f"[red]{SCHEMA_FILE} is out of date: run `citydocs schema --write`[/red]")
            raise typer.Exit(1)
        return
    if not write:
        sys.stdout.write(text)


@app.command()
def evaluate(
    outdir: Annotated[Path, typer.Argument(help="Folder of records written by citydocs.")],
    expected: Annotated[Path, typer.Option(help="Folder of expected records (same stems).")],
) -> None:
    """Compare records with expected records field by field (strict and soft F1)."""
    from app.evaluate import evaluate_folder, render

    report = evaluate_folder(outdir, expected)
    if not report.documents:
        console.print(f"[red]no records in {outdir} match an expected record in {expected}[/red]")
        raise typer.Exit(1)
    render(report, Console())


def _prefect_defaults(*, embedded: bool = False) -> None:
    """Embedded Prefect: no analytics, time for a fresh database to migrate, quiet logs.

    ``embedded``: this command's Prefect server is the temporary one Prefect starts as a
    subprocess and SIGTERMs when the command ends. Its task-run recorder, cancelled in the middle
    of writing the last states, logs ``CancelledError`` tracebacks on our stderr (a cached run
    ends quickly enough to meet it every time); that server's own logs are kept to what is
    critical. A served or --dask run, with a server that outlives the batch, keeps them.
    """
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "240")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if embedded and not os.environ.get("PREFECT_API_URL"):
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")


@app.command()
def run(
    folder: Annotated[
        Path, typer.Argument(help="Folder of PDFs to extract.", exists=True, file_okay=False)
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the records.")] = Path(
        "output"
    ),
    dask: Annotated[
        str | None,
        typer.Option(
            help="Run the tasks on Dask: 'local' (a LocalCluster, one worker per core) or a "
            "scheduler address such as tcp://10.0.0.5:8786. Needs a Prefect server: one is "
            "started on loopback when PREFECT_API_URL is not set."
        ),
    ] = None,
) -> None:
    """Run the batch flow over a folder with embedded Prefect (no server needed).

    One Prefect task per PDF, each document read in a worker process (one per core, with the
    time and memory limits of CITYDOCS_DOC_TIMEOUT_S and CITYDOCS_DOC_MEMORY_MB); unchanged files
    are served from the cache. Writes OUT/<stem>.json, OUT/quarantine/<name>.error.json for
    failures and OUT/_index.jsonl, and exits with the number of failed files.
    """
    _prefect_defaults(embedded=dask is None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows import batch

    out.mkdir(parents=True, exist_ok=True)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    bar = progress.add_task("starting Prefect (embedded)", total=None)

    class ProgressHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            done, total, line = record.progress  # type: ignore[attr-defined]
            label = f"extracting ({line['file']})" if line else "extracting"
            progress.update(bar, completed=done, total=total, description=label)

    handler = ProgressHandler()
    batch.progress_log.addHandler(handler)
    batch.progress_log.setLevel(logging.INFO)
    batch.progress_log.propagate = False
    flow = batch.extract_folder
    if dask:
        logging.getLogger("distributed").setLevel(logging.WARNING)
        flow = flow.with_options(task_runner=batch.task_runner_for(dask))
    try:
        with prefect_api(out / "prefect-server.log") if dask else nullcontext(), progress:
            results = flow(str(folder.resolve()), str(out.resolve()))
    finally:
        batch.progress_log.removeHandler(handler)
    rows = [
        {
            "file": r["file"],
            "kind": r["kind"] or "-",
            "pages": str(r["pages"]),
            "OCR pages": str(r["ocr_pages"]),
            "fields": str(r["fields_filled"]),
            "status": r["status"] + (" (cached)" if r.get("cached") else ""),
        }
        for r in results
    ]
    Console().print(_table(rows, f"citydocs run: {folder} → {out}"))
    failed = sum(1 for r in results if r["status"] != "ok")
    if failed:
        console.print(
            f"[red]{failed} of {len(results)} file(s) failed; reports in {out / 'quarantine'}[/red]"
        )
    raise typer.Exit(min(failed, 100))


def parse_every(text: str) -> timedelta:
    """ "30s", "5m", "1h" or plain seconds → a timedelta."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise typer.BadParameter(f"{text!r}: use a number of seconds, or 30s, 5m, 1h")
    value = float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]
    if value <= 0:
        raise typer.BadParameter("the interval must be positive")
    return timedelta(seconds=value)


@contextmanager
def prefect_api(log: Path) -> Iterator[str | None]:
    """The configured Prefect API, or a local server on loopback started (and stopped) here."""
    import os

    from app.server import start_local_server

    if os.environ.get("PREFECT_API_URL"):
        yield None
        return
    console.print("starting a local Prefect server on 127.0.0.1 …")
    server = start_local_server(log=log)
    os.environ["PREFECT_API_URL"] = server.url
    console.print(f"Prefect UI: [bold]{server.ui}[/bold]  (server log: {log})")
    try:
        yield server.ui
    finally:
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)


@app.command()
def watch(
    inbox: Annotated[Path, typer.Argument(help="Drop directory to watch.", file_okay=False)],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for records, archive and quarantine.")
    ] = Path("output"),
    every: Annotated[str, typer.Option(help="How often to look: 30s, 5m, 1h.")] = "30s",
    once: Annotated[
        bool,
        typer.Option("--once", help="One pass with embedded Prefect and no server (for cron)."),
    ] = False,
    settle: Annotated[
        float, typer.Option(help="Seconds a file's size and mtime must hold still.")
    ] = 2.0,
) -> None:
    """Process PDFs dropped into INBOX as they arrive.

    Complete files (size and mtime unchanged across two looks; no .part, hidden or temporary
    names) are claimed into INBOX/.processing/, extracted into OUT/<stem>.json, then moved to
    OUT/archive/YYYY-MM-DD/ or, with their failure report, to OUT/quarantine/. Nothing is lost
    when a run is killed: the next one finishes what .processing/ holds.

    Without --once this serves a Prefect deployment on an interval schedule; with no
    PREFECT_API_URL set it starts a local Prefect server on loopback and stops it on Ctrl-C.
    """
    _prefect_defaults(embedded=once)
    interval = parse_every(every)
    inbox.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    if once:
        from flows.watch import watch_inbox

        results = watch_inbox(str(inbox.resolve()), str(out.resolve()), settle)
        for r in results:
            print(f"{r['status']:<8} {r['file']}  → {r['record'] or r['moved_to']}")
        failed = sum(1 for r in results if r["status"].startswith("failed"))
        raise typer.Exit(min(failed, 100))
    with prefect_api(out / "prefect-server.log"):
        from flows.watch import serve  # imported once the API is known, so Prefect sees it

        console.print(f"watching {inbox} every {interval.total_seconds():g} s; Ctrl-C to stop")
        try:
            serve(inbox, out, interval)
        except KeyboardInterrupt:
            console.print("stopped")


@app.command()
def inspect(
    record: Annotated[
        Path,
        typer.Argument(
            help="A record (or failure report) written by citydocs.", exists=True, dir_okay=False
        ),
    ],
    field: Annotated[
        str | None,
        typer.Option(help="One field path, e.g. activities[2].date: its value and provenance."),
    ] = None,
    overlay: Annotated[
        Path | None, typer.Option(help="Write one PNG per page with every field's box drawn here.")
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(help="The source PDF, when it is not at the record's source path."),
    ] = None,
) -> None:
    """Show what was extracted and where it came from."""
    from app import views as look

    data = look.load(record)
    out = Console()
    if field:
        try:
            value = look.get_path(data, field)
        except KeyError:
            console.print(f"[red]{field}: no such field in {record.name}[/red]")
            raise typer.Exit(1) from None
        out.print_json(json.dumps(value, ensure_ascii=False))
        found = look.provenance_for(data, field)
        if found is None:
            out.print("[yellow]no provenance recorded for this field[/yellow]")
        else:
            path, prov = found
            where = f"page {prov['page']}, box {prov['bbox']} (PDF points, top-left origin), method {prov['method']}"
            if prov.get("confidence") is not None:
                where += f", OCR confidence {prov['confidence']}"
            out.print(f"provenance ({path}): {where}")
        return
    if overlay is not None:
        source = pdf or Path((data.get("source") or {}).get("path") or "")
        if not source.is_file():
            console.print("[red]cannot find the source PDF: pass it with --pdf[/red]")
            raise typer.Exit(1)
        for png in look.overlays(data, source, overlay):
            print(png)
        return
    out.print(look.tree(data, record.name))


@app.command()
def report(
    out: Annotated[
        Path,
        typer.Argument(help="A folder citydocs wrote records into.", exists=True, file_okay=False),
    ],
) -> None:
    """Write OUT/report.html: a static page of the run (documents, failures, fill rates)."""
    from app.views import report_html

    print(report_html(out))


@app.command()
def diff(
    a: Annotated[Path, typer.Argument(help="A record.", exists=True, dir_okay=False)],
    b: Annotated[
        Path,
        typer.Argument(help="Another record (say, the expected one).", exists=True, dir_okay=False),
    ],
    with_provenance: Annotated[
        bool, typer.Option(help="Compare provenance and source too.")
    ] = False,
) -> None:
    """Field-level differences between two records; exits 1 when they differ."""
    from app import views as look

    ignore = () if with_provenance else ("provenance", "source", "warnings")
    rows = look.diff(look.load(a), look.load(b), ignore)
    if not rows:
        print("no differences")
        return
    table = Table(title=f"A ↔ B: {len(rows)} difference(s)")
    for column in ("field", f"A: {a}", f"B: {b}"):
        table.add_column(column, overflow="fold")
    for path, va, vb in rows:
        table.add_row(path, json.dumps(va, ensure_ascii=False), json.dumps(vb, ensure_ascii=False))
    Console(width=160).print(table)
    raise typer.Exit(1)


def _table(rows: list[dict[str, str]], title: str) -> Table:
    table = Table(title=title)
    for key in rows[0] if rows else []:
        table.add_column(key)
    for row in rows:
        table.add_row(*row.values())
    return table


if __name__ == "__main__":  # pragma: no cover
    app()
