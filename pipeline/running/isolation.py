"""Each document read in a worker process with a wall-time and a memory limit.

A parser stuck in a content stream cannot be interrupted from Python, and a page that decodes
into gigabytes can exhaust memory: read in the run's own process, either would take the whole
run down. So documents are read in worker processes:

- a worker is forked from multiprocessing's fork server, a single-threaded process that loaded
  spaCy and the gazetteer once (``pipeline.running.preload``): the workers share those pages
  copy-on-write and start in a fraction of a second. The run itself is never forked (it holds
  Prefect's threads); where there is no fork server a worker starts by ``spawn`` and loads the
  models itself. Either way it warms up (``extractors.warm_up``, a no-op once loaded), caps its
  own address space at its warm size plus ``doc_memory_mb``, then takes documents one at a time
  over a pipe;
- the parent waits ``doc_timeout_s`` for each answer and kills the worker when it overruns
  (→ ``timeout``); an allocation beyond the cap fails as ``MemoryError`` inside the worker
  (→ ``too_large``); a worker that dies of anything else is replaced and the document tried once
  more in the new one, then reported as ``internal``;
- a worker ends itself when its parent is gone, so a SIGKILLed run leaves no orphan behind (the
  fork server, its parent, ends with the run).

Workers are shared by the threads of a process (``WorkerPool``), at most ``max_workers`` of them.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.base import timing
from pipeline.base.environment import set_process_defaults
from pipeline.base.errors import CitydocsError
from pipeline.base.request import Request
from pipeline.base.settings import Settings
from pipeline.base.timing import stage

if TYPE_CHECKING:
    from models import FailureReport

STARTUP_TIMEOUT_S = 300.0  # a cold worker on a busy machine: imports and model load
POLL_S = 0.25  # how often the parent looks at a busy worker's memory
NEAR_CAP = 0.9  # share of its address-space cap above which a worker's death is memory's
OUT_OF_MEMORY = 75  # a worker's exit code when an allocation failed outside a document's guard
CRASHED = 76  # its exit code when anything else escaped its loop
# A worker whose private memory, between documents, has grown this far beyond its warm size is
# replaced: native caches and a fragmented heap grow with every document read, and a run of
# thousands must hold the same memory at its end as at its start.
GROWTH_MB = 128
# Measuring that growth walks the worker's page tables (``smaps_rollup``), which costs a short
# born-digital document a few hundredths of its time. It is measured once the worker has spent
# this much CPU on documents since it last measured: its cost stays a small share of the work,
# and growth is noticed within that much work (the address-space cap holds meanwhile).
GROWTH_CHECK_CPU_S = 0.25


@dataclass
class Answer:
    """What a worker made of one document (records are small: they travel whole)."""

    record: Any = None
    failure: FailureReport | None = None
    stages: dict[str, float] = field(default_factory=dict)
    peak_rss: int = 0  # the worker's peak resident size while it read the document (bytes)
    cpu_s: float = 0.0  # CPU seconds the worker and its children spent on it


def _cpu_seconds() -> float:
    """User and system time of this process and of its children that have ended (Tesseract's
    orientation check): a document's own cost, which the wall clock of a busy machine does not
    tell."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _exit_when_orphaned(parent: int) -> None:
    """End this worker when the process that started it is gone (even SIGKILLed).

    Not PR_SET_PDEATHSIG: that fires when the *thread* that started the worker ends, and the
    flows start workers from task threads that end long before the process does.
    """
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _address_space(pid: int | str = "self") -> int:
    """A process's virtual size in bytes (what RLIMIT_AS counts); 0 when it is gone."""
    return _statm(pid)[0]


def _private() -> int:
    """This process's private resident bytes: its own pages, not those it shares with the fork
    server and its siblings (reading a shared page raises the resident size, not the cost);
    the resident size where ``/proc`` has no ``smaps_rollup``."""
    total = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/self/smaps_rollup") as handle:
        for line in handle:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1]) * 1024
    return total or _statm("self")[1]


