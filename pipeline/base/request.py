"""One document to read, as the edge (command line, flow, inbox) hands it down to a worker.

Built once per document: its sha256 is computed here and nowhere after, and its password
travels with it (never shown by ``repr``, never part of a cache key or a record).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.base.settings import Settings


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_sha256(path: Path) -> str | None:
    """The sha256 of a regular file's bytes; None for links (never followed), folders, errors."""
    if path.is_symlink():
        return None
    return readable_sha256(path)


def readable_sha256(path: Path) -> str | None:
    """The sha256 of a file's bytes, through a link; None for folders and errors."""
    try:
        return sha256_file(path) if path.is_file() else None
    except OSError:
        return None


@dataclass(frozen=True)
class Request:
    """A path, its sha256 (None: not a readable file), its password and its page limit."""

    path: Path
    sha256: str | None
    max_pages: int
    password: str | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls,
        path: Path,
        settings: Settings,
        *,
        sha256: str | None = None,
        max_pages: int | None = None,
    ) -> Request:
        """The request for ``path``: hashed here unless the caller hashed it already."""
        secret = settings.password
        return cls(
            path=path,
            sha256=sha256 if sha256 is not None else readable_sha256(path),
            max_pages=max_pages if max_pages is not None else settings.max_pages,
            password=secret.get_secret_value() if secret is not None else None,
        )
