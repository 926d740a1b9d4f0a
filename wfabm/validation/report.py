"""Run the baseline over seeds and judge every observed figure against the runs.

:func:`validate` runs a config on ``K`` seeds (from :func:`wfabm.batch.compare.comparison_seeds`)
on the batch executor and reads each figure's counterpart from every run
(:func:`wfabm.validation.observe.observe_run`). :func:`figure_table` then gives, per figure, the
median and 90 % interval across seeds, whether the median lies in the figure's band (pass or
fail), and, for a figure after the base year, the same for a naive persistence forecast (the
2022 value held) and which of the two is nearer the figure. A figure that fails is a finding,
not an error.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from wfabm.batch.atomic import write_atomically
from wfabm.batch.compare import comparison_seeds
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.batch.provenance import git_commit, package_versions
from wfabm.batch.run import check_results_folder
from wfabm.config import Config, ConfigError, display_path, required
from wfabm.validation.figures import FITTED, HELD_OUT, Figure, format_value, load_figures
from wfabm.validation.html import report_html
from wfabm.validation.observe import BASE_YEAR_MONTHS, FIGURE_MONTHS, FULL_MONTHS, observe_run

__all__ = [
    "FAIL",
    "FILES",
    "MODEL",
    "NOT_REACHED",
    "PASS",
    "PERSISTENCE",
    "TIE",
    "Validation",
    "check_out",
    "figure_table",
    "format_validation",
    "validate",
    "write_validation",
]

PASS = "pass"
FAIL = "fail"
NOT_REACHED = "not reached"
"""Results of a figure: its median in the band, outside it, or no run reached its month."""

MODEL = "model"
PERSISTENCE = "persistence"
TIE = "tie"
"""Values of ``winner``: which forecast is nearer the figure."""

FILES: tuple[str, ...] = ("manifest.json", "report.html", "runs.parquet", "validation.parquet")
"""What :func:`write_validation` writes, and all that may be in a folder it replaces."""

INTERVAL = (0.05, 0.95)
"""Quantiles across seeds of the 90 % interval."""

Progress = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)``, first with zero runs done."""


@dataclass(frozen=True)
class Validation:
    """A finished validation.

    Attributes:
        config: The config that was run.
        root_seed: The root seed the seeds derive from.
        seeds: The model seeds.
        months: Months simulated per run.
        runs: One row per seed and figure: seed, figure, value (NaN where undefined).
        table: One row per figure (:func:`figure_table`).
    """

    config: Config
    root_seed: int
    seeds: tuple[int, ...]
    months: int
    runs: pl.DataFrame
    table: pl.DataFrame

    def text(self, out: Path | None = None) -> str:
        """The summary table and counts (fits a 120-column terminal)."""
        return format_validation(self, out)


