"""One exception type whose ``kind`` is the failure report's ``error.kind``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the records' models take a while to build; errors are raised before that
    from models import FailureKind


class CitydocsError(Exception):
    """A PDF that cannot become a record; the message says what a person can do about it."""

    def __init__(self, kind: FailureKind, message: str) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.message = message
