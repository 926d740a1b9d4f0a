"""The chosen levers against the baseline over a few seeds, run in worker processes.

Both configs run on the same seeds (:func:`wfabm.batch.compare.comparison_seeds`, common random
numbers). Each run gives its Wales-wide monthly lines (for bands over the replicates) and its
summary over the last 12 months (:func:`wfabm.outcomes.summary.summarise_run`); the summaries are
paired seed by seed (:func:`wfabm.batch.compare.paired_comparison`) for the table of differences
at the horizon, exactly as ``wfabm compare`` does.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from wfabm.batch.compare import BASELINE, SCENARIO, comparison_seeds, paired_comparison
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.config import Config
from wfabm.dashboard.measures import WALES_MEASURES, Series
from wfabm.outcomes.summary import summarise_run
from wfabm.world.metrics import month_dates

__all__ = ["AUTHORITY_VACANCIES", "Replicates", "replicate", "run_replicates"]

AUTHORITY_VACANCIES = "la_vacancies"
"""The key of :attr:`Replicates.lines` holding vacancies by local authority, ``(seeds, months,
authorities)``, for the view of one authority."""


@dataclass(frozen=True)
class Replicates:
    """Baseline and scenario runs on common seeds.

    Attributes:
        seeds: The model seeds, the same for both configs.
        dates: First day of each simulated month.
        lines: ``{BASELINE or SCENARIO: {measure: values (replicates, months)}}`` for each
            of :data:`~wfabm.dashboard.measures.WALES_MEASURES`.
        runs: Per-seed summaries (scenario, seed, sector, role, outcome, value).
        table: The paired comparison at the horizon (:func:`wfabm.batch.compare.paired_comparison`).
    """

    seeds: tuple[int, ...]
    dates: tuple
    lines: dict[str, dict[str, np.ndarray]]
    runs: pl.DataFrame
    table: pl.DataFrame


def replicate(config: Config, seed: int, months: int) -> tuple[dict[str, np.ndarray], pl.DataFrame]:
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


def run_replicates(
    baseline: Config,
    scenario: Config,
    *,
    replicates: int,
    months: int,
    root_seed: int,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Replicates | None:
    """Run baseline and scenario on the same seeds, in worker processes.

    Args:
        baseline: The baseline config.
        scenario: The config with the chosen levers.
        replicates: Seeds per config, >= 1.
        months: Months per run.
        root_seed: Root of the seeds.
        workers: Processes to run in (1: in this process); results do not depend on it.
        progress: Told ``(runs done, runs in all)`` as runs finish, first with 0.
        cancel: When set, queued runs are dropped and None is returned.

    Returns:
        The runs, or None if cancelled.
    """
    seeds = comparison_seeds(root_seed, replicates)
    tasks = [
        (label, config, seed)
        for seed in seeds
        for label, config in ((BASELINE, baseline), (SCENARIO, scenario))
    ]
    calls = [(config, seed, months) for _, config, seed in tasks]
    with open_executor("local", min(workers, len(tasks))) as executor:
        results = map_ordered(
            executor,
            replicate,
            calls,
            progress=progress,
            cancel=None if cancel is None else cancel.is_set,
        )
    if results is None:
        return None
    lines: dict[str, dict[str, np.ndarray]] = {}
    frames = []
    for (label, _, seed), (run_lines, summary) in zip(tasks, results, strict=True):
        for measure, values in run_lines.items():
            lines.setdefault(label, {}).setdefault(measure, []).append(values)
        frames.append(
            summary.select(
                pl.lit(label).alias("scenario"),
                pl.lit(seed, dtype=pl.Int64).alias("seed"),
                pl.all(),
            )
        )
    stacked = {
        label: {measure: np.stack(rows) for measure, rows in measures.items()}
        for label, measures in lines.items()
    }
    runs = pl.concat(frames, how="diagonal")
    year, month = (int(part) for part in baseline.get("run.start").split("-")[:2])
    dates = tuple(month_dates(dt.date(year, month, 1), months))
    return Replicates(tuple(seeds), dates, stacked, runs, paired_comparison(runs))