def _statm(pid: int | str) -> tuple[int, int]:
    """Virtual and resident size of a process in bytes, from ``/proc``; zeros when it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            virtual, resident = handle.read().split()[:2]
    except (OSError, ValueError):
        return 0, 0
    page = resource.getpagesize()
    return int(virtual) * page, int(resident) * page


def _reset_peak() -> None:
    """Start the kernel's peak resident size (VmHWM) afresh, so it is this document's."""
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def _peak_resident() -> int:
    """VmHWM in bytes; 0 where ``/proc`` does not tell."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _release_memory() -> None:
    """Hand the heap's free pages back to the system (glibc keeps them otherwise, after a
    scanned page's pixels), so that the resident size says what the worker still holds."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _cap_memory(budget_mb: int) -> int:
    """Limit the address space to what the warm worker holds plus the budget; returns the
    limit."""
    limit = _address_space() + budget_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return limit


def _serve(conn: Connection, settings: Settings) -> None:
    """The worker's loop: warm up, say ready, then one document per message until told to stop.

    Whatever escapes the loop ends the worker with an exit code and no traceback: running out
    of memory outside a document's own guard (say, while sending its answer) is the parent's to
    report as ``too_large``, not a traceback on the run's console.
    """
    try:
        _loop(conn, settings)
    except MemoryError:
        os._exit(OUT_OF_MEMORY)
    except BaseException:
        os._exit(CRASHED)


def _loop(conn: Connection, settings: Settings) -> None:
    # Imported here, in the worker only: the parent never reads a document itself, and the
    # extractors' imports (spaCy, dateparser) would slow its start-up.
    from extractors import warm_up
    from pipeline.reading import ocr
    from pipeline.running.extract import run_here

    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    set_process_defaults()
    budget_mb = settings.doc_memory_mb
    try:
        warm_up(settings)
        ocr.warm(settings.ocr_lang)  # loaded already where the fork server preloaded them
        # The warm models are millions of objects that live as long as the worker: kept out
        # of the collector's full passes, which a page's tens of thousands of new objects
        # would otherwise set off again and again while a page is read.
        gc.collect()
        gc.freeze()
        limit = _cap_memory(budget_mb)
        _release_memory()
        recycle_at = _private() + min(GROWTH_MB, budget_mb // 2) * 1024 * 1024
    except Exception as exc:  # a missing model: the parent reports it with every document
        conn.send(("broken", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", limit))
    unchecked_cpu = 0.0
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        request, job_settings = job
        timing.reset()
        _reset_peak()
        cpu = _cpu_seconds()
        record, failure = run_here(request, job_settings)
        cpu = _cpu_seconds() - cpu
        # Grown (native caches, a leak, a near miss of the cap): say so, and a fresh worker
        # takes over. Measured after a failure too, whose cause may have been memory.
        _release_memory()
        unchecked_cpu, retire = unchecked_cpu + cpu, False
        if unchecked_cpu >= GROWTH_CHECK_CPU_S or failure is not None:
            unchecked_cpu = 0.0
            retire = _private() > recycle_at
        answer = Answer(record, failure, timing.spent(), _peak_resident(), cpu)
        conn.send(("done", answer, retire))
        if retire:
            return


PRELOAD = "pipeline.running.preload"


def worker_context() -> multiprocessing.context.BaseContext:
    """Where workers come from: the fork server, its warm state preloaded, where the platform
    has one; else ``spawn``."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([PRELOAD])  # heeded when the server starts, on first use
    return context


