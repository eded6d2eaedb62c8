"""``watch_inbox``: one pass over a drop directory, as a scheduled Prefect deployment.

Each run claims the complete PDFs of the inbox, then finishes everything in ``.processing/``
(what it claimed and whatever a killed run left there), one task per file. A served deployment
starts a process per run already, so the tasks share it on threads, and each hands its file to
a worker process of ``pipeline.running.isolation`` (spaCy loaded once per worker; time and memory
capped per document). The file handling itself lives in ``pipeline.running.inbox``.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.futures import as_completed
from prefect.runner import Runner
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.base.settings import get_settings
from pipeline.running import isolation
from pipeline.running.inbox import (
    claim,
    complete_files,
    inbox_lock,
    pending,
    process_claimed,
    split_repeats,
)
from pipeline.running.outcome import Outcome
from pipeline.running.output import remove_abandoned

DEPLOYMENT = "citydocs-watch"


@task(name="process-claimed", retries=1, retry_delay_seconds=2)
def process_claimed_task(path: str, out_dir: str, sha256: str | None) -> Outcome:
    """One claimed file; its parameters are paths and a hash, never the password (the
    settings, read here from the environment, carry it)."""
    return process_claimed(Path(path), Path(out_dir), get_settings(), sha256)


@flow(
    name="watch-inbox",
    task_runner=ThreadPoolTaskRunner(max_workers=isolation.hand_over_threads(get_settings())),
)
def watch_inbox(
    inbox: str, out_dir: str, settle_seconds: float = 2.0, echo: bool = False
) -> list[Outcome]:
    """Claim the inbox's complete PDFs and finish every claimed file; with ``echo`` (a served
    deployment, whose terminal shows the run's output), a line per file on standard output."""
    logger = get_run_logger()
    settings = get_settings()
    folder = Path(inbox)
    with inbox_lock(folder) as mine:
        if not mine:
            logger.info("another pass is working on %s; skipping this one", folder)
            return []
        for path in remove_abandoned(Path(out_dir)):
            logger.info("removed %s, left by a writer that was stopped mid-write", path.name)
        claimed = claim(folder, complete_files(folder, settle_seconds))
        todo = pending(folder)
        logger.info("claimed %d new file(s); %d to finish", len(claimed), len(todo))
        if not todo:
            return []
        isolation.prestart(settings, len(todo))
        firsts, repeats = split_repeats(todo)
        futures = [process_claimed_task.submit(str(p), out_dir, digest) for p, digest in firsts]
        results: list[Outcome] = []
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # left in .processing/: the next pass takes it up again
                logger.error("a file stays claimed for the next pass: %s", exc)
                continue
            logger.info("%s: %s", result.file, result.status)
            _echo(result, echo)
            results.append(result)
        for path, digest in repeats:  # same content as a file above: archived against its record
            result = process_claimed(path, Path(out_dir), settings, digest)
            logger.info("%s: %s", result.file, result.status)
            _echo(result, echo)
            results.append(result)
    return sorted(results, key=lambda r: r.file)


def _echo(result: Outcome, echo: bool) -> None:
    if echo:
        print(
            f"{result.status:<8} {result.file}  → {result.written or result.moved_to}", flush=True
        )


def serve(
    inbox: Path,
    out_dir: Path,
    every: timedelta,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve ``watch_inbox`` as a deployment with an interval schedule until Ctrl-C or SIGTERM
    (both end in KeyboardInterrupt); ``announce`` gets the deployment's id once it exists."""
    runner = Runner(name=DEPLOYMENT, limit=1)  # one pass at a time: an overrun delays the next
    deployment_id = runner.add_flow(
        watch_inbox,
        name=DEPLOYMENT,
        interval=every,
        parameters={"inbox": str(inbox.resolve()), "out_dir": str(out_dir.resolve()), "echo": True},
    )
    announce(str(deployment_id))

    async def main() -> None:
        started = asyncio.ensure_future(runner.start())
        await asyncio.sleep(0)  # start() has installed Prefect's SIGTERM handler by now ...
        # ... which calls the async stop() from sync code ("coroutine 'Runner.astop' was never
        # awaited"): SIGTERM stops like Ctrl-C instead.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        await started

    asyncio.run(main())
