"""Compare a scenario with a baseline over common random numbers.

Both configs are run on the same seeds, each run is summarised over its last year
(:func:`summarise_run`), and each outcome's scenario − baseline difference is taken seed by
seed (:func:`paired_comparison`). Pairing removes most of the seed-to-seed noise that the two
runs share, so a small number of seeds gives a usefully narrow interval for the difference.

The seeds derive from one root seed (:func:`comparison_seeds`), so a comparison is repeated
exactly by repeating its root seed, seed count and months, whatever the number of worker
processes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from wfabm.batch.atomic import write_atomically
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.batch.provenance import git_commit, package_versions
from wfabm.batch.run import check_results_folder
from wfabm.config import Config, ConfigError, display_path, required
from wfabm.outcomes.results import Results
from wfabm.outcomes.summary import ALL_ROLES, OUTCOMES, WALES, in_report_order, summarise_run

__all__ = [
    "BASELINE",
    "FILES",
    "MANIFEST",
    "SCENARIO",
    "Comparison",
    "check_out",
    "compare_configs",
    "comparison_manifest",
    "comparison_seeds",
    "format_comparison",
    "paired_comparison",
    "run_summary",
    "write_comparison",
]

BASELINE = "baseline"
SCENARIO = "scenario"
"""Values of the ``scenario`` column of the per-seed runs table."""

MANIFEST = "manifest.json"
"""The file of a comparison's folder that says what was run (:func:`comparison_manifest`)."""

FILES: tuple[str, ...] = ("comparison.csv", "comparison.parquet", MANIFEST, "runs.parquet")
"""What :func:`write_comparison` writes, and all that may already be in a folder it replaces."""

_KEYS = ["sector", "role", "outcome"]
_BASELINE_CONFIG = "the baseline config"
_EXPLICITLY = "pass it explicitly"

