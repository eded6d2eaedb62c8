"""The look at Dask workers before a run: their Prefect API, daemonic or not, Tesseract."""

from __future__ import annotations

import pytest

from flows.dask_workers import check_workers, judge

GOOD = {"api": "http://s:4200/api", "daemon": False, "tesseract": "/usr/bin/tesseract"}


def test_good_workers_pass_and_each_problem_is_one_line_with_its_fix() -> None:
    address, api = "tcp://h:8786", "http://s:4200/api"
    assert judge(address, api, {"w1": GOOD, "w2": GOOD}) == judge(address, api, {"w": GOOD})
    assert not judge(address, api, {"w": GOOD}).refuse and not judge(address, api, {"w": GOOD}).warn
    verdict = judge(
        address,
        api,
        {
            "w1": GOOD | {"api": None},
            "w2": GOOD | {"daemon": True},
            "w3": GOOD | {"tesseract": None},
        },
    )
    assert len(verdict.refuse) == 2 and len(verdict.warn) == 1
    assert verdict.refuse[0].startswith("1 of 3 Dask worker(s) report to another Prefect API")
    assert f"PREFECT_API_URL={api} DASK_DISTRIBUTED__WORKER__DAEMON=False" in verdict.refuse[0]
    assert "daemonic" in verdict.warn[0] and "tesseract" in verdict.refuse[1]
    assert all("\n" not in line for line in verdict.refuse + verdict.warn)
    assert "no Dask workers" in judge(address, api, {}).refuse[0]


@pytest.mark.slow
def test_workers_of_a_local_cluster_are_probed() -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:  # daemonic, as `dask worker` is without DASK_DISTRIBUTED__WORKER__DAEMON
        verdict = check_workers(cluster.scheduler_address, "http://elsewhere:4200/api")
    assert any("report to another Prefect API" in line for line in verdict.refuse)
    assert any("daemonic" in line for line in verdict.warn)
    assert not any("tesseract" in line for line in verdict.refuse)  # installed here
