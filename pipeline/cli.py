"""The ``citydocs`` command: extract, read, schema, evaluate, run, watch."""

from __future__ import annotations

import json
import sys
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
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and path.suffix.lower() != ".pdf":
            found.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() == ".pdf" and not p.name.startswith(".")
                )
            )
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

    A PDF that cannot become a record gets OUT/quarantine/<name>.error.json instead, and the
    command exits with the number of failed files (capped at 100).
    """
    from pipeline.process import process_file
    from pipeline.settings import get_settings

    settings = get_settings()
    if max_pages is not None:
        settings = settings.model_copy(update={"max_pages": max_pages})
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
    if failed:
        console.print(f"[red]{failed} of {len(inputs)} file(s) failed[/red]")
    raise typer.Exit(min(failed, 100))


@app.command()
def read(
    pdf: Annotated[Path, typer.Argument(help="The PDF to read.")],
    password: Annotated[str | None, typer.Option(help="Password for encrypted PDFs.")] = None,
) -> None:
    """Print the clean blocks of a PDF by page and region, as the reading layer sees them."""
    from pipeline.classify import classify
    from pipeline.errors import CitydocsError
    from pipeline.reader import read_pdf

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
    from pipeline.evaluate import evaluate_folder, render

    report = evaluate_folder(outdir, expected)
    if not report.documents:
        console.print(f"[red]no records in {outdir} match an expected record in {expected}[/red]")
        raise typer.Exit(1)
    render(report, Console())


def _table(rows: list[dict[str, str]], title: str) -> Table:
    table = Table(title=title)
    for key in rows[0] if rows else []:
        table.add_column(key)
    for row in rows:
        table.add_row(*row.values())
    return table


if __name__ == "__main__":  # pragma: no cover
    app()
