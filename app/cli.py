"""The ``citydocs`` command.

Commands: ``extract`` (records without Prefect), ``run`` (the Prefect batch flow), ``watch``
(a drop directory), ``read`` (the reading layer's view of a PDF), ``inspect`` (a record, one
field's provenance, overlays), ``report`` (an HTML page of a run), ``diff`` (two records),
``export`` (a run's records as tables), ``evaluate`` (scores against expected records) and
``schema`` (the JSON Schema).

Paths are checked (``app.checks``) before anything heavy is imported or started; settings are
read here, once (``pipeline.base.settings``), with the command line's flags on top, and handed
down.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import SecretStr, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app import checks
from app.checks import stop
from app.help import Command, Group
from pipeline import __version__
from pipeline.base.environment import set_embedded_server_defaults
from pipeline.base.request import Request
from pipeline.base.settings import Settings, get_settings

if TYPE_CHECKING:  # the outcome holds the records' models, slow to build at start-up
    from pipeline.running.outcome import Outcome

app = typer.Typer(
    name="citydocs",
    cls=Group,
    help=(
        "Turn IURC city profiles and U-CAP summaries (PDF, scanned or born-digital) into "
        "validated JSON records. Every input ends as a record in OUT/ or a failure report in "
        "OUT/quarantine/. Exit codes: 0 success, 1 documents failed, 2 usage error, "
        "3 output not writable, 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "models" / "schema" / "record.schema.json"


class Verbosity:
    """``-q``/``-v`` of the top-level command, read by every command."""

    level = 1  # 0 quiet (errors and the last line only), 1 normal, 2 verbose


class Format(StrEnum):
    json = "json"
    jsonl = "jsonl"


def _version(value: bool) -> None:
    if value:
        print(f"citydocs {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors and the closing line.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Prefect's and citydocs' INFO logs too.")
    ] = False,
) -> None:
    """citydocs: PDFs about international city cooperation → validated JSON records."""
    Verbosity.level = 0 if quiet else 2 if verbose else 1
    if verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
        logging.basicConfig(level=logging.INFO)


def say(text: str) -> None:
    """A per-file line on standard output, unless ``-q``."""
    if Verbosity.level:
        print(text, flush=True)


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C and SIGTERM end the command with exit code 130 and one line, not a traceback."""

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    except KeyboardInterrupt:
        console.print("interrupted; what was written stays, a rerun takes up the rest")
        raise typer.Exit(checks.INTERRUPTED) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


# Options shared by the commands that read documents.
DpiOption = Annotated[
    int | None,
    typer.Option("--dpi", metavar="DPI", help="Render resolution for OCR (CITYDOCS_OCR_DPI)."),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--ocr-lang", metavar="LANGS", help="Tesseract languages, e.g. eng+fra (CITYDOCS_OCR_LANG)."
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", metavar="N", help="Worker processes; 0 = one per core (CITYDOCS_WORKERS)."
    ),
]
RecursiveOption = Annotated[
    bool, typer.Option("--recursive", "-r", help="Look in subfolders of a folder too.")
]
GlobOption = Annotated[
    str,
    typer.Option("--glob", metavar="PATTERN", help="Which files of a folder to take (any case)."),
]
PortOption = Annotated[
    int | None,
    typer.Option(
        metavar="PORT", help="Port of the local Prefect server started here (default: a free one)."
    ),
]
HostOption = Annotated[
    str, typer.Option(metavar="HOST", help="Address the local Prefect server listens on.")
]


PasswordOption = Annotated[
    str | None,
    typer.Option(
        "--password",
        metavar="PASSWORD",
        help="Password for encrypted PDFs (visible to other users in the process list: prefer "
        "--password-file or CITYDOCS_PASSWORD).",
        show_default=False,
    ),
]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        metavar="FILE",
        help="A file whose first line is the password for encrypted PDFs.",
        dir_okay=False,
    ),
]


