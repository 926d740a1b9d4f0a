"""Benchmarks of the Wales baseline (pytest-benchmark; timings are not asserted).

Measure with::

    .venv/bin/python -m pytest tests/test_benchmark.py --benchmark-enable --benchmark-only

In the ordinary test run (``--benchmark-disable``) each benchmark runs once, which still
checks that the full 120-month baseline completes and conserves workers.
"""

from __future__ import annotations

import resource

import numpy as np
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


def _simple_rule(workers: int = 84_000, months: int = 120, seed: int = 1) -> np.ndarray:
    """The much simpler reference rule, as bare numpy: burnout update, search, a
    five-candidate logit on pay, move. Gives a same-machine yardstick for the model's speed.
    """
    rng = np.random.default_rng(seed)
    employers = 1_000
    pay = rng.normal(10.0, 0.5, employers)
    employer = rng.integers(0, employers, workers)
    burnout = rng.random(workers)
    for _ in range(months):
        staff = np.bincount(employer, minlength=employers)
        workload = np.take(staff.mean() / np.maximum(staff, 1), employer)
        burnout = np.clip(burnout + 0.1 * (workload - 1.0) - 0.05 * burnout, 0.0, 1.0)
        searching = np.flatnonzero(rng.random(workers) < 0.02 + 0.1 * burnout)
        candidates = rng.integers(0, employers, (len(searching), 5))
        utility = 4.0 * np.log(pay[candidates] / pay[employer[searching], None])
        utility -= np.log(-np.log(rng.random(utility.shape)))
        best = np.argmax(utility, axis=1)
        moving = utility[np.arange(len(searching)), best] > -np.log(-np.log(rng.random(len(best))))
        employer[searching[moving]] = candidates[moving, best[moving]]
    return employer


def test_benchmark_reference_simple_rule(benchmark):
    start = np.random.default_rng(1).integers(0, 1_000, 84_000)
    employer = benchmark.pedantic(_simple_rule, rounds=1, iterations=1)
    # Workers drift toward better-paying employers under the rule.
    pay = np.random.default_rng(1).normal(10.0, 0.5, 1_000)
    assert pay[employer].mean() > pay[start].mean()


_SWEEP = """
[experiment]
name = "sweep_benchmark"
months = 12
seed = 1
replicates = 4

[scenarios]
baseline = "baseline"

[design]
method = "grid"

[parameters."burnout.recovery_rate"]
values = [0.04, 0.06]

[outcomes]
series = ["vacancy_rate"]
flows = true
metrics = false
"""


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_benchmark_sweep_two_workers(benchmark, tmp_path, engine):
    """A small sweep (8 Wales runs of 12 months) on 2 workers; the 200-run figure is in the
    README (experiments/benchmark_sweep.toml)."""
    from wfabm.batch.experiment import load_experiment, run_experiment

    spec = tmp_path / "sweep.toml"
    spec.write_text(_SWEEP, encoding="utf-8")
    experiment = load_experiment(spec)
    outs = iter(tmp_path / f"results-{i}" for i in range(100))

    def sweep():
        return run_experiment(experiment, next(outs), engine=engine, workers=2)

    outcome = benchmark.pedantic(sweep, rounds=1, iterations=1)
    benchmark.extra_info["runs_per_minute"] = round(60 * outcome.finished / outcome.seconds, 1)
    assert outcome.finished == len(experiment.runs) == 8


@pytest.fixture(scope="module")
def workshop_session(baseline):
    """A dashboard session at Wales scale, a year into its run (past the first April)."""
    from wfabm.dashboard.levers import configure, lever_values
    from wfabm.dashboard.simulation import Simulation

    simulation = Simulation(configure(lever_values(baseline), seed=20220401, horizon=120))
    for _ in range(12):
        simulation.step()
    return simulation


def _every_view_data(simulation) -> int:
    """What the dashboard's views read after a month, for every view at once."""
    from wfabm.dashboard.measures import MAP_MEASURES

    series = simulation.series
    arrays = [series.vacancy_rate(), series.turnover(), series.burnout()]
    arrays += [series["sector_headcount"], series["sector_agency_spend"]]
    arrays += [
        simulation.burnout_histogram(),
        simulation.flows(),
        simulation.flows(cumulative=True),
    ]
    arrays += [series.local_authority(measure) for measure in MAP_MEASURES]
    return sum(len(a) for a in arrays)


def test_benchmark_dashboard_step(benchmark, workshop_session):
    """One month in the dashboard: the model's step and the data of every view."""
    simulation = workshop_session
    start = simulation.month

    def month():
        simulation.step()
        return _every_view_data(simulation)

    benchmark.pedantic(month, rounds=12, iterations=1)
    assert simulation.month > start
    assert simulation.series.months == simulation.month


def test_benchmark_dashboard_figures(benchmark, workshop_session):
    """Building every view's charts from a month's data (the dashboard draws one view)."""
    from wfabm.dashboard import charts
    from wfabm.dashboard.app import live_figures

    simulation = workshop_session

    def figures():
        built = [
            figure
            for view in ("workforce", "vacancies", "burnout", "agency")
            for figure in live_figures(simulation, view).values()
        ]
        built.append(charts.sankey(simulation.flows(), "flows"))
        codes = simulation.model.geography.codes
        built.append(
            charts.map_of_authorities(codes, simulation.series.local_authority("burnout"), "map")
        )
        return built

    built = benchmark.pedantic(figures, rounds=5, iterations=1)
    assert len(built) == 10
    assert all(len(figure.data) > 0 for figure in built)


def test_benchmark_dashboard_month_redrawn(benchmark):
    """A month as the dashboard serves it: step, data, and the shown view's charts redrawn.

    The app is rendered without a browser (``solara.render``); a step redraws the vacancy
    view's two charts in their widgets, as it does for a browser watching that view.
    """
    import solara

    from wfabm.dashboard.app import ChartWidget, Dashboard
    from wfabm.dashboard.workshop import Workshop

    workshop = Workshop()
    workshop.view.set("vacancies")
    _, rc = solara.render(Dashboard(workshop), handle_error=False)
    for _ in range(12):
        workshop.step()
    benchmark.pedantic(workshop.step, rounds=12, iterations=1)
    months = workshop.simulation.value.month
    widgets = [widget for widget in rc.find(ChartWidget).widgets if widget.data]
    assert len(widgets) == 2
    assert all(len(widget.data[0].x) == months for widget in widgets)
    rc.close()
