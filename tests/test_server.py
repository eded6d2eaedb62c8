"""The local Prefect server as a browser sees it: its UI calls the API actually started."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from app.server import LocalServer, start_local_server
from tests.test_inspect import _chromium

pytestmark = [pytest.mark.server, pytest.mark.slow]


def test_ui_settings_name_the_server_started(prefect_server: LocalServer) -> None:
    with urllib.request.urlopen(f"{prefect_server.ui}/ui-settings", timeout=10) as response:
        settings = json.load(response)
    assert settings["api_url"] == prefect_server.url
    assert not prefect_server.url.endswith(":4200/api")  # a free port, not Prefect's default


@pytest.fixture
def own_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    """A server with a home of its own: the session's holds every other test's deployments and
    runs; this one holds only what the test puts there."""
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    server = start_local_server(log=tmp_path / "server.log")
    try:
        yield server
    finally:
        server.stop()


def test_ui_in_chromium_lists_the_deployments_runs(
    own_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefect_server = own_server
    monkeypatch.setenv("PREFECT_API_URL", prefect_server.url)
    from prefect.deployments import run_deployment  # here: needs the API address set above
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.watch import DEPLOYMENT, watch_inbox

    # Prefect keeps the settings it read first in this process (an earlier test's embedded
    # server): name this server explicitly. A deployment of its own, so the served watch
    # tests' scheduled runs do not fill the first page of the Runs tab.
    with temporary_settings({PREFECT_API_URL: prefect_server.url}):
        deployment = watch_inbox.to_deployment(
            name=f"{DEPLOYMENT}-ui-check-{uuid.uuid4().hex[:8]}",
            parameters={"inbox": str(tmp_path), "out_dir": str(tmp_path / "out")},
        )
        deployment_id = deployment.apply()
        flow_run = run_deployment(deployment_id, timeout=0)  # scheduled; no worker takes it
    page = f"{prefect_server.ui}/deployments/deployment/{deployment_id}?tab=Runs"
    dom = ""
    # A busy machine may not have drawn the runs when the budget ran out: look again, longer.
    for attempt, budget in enumerate((30_000, 90_000, 180_000)):
        browser = subprocess.run(
            [
                _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / f'profile-{attempt}'}", "--window-size=1400,1000",
                f"--virtual-time-budget={budget}",
                "--dump-dom", page,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ},
        )  # fmt: skip
        assert browser.returncode == 0, browser.stderr[-2000:]
        dom = browser.stdout
        assert "Can't connect to Server API" not in dom
        if flow_run.name in dom:
            break
    assert flow_run.name in dom, dom[-3000:]


def test_a_server_ends_with_the_command_that_started_it_even_when_killed(
    tmp_path: Path,
) -> None:
    """A run killed with SIGKILL (out of memory, a CI timeout) must not leave its server behind."""
    starter = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from app.server import start_local_server\n"
        "server = start_local_server(log=Path(sys.argv[1]))\n"
        "print(server.process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home")}
    command = subprocess.Popen(
        [sys.executable, "-c", starter, str(tmp_path / "server.log")],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    server: psutil.Process | None = None
    try:
        server = psutil.Process(int(command.stdout.readline()))
        assert server.is_running()
        command.kill()
        command.wait(timeout=30)
        assert _ends(server, within=60), "the server outlived the command that started it"
    finally:
        command.kill()
        if server is not None:
            with contextlib.suppress(psutil.Error):
                server.kill()


def _ends(process: psutil.Process, within: float) -> bool:
    """Whether the process exits within so many seconds (a zombie no one reaps has exited)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False