def with_password(settings: Settings, password: str | None, password_file: Path | None) -> Settings:
    """The settings with the password given on the command line (``--password`` or
    ``--password-file``) in place of ``CITYDOCS_PASSWORD``."""
    if password is not None and password_file is not None:
        raise stop("give --password or --password-file, not both")
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise stop(f"cannot read the password file {password_file}: {exc}") from None
        password = lines[0] if lines else ""
    if password is None:
        return settings
    return settings.model_copy(update={"password": SecretStr(password)})


def export_password(settings: Settings) -> None:
    """Hand the password to the flows through the environment: their tasks (and a served
    deployment's run processes) read it with the other settings, never as a flow parameter,
    which Prefect would store and show."""
    if settings.password is not None:
        os.environ["CITYDOCS_PASSWORD"] = settings.password.get_secret_value()
        get_settings.cache_clear()


def settings_from(
    dpi: int | None = None,
    ocr_lang: str | None = None,
    jobs: int | None = None,
    max_pages: int | None = None,
) -> tuple[Settings, dict[str, object]]:
    """The environment's settings with the command line's flags on top, validated."""
    update = {
        k: v
        for k, v in {
            "ocr_dpi": dpi,
            "ocr_lang": ocr_lang,
            "workers": jobs,
            "max_pages": max_pages,
        }.items()
        if v is not None
    }
    try:
        return Settings.model_validate(get_settings().model_dump() | update), update
    except ValidationError as error:
        first = error.errors()[0]
        raise stop(f"{first['loc'][0]}: {first['msg']}") from None


def hand_down(update: dict[str, object]) -> None:
    """Make flag overrides reach the flows and their Dask or served worker processes.

    The flows still read ``get_settings()`` themselves; until they take a Settings, the flags
    travel as the ``CITYDOCS_*`` variables those processes inherit.
    """
    for name, value in update.items():
        os.environ[f"CITYDOCS_{name.upper()}"] = str(value)
    get_settings.cache_clear()


@app.command(cls=Command)
def extract(
    pdfs: Annotated[
        list[Path], typer.Argument(help="PDF files, or folders of PDFs.", metavar="PDF")
    ],
    out: Annotated[
        str,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Folder for the records; - for standard output."
        ),
    ] = "output",
    output_format: Annotated[
        Format,
        typer.Option("--format", help="With -o -: json (indented, an array for several) or jsonl."),
    ] = Format.json,
    recursive: RecursiveOption = False,
    glob: GlobOption = "*.pdf",
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
    max_pages: Annotated[
        int | None,
        typer.Option(metavar="N", help="Refuse PDFs with more pages (too_large). Default 500."),
    ] = None,
    dpi: DpiOption = None,
    ocr_lang: LangOption = None,
) -> None:
    """Extract records without Prefect: OUT/<stem>.json per PDF, a line per file.

    Each document is read in a worker process, with the limits of CITYDOCS_DOC_TIMEOUT_S and
    CITYDOCS_DOC_MEMORY_MB. A PDF that cannot become a record gets
    OUT/quarantine/<name>.error.json instead (with -o -, a line on standard error), and the
    command exits 1.
    """
    inputs = checks.find_pdfs(pdfs, recursive=recursive, glob=glob)
    to_stdout = out == "-"
    out_dir = None if to_stdout else checks.writable_folder(Path(out))
    settings, _ = settings_from(dpi, ocr_lang, None, max_pages)
    settings = with_password(settings, password, password_file)
    # Imported here, once the paths are known to be good: app.__main__ started the worker.
    from pipeline.running import isolation

    isolation.prestart(settings, 1)  # one at a time: one worker (app.__main__ started it)
    from pipeline.running.output import record_path, taken_for
    from pipeline.running.process import process_file, run_one

    failed = 0
    taken: set[Path] = set()
    streamed: list[str] = []
    with interruptible():
        for path in inputs:
            request = Request.of(path, settings)
            if out_dir is None:
                record, failure = run_one(request, settings)
                if record is not None:
                    indent = 2 if output_format is Format.json else None
                    streamed.append(record.model_dump_json(indent=indent))
                    if output_format is Format.jsonl:
                        print(streamed.pop(), flush=True)
                else:
                    failed += 1
                    assert failure is not None
                    console.print(
                        f"FAILED  {path.name}  {failure.error.kind}: {failure.error.message}",
                        markup=False,
                    )
                continue
            target = record_path(out_dir, path, request.sha256, taken_for(request.sha256, taken))
            outcome = process_file(request, out_dir, target, settings)
            if outcome.ok:
                taken.add(target)
                ocr = ",".join(map(str, outcome.ocr_pages)) or "-"
                say(
                    f"ok      {outcome.file}  {outcome.doc_type}  pages={outcome.pages}  "
                    f"ocr={ocr}  {outcome.seconds:.1f}s  → {outcome.written}"
                )
            else:
                failed += 1
                assert outcome.failure is not None
                error = outcome.failure.error
                print(f"FAILED  {outcome.file}  {error.kind}: {error.message}")
    isolation.close()
    if to_stdout and output_format is Format.json and streamed:
        print(streamed[0] if len(inputs) == 1 else "[\n" + ",\n".join(streamed) + "\n]")
    if failed:
        console.print(f"[red]{failed} of {len(inputs)} file(s) failed[/red]")
    raise typer.Exit(checks.FAILED if failed else checks.OK)


