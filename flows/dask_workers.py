"""A look at a Dask cluster's workers before a run is handed to them.

Workers started without the README's environment still "work", badly: without the run's
``PREFECT_API_URL`` each starts a temporary Prefect server of its own (its runs missing from
the UI the command printed), a daemonic worker may not start citydocs' worker processes (so
documents are read in-process, without time or memory limits), and a worker without Tesseract
fails every scanned page. Each problem becomes one line with the command that fixes it.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def probe() -> dict[str, Any]:
    """Run on each worker: its Prefect API, whether it is daemonic, where Tesseract is."""
    # Imported here: this runs in the Dask worker, which may not have loaded Prefect yet.
    from prefect.settings import get_current_settings

    api = os.environ.get("PREFECT_API_URL") or get_current_settings().api.url
    return {
        "api": api or None,
        "daemon": multiprocessing.current_process().daemon,
        "tesseract": shutil.which("tesseract"),
    }


@dataclass
class WorkerCheck:
    """What stops the run (``refuse``) and what it goes on with (``warn``), a line each."""

    refuse: list[str] = field(default_factory=list)
    warn: list[str] = field(default_factory=list)


def judge(address: str, api_url: str | None, found: dict[str, dict[str, Any]]) -> WorkerCheck:
    """The verdict on the probes of a cluster's workers (``{worker: probe()}``)."""
    fix = (
        f"PREFECT_API_URL={api_url or 'http://SERVER:4200/api'} "
        f"DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker {address} --nthreads 1"
    )
    check = WorkerCheck()
    if not found:
        check.refuse.append(f"no Dask workers are connected to {address}; start them with: {fix}")
        return check
    total = len(found)
    apis = Counter(p["api"] for p in found.values() if p["api"] != api_url)
    if apis:
        seen = ", ".join(str(a or "none") for a in apis)
        check.refuse.append(
            f"{sum(apis.values())} of {total} Dask worker(s) report to another Prefect API "
            f"({seen}, not {api_url}): their runs would be missing from the UI; restart them "
            f"with: {fix}"
        )
    daemonic = sum(1 for p in found.values() if p["daemon"])
    if daemonic:
        check.warn.append(
            f"{daemonic} of {total} Dask worker(s) are daemonic: documents are read without "
            f"the time and memory limits; restart them with: {fix}"
        )
    blind = sum(1 for p in found.values() if not p["tesseract"])
    if blind:
        check.refuse.append(
            f"{blind} of {total} Dask worker(s) have no tesseract on PATH: scanned pages would "
            "fail; install it there (apt-get install tesseract-ocr tesseract-ocr-eng)"
        )
    return check


def check_workers(address: str, api_url: str | None, timeout: float = 10) -> WorkerCheck:
    """Probe every worker of the cluster at ``address``."""
    # Imported here: Dask is only loaded when asked for.
    from distributed import Client

    try:
        with Client(address, timeout=timeout) as client:
            found = client.run(probe)
    except (OSError, TimeoutError) as error:
        return WorkerCheck(refuse=[f"cannot reach the Dask scheduler at {address}: {error}"])
    return judge(address, api_url, found)
