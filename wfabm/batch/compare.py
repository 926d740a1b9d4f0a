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
import math
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from wfabm.batch.provenance import git_commit, package_versions
from wfabm.batch.run import check_results_folder, write_atomically
from wfabm.batch.workerpool import process_pool
from wfabm.batch.workerpool import stop_pool as _stop  # the dashboard's replicates import it here
from wfabm.config import Config, ConfigError, display_path
from wfabm.core.taxonomy import ROLES, SECTORS, WELSH_SOCIAL_CARE

__all__ = [
    "ALL_ROLES",
    "BASELINE",
    "FILES",
    "MANIFEST",
    "OUTCOMES",
    "SCENARIO",
    "WALES",
    "Comparison",
    "check_out",
    "compare_configs",
    "comparison_manifest",
    "comparison_seeds",
    "format_comparison",
    "monthly_outcomes",
    "paired_comparison",
    "run_summary",
    "student_t_cdf",
    "summarise_run",
    "t_quantile",
    "write_comparison",
]

WALES = "wales"
"""Sector label of the Welsh social care rows (``la`` + ``independent`` + ``agency``)."""

ALL_ROLES = "all"
"""Role label of the rows that sum over every role in a sector."""

BASELINE = "baseline"
SCENARIO = "scenario"
"""Values of the ``scenario`` column of the per-seed runs table."""

OUTCOMES: tuple[str, ...] = (
    "headcount",
    "vacancy_rate",
    "leaver_rate",
    "joiner_rate",
    "burnout",
    "agency_spend",
    "wage_bill",
    "unmet_hours",
)
"""Outcomes in the order they are reported; ``unmet_hours`` only when the model records it."""

MANIFEST = "manifest.json"
"""The file of a comparison's folder that says what was run (:func:`comparison_manifest`)."""

FILES: tuple[str, ...] = ("comparison.csv", "comparison.parquet", MANIFEST, "runs.parquet")
"""What :func:`write_comparison` writes, and all that may already be in a folder it replaces."""

# Outcomes that are totals: a (sector, role) cell absent from a run had none of them, whereas a
# rate or mean of an absent cell is undefined.
_TOTALS = frozenset({"headcount", "agency_spend", "wage_bill", "unmet_hours"})
_KEYS = ["sector", "role", "outcome"]
_SECTOR_ORDER = (WALES, *SECTORS)
_ROLE_ORDER = (ALL_ROLES, *ROLES)
_CONFIDENCE = 0.95

Progress = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)``, first with zero runs done."""


# --------------------------------------------------------------------------- statistics
def student_t_cdf(t: float, df: int) -> float:
    """Cumulative distribution function of Student's t with whole degrees of freedom.

    Uses the exact finite series for whole ``df`` (Abramowitz and Stegun 26.7.3-4), so no
    special functions are needed.

    Args:
        t: The point.
        df: Degrees of freedom, a whole number >= 1.

    Returns:
        P(T <= t).

    Raises:
        ValueError: If ``df`` is not a whole number >= 1.
    """
    if isinstance(df, bool) or not isinstance(df, int | np.integer) or df < 1:
        raise ValueError(f"degrees of freedom must be a whole number >= 1, not {df!r}")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    theta = math.atan(abs(t) / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    # ``inside`` is P(|T| <= |t|): a sum of df // 2 terms in powers of cos²θ.
    if df % 2:
        term = total = math.cos(theta)
        for k in range(1, (df - 1) // 2):
            term *= cos2 * (2 * k) / (2 * k + 1)
            total += term
        inside = 2 / math.pi * (theta + (sin * total if df > 1 else 0.0))
    else:
        term = total = 1.0
        for k in range(df // 2 - 1):
            term *= cos2 * (2 * k + 1) / (2 * k + 2)
            total += term
        inside = sin * total
    inside = min(max(inside, 0.0), 1.0)
    return 0.5 + math.copysign(inside / 2, t)


def t_quantile(p: float, df: int) -> float:
    """Quantile of Student's t with whole degrees of freedom, e.g. ``t_quantile(0.975, 9)``.

    Inverts :func:`student_t_cdf` by bisection, to about 1e-12 relative accuracy.

    Args:
        p: Probability, strictly between 0 and 1.
        df: Degrees of freedom, a whole number >= 1.

    Returns:
        The t with P(T <= t) = p.

    Raises:
        ValueError: If ``p`` is not strictly between 0 and 1, or ``df`` is not a whole
            number >= 1.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability must be strictly between 0 and 1, not {p!r}")
    student_t_cdf(0.0, df)  # validates df
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    low, high = 0.0, 1.0
    while student_t_cdf(high, df) < p:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2
        if student_t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2


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