@app.command(cls=Command)
def read(
    pdf: Annotated[Path, typer.Argument(help="The PDF to read.")],
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Print the clean blocks of a PDF by page and region, as the reading layer sees them."""
    checks.existing_file(pdf)
    settings = with_password(get_settings(), password, password_file)
    # Imported here for start-up speed: the reading layer loads pdfplumber and Tesseract's glue.
    from pipeline.base.errors import CitydocsError
    from pipeline.reading.classify import classify
    from pipeline.reading.reader import read_pdf

    try:
        document = read_pdf(Request.of(pdf, settings), settings)
    except CitydocsError as error:
        console.print(f"[red]{error.kind}[/red]: {error.message}")
        raise typer.Exit(checks.FAILED) from error
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
    out.rule()
    # A plain line, wrapped rather than cut: the reason is the point of the footer.
    out.print(f"kind: {result.kind or 'unknown'} · {result.reason}", markup=False, highlight=False)
    for warning in document.warnings:
        out.print(f"[yellow]warning[/yellow]: {warning}")


@app.command(cls=Command)
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


@app.command(cls=Command)
def evaluate(
    outdir: Annotated[Path, typer.Argument(help="Folder of records written by citydocs.")],
    expected: Annotated[
        Path, typer.Option(metavar="DIR", help="Folder of expected records (same stems).")
    ],
    min_f1: Annotated[
        float | None,
        typer.Option(
            "--min-f1", metavar="F1", help="Exit 1 when the field F1 is below this (for CI)."
        ),
    ] = None,
) -> None:
    """Compare records with expected records field by field (strict and soft F1).

    A record missing for an expected one scores 0 and is named.
    """
    checks.existing_folder(outdir, "records folder")
    checks.existing_folder(expected, "--expected")
    if not any(expected.glob("*.json")):
        raise stop(f"no expected records (*.json) in {expected}")
    if not any(p for p in outdir.glob("*.json") if not p.name.startswith("_")):
        raise stop(f"no records (*.json) in {outdir}; run citydocs first or check the path")
    from app.evaluate import evaluate_folder, render

    report = evaluate_folder(outdir, expected)
    if len(report.missing) == len(report.documents):
        raise stop(f"no records in {outdir} match an expected record in {expected}")
    if report.missing:
        console.print(
            f"[yellow]{len(report.missing)} record(s) missing (scored 0)[/yellow]: "
            + ", ".join(report.missing)
        )
    render(report, Console())
    if min_f1 is not None and report.field_f1 < min_f1:
        console.print(f"[red]field F1 {report.field_f1:.3f} is below --min-f1 {min_f1}[/red]")
        raise typer.Exit(checks.FAILED)


class RunProgress(logging.Handler):
    """The batch flow's progress records → a bar whose label counts ok, failed and cached."""

    def __init__(self, progress, bar) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.progress, self.bar = progress, bar
        self.counts = {"ok": 0, "failed": 0, "cached": 0}

    def emit(self, record: logging.LogRecord) -> None:
        done, total, outcome = record.progress  # type: ignore[attr-defined]
        if outcome is not None:
            self.counts["ok" if outcome.ok else "failed"] += 1
            self.counts["cached"] += outcome.cached
        label = " · ".join(f"{n} {k}" for k, n in self.counts.items()) if done else "submitted"
        self.progress.update(self.bar, completed=done, total=total, description=label)


def tune_embedded_server(embedded: bool) -> None:
    """With no server configured, Prefect starts a temporary one as a subprocess and stops it
    when the command ends: it gets the settings of ``EMBEDDED_SERVER`` (quiet logs, no
    automations, task runs recorded in batches). A served or --dask run, with a server that
    outlives the batch, keeps Prefect's own."""
    if embedded and not os.environ.get("PREFECT_API_URL"):
        set_embedded_server_defaults()


@app.command(cls=Command)
def run(
    folder: Annotated[Path, typer.Argument(help="Folder of PDFs to extract.", metavar="DIR")],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="Folder for the records.")
    ] = Path("output"),
    recursive: RecursiveOption = False,
    glob: GlobOption = "*.pdf",
    dask: Annotated[
        str | None,
        typer.Option(
            help="Run the tasks on Dask: 'local' (a LocalCluster, one worker per core) or a "
            "scheduler address such as tcp://10.0.0.5:8786. Needs a Prefect server: one is "
            "started on loopback when PREFECT_API_URL is not set."
        ),
    ] = None,
    port: PortOption = None,
    host: HostOption = "127.0.0.1",
    force: Annotated[
        bool,
        typer.Option("--force", help="Extract every file again, whatever the cache holds."),
    ] = False,
    dpi: DpiOption = None,
    ocr_lang: LangOption = None,
    jobs: JobsOption = None,
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Run the batch flow over a folder with embedded Prefect (no server needed).

    One Prefect task per PDF, each document read in a worker process (one per core, with the
    time and memory limits of CITYDOCS_DOC_TIMEOUT_S and CITYDOCS_DOC_MEMORY_MB); unchanged
    files are served from the cache while their records still validate and name the file's
    sha256 (when every file is, Prefect is not even started). Writes OUT/<stem>.json,
    OUT/quarantine/<name>.error.json for failures and OUT/_index.jsonl, and exits 1 when a
    file failed.
    """
    checks.existing_folder(folder)
    inputs = checks.find_pdfs([folder], recursive=recursive, glob=glob)
    checks.writable_folder(out)
    settings, update = settings_from(dpi, ocr_lang, jobs)
    settings = with_password(settings, password, password_file)
    hand_down(update)
    export_password(settings)
    tune_embedded_server(dask is None)
    # Imported here, once the paths are good: it loads the records' models.
    from pipeline.running.reuse import all_cached

    results = None if force else all_cached(inputs, out, settings)
    if results is None:
        results = _run_flow(
            folder, out, inputs, settings, dask, port, host, force, glob=glob, recursive=recursive
        )
    failed = sum(1 for r in results if not r.ok)
    cached = sum(1 for r in results if r.cached)
    if Verbosity.level:
        Console().print(_run_table(results, f"citydocs run: {folder} → {out}"))
    print(f"{len(results)} file(s): {len(results) - failed} ok ({cached} cached), {failed} failed")
    if failed:
        console.print(f"[red]failure reports in {out / 'quarantine'}[/red]")
    raise typer.Exit(checks.FAILED if failed else checks.OK)


def _run_flow(
    folder: Path,
    out: Path,
    inputs: list[Path],
    settings: Settings,
    dask: str | None,
    port: int | None,
    host: str,
    force: bool,
    *,
    glob: str,
    recursive: bool,
) -> list[Outcome]:
    """The batch flow under a progress bar (and a Prefect server for Dask); the flow finds
    ``inputs`` again in ``folder`` by ``glob`` and ``recursive``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=Verbosity.level == 0,
    )
    bar = progress.add_task(f"starting Prefect for {len(inputs)} file(s)", total=None)
    with interruptible(), progress:
        from flows import batch  # here: Prefect's import is most of the start-up

        handler = RunProgress(progress, bar)
        batch.progress_log.addHandler(handler)
        batch.progress_log.setLevel(logging.INFO)
        batch.progress_log.propagate = False
        flow = batch.extract_folder
        if dask:
            logging.getLogger("distributed").setLevel(logging.WARNING)
            flow = flow.with_options(task_runner=batch.task_runner_for(dask, settings))
        try:
            with prefect_api(port, host) if dask else nullcontext():
                if dask and dask != "local":
                    progress.update(bar, description=f"checking the Dask workers at {dask}")
                    check_dask(dask)
                return flow(
                    str(folder.resolve()),
                    str(out.resolve()),
                    glob=glob,
                    recursive=recursive,
                    force=force,
                )
        finally:
            batch.progress_log.removeHandler(handler)


