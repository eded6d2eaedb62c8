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


# The temporary Prefect server a command starts for itself when no ``PREFECT_API_URL`` is set
# (``citydocs run``, ``watch --once``): it lives as long as the command, serves no UI, and its
# work per document is turning the task's state events into rows. Not for a server that
# outlives the command (``run --dask``, served ``watch``), where automations and a live UI
# matter.
EMBEDDED_SERVER = {
    # Its own logs: what is critical (its task-run recorder, stopped with the command, would
    # print tracebacks of cancelled writes).
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    # Automations: nobody can define one on a server that ends with the command, yet every
    # event was evaluated against them, and they were re-read on a timer.
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    # Task runs and their states written in batches rather than one transaction per event;
    # a batch is written at the latest after the recorder's flush interval and when the server
    # stops, so every task run still ends in the database with all its states.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "50",
}


def set_process_defaults() -> None:
    """Put each default into the environment unless it is set already."""
    _set_defaults(DEFAULTS)


def set_embedded_server_defaults() -> None:
    """Settings for the temporary Prefect server, before Prefect starts it: it inherits this
    process's environment. A value already in the environment wins."""
    _set_defaults(EMBEDDED_SERVER)


def _set_defaults(values: dict[str, str]) -> None:
    for name, value in values.items():
        os.environ.setdefault(name, value)
