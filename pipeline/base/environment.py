"""Process-wide defaults of the libraries citydocs drives, set in one place.

Called by every entry point (the ``citydocs`` command, a worker process, the test-suite)
before the libraries read them. Each is a default: a value already in the environment wins.
"""

from __future__ import annotations

import os

DEFAULTS = {
    # Tesseract's OpenMP threads fight each other on small machines; parallelism comes from
    # one worker process per core instead.
    "OMP_THREAD_LIMIT": "1",
    # Embedded Prefect: no analytics, time for a fresh database to migrate, quiet logs.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "240",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def set_process_defaults() -> None:
    """Put each default into the environment unless it is set already."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