def check_dask(address: str) -> None:
    """Refuse a cluster whose workers would lose the run's reports or fail its scans; warn
    when they would run documents without limits (``flows.dask_workers``)."""
    from flows.dask_workers import check_workers  # imported here: it loads Dask

    verdict = check_workers(address, os.environ.get("PREFECT_API_URL"))
    for line in verdict.warn:
        console.print(f"[yellow]warning[/yellow]: {escape(line)}", highlight=False)
    if verdict.refuse:
        for line in verdict.refuse[1:]:
            console.print(line, markup=False, highlight=False)
        raise stop(verdict.refuse[0])


def _run_table(results: list[Outcome], title: str) -> Table:
    table = Table(title=title)
    table.add_column("file", overflow="fold")  # folded, never cut: two names must stay two
    for column in ("kind", "pages", "OCR pages", "fields", "status"):
        table.add_column(column, no_wrap=column != "status")
    for r in results:
        status = r.status + (" (cached)" if r.cached else "")
        table.add_row(
            r.file,
            r.doc_type or "-",
            str(r.pages),
            str(len(r.ocr_pages)),
            str(r.fields_filled),
            status,
        )
    return table


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
def prefect_api(port: int | None = None, host: str = "127.0.0.1") -> Iterator[str | None]:
    """The configured Prefect API, or a local server started (and stopped) here."""
    from app.server import port_taken, start_local_server

    if os.environ.get("PREFECT_API_URL"):
        if port is not None:
            console.print("[yellow]--port ignored: PREFECT_API_URL names the server[/yellow]")
        yield None
        return
    if port is not None and port_taken(host, port):
        raise stop(f"port {port} on {host} is taken; choose another --port or leave it out")
    console.print(f"starting a local Prefect server on {host} …")
    try:
        server = start_local_server(port=port, host=host)
    except RuntimeError as error:
        raise stop(str(error), checks.FAILED) from None
    os.environ["PREFECT_API_URL"] = server.url
    console.print(f"Prefect UI: [bold]{server.ui}[/bold]  (server log: {server.log})")
    try:
        yield server.ui
    finally:
        server.stop()
        os.environ.pop("PREFECT_API_URL", None)