def summarise_run(metrics: pl.DataFrame, window_months: int = 12) -> pl.DataFrame:
    """Outcomes of one run over its last months, by sector and role.

    Rows are every (sector, role) in ``metrics``, an ``"all"`` role row per sector, and
    ``"wales"`` rows (the ``la``, ``independent`` and ``agency`` sectors together) by role and
    for all roles. Outcomes, over the window:

    - ``headcount``: mean headcount.
    - ``vacancy_rate``: Σ vacancies / Σ funded posts (null without funded posts, as for
      agencies).
    - ``leaver_rate``, ``joiner_rate``: people leaving (joining) a workplace over the window
      / mean headcount, per year (× 12 / months in the window).
    - ``burnout``: headcount-weighted mean burnout.
    - ``agency_spend``, ``wage_bill``: £ over the window (a year's worth for a 12-month
      window).
    - ``unmet_hours``: care hours not covered over the window, if ``metrics`` has the column.

    Args:
        metrics: A run's monthly metrics (:attr:`WorkforceModel.metrics`).
        window_months: Months at the end of the run to summarise; the whole run if it is
            shorter.

    Returns:
        Long table with columns sector, role, outcome, value (Float64; null where an outcome
        is undefined), sectors in taxonomy order after ``"wales"``, roles after ``"all"``.
    """
    if window_months < 1:
        raise ValueError(f"window_months must be >= 1, not {window_months!r}")
    months = metrics["month"].unique().sort().tail(window_months)
    if len(months) == 0:
        raise ValueError("the metrics table has no months")
    window = metrics.filter(pl.col("month").is_in(months.implode()))
    return _sorted(_outcomes(window, [], len(months)))


def monthly_outcomes(metrics: pl.DataFrame) -> pl.DataFrame:
    """Outcomes of one run month by month, by sector and role.

    The same rows and outcomes as :func:`summarise_run`, each over a single month: leaver
    and joiner rates are that month's people leaving (joining) a workplace over its
    headcount, × 12 (a yearly rate), and ``agency_spend``, ``wage_bill`` and
    ``unmet_hours`` are the month's.

    Args:
        metrics: A run's monthly metrics (:attr:`WorkforceModel.metrics`).

    Returns:
        Long table with columns month, sector, role, outcome, value, in month order and
        then in :func:`summarise_run`'s order.
    """
    if metrics.is_empty():
        raise ValueError("the metrics table has no months")
    return _sorted(_outcomes(metrics, ["month"], 1)).sort("month", maintain_order=True)


def _outcomes(window: pl.DataFrame, by: list[str], n_months: int) -> pl.DataFrame:
    """Outcomes over ``n_months`` months of ``window``, by ``by`` + sector and role."""
    totals = ["headcount", "funded_posts", "vacancies", "joiners", "leavers"]
    totals += ["agency_spend", "wage_bill"]
    has_unmet = "unmet_hours" in window.columns
    if has_unmet:
        totals.append("unmet_hours")
    window = window.select(
        *by,
        "sector",
        "role",
        *[pl.col(name).cast(pl.Float64) for name in totals],
        # burnout_mean is NaN in empty cells; they carry no weight.
        (pl.col("burnout_mean").fill_nan(0.0).fill_null(0.0) * pl.col("headcount")).alias(
            "burnout_weight"
        ),
    )
    cells = pl.concat(
        [
            window,
            window.filter(pl.col("sector").is_in(WELSH_SOCIAL_CARE)).with_columns(
                sector=pl.lit(WALES)
            ),
        ]
    )
    summed = [*totals, "burnout_weight"]
    grouped = pl.concat(
        [
            _group_sums(cells, [*by, "sector", "role"], summed),
            _group_sums(cells, [*by, "sector"], summed).with_columns(role=pl.lit(ALL_ROLES)),
        ],
        how="diagonal",
    )
    headcount = pl.col("headcount")
    mean_headcount = headcount / n_months
    per_year = 12 / n_months
    outcomes = [
        mean_headcount.alias("headcount"),
        _ratio(pl.col("vacancies"), pl.col("funded_posts")).alias("vacancy_rate"),
        (_ratio(pl.col("leavers"), mean_headcount) * per_year).alias("leaver_rate"),
        (_ratio(pl.col("joiners"), mean_headcount) * per_year).alias("joiner_rate"),
        _ratio(pl.col("burnout_weight"), headcount).alias("burnout"),
        pl.col("agency_spend"),
        pl.col("wage_bill"),
    ]
    if has_unmet:
        outcomes.append(pl.col("unmet_hours"))
    names = [name for name in OUTCOMES if has_unmet or name != "unmet_hours"]
    index = [*by, "sector", "role"]
    long = grouped.select(*index, *outcomes).unpivot(
        index=index, on=names, variable_name="outcome", value_name="value"
    )
    return long.with_columns(pl.col("value").cast(pl.Float64).fill_nan(None))


