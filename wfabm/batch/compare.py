"""Compare a scenario with a baseline over common random numbers.

Both configs are run on the same seeds, each run is summarised over its last year
(:func:`summarise_run`), and each outcome's scenario − baseline difference is taken seed by
seed (:func:`paired_comparison`). Pairing removes most of the seed-to-seed noise that the two
runs share, so a small number of seeds gives a usefully narrow interval for the difference.

The seeds derive from one root seed (:func:`comparison_seeds`), so a comparison is repeated
exactly by repeating its root seed, seed count and months, whatever the number of worker
processes.

A comparison may also run on an ensemble of parameter draws (:mod:`wfabm.batch.ensemble`):
then each member is a (draw, seed) pair, both configs run on every member, and the table
adds, per outcome, the median effect, its 90 % interval, the probability that the scenario is
better, and how much of the spread is parameter and how much stochastic uncertainty
(:func:`wfabm.outcomes.ensemble.effect_distribution`).
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
from wfabm.batch.ensemble import DRAWS, Ensemble, seed_ensemble
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.batch.provenance import git_commit, package_versions
from wfabm.batch.run import check_results_folder
from wfabm.config import Config, ConfigError, display_path, required
from wfabm.outcomes.ensemble import effect_distribution
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
    "write_comparison_json",
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
def paired_comparison(runs: pl.DataFrame, *, draws: bool = False) -> pl.DataFrame:
    """Compare scenario with baseline outcome by outcome, pairing runs by seed.

    Args:
        runs: Per-seed summaries with columns scenario (``"baseline"`` or ``"scenario"``),
            seed, sector, role, outcome, value.

    Returns:
        One row per (sector, role, outcome), in reporting order: ``seeds`` (seeds where
        both values are defined), ``baseline_mean`` and ``scenario_mean`` (over the seeds
        where each is defined), ``difference`` (mean of scenario − baseline over paired
        seeds), and ``ci_low``/``ci_high``, the 95 % interval of that mean, difference ±
        t(0.975, n − 1) · sd / √n (null with fewer than two paired seeds); then the
        distribution of the effect over the runs
        (:func:`~wfabm.outcomes.ensemble.effect_distribution`): ``members``,
        ``baseline_median``, ``scenario_median``, ``difference_median``,
        ``difference_low``/``difference_high`` (its 90 % interval), ``p_better``,
        ``sd_parameter`` and ``sd_stochastic``.

    Args:
        runs: As above; with ``draws``, also a ``draw`` column naming each seed's
            parameter draw.
        draws: Whether the runs vary the parameters (a draw ensemble).

    Raises:
        ValueError: If a (scenario, seed, sector, role, outcome) has more than one value.
    """
    means = Results(runs).reduce(_KEYS, over="seed", paired=BASELINE)
    effects = effect_distribution(
        runs, _KEYS, member="seed", reference=BASELINE, draw="draw" if draws else None
    )
    return in_report_order(means.join(effects, on=_KEYS, how="left", nulls_equal=True))


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
        runs: Per-seed summaries: scenario, seed, (with draws: draw,) sector, role,
            outcome, value.
        table: The paired comparison (:func:`paired_comparison`).
        ensemble: The members both configs ran on: seeds alone, or parameter draws
            (by default, ``seeds`` with the configs' own parameters).
    """

    baseline: Config
    scenario: Config
    root_seed: int
    seeds: tuple[int, ...]
    months: int
    window_months: int
    runs: pl.DataFrame
    table: pl.DataFrame
    ensemble: Ensemble | None = None

    def __post_init__(self) -> None:
        # A comparison made without an ensemble ran its seeds on the configs' parameters.
        if self.ensemble is None:
            object.__setattr__(self, "ensemble", seed_ensemble(list(self.seeds)))

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
    ensemble: Ensemble | None = None,
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
        ensemble: The members to run both configs on (their seeds and parameter draws);
            by default ``seeds`` seeds from the root seed with the configs' own parameters.
            When given, ``seeds`` is not used.

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
    if ensemble is None:
        ensemble = seed_ensemble(comparison_seeds(root_seed, seeds))
    draws = ensemble.kind == DRAWS
    tasks = [
        (label, member, member.apply(config))
        for member in ensemble.members
        for label, config in ((BASELINE, baseline), (SCENARIO, scenario))
    ]
    summaries = _run_all(
        [(config, member.seed) for _, member, config in tasks],
        months,
        window_months,
        workers,
        progress,
    )
    # Tasks are in (member, config) order, but the table lists the baseline's runs first.
    frames = [
        summary.select(
            pl.lit(label).alias("scenario"),
            pl.lit(member.seed, dtype=pl.Int64).alias("seed"),
            *([pl.lit(member.draw, dtype=pl.Int64).alias("draw")] if draws else []),
            pl.all(),
        )
        for label in (BASELINE, SCENARIO)
        for (task_label, member, _), summary in zip(tasks, summaries, strict=True)
        if task_label == label
    ]
    runs = pl.concat(frames, how="diagonal")
    return Comparison(
        baseline=baseline,
        scenario=scenario,
        root_seed=root_seed,
        seeds=tuple(member.seed for member in ensemble.members),
        months=months,
        window_months=min(window_months, months),
        runs=runs,
        table=paired_comparison(runs, draws=draws),
        ensemble=ensemble,
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
        ``config``), ``root_seed``, ``seeds`` (the model seeds), ``ensemble`` (each
        member's seed and parameter draw, and the draws' folder and hash), ``months``,
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
        "ensemble": comparison.ensemble.to_dict(),
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