Progress = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)``, first with zero runs done."""


# --------------------------------------------------------------------------- seeds and runs
def comparison_seeds(root: int, count: int) -> list[int]:
    """The model seeds of a comparison: ``SeedSequence(root).spawn(count)``, one int each.

    Seed ``i`` depends only on ``root`` and ``i``, so a comparison with more seeds repeats
    the runs of one with fewer and adds to them.

    Args:
        root: Root seed, a whole number >= 0.
        count: Number of seeds, >= 1.

    Returns:
        ``count`` seeds, each a whole number below 2**32.
    """
    if count < 1:
        raise ValueError(f"the number of seeds must be >= 1, not {count!r}")
    children = np.random.SeedSequence(root).spawn(count)
    return [int(child.generate_state(1)[0]) for child in children]


def run_summary(config: Config, seed: int, months: int, window_months: int = 12) -> pl.DataFrame:
    """Run a config for ``months`` months and summarise it with :func:`summarise_run`.

    A module-level function so that worker processes can run it.

    Args:
        config: The resolved configuration.
        seed: The model's root seed.
        months: Months to simulate.
        window_months: Passed to :func:`summarise_run`.

    Returns:
        The run's summary.
    """
    # Imported here so that the statistics above work without the model's dependencies.
    from wfabm.batch.run import run_model

    model, _ = run_model(config, seed=seed, months=months)
    return summarise_run(model.metrics, window_months)


# --------------------------------------------------------------------------- comparison
def paired_comparison(runs: pl.DataFrame) -> pl.DataFrame:
    """Compare scenario with baseline outcome by outcome, pairing runs by seed.

    Args:
        runs: Per-seed summaries with columns scenario (``"baseline"`` or ``"scenario"``),
            seed, sector, role, outcome, value.

    Returns:
        One row per (sector, role, outcome), in reporting order: ``seeds`` (seeds where
        both values are defined), ``baseline_mean`` and ``scenario_mean`` (over the seeds
        where each is defined), ``difference`` (mean of scenario − baseline over paired
        seeds), and ``ci_low``/``ci_high``, the 95 % interval difference ± t(0.975, n − 1)
        · sd / √n (null with fewer than two paired seeds).

    Raises:
        ValueError: If a (scenario, seed, sector, role, outcome) has more than one value.
    """
    return in_report_order(Results(runs).reduce(_KEYS, over="seed", paired=BASELINE))


@dataclass(frozen=True)
class Comparison:
    """A finished comparison.

    Attributes:
        baseline: The baseline config.
        scenario: The scenario config.
        root_seed: The root seed the seeds derive from.
        seeds: The model seeds, the same for both configs.
        months: Months simulated per run.
        window_months: Months at the end of each run that were summarised.
        runs: Per-seed summaries: scenario, seed, sector, role, outcome, value.
        table: The paired comparison (:func:`paired_comparison`).
    """

    baseline: Config
    scenario: Config
    root_seed: int
    seeds: tuple[int, ...]
    months: int
    window_months: int
    runs: pl.DataFrame
    table: pl.DataFrame

    def text(self, out: Path | None = None) -> str:
        """A readable report of the main rows (fits a 100-column terminal)."""
        return format_comparison(self, out)


def compare_configs(
    baseline: Config,
    scenario: Config,
    *,
    seeds: int = 10,
    months: int | None = None,
    root_seed: int | None = None,
    workers: int = 1,
    window_months: int = 12,
    progress: Progress | None = None,
) -> Comparison:
    """Run both configs on the same seeds and compare their outcomes.

    Args:
        baseline: The baseline config.
        scenario: The scenario config.
        seeds: Number of seeds (each run once per config), >= 1.
        months: Months per run; defaults to the baseline's ``run.months``.
        root_seed: Root of the seeds; defaults to the baseline's ``run.seed``.
        workers: Processes to run in; 1 runs everything in this process. The results do not
            depend on it.
        window_months: Months at the end of each run to summarise.
        progress: Told how many runs are done after each one.

    Returns:
        The per-seed summaries and the comparison table.

    Raises:
        ConfigError: For a bad count, or a config without ``run.months``/``run.seed`` when
            they are not given; or from the model, for a config it cannot run.
    """
    for name, value in (("seeds", seeds), ("workers", workers), ("window_months", window_months)):
        _check_count(name, value)
    months = (
        required(baseline, "run.months", _EXPLICITLY, subject=_BASELINE_CONFIG)
        if months is None
        else months
    )
    _check_count("months", months)
    root_seed = (
        required(baseline, "run.seed", _EXPLICITLY, subject=_BASELINE_CONFIG)
        if root_seed is None
        else root_seed
    )
    if root_seed < 0:
        raise ConfigError(f"the root seed must be a whole number >= 0, not {root_seed}.")
    model_seeds = comparison_seeds(root_seed, seeds)
    tasks = [
        (label, config, seed)
        for seed in model_seeds
        for label, config in ((BASELINE, baseline), (SCENARIO, scenario))
    ]
    summaries = _run_all(
        [(config, seed) for _, config, seed in tasks], months, window_months, workers, progress
    )
    # Tasks are in (seed, config) order, but the table lists the baseline's runs first.
    frames = [
        summary.select(
            pl.lit(label).alias("scenario"), pl.lit(seed, dtype=pl.Int64).alias("seed"), pl.all()
        )
        for label in (BASELINE, SCENARIO)
        for (task_label, _, seed), summary in zip(tasks, summaries, strict=True)
        if task_label == label
    ]
    runs = pl.concat(frames, how="diagonal")
    return Comparison(
        baseline=baseline,
        scenario=scenario,
        root_seed=root_seed,
        seeds=tuple(model_seeds),
        months=months,
        window_months=min(window_months, months),
        runs=runs,
        table=paired_comparison(runs),
    )


def _run_all(
    tasks: list[tuple[Config, int]],
    months: int,
    window_months: int,
    workers: int,
    progress: Progress | None,
) -> list[pl.DataFrame]:
    """Run every (config, seed), returning summaries in task order."""
    calls = [(config, seed, months, window_months) for config, seed in tasks]
    with open_executor("local", min(workers, len(tasks))) as executor:
        return map_ordered(executor, run_summary, calls, progress=progress)


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a whole number >= 1, not {value!r}.")


# --------------------------------------------------------------------------- output
def check_out(out: str | Path) -> Path:
    """Check that :func:`write_comparison` may use ``out``, before any run starts.

    Args:
        out: The results folder.

    Returns:
        ``out`` as a path.

    Raises:
        ConfigError: If ``out`` is a file, or a folder holding anything but an earlier
            comparison's files (which would be lost when it is replaced).
    """
    return check_results_folder(out, FILES)


def comparison_manifest(comparison: Comparison) -> dict:
    """What a comparison ran, so that it can be repeated (``wfabm replicate``).

    Args:
        comparison: The finished comparison.

    Returns:
        ``baseline`` and ``scenario`` (each ``config_name``, ``config_hash`` and the resolved
        ``config``), ``root_seed``, ``seeds`` (the model seeds), ``months``,
        ``window_months``, ``package_versions``, ``git_commit`` and ``finished`` (UTC).
    """
    return {
        **{
            label: {
                "config_name": config.name,
                "config_hash": config.hash,
                "config": config.to_dict(),
            }
            for label, config in ((BASELINE, comparison.baseline), (SCENARIO, comparison.scenario))
        },
        "root_seed": comparison.root_seed,
        "seeds": list(comparison.seeds),
        "months": comparison.months,
        "window_months": comparison.window_months,
        "package_versions": package_versions(),
        "git_commit": git_commit(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def write_comparison(comparison: Comparison, out: str | Path) -> Path:
    """Write ``comparison.parquet``, ``comparison.csv``, ``runs.parquet`` and the manifest.

    The files are written to a temporary folder beside ``out`` and moved into place only
    when all four are complete; an earlier comparison in ``out`` is replaced. The manifest
    (``manifest.json``, :func:`comparison_manifest`) records what was run.

    Args:
        comparison: What to write.
        out: The results folder.

    Returns:
        The results folder.

    Raises:
        ConfigError: As for :func:`check_out`.
    """

    def write(folder: Path) -> None:
        comparison.table.write_parquet(folder / "comparison.parquet")
        comparison.table.write_csv(folder / "comparison.csv")
        comparison.runs.write_parquet(folder / "runs.parquet")
        manifest = comparison_manifest(comparison)
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str))

    return write_atomically(check_out(out), write, folder=True)


@dataclass(frozen=True)
class _Style:
    title: str
    scale: float
    level: str
    change: str

    def show(self, value: float | None, spec: str) -> str:
        return "-" if value is None else format(value * self.scale, spec)


def _styles(window_months: int) -> dict[str, _Style]:
    span = "per year" if window_months == 12 else f"over the last {window_months} months"
    # Leaver and joiner rates are annualised whatever the window.
    rate = "% per year, differences in percentage points"
    return {
        "headcount": _Style("Headcount (mean, people)", 1.0, ",.0f", "+,.1f"),
        "vacancy_rate": _Style(
            "Vacancy rate (% of funded posts, differences in percentage points)",
            100.0,
            ".1f",
            "+.2f",
        ),
        "leaver_rate": _Style(f"Leaver rate ({rate})", 100.0, ".1f", "+.2f"),
        "joiner_rate": _Style(f"Joiner rate ({rate})", 100.0, ".1f", "+.2f"),
        "burnout": _Style("Burnout (0-1, headcount-weighted mean)", 1.0, ".3f", "+.4f"),
        "agency_spend": _Style(f"Agency spend (£ million {span})", 1e-6, ",.2f", "+,.3f"),
        "wage_bill": _Style(f"Wage bill (£ million {span})", 1e-6, ",.2f", "+,.3f"),
        "unmet_hours": _Style(f"Unmet care hours (thousand hours {span})", 1e-3, ",.1f", "+,.1f"),
    }


_SHOWN_SECTORS = (WALES, "la", "independent")
_SHOWN_ROLES = (ALL_ROLES, "care_worker", "social_worker")
_SECTOR_LABELS = {WALES: "Wales", "la": "local auth.", "independent": "independent"}
_ROLE_LABELS = {ALL_ROLES: "all roles"}


def format_comparison(comparison: Comparison, out: Path | None = None) -> str:
    """Render the main rows of a comparison, one small table per outcome.

    The rows are Wales, local authorities and independent providers, each for all roles,
    care workers and social workers; the written files hold every row.

    Args:
        comparison: The comparison.
        out: Where its files were written, to mention.

    Returns:
        Text no wider than 100 columns.
    """
    n, months = len(comparison.seeds), comparison.months
    first = months - comparison.window_months + 1
    window = f"month {months}" if first == months else f"months {first}-{months}"
    base, scen = comparison.baseline, comparison.scenario
    lines = [
        f"wfabm compare: {_describe(base)} (baseline) vs {_describe(scen)} (scenario)",
        f"{_plural(n, 'paired seed')} from root seed {comparison.root_seed}, "
        f"{_plural(months, 'month')} each; outcomes over {window}.",
        "difference = scenario - baseline, paired by seed and averaged over seeds;",
        (
            "95% interval = difference ± t(0.975, n-1) · sd / √n over the n seeds."
            if n > 1
            else "with one seed there are no intervals: use --seeds 2 or more."
        ),
    ]
    if base.get("run.start", None) != scen.get("run.start", None):
        lines.append(
            f"note: the configs start in different months ({base.get('run.start', '?')}, "
            f"{scen.get('run.start', '?')}), so the windows are different months."
        )
    if scen.get("run.months", None) != base.get("run.months", None):
        lines.append(
            f"note: both configs ran {_plural(months, 'month')}; the scenario's run.months "
            f"({scen.get('run.months', '-')}) was not used."
        )
    if out is not None:
        lines.append(f"Full table (every sector and role) in {display_path(out)}")
    table = comparison.table.filter(
        pl.col("sector").is_in(_SHOWN_SECTORS) & pl.col("role").is_in(_SHOWN_ROLES)
    )
    styles = _styles(comparison.window_months)
    header = (
        f"  {'sector':<12}{'role':<14}{'baseline':>12}{'scenario':>12}{'difference':>12}"
        "  95% interval"
    )
    for outcome in OUTCOMES:
        rows = table.filter(pl.col("outcome") == outcome)
        if rows.is_empty():
            continue
        style = styles[outcome]
        lines.extend(["", style.title, header])
        for row in rows.iter_rows(named=True):
            level, change = style.level, style.change
            interval = (
                "-"
                if row["ci_low"] is None
                else f"{style.show(row['ci_low'], change)} to {style.show(row['ci_high'], change)}"
            )
            sector = _SECTOR_LABELS.get(row["sector"], row["sector"])
            role = _ROLE_LABELS.get(row["role"], row["role"])
            lines.append(
                f"  {sector:<12}{role:<14}{style.show(row['baseline_mean'], level):>12}"
                f"{style.show(row['scenario_mean'], level):>12}"
                f"{style.show(row['difference'], change):>12}  {interval}"
            )
    return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _describe(config: Config) -> str:
    return f"{config.name} [{config.hash[:8]}]"
