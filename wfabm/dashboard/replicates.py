"""Named scenarios against the baseline over a few seeds, run in worker processes.

Every scenario runs on the baseline's seeds (:func:`wfabm.batch.compare.comparison_seeds`,
common random numbers). Each run gives its Wales-wide monthly lines (for bands over the
seeds) and its summary over the last 12 months (:func:`wfabm.outcomes.summary.summarise_run`);
they are held in one :class:`wfabm.outcomes.results.Results`, and a scenario's differences
from the baseline are its runs paired seed by seed with the baseline's
(:func:`wfabm.batch.compare.paired_comparison`, through :meth:`Results.reduce`), exactly as
``wfabm compare`` does.

Results arrive run by run: :func:`run_replicates` hands a new :class:`Replicates` to its
``on_update`` after every run, so a view can draw the seeds done so far. Runs are kept in
this process by (config, seed, months), so the baseline of a workshop's seeds, or a
scenario already compared, is run once for every session.
"""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from wfabm.batch.compare import BASELINE, SCENARIO, comparison_seeds, paired_comparison
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.config import Config
from wfabm.dashboard.measures import WALES_MEASURES, Series
from wfabm.outcomes.results import Results
from wfabm.outcomes.summary import summarise_run
from wfabm.world.metrics import month_dates

__all__ = [
    "AUTHORITY_VACANCIES",
    "BASELINE",
    "CACHED_RUNS",
    "Paired",
    "Replicates",
    "forget_runs",
    "replicate",
    "run_replicates",
    "seconds_left",
]

AUTHORITY_VACANCIES = "la_vacancies"
"""The key of a run's lines holding vacancies by local authority, ``(months, authorities)``
(stacked over the seeds in :meth:`Replicates.lines`), for the view of one authority."""

CACHED_RUNS = 96
"""Runs kept in this process (each a few kilobytes: lines and a summary)."""

RunOutput = tuple[dict[str, np.ndarray], pl.DataFrame]
"""One run's lines ``{measure: (months,)}`` (and :data:`AUTHORITY_VACANCIES`) and its summary."""

_runs: collections.OrderedDict[tuple[str, int, int], RunOutput] = collections.OrderedDict()
_runs_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class Paired:
    """One scenario of a comparison against the baseline, over the seeds done for both.

    What a panel about the run shown reads (the brief, the view of one authority).

    Attributes:
        name: The scenario's name in the comparison.
        seeds: The paired seeds, in seed order.
        dates: First day of each simulated month.
        lines: ``{"baseline" | "scenario": {measure: (seeds, months[, authorities])}}``,
            rows in the order of :attr:`seeds`.
        table: :func:`~wfabm.batch.compare.paired_comparison`'s table of the pairs.
    """

    name: str
    seeds: tuple[int, ...]
    dates: tuple[dt.date, ...]
    lines: Mapping[str, Mapping[str, np.ndarray]]
    table: pl.DataFrame


