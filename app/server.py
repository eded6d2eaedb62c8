"""A local Prefect server, for schedules and Dask workers when none is configured.

The server is told its own address three ways (``PREFECT_SERVER_API_HOST``/``PORT`` for where
it listens, ``PREFECT_UI_API_URL`` for where the browser UI must call it): without the last the
UI asks ``127.0.0.1:4200`` whatever port was taken, and a browser shows no runs.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"


@dataclass
class LocalServer:
    process: subprocess.Popen
    url: str  # the API, e.g. http://127.0.0.1:4200/api
    log: Path | None = None

    @property
    def ui(self) -> str:
        return self.url.removesuffix("/api")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port`` (so a server there could not start)."""
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def prefect_home() -> Path:
    """Where Prefect keeps its database, results and (here) the local server's log."""
    import prefect.settings  # here, not at the top: the CLI imports this module for every command

    return Path(prefect.settings.get_current_settings().home).expanduser()


def server_env(host: str, port: int, public_host: str) -> dict[str, str]:
    """The environment of ``prefect server start``: where it listens and where its UI calls."""
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": os.environ.get("PREFECT_UI_ENABLED", "true"),
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_UI_API_URL": f"http://{public_host}:{port}/api",
    }
    env.pop("PREFECT_API_URL", None)
    return env


# Linux's prctl option that signals a process when the thread that started it ends.
_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """Run in the server's process before Prefect starts: the server gets SIGTERM when the
    command that started it ends, however it ends. Without it, a run killed with SIGKILL (an
    out-of-memory kill, a CI timeout) left its server running for good, orphaned."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the command ended before the signal was asked for
        os._exit(1)


def start_local_server(
    port: int | None = None,
    timeout: float = 180.0,
    log: Path | None = None,
    host: str = LOOPBACK,
) -> LocalServer:
    """Start ``prefect server start`` on ``host:port`` (a free port when none is given) and wait
    until its API answers. The log goes to ``log``, by default ``PREFECT_HOME/server-PORT.log``.
    The server lives no longer than the thread that calls this (call it from the main thread)."""
    port = port or free_port(host if host != "0.0.0.0" else LOOPBACK)
    # A browser on this machine reaches a server on every interface through loopback.
    public = LOOPBACK if host in ("0.0.0.0", "::") else host
    if log is None:
        log = prefect_home() / f"server-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "server", "start", "--host", host, "--port", str(port)]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            command,
            env=server_env(host, port, public),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=functools.partial(_end_with, os.getpid()),
        )
    server = LocalServer(process, f"http://{public}:{port}/api", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prefect server exited with code {process.returncode} (see {log})")
        if healthy(server.url):
            return server
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"prefect server did not answer on {server.url} within {timeout:.0f} s")