@app.command(cls=Command)
def watch(
    inbox: Annotated[Path, typer.Argument(help="Drop directory to watch (must exist).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", metavar="DIR", help="Folder for records, archive and quarantine."
        ),
    ] = Path("output"),
    every: Annotated[
        str, typer.Option(metavar="INTERVAL", help="How often to look: 30s, 5m, 1h.")
    ] = "30s",
    once: Annotated[
        bool,
        typer.Option("--once", help="One pass with embedded Prefect and no server (for cron)."),
    ] = False,
    settle: Annotated[
        float,
        typer.Option(metavar="SECONDS", help="Seconds a file's size and mtime must hold still."),
    ] = 2.0,
    port: PortOption = None,
    host: HostOption = "127.0.0.1",
    dpi: DpiOption = None,
    ocr_lang: LangOption = None,
    jobs: JobsOption = None,
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Process PDFs dropped into INBOX as they arrive.

    Complete files (size and mtime unchanged across two looks; no .part, hidden or temporary
    names) are claimed into INBOX/.processing/, extracted into OUT/<stem>.json, then moved to
    OUT/archive/YYYY-MM-DD/ or, with their failure report, to OUT/quarantine/. Nothing is lost
    when a run is killed: the next one finishes what .processing/ holds.

    Without --once this serves a Prefect deployment on an interval schedule; with no
    PREFECT_API_URL set it starts a local Prefect server (--host, --port) and stops it on
    Ctrl-C or SIGTERM. With --once the exit code is 1 when a document failed and 3 when a
    file could not be finished (it stays in INBOX/.processing/ for the next pass).
    """
    tune_embedded_server(once)
    interval = parse_every(every)
    checks.existing_folder(inbox, "inbox")
    checks.writable_folder(out)
    settings, update = settings_from(dpi, ocr_lang, jobs)
    hand_down(update)
    export_password(with_password(settings, password, password_file))
    if once:
        with interruptible():
            from flows.watch import watch_inbox  # here: Prefect's import is the slow part

            results = watch_inbox(str(inbox.resolve()), str(out.resolve()), settle)
        for r in results:
            say(f"{r.status:<8} {r.file}  → {r.written if r.ok else r.moved_to}")
        failed = sum(1 for r in results if not r.ok)
        left = [p.name for p in (inbox / ".processing").glob("*") if not p.name.startswith(".")]
        if left:
            console.print(
                f"[red]{len(left)} file(s) could not be finished and stay in "
                f"{inbox / '.processing'}[/red]: check that {out} is writable; the next pass "
                "takes them up"
            )
            raise typer.Exit(checks.NOT_WRITABLE)
        raise typer.Exit(checks.FAILED if failed else checks.OK)
    with interruptible(), prefect_api(port, host):
        from flows.watch import serve  # imported once the API is known, so Prefect sees it

        def announce(deployment_id: str) -> None:
            ui = os.environ["PREFECT_API_URL"].removesuffix("/api")
            console.print(f"deployment: {ui}/deployments/deployment/{deployment_id}")
            console.print(f"watching {inbox} every {interval.total_seconds():g} s; Ctrl-C to stop")

        try:
            serve(inbox, out, interval, announce)
        finally:
            console.print(f"stopped watching {inbox}")


def _load(path: Path) -> dict:
    """A record or failure report as JSON, or a one-line usage error."""
    checks.existing_file(path)
    from app.record_view import load

    try:
        data = load(path)
    except (ValueError, UnicodeDecodeError) as error:
        raise stop(f"{path} is not a JSON record ({error}); give a file citydocs wrote") from None
    if not isinstance(data, dict):
        raise stop(f"{path} is not a citydocs record")
    return data


@app.command(cls=Command)
def inspect(
    record: Annotated[
        Path, typer.Argument(help="A record (or failure report) written by citydocs.")
    ],
    field: Annotated[
        str | None,
        typer.Option(
            metavar="FIELD",
            help="One field path, e.g. activities[2].date: its value and provenance.",
        ),
    ] = None,
    overlay: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="Write <record>-page-N.png here: every field's box drawn per page."
        ),
    ] = None,
    pdf: Annotated[
        Path | None,
        typer.Option(
            metavar="PDF",
            help="The source PDF (default: the input the run index beside the record names, "
            "or a file of its name beside the record).",
        ),
    ] = None,
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Show what was extracted, where it came from and what looked doubtful (warnings)."""
    checks.existing_file(record)
    from app import record_view  # imported here for start-up speed

    data = _load(record)
    out = Console()
    if field:
        try:
            value = record_view.get_path(data, field)
        except KeyError:
            raise stop(f"{field}: no such field in {record.name}", checks.FAILED) from None
        out.print_json(json.dumps(value, ensure_ascii=False))
        found = record_view.provenance_for(data, field)
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
        if pdf is not None:
            source = checks.existing_file(pdf)
        else:
            found = record_view.source_pdf(record, data)
            if found is None:
                raise stop(
                    "cannot find the source PDF (not in the run index beside the record, nor "
                    "beside it): pass it with --pdf"
                )
            source = found
        checks.writable_folder(overlay, "--overlay")
        settings = with_password(get_settings(), password, password_file)
        from app.overlay import overlays  # imported here: it loads the reading layer
        from pipeline.base.errors import CitydocsError

        try:
            pngs = overlays(data, source, overlay, settings, stem=record.stem)
        except CitydocsError as error:
            raise stop(f"{error.kind}: {error.message}", checks.FAILED) from error
        for png in pngs:
            print(png)
        return
    out.print(record_view.tree(data, record.name))
    for warning in data.get("warnings", []):
        out.print(f"[yellow]warning[/yellow]: {warning}", highlight=False)


@app.command(cls=Command)
def report(
    out: Annotated[
        Path, typer.Argument(help="A folder citydocs wrote records into.", metavar="OUT")
    ],
) -> None:
    """Write OUT/report.html: a static page of the run (documents, failures, warnings, fill
    rates)."""
    checks.existing_folder(out)
    from app.report import report_html

    print(report_html(out))


@app.command(cls=Command)
def diff(
    a: Annotated[Path, typer.Argument(help="A record.")],
    b: Annotated[Path, typer.Argument(help="Another record (say, the expected one).")],
    with_provenance: Annotated[
        bool, typer.Option(help="Compare provenance and source too.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="The differences as JSON on standard output.")
    ] = False,
) -> None:
    """Field-level differences between two records; exits 1 when they differ.

    List items are matched by their key (a partner's name, an activity's date and text), so
    one inserted item is one difference; changed words of long texts are marked.
    """
    checks.existing_file(a)
    checks.existing_file(b)
    from app import diff as differ

    left, right = _load(a), _load(b)
    if left.get("doc_type") != right.get("doc_type"):
        console.print(
            f"[yellow]warning[/yellow]: the records are of different kinds "
            f"({left.get('doc_type')} and {right.get('doc_type')})"
        )
    ignore = () if with_provenance else ("provenance", "source", "warnings")
    rows = differ.diff(left, right, ignore)
    if as_json:
        print(json.dumps(differ.as_json(rows), indent=2, ensure_ascii=False))
    elif not rows:
        print("no differences")
    else:
        Console(width=max(Console().width, 120)).print(differ.table(rows, f"A: {a}", f"B: {b}"))
    raise typer.Exit(1 if rows else 0)


@app.command(cls=Command)
def export(
    out: Annotated[
        Path, typer.Argument(help="A folder citydocs wrote records into.", metavar="OUT")
    ],
    to: Annotated[
        Path,
        typer.Option(
            "--to",
            metavar="FILE",
            help="FILE.csv, FILE.jsonl or FILE.parquet: FILE.documents.csv, "
            "FILE.partners.csv, … one file per table.",
        ),
    ],
) -> None:
    """The records of a run as flat tables, one row per item with the document's sha256:
    documents, partners, activities, themes, key figures (for a spreadsheet or DuckDB)."""
    checks.existing_folder(out)
    from app.export import FORMATS, export_tables

    if to.suffix.lower().lstrip(".") not in FORMATS:
        raise stop(f"--to {to}: end the name in .csv, .jsonl or .parquet")
    checks.writable_folder(to.parent if str(to.parent) else Path("."), "--to")
    written = export_tables(out, to)
    if not written:
        raise stop(f"no records (*.json) in {out}; run citydocs first or check the path")
    for path, rows in written:
        say(f"{rows:>6} row(s)  {path}")