def write_comparison_json(comparison: Comparison, path: str | Path) -> Path:
    """Write the whole comparison as one JSON file, whole or not at all.

    The file holds ``manifest`` (:func:`comparison_manifest`, with every member of the
    ensemble), ``columns`` (each column of the table with its meaning) and ``rows`` (every
    row of the table, every sector, role and outcome; NaN and undefined values as null).

    Args:
        comparison: What to write.
        path: The JSON file; its folder is made if need be.

    Returns:
        The path.
    """
    document = {
        "manifest": comparison_manifest(comparison),
        "columns": dict(JSON_COLUMNS),
        "rows": comparison.table.to_dicts(),
    }
    text = json.dumps(document, indent=1, default=str, allow_nan=False)

    def write(target: Path) -> None:
        target.write_text(text + "\n", encoding="utf-8")

    return write_atomically(Path(path), write)


JSON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("sector", "sector, or wales for the Welsh total"),
    ("role", "role, or all"),
    ("outcome", "outcome; rates are fractions (0.1 = 10 %), money in £"),
    ("seeds", "runs with both values"),
    ("baseline_mean", "the baseline's mean over its runs"),
    ("scenario_mean", "the scenario's mean over its runs"),
    ("difference", "mean of scenario - baseline over paired runs"),
    ("ci_low", "95 % Student-t interval of that mean, low end"),
    ("ci_high", "95 % Student-t interval of that mean, high end"),
    ("members", "ensemble members with both values"),
    ("baseline_median", "the baseline's median over its runs"),
    ("scenario_median", "the scenario's median over its runs"),
    ("difference_median", "median of scenario - baseline over the members (the effect)"),
    ("difference_low", "5th percentile of the effect over the members"),
    ("difference_high", "95th percentile of the effect over the members"),
    ("p_better", "share of members where the scenario does strictly better (null: no better way)"),
    ("sd_parameter", "standard deviation of the effect due to the parameters"),
    ("sd_stochastic", "standard deviation of the effect due to the seeds"),
)
"""The columns of a comparison's table, with their meaning, as the JSON file lists them."""


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
    ensemble = comparison.ensemble
    lines = [
        f"wfabm compare: {_describe(base)} (baseline) vs {_describe(scen)} (scenario)",
        f"{ensemble.describe()} from root seed {comparison.root_seed}, "
        f"{_plural(months, 'month')} each; outcomes over {window}.",
        *(
            (
                f"parameter draws from {display_path(ensemble.source or '?')} "
                f"(draws.parquet sha256 {(ensemble.source_hash or '?')[:12]})",
            )
            if ensemble.kind == DRAWS
            else ()
        ),
        "effect = scenario - baseline on the same "
        + ("parameter draw and seed" if ensemble.kind == DRAWS else "seed and parameters")
        + ", its median over the runs;",
        *(
            (
                f"90% interval = 5th to 95th percentile of the effect over the {n} runs;",
                "P(better) = share of the runs where the scenario does strictly better.",
            )
            if n > 1
            else ("with one seed there are no intervals: use --seeds 2 or more.",)
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
        f"  {'sector':<12}{'role':<14}{'baseline':>11}{'scenario':>11}{'effect':>11}"
        f"  {'90% interval':<24}{'P(better)':>9}"
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
                if n < 2 or row["difference_low"] is None
                else f"{style.show(row['difference_low'], change)} to "
                f"{style.show(row['difference_high'], change)}"
            )
            better = "-" if n < 2 or row["p_better"] is None else f"{row['p_better']:.0%}"
            sector = _SECTOR_LABELS.get(row["sector"], row["sector"])
            role = _ROLE_LABELS.get(row["role"], row["role"])
            lines.append(
                f"  {sector:<12}{role:<14}{style.show(row['baseline_median'], level):>11}"
                f"{style.show(row['scenario_median'], level):>11}"
                f"{style.show(row['difference_median'], change):>11}  {interval:<24}{better:>9}"
            )
    if ensemble.kind == DRAWS and n > 1:
        lines.extend(_sources(table, styles))
    return "\n".join(lines)


def _sources(table: pl.DataFrame, styles: dict[str, _Style]) -> list[str]:
    """How much of each Wales-wide effect's spread is parameter and how much seed noise."""
    lines = [
        "",
        "Where the spread of the effect comes from (Wales, all roles; standard deviations):",
        f"  {'outcome':<16}{'parameters':>14}{'seed noise':>14}",
    ]
    rows = table.filter((pl.col("sector") == WALES) & (pl.col("role") == ALL_ROLES))
    for row in rows.iter_rows(named=True):
        style = styles.get(row["outcome"])
        if style is None:
            continue
        parameter = style.show(row["sd_parameter"], style.level)
        stochastic = style.show(row["sd_stochastic"], style.level)
        lines.append(f"  {row['outcome']:<16}{parameter:>14}{stochastic:>14}")
    return lines


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _describe(config: Config) -> str:
    return f"{config.name} [{config.hash[:8]}]"