def _group_sums(frame: pl.DataFrame, keys: list[str], columns: list[str]) -> pl.DataFrame:
    """Sum ``columns`` by ``keys``, adding each group's rows in the order they come.

    Polars' ``group_by`` sums a group's rows in an order that varies from call to call, which
    changes float sums in the last bits, so two identical runs could differ; ``bincount``
    adds in row order, so identical runs give identical sums.
    """
    labels = frame.select(pl.concat_str(keys, separator="\x1f")).to_series().to_numpy()
    _, first, group = np.unique(labels, return_index=True, return_inverse=True)
    sums = {
        name: np.bincount(group, weights=frame[name].to_numpy(), minlength=len(first))
        for name in columns
    }
    return (
        frame[first]
        .select(keys)
        .with_columns(pl.Series(name, values, dtype=pl.Float64) for name, values in sums.items())
    )


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort by sector, role and outcome in reporting order."""
    ranks = [
        _rank("sector", _SECTOR_ORDER),
        _rank("role", _ROLE_ORDER),
        _rank("outcome", OUTCOMES),
    ]
    # Names the model may add later sort after the known ones, alphabetically.
    return frame.sort([*ranks, "sector", "role", "outcome"], maintain_order=True)


def _rank(column: str, order: Sequence[str]) -> pl.Expr:
    return pl.col(column).replace_strict(
        list(order), list(range(len(order))), default=len(order), return_dtype=pl.Int64
    )


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
        One row per (sector, role, outcome): ``seeds`` (seeds where both values are
        defined), ``baseline_mean`` and ``scenario_mean`` (over the seeds where each is
        defined), ``difference`` (mean of scenario − baseline over paired seeds), and
        ``ci_low``/``ci_high``, the 95 % interval difference ± t(0.975, n − 1) · sd / √n
        (null with fewer than two paired seeds).
    """
    on = ["scenario", "seed", *_KEYS]
    if runs.select(on).is_duplicated().any():
        raise ValueError(
            "runs has more than one value for a (scenario, seed, sector, role, outcome)"
        )
    seeds = runs.select("seed").unique(maintain_order=True).with_row_index("seed_index")
    keys = runs.select(_KEYS).unique(maintain_order=True).with_row_index("key_index")
    grid = keys.join(seeds, how="cross")
    for label in (BASELINE, SCENARIO):
        side = runs.filter(pl.col("scenario") == label).select(
            *on[1:], pl.col("value").alias(label)
        )
        grid = grid.join(side, on=on[1:], how="left")
    # A cell missing from a run had no people, posts or spend that run.
    total = pl.col("outcome").is_in(list(_TOTALS))
    grid = grid.with_columns(
        pl.when(total).then(pl.col(label).fill_null(0.0)).otherwise(pl.col(label))
        for label in (BASELINE, SCENARIO)
    ).sort("key_index", "seed_index")
    # The statistics are taken in numpy, over a (key, seed) matrix in seed order, because
    # polars' grouped sums add rows in a varying order: results must not change in the last
    # bits from one call (or worker count) to the next.
    shape = (keys.height, seeds.height)
    base = grid[BASELINE].to_numpy().astype(np.float64).reshape(shape)
    scen = grid[SCENARIO].to_numpy().astype(np.float64).reshape(shape)
    count, difference, sd = _mean_sd(scen - base)
    quantiles = {n: t_quantile(0.5 + _CONFIDENCE / 2, n - 1) for n in set(count.tolist()) if n >= 2}
    quantile = np.array([quantiles.get(n, np.nan) for n in count.tolist()])
    half = quantile * sd / np.sqrt(np.maximum(count, 1))
    table = keys.drop("key_index").with_columns(
        pl.Series("seeds", count, dtype=pl.Int64),
        _column("baseline_mean", _mean_sd(base)[1]),
        _column("scenario_mean", _mean_sd(scen)[1]),
        _column("difference", difference),
        _column("ci_low", difference - half),
        _column("ci_high", difference + half),
    )
    return _sorted(table)


def _mean_sd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and sample sd of each row, skipping NaN (NaN where undefined)."""
    valid = ~np.isnan(values)
    count = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, values, 0.0).sum(axis=1) / count
        squares = np.where(valid, (values - mean[:, None]) ** 2, 0.0).sum(axis=1)
        sd = np.sqrt(squares / (count - 1))
    return count, np.where(count > 0, mean, np.nan), np.where(count > 1, sd, np.nan)


def _column(name: str, values: np.ndarray) -> pl.Series:
    # NaN marks an undefined statistic in numpy; the tables use null.
    return pl.Series(name, values, dtype=pl.Float64).fill_nan(None)


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
    months = _from_config(baseline, "run.months") if months is None else months
    _check_count("months", months)
    root_seed = _from_config(baseline, "run.seed") if root_seed is None else root_seed
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
    total = len(tasks)
    report = progress or (lambda done, total: None)
    report(0, total)
    if workers == 1:
        results = []
        for config, seed in tasks:
            results.append(run_summary(config, seed, months, window_months))
            report(len(results), total)
        return results
    pool = process_pool(min(workers, total))
    try:
        futures: list[Future] = [
            pool.submit(run_summary, config, seed, months, window_months) for config, seed in tasks
        ]
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()  # re-raises a run's error here, in the parent
            report(total - len(pending), total)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    return [future.result() for future in futures]


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a whole number >= 1, not {value!r}.")


def _from_config(config: Config, key: str) -> int:
    try:
        return config.get(key)
    except KeyError:
        raise ConfigError(f"the baseline config sets no {key}; pass it explicitly.") from None


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

    return write_atomically(check_out(out), write)


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