def validate(
    config: Config,
    *,
    seeds: int = 10,
    months: int = FULL_MONTHS,
    root_seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Validation:
    """Run ``config`` on ``seeds`` seeds and set each run beside every observed figure.

    Args:
        config: The config to run, usually the baseline.
        seeds: Number of seeds, >= 1.
        months: Months per run, at least the base year's 12; figures of later months than
            this are reported as not reached.
        root_seed: Root of the seeds; defaults to the config's ``run.seed``.
        workers: Processes to run in; 1 runs everything in this process. The results do not
            depend on it.
        progress: Told how many runs are done after each one.

    Returns:
        The per-seed values and the table of figures.

    Raises:
        ConfigError: For a bad count or too few months, or a config without ``run.seed``
            when no root seed is given.
    """
    for name, value, least in (
        ("seeds", seeds, 1),
        ("workers", workers, 1),
        ("months", months, BASE_YEAR_MONTHS),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"{name} must be a whole number >= {least}, not {value!r}.")
    if root_seed is None:
        root_seed = required(config, "run.seed", "pass --seed")
    if root_seed < 0:
        raise ConfigError(f"the root seed must be a whole number >= 0, not {root_seed}.")
    figures = load_figures()
    keys = tuple(figure.key for figure in figures)
    model_seeds = comparison_seeds(root_seed, seeds)
    calls = [(config, seed, months, keys) for seed in model_seeds]
    with open_executor("local", min(workers, seeds)) as executor:
        values = map_ordered(executor, observe_run, calls, progress=progress)
    runs = pl.DataFrame(
        {
            "seed": [seed for seed in model_seeds for _ in keys],
            "figure": [key for _ in model_seeds for key in keys],
            "value": [run[key] for run in values for key in keys],
        },
        schema={"seed": pl.Int64, "figure": pl.String, "value": pl.Float64},
    )
    return Validation(
        config=config,
        root_seed=root_seed,
        seeds=tuple(model_seeds),
        months=months,
        runs=runs,
        table=figure_table(figures, runs, months),
    )


def figure_table(figures: tuple[Figure, ...], runs: pl.DataFrame, months: int) -> pl.DataFrame:
    """Judge each figure against the runs and against persistence.

    Args:
        figures: The figures, in report order.
        runs: Per-seed values: seed, figure, value.
        months: Months the runs lasted (a figure of a later month is not reached).

    Returns:
        One row per figure: figure, year, evidence, unit, observed, tolerance, band_low,
        band_high, seeds (runs where it is defined), median, interval_low and
        interval_high (the 5th and 95th percentiles across seeds), result (pass, fail or
        not reached), persistence (the 2022 value held; null for a base-year figure),
        persistence_result, model_error and persistence_error (absolute distance from the
        figure), winner (model, persistence or tie; null without a persistence forecast
        or a median), simulated_as, source.
    """
    by_figure = {
        key[0]: frame["value"].to_numpy()
        for key, frame in runs.group_by(["figure"], maintain_order=True)
    }
    rows = []
    for figure in figures:
        values = by_figure.get(figure.key, np.array([]))
        values = values[np.isfinite(values)]
        reached = FIGURE_MONTHS.get(figure.key, BASE_YEAR_MONTHS) <= months and values.size > 0
        median = float(np.median(values)) if reached else None
        low, high = (float(q) for q in np.quantile(values, INTERVAL)) if reached else (None, None)
        result = NOT_REACHED if median is None else PASS if figure.within(median) else FAIL
        model_error = None if median is None else abs(median - figure.observed)
        persisted = figure.persistence
        persistence_error = None if persisted is None else abs(persisted - figure.observed)
        rows.append(
            {
                "figure": figure.key,
                "year": figure.year,
                "evidence": figure.evidence,
                "unit": figure.unit,
                "observed": figure.observed,
                "tolerance": figure.tolerance,
                "band_low": figure.low,
                "band_high": figure.high,
                "seeds": int(values.size),
                "median": median,
                "interval_low": low,
                "interval_high": high,
                "result": result,
                "persistence": persisted,
                "persistence_result": (
                    None if persisted is None else PASS if figure.within(persisted) else FAIL
                ),
                "model_error": model_error,
                "persistence_error": persistence_error,
                "winner": _winner(model_error, persistence_error),
                "simulated_as": figure.simulated_as,
                "source": figure.source,
            }
        )
    return pl.DataFrame(rows, schema=_TABLE_SCHEMA)


_TABLE_SCHEMA = {
    "figure": pl.String,
    "year": pl.String,
    "evidence": pl.String,
    "unit": pl.String,
    "observed": pl.Float64,
    "tolerance": pl.Float64,
    "band_low": pl.Float64,
    "band_high": pl.Float64,
    "seeds": pl.Int64,
    "median": pl.Float64,
    "interval_low": pl.Float64,
    "interval_high": pl.Float64,
    "result": pl.String,
    "persistence": pl.Float64,
    "persistence_result": pl.String,
    "model_error": pl.Float64,
    "persistence_error": pl.Float64,
    "winner": pl.String,
    "simulated_as": pl.String,
    "source": pl.String,
}


def _winner(model_error: float | None, persistence_error: float | None) -> str | None:
    if model_error is None or persistence_error is None:
        return None
    if math.isclose(model_error, persistence_error, rel_tol=1e-9, abs_tol=1e-12):
        return TIE
    return MODEL if model_error < persistence_error else PERSISTENCE


# --------------------------------------------------------------------------- output
def check_out(out: str | Path) -> Path:
    """Check that :func:`write_validation` may use ``out``, before any run starts.

    Raises:
        ConfigError: If ``out`` is a file, or a folder holding anything but an earlier
            validation's files.
    """
    return check_results_folder(out, FILES)


def validation_manifest(validation: Validation) -> dict:
    """What a validation ran: config, root seed, seeds, months, versions and commit."""
    return {
        "config_name": validation.config.name,
        "config_hash": validation.config.hash,
        "config": validation.config.to_dict(),
        "root_seed": validation.root_seed,
        "seeds": list(validation.seeds),
        "months": validation.months,
        "package_versions": package_versions(["plotly"]),
        "git_commit": git_commit(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def write_validation(validation: Validation, out: str | Path) -> Path:
    """Write ``validation.parquet``, ``runs.parquet``, ``report.html`` and the manifest.

    The files are written to a temporary folder beside ``out`` and moved into place only
    when all are complete; an earlier validation in ``out`` is replaced.

    Args:
        validation: What to write.
        out: The results folder.

    Returns:
        The results folder.
    """
    manifest = validation_manifest(validation)

    def write(folder: Path) -> None:
        validation.table.write_parquet(folder / "validation.parquet")
        validation.runs.write_parquet(folder / "runs.parquet")
        (folder / "report.html").write_text(
            report_html(validation.table, validation.runs, manifest, summary_lines(validation)),
            encoding="utf-8",
        )
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))

    return write_atomically(check_out(out), write, folder=True)


# --------------------------------------------------------------------------- text
def summary_lines(validation: Validation) -> list[str]:
    """The counts: figures in their band by evidence, and who wins after the base year."""
    table = validation.table
    lines = []
    for evidence in (FITTED, HELD_OUT):
        judged = table.filter((pl.col("evidence") == evidence) & (pl.col("result") != NOT_REACHED))
        passed = judged.filter(pl.col("result") == PASS).height
        lines.append(f"{evidence}: {passed} of {judged.height} figures within their band")
    unreached = table.filter(pl.col("result") == NOT_REACHED).height
    if unreached:
        lines.append(
            f"{unreached} figures not reached in {validation.months} months "
            f"(all need {FULL_MONTHS})"
        )
    contested = table.filter(pl.col("winner").is_not_null())
    wins = {
        name: contested.filter(pl.col("winner") == name).height
        for name in (MODEL, PERSISTENCE, TIE)
    }
    lines.append(
        f"after 2022, against persistence (2022 held): model nearer on {wins[MODEL]}, "
        f"persistence on {wins[PERSISTENCE]}, tied on {wins[TIE]} of {contested.height} figures"
    )
    return lines


def format_validation(validation: Validation, out: Path | None = None) -> str:
    """The summary table of every figure and the counts, as ``wfabm validate`` prints it."""
    config = validation.config
    lines = [
        f"wfabm validate: {config.name}, {len(validation.seeds)} seeds (root "
        f"{validation.root_seed}), {validation.months} months"
        + (f"; report in {display_path(out)}" if out is not None else ""),
        "",
        f"  {'figure':<41} {'year':<4} {'evidence':<8} {'observed':>8} {'band':>16} "
        f"{'median':>6} {'90% interval':>16} {'result':<6} {'2022 held':>9} {'nearer'}",
    ]
    for row in validation.table.iter_rows(named=True):
        unit = row["unit"]

        def show(value: float | None, unit: str = unit) -> str:
            return format_value(value, unit)

        band = f"{show(row['band_low'])} to {show(row['band_high'])}"
        interval = (
            "-"
            if row["interval_low"] is None
            else f"{show(row['interval_low'])} to {show(row['interval_high'])}"
        )
        lines.append(
            f"  {row['figure']:<41} {row['year']:<4} {row['evidence']:<8} "
            f"{show(row['observed']):>8} {band:>16} {show(row['median']):>6} {interval:>16} "
            f"{row['result']:<6} {show(row['persistence']):>9} {row['winner'] or '-'}"
        )
    lines.append("")
    lines.extend(summary_lines(validation))
    return "\n".join(lines)
