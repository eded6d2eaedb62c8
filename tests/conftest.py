"""Shared fixtures: sample PDFs generated on the fly, read and extracted once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Tesseract single-threaded; embedded Prefect without analytics and with time for a fresh
# database to migrate; Prefect's own logs quiet.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "240")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from app.server import LocalServer, start_local_server
from pipeline.reading.document import Document
from pipeline.reading.reader import read_pdf
from pipeline.running.extract import AnyRecord, extract_document
from samples import make_samples

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ROOT / "samples" / "expected"


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every sample PDF, freshly generated from samples/src."""
    out = tmp_path_factory.mktemp("samples")
    for stem in make_samples.sources():
        make_samples.build(stem, out)
    return out


@pytest.fixture(scope="session")
def documents(sample_dir: Path) -> dict[str, Document]:
    """Each generated sample read once (OCR included)."""
    return {p.stem: read_pdf(p) for p in sorted(sample_dir.glob("*.pdf"))}


@pytest.fixture(scope="session")
def records(sample_dir: Path) -> dict[str, AnyRecord]:
    return {p.stem: extract_document(p) for p in sorted(sample_dir.glob("*.pdf"))}


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A real `prefect server start` on loopback, with a home of its own."""
    home = tmp_path_factory.mktemp("prefect-home")
    old = os.environ.get("PREFECT_HOME")
    os.environ["PREFECT_HOME"] = str(home)
    server = start_local_server(log=home / "server.log")
    try:
        yield server
    finally:
        server.stop()
        if old is None:
            os.environ.pop("PREFECT_HOME", None)
        else:
            os.environ["PREFECT_HOME"] = old
