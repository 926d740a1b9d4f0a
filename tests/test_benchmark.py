"""Benchmarks of the Wales baseline (pytest-benchmark; timings are not asserted).

Measure with::

    .venv/bin/python -m pytest tests/test_benchmark.py --benchmark-enable --benchmark-only

In the ordinary test run (``--benchmark-disable``) each benchmark runs once, which still
checks that the full 120-month baseline completes and conserves workers.
"""

from __future__ import annotations

import resource

import polars as pl
import pytest

from wfabm import WorkforceModel, load_config


@pytest.fixture(scope="module")
def baseline():
    return load_config()


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_benchmark_population_synthesis(benchmark, baseline):
    model = benchmark.pedantic(
        lambda: WorkforceModel(baseline, record_events=False), rounds=1, iterations=1
    )
    benchmark.extra_info["workers"] = model.headcount
    benchmark.extra_info["workplaces"] = model.employers.size
    assert model.headcount > 200_000


def test_benchmark_baseline_120_months(benchmark, baseline):
    models = []

    def setup():
        models.append(WorkforceModel(baseline, record_events=False))
        return (models[-1],), {}

    def run(model):
        start = model.headcount
        model.run(120)
        return start

    start = benchmark.pedantic(run, setup=setup, rounds=1, iterations=1)
    model = models[-1]
    benchmark.extra_info["workers_start"] = start
    benchmark.extra_info["workers_end"] = model.headcount
    benchmark.extra_info["peak_rss_mb"] = round(_peak_rss_mb())
    flows = model.flows
    arrivals = flows.filter(pl.col("origin").is_in(["entrant", "graduate", "overseas"]))
    departures = flows.filter(pl.col("destination").is_in(["retired", "left_sector"]))
    assert model.month == 120
    assert model.headcount - start == arrivals["count"].sum() - departures["count"].sum()