@dataclass(frozen=True, eq=False)
class Replicates:
    """The baseline and named scenarios on common seeds: the runs done so far.

    Equal only to itself, so that every run that arrives redraws the views.

    Attributes:
        names: The scenarios' names, as the views show them (the baseline is
            :data:`BASELINE` and not among them).
        seeds: The model seeds, the same for every scenario.
        dates: First day of each simulated month.
        results: The runs done: ``summary`` has one row per run (``scenario``: a name or
            :data:`BASELINE`; ``seed``) and outcome; ``lines`` is ``{scenario: {measure:
            (runs done, months)}}`` for each of
            :data:`~wfabm.dashboard.measures.WALES_MEASURES` (and ``(runs done, months,
            authorities)`` for :data:`AUTHORITY_VACANCIES`), in seed order.
        total: Runs in all, when complete.
    """

    names: tuple[str, ...]
    seeds: tuple[int, ...]
    dates: tuple[dt.date, ...]
    results: Results
    total: int

    @property
    def done(self) -> int:
        """Runs done so far."""
        return self.results.summary.select(["scenario", "seed"]).unique().height

    @property
    def complete(self) -> bool:
        """Whether every run is done."""
        return self.done == self.total

    def seeds_of(self, scenario: str) -> tuple[int, ...]:
        """The seeds done for a scenario (or :data:`BASELINE`), in seed order."""
        summary = self.results.summary
        done = set(summary.filter(pl.col("scenario") == scenario)["seed"].to_list())
        return tuple(seed for seed in self.seeds if seed in done)

    def paired_seeds(self, name: str) -> tuple[int, ...]:
        """Seeds done both for the scenario and for the baseline."""
        both = set(self.seeds_of(BASELINE)) & set(self.seeds_of(name))
        return tuple(seed for seed in self.seeds if seed in both)

    def lines(self, scenario: str, measure: str) -> np.ndarray:
        """A measure's monthly Wales lines, ``(seeds done, months)``, for a scenario."""
        assert self.results.lines is not None
        return self.results.lines.get(scenario, {}).get(measure, np.empty((0, len(self.dates))))

    def table(self, name: str) -> pl.DataFrame | None:
        """A scenario against the baseline over their paired seeds (None before any pair).

        Returns:
            :func:`~wfabm.batch.compare.paired_comparison`'s table (``baseline_mean``,
            ``scenario_mean``, ``difference``, ``ci_low``, ``ci_high`` by sector, role and
            outcome).
        """
        seeds = self.paired_seeds(name)
        if not seeds:
            return None
        runs = self.results.summary.filter(
            pl.col("scenario").is_in([BASELINE, name]) & pl.col("seed").is_in(list(seeds))
        ).with_columns(
            pl.when(pl.col("scenario") == name)
            .then(pl.lit(SCENARIO))
            .otherwise(pl.col("scenario"))
            .alias("scenario")
        )
        return paired_comparison(runs)

    def pair(self, name: str) -> Paired | None:
        """A scenario and the baseline over their paired seeds (None before any pair)."""
        seeds = self.paired_seeds(name)
        table = self.table(name)
        if table is None:
            return None

        def rows(label: str) -> dict[str, np.ndarray]:
            done = self.seeds_of(label)
            keep = [done.index(seed) for seed in seeds]
            assert self.results.lines is not None
            return {m: v[keep] for m, v in self.results.lines.get(label, {}).items()}

        lines = {BASELINE: rows(BASELINE), SCENARIO: rows(name)}
        return Paired(name, seeds, self.dates, lines, table)


def replicate(config: Config, seed: int, months: int) -> RunOutput:
    """Run one config on one seed: its Wales lines and its summary over the last year.

    A module-level function so that worker processes can run it.

    Args:
        config: The resolved config.
        seed: The model's root seed.
        months: Months to simulate.

    Returns:
        ``{measure: values (months,)}`` and the run's :func:`~wfabm.outcomes.summary.summarise_run`.
    """
    from wfabm.batch.run import run_model

    model, _ = run_model(config, seed=seed, months=months)
    series = Series(model.geography.size, months)
    series.extend(model.recorder.stocks[:months])
    lines = {measure: series.wales(measure) for measure in WALES_MEASURES}
    lines[AUTHORITY_VACANCIES] = series[AUTHORITY_VACANCIES]
    return lines, summarise_run(model.metrics)


def forget_runs() -> None:
    """Drop every run kept in this process (the next comparison runs afresh)."""
    with _runs_lock:
        _runs.clear()


