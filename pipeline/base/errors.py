"""One exception type whose ``kind`` is the failure report's ``error.kind``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the records' models take a while to build; errors are raised before that
    from models import FailureKind

SHORT = 120  # longest quote of a library's error in a message
DETAIL = 2000  # longest detail kept beside the message


class CitydocsError(Exception):
    """A PDF that cannot become a record; the message says what a person can do about it.

    ``detail`` keeps what a library said in full (printable) for whoever debugs the file; the
    message quotes it only in short.
    """

    def __init__(self, kind: FailureKind, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.message = message
        self.detail = detail


def printable(text: str, limit: int) -> str:
    """``text`` on one line, control and binary characters escaped, at most ``limit`` long:
    parsers quote raw PDF dictionaries in their errors, bytes and all."""
    flat = " ".join(text.split())
    clean = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in flat
    )
    return clean if len(clean) <= limit else clean[: limit - 1].rstrip() + "…"


def describe(exc: BaseException, limit: int = SHORT) -> str:
    """An exception as ``Type: message``, short and printable, to quote in a message."""
    text = str(exc)
    return printable(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, limit)
