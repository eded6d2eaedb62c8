"""Shared fixtures: sample PDFs generated on the fly, read and extracted once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.base.environment import set_process_defaults

set_process_defaults()  # before Prefect or Tesseract is imported, as every entry point does

from app.server import LocalServer, start_local_server  # noqa: E402
from pipeline.base.request import Request  # noqa: E402
from pipeline.base.settings import Settings, get_settings  # noqa: E402
from pipeline.reading.document import Document  # noqa: E402
from pipeline.reading.reader import read_pdf  # noqa: E402
from pipeline.running.extract import extract_document  # noqa: E402
from pipeline.running.outcome import AnyRecord  # noqa: E402
from samples import make_samples  # noqa: E402

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
def settings() -> Settings:
    """The settings of the environment, as the command line reads them."""
    return get_settings()


@pytest.fixture(scope="session")
def documents(sample_dir: Path, settings: Settings) -> dict[str, Document]:
    """Each generated sample read once (OCR included)."""
    return {
        p.stem: read_pdf(Request.of(p, settings), settings)
        for p in sorted(sample_dir.glob("*.pdf"))
    }


@pytest.fixture(scope="session")
def records(sample_dir: Path, settings: Settings) -> dict[str, AnyRecord]:
    return {
        p.stem: extract_document(Request.of(p, settings), settings)
        for p in sorted(sample_dir.glob("*.pdf"))
    }


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