def seconds_left(elapsed: float, run_now: int, done_now: int, months: int, workers: int) -> float:
    """A guess at the seconds a comparison still needs.

    Args:
        elapsed: Seconds since its runs started.
        run_now: Runs it has still to do.
        done_now: Runs it has done since it started (runs kept from before excluded).
        months: Months per run.
        workers: Processes running them.

    Returns:
        The runs left times the time a run has taken so far, or, before the first run
        is done, times a run's usual time here (about 2 s to build and 60 ms a month).
    """
    if done_now:
        return elapsed / done_now * run_now
    per_run = 2.0 + 0.06 * months
    rounds = -(-run_now // max(workers, 1))
    return max(per_run * rounds - elapsed, 1.0)


def run_replicates(
    baseline: Config,
    scenarios: Mapping[str, Config],
    *,
    replicates: int,
    months: int,
    root_seed: int,
    workers: int = 2,
    on_update: Callable[[Replicates], None] | None = None,
    progress: Callable[[int, int, float], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Replicates | None:
    """Run the baseline and named scenarios on the same seeds, in worker processes.

    Args:
        baseline: The baseline config.
        scenarios: ``{name: config}``, in the order to show them.
        replicates: Seeds per config, >= 1.
        months: Months per run.
        root_seed: Root of the seeds.
        workers: Processes to run in (1: in this process); results do not depend on it.
        on_update: Given the runs done so far after every run (and once at the start,
            with the runs kept from before).
        progress: Told ``(runs done, runs in all, seconds left)`` as runs finish.
        cancel: Asked between runs; when it says True, queued runs are dropped and None
            is returned.

    Returns:
        The runs, or None if cancelled.
    """
    seeds = tuple(comparison_seeds(root_seed, replicates))
    configs = {BASELINE: baseline, **scenarios}
    tasks = [(label, configs[label], seed) for seed in seeds for label in configs]
    outputs: dict[int, RunOutput] = {}
    with _runs_lock:
        for i, (_, config, seed) in enumerate(tasks):
            key = (config.hash, seed, months)
            if key in _runs:
                _runs.move_to_end(key)
                outputs[i] = _runs[key]
    fresh = [i for i in range(len(tasks)) if i not in outputs]
    year, month = (int(part) for part in baseline.get("run.start").split("-")[:2])
    dates = tuple(month_dates(dt.date(year, month, 1), months))
    names = tuple(scenarios)

    def held() -> Replicates:
        return _held(names, seeds, dates, tasks, outputs)

    started = time.monotonic()

    def arrived(index: int, output: RunOutput) -> None:
        task = fresh[index]
        outputs[task] = output
        _, config, seed = tasks[task]
        _keep((config.hash, seed, months), output)
        if on_update is not None:
            on_update(held())

    def report(done: int, total: int) -> None:
        if progress is not None:
            left = seconds_left(time.monotonic() - started, total - done, done, months, workers)
            progress(len(tasks) - total + done, len(tasks), left)

    if on_update is not None:
        on_update(held())
    if fresh:
        with open_executor("local", min(workers, len(fresh))) as executor:
            finished = map_ordered(
                executor,
                replicate,
                [(tasks[i][1], tasks[i][2], months) for i in fresh],
                progress=report,
                cancel=cancel,
                on_result=arrived,
            )
        if finished is None:
            return None
    else:
        report(0, 0)
    return held()


def _keep(key: tuple[str, int, int], output: RunOutput) -> None:
    with _runs_lock:
        _runs[key] = output
        while len(_runs) > CACHED_RUNS:
            _runs.popitem(last=False)


def _held(
    names: tuple[str, ...],
    seeds: tuple[int, ...],
    dates: tuple[dt.date, ...],
    tasks: list[tuple[str, Config, int]],
    outputs: Mapping[int, RunOutput],
) -> Replicates:
    """The runs done so far, in task order (seed by seed)."""
    lines: dict[str, dict[str, list[np.ndarray]]] = {}
    runs = []
    for i, (label, _, seed) in enumerate(tasks):
        if i not in outputs:
            continue
        run_lines, summary = outputs[i]
        for measure, values in run_lines.items():
            lines.setdefault(label, {}).setdefault(measure, []).append(values)
        runs.append(({"scenario": label, "seed": seed}, summary))
    stacked = {
        label: {measure: np.stack(rows) for measure, rows in measures.items()}
        for label, measures in lines.items()
    }
    summary = (
        Results.of_runs(runs).summary
        if runs
        else pl.DataFrame(schema={"scenario": pl.String, "seed": pl.Int64})
    )
    return Replicates(names, seeds, dates, Results(summary, lines=stacked), len(tasks))