class Worker:
    """One worker process and the pipe to it; started on first use, replaced when it dies."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings  # what it warms up with: the model, the cache, the budget
        self.model = settings.spacy_model
        self.budget_mb = settings.doc_memory_mb
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.memory_limit = 0  # the worker's RLIMIT_AS, in bytes

    def start(self) -> None:
        context = worker_context()
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(child, self.settings),
            name="citydocs-worker",
            daemon=True,
        )
        process.start()
        child.close()
        self.process, self.conn = process, parent
        if not parent.poll(STARTUP_TIMEOUT_S):
            self.stop()
            raise RuntimeError(f"a citydocs worker did not start within {STARTUP_TIMEOUT_S:.0f} s")
        try:
            status, detail = parent.recv()
        except EOFError:
            process.join(5)
            code = process.exitcode
            self.stop()
            raise RuntimeError(
                f"a citydocs worker died while starting (exit code {code})"
            ) from None
        if status != "ready":
            self.stop()
            raise RuntimeError(f"a citydocs worker could not start: {detail}")
        self.memory_limit = detail

    def stop(self) -> None:
        """Kill the process (it may be stuck in C code: no polite request would reach it)."""
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def run(self, request: Request, settings: Settings) -> Answer:
        """One document in this worker; raises ``CitydocsError`` for a timeout, and
        ``WorkerDied`` when the worker died under it."""
        path = request.path
        if self.process is None or not self.process.is_alive():
            self.stop()
            with stage("start-up"):
                try:
                    self.start()
                except RuntimeError as exc:  # every document would fail alike: say why
                    raise CitydocsError(
                        "internal", f"{str(exc).rstrip('.')}; {path.name} was not read."
                    ) from exc
        assert self.conn is not None and self.process is not None
        try:
            self.conn.send((request, settings))
        except OSError:  # died while idle
            raise self._died(near_cap=False) from None
        deadline = time.monotonic() + settings.doc_timeout_s
        peak = 0
        while not self.conn.poll(min(POLL_S, max(deadline - time.monotonic(), 0))):
            if time.monotonic() >= deadline:
                self.stop()
                raise CitydocsError(
                    "timeout",
                    f"{path.name} took longer than {settings.doc_timeout_s:g} s and was stopped "
                    "(CITYDOCS_DOC_TIMEOUT_S). A long scan may need a higher limit; otherwise the "
                    "file may hold a content stream built to stall parsers: open and re-save it.",
                )
            peak = max(peak, _address_space(self.process.pid or 0))
        try:
            status, answer, retire = self.conn.recv()
        except (EOFError, OSError):
            raise self._died(near_cap=peak >= NEAR_CAP * self.memory_limit) from None
        assert status == "done"
        if retire:
            self.stop()
        return answer

    def _died(self, near_cap: bool) -> WorkerDied:
        assert self.process is not None
        self.process.join(5)
        code = self.process.exitcode
        self.stop()
        return WorkerDied(code, near_cap)


class WorkerDied(Exception):
    """The worker ended under a document: its exit code, and whether it was near its cap."""

    def __init__(self, code: int | None, near_cap: bool) -> None:
        super().__init__(code, near_cap)
        self.code, self.near_cap = code, near_cap


class WorkerPool:
    """At most ``size`` workers, lent to one thread at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: list[Worker] = []
        self._count = 0
        self._warming = 0  # started by prestart, not ready yet
        self._available = threading.Condition()

    def _borrow(self, settings: Settings) -> Worker:
        model, budget_mb = settings.spacy_model, settings.doc_memory_mb
        with self._available:
            while True:
                for worker in self._idle:
                    if worker.model == model and worker.budget_mb == budget_mb:
                        self._idle.remove(worker)
                        return worker
                if self._warming:  # one is nearly ready: sooner than starting another
                    self._available.wait()
                    continue
                if self._count < self.size:
                    self._count += 1
                    return Worker(settings)
                if self._idle:  # workers of another model or budget: make room
                    self._idle.pop().stop()
                    self._count -= 1
                    continue
                self._available.wait()

    def prestart(self, settings: Settings, count: int) -> None:
        """Have ``count`` workers (at most the pool's size) started, in the background, so that
        their warm-up overlaps whatever the caller does before its first document (imports,
        Prefect's start)."""
        with self._available:
            for _ in range(min(count, self.size) - self._count):
                self._count += 1
                self._warming += 1
                worker = Worker(settings)
                threading.Thread(target=self._warm, args=(worker,), daemon=True).start()

    def _warm(self, worker: Worker) -> None:
        with contextlib.suppress(RuntimeError):  # the first document will say why
            worker.start()
        with self._available:  # one step: no borrower sees it neither warming nor idle
            self._warming -= 1
            self._idle.append(worker)
            self._available.notify()

    def _give_back(self, worker: Worker) -> None:
        with self._available:
            self._idle.append(worker)
            self._available.notify()

    def run(self, request: Request, settings: Settings) -> Answer:
        with stage("start-up"):  # waiting for a worker another thread is warming
            worker = self._borrow(settings)
        try:
            for attempt in (1, 2):
                try:
                    return worker.run(request, settings)
                except WorkerDied as died:
                    if attempt == 2:
                        raise _failure(request.path, died, settings.doc_memory_mb) from None
            raise AssertionError("unreachable")
        finally:
            self._give_back(worker)

    def close(self) -> None:
        """End the idle workers. They hold nothing but warm caches, so they are killed rather
        than asked: a polite exit would spend its time tearing spaCy down."""
        with self._available:
            for worker in self._idle:
                worker.stop()
            self._count -= len(self._idle)
            self._idle.clear()


def _failure(path: Path, died: WorkerDied, budget_mb: int) -> CitydocsError:
    code = died.code
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    # Under RLIMIT_AS a failed allocation raises MemoryError (a failure report, not a death) or,
    # in C code, aborts; a worker seen near its cap and then killed met the system's OOM killer.
    if code in (-signal.SIGABRT, OUT_OF_MEMORY) or died.near_cap:
        return CitydocsError(
            "too_large",
            f"the worker reading {path.name} ran out of memory twice ({how}): the document needs "
            f"more than the {budget_mb} MB a document may use (CITYDOCS_DOC_MEMORY_MB). Raise the "
            "limit if the machine has the memory, or split or downsample the file.",
        )
    if code == -signal.SIGKILL:
        return CitydocsError(
            "internal",
            f"the worker reading {path.name} was killed twice ({how}) by another process or the "
            "system; nothing in the file is known to be wrong: drop it again.",
        )
    return CitydocsError(
        "internal",
        f"the worker reading {path.name} crashed twice ({how}); please report it with the file.",
    )


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def hand_over_threads(settings: Settings) -> int:
    """Threads that hand documents to the pool: two per worker. With one each, a worker that
    has answered waits for its thread to finish Prefect's bookkeeping of that document and to
    begin the next task's; with two, the next document is already waiting for it. Where
    documents are read in-process, each thread reads one: then one per core."""
    return 2 * settings.pool_size if enabled(settings) else settings.pool_size


def pool(settings: Settings) -> WorkerPool:
    """This process's worker pool, of the settings' ``pool_size`` (created on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WorkerPool(settings.pool_size)
        return _pool


def enabled(settings: Settings) -> bool:
    """Whether documents go to workers: the ``isolate`` setting, unless this process is daemonic
    (Dask's default workers), which may not start children; then they are read in-process."""
    return settings.isolate and not multiprocessing.current_process().daemon


def prestart(settings: Settings, count: int) -> None:
    """Have ``count`` workers warming in the background, when documents go to workers."""
    if enabled(settings):
        pool(settings).prestart(settings, count)


def close() -> None:
    """Stop this process's workers, if it started any."""
    with _pool_lock:
        if _pool is not None:
            _pool.close()
