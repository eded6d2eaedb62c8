"""A local Prefect server on loopback, for schedules and Dask workers when none is configured."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LocalServer:
    process: subprocess.Popen
    url: str  # the API, e.g. http://127.0.0.1:4200/api

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_local_server(
    port: int | None = None, timeout: float = 180.0, log: Path | None = None
) -> LocalServer:
    """Start ``prefect server start`` on 127.0.0.1 and wait until its API answers."""
    port = port or free_port()
    prefect = Path(sys.executable).with_name("prefect")
    command = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    env = {
        **os.environ,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": os.environ.get("PREFECT_UI_ENABLED", "true"),
    }
    env.pop("PREFECT_API_URL", None)
    sink = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = LocalServer(process, f"http://127.0.0.1:{port}/api")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"prefect server exited with code {process.returncode} (see {log or 'its output'})"
            )
        if healthy(server.url):
            return server
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"prefect server did not answer on {server.url} within {timeout:.0f} s")
