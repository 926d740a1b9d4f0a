"""What each preset of ``configs/scenarios/`` does, against the baseline on the same seeds.

:func:`preset_effects` runs the baseline and every preset on common seeds (from
:func:`wfabm.batch.compare.comparison_seeds`) on the batch executor, summarises each run over
its last 12 months, and pairs each preset's runs with the baseline's seed by seed: the
difference in the care-worker vacancy and leaver rates, the Welsh vacancy rate, the wage bill
and agency spend, with 95 % Student-t intervals, and the cost per vacancy avoided. It also
names the first month in which a preset's run leaves the baseline's, so a preset that acts
before its start, or never, shows, and whether its headline outcome moves the way the preset
is meant to move it.

**A vacancy avoided** is one fewer vacant funded post at Welsh local authorities and
independent providers, on average over the 12 months summarised: the baseline's mean monthly
vacancies less the preset's. Funded posts are set by demand, not by pay, and headcount cannot
pass them, so a lever that raises pay can fill only the posts that were vacant: its cost per
vacancy avoided is its extra wage bill (for everyone it pays more, not only for those it
draws in) over the posts it fills.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from wfabm.batch.compare import BASELINE, SCENARIO, comparison_seeds, paired_comparison
from wfabm.batch.executor import map_ordered, open_executor
from wfabm.batch.run import run_model
from wfabm.config import Config, ConfigError
from wfabm.outcomes.statistics import t_quantile
from wfabm.outcomes.summary import ALL_ROLES, WALES, summarise_run

__all__ = [
    "EXPECTED",
    "OUTCOMES",
    "VACANCIES",
    "Expectation",
    "PresetEffects",
    "effects_markdown",
    "preset_effects",
    "ratio_interval",
    "run_preset_summary",
]

VACANCIES = "vacancies"
"""Outcome added to each run's summary: mean monthly vacancies over the window (Wales)."""

_WINDOW = 12
_POSTS = ("la", "independent")
_TRACE = (
    "headcount",
    "vacancies",
    "wage_bill",
    "agency_spend",
    "leavers",
    "joiners",
    "burnout_mean",
    "pay_mean",
)

OUTCOMES: tuple[tuple[str, str, str, str], ...] = (
    ("care-worker vacancy rate", WALES, "care_worker", "vacancy_rate"),
    ("care-worker leaver rate", WALES, "care_worker", "leaver_rate"),
    ("Welsh vacancy rate", WALES, ALL_ROLES, "vacancy_rate"),
    ("wage bill", WALES, ALL_ROLES, "wage_bill"),
    ("agency spend", WALES, ALL_ROLES, "agency_spend"),
    ("vacancies", WALES, ALL_ROLES, VACANCIES),
)
"""The effects reported: label, sector, role, outcome of the run summary."""


@dataclass(frozen=True)
class Expectation:
    """The way a preset is meant to move its headline outcome.

    Attributes:
        sector: Sector of the outcome (``"wales"``: Welsh social care).
        role: Role (``"all"``: every role).
        outcome: Outcome of the run summary.
        sign: -1 if the preset should lower it, +1 if it should raise it.
        label: How the table names it.
    """

    sector: str
    role: str
    outcome: str
    sign: int
    label: str


_DOWN, _UP = -1, 1
EXPECTED: dict[str, Expectation] = {
    "england_fair_pay_agreement": Expectation(
        WALES, "care_worker", "vacancy_rate", _UP, "care-worker vacancy rate up"
    ),
    "fair_work_package": Expectation(
        WALES, "care_worker", "leaver_rate", _DOWN, "care-worker leaver rate down"
    ),
    "nhs_parity_occupational_therapists": Expectation(
        "la", "occupational_therapist", "vacancy_rate", _DOWN, "LA OT vacancy rate down"
    ),
    "overseas_never_closed": Expectation(
        WALES, "care_worker", "vacancy_rate", _DOWN, "care-worker vacancy rate down"
    ),
    "pay_framework_mandatory": Expectation(
        WALES, "care_worker", "vacancy_rate", _DOWN, "care-worker vacancy rate down"
    ),
    "social_worker_terms_and_pledge": Expectation(
        WALES, ALL_ROLES, "agency_spend", _DOWN, "agency spend down"
    ),
    "training_expansion": Expectation(
        WALES, "social_worker", "vacancy_rate", _DOWN, "social worker vacancy rate down"
    ),
    "wellbeing_programme": Expectation(
        WALES, "care_worker", "leaver_rate", _DOWN, "care-worker leaver rate down"
    ),
    "zero_hours_ban": Expectation(
        WALES, "care_worker", "leaver_rate", _DOWN, "care-worker leaver rate down"
    ),
}
"""Each shipped preset's headline outcome and the way it should move it."""

Progress = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)``, first with zero runs done."""


def run_preset_summary(config: Config, seed: int, months: int) -> tuple[pl.DataFrame, list]:
    """Run a config and summarise its last 12 months, with the mean monthly vacancies.

    A module-level function so that worker processes can run it.

    Args:
        config: The resolved configuration.
        seed: The model's root seed.
        months: Months to simulate.

    Returns:
        The summary (:func:`~wfabm.outcomes.summary.summarise_run` plus a ``vacancies``
        row for Wales, all roles), and the run's trace: per month, the month and a digest
        of its stocks and flows in every cell, to find where two runs part.
    """
    model, _ = run_model(config, seed=seed, months=months)
    metrics = model.metrics
    summary = summarise_run(metrics, _WINDOW)
    window = metrics.filter(
        pl.col("month").is_in(metrics["month"].unique().sort().tail(_WINDOW).implode())
        & pl.col("sector").is_in(_POSTS)
    )
    vacancies = window["vacancies"].sum() / window["month"].n_unique()
    extra = pl.DataFrame(
        {"sector": [WALES], "role": [ALL_ROLES], "outcome": [VACANCIES], "value": [vacancies]},
        schema=summary.schema,
    )
    trace = [
        (month, _digest(frame))
        for (month,), frame in metrics.group_by(["month"], maintain_order=True)
    ]
    return pl.concat([summary, extra]), trace


def _digest(month: pl.DataFrame) -> str:
    """A digest of one month's non-empty cells: equal months give equal digests.

    The recorder keeps a row for every cell a run ever used, in every month, so a cell that
    fills only later adds empty rows to earlier months: those are left out. Values are
    taken as they are, in the recorder's fixed order, with no floating-point sum whose
    order could vary; adding 0.0 makes -0.0 into 0.0, and every NaN is made the same NaN.
    """
    values = month.select(_TRACE).to_numpy().astype(np.float64) + 0.0
    values[np.isnan(values)] = np.nan
    present = (np.nan_to_num(values) != 0).any(axis=1)
    cells = month.select("sector", "role", "local_authority").filter(pl.Series(present))
    digest = hashlib.sha256(values[present].tobytes())
    digest.update(repr(cells.rows()).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class PresetEffects:
    """The finished comparison of every preset with the baseline.

    Attributes:
        root_seed: The root seed the seeds derive from.
        seeds: The model seeds, the same for every config.
        months: Months simulated per run.
        runs: Per-seed summaries: scenario (``"baseline"`` or the preset's name), seed,
            sector, role, outcome, value.
        table: One row per preset and outcome: preset, outcome (the label), baseline_mean,
            preset_mean, difference, ci_low, ci_high (paired over seeds).
        presets: One row per preset: preset, first_difference (the first month its runs
            leave the baseline's, on every seed; null if never), expected, moved (the
            headline difference and its interval), as_expected, vacancies_avoided and
            its interval, cost_per_vacancy_avoided and its interval.
    """

    root_seed: int
    seeds: tuple[int, ...]
    months: int
    runs: pl.DataFrame
    table: pl.DataFrame
    presets: pl.DataFrame


def preset_effects(
    baseline: Config,
    presets: dict[str, Config],
    *,
    seeds: int,
    months: int,
    root_seed: int,
    workers: int = 1,
    progress: Progress | None = None,
) -> PresetEffects:
    """Run the baseline and each preset on the same seeds and compare them.

    Args:
        baseline: The baseline config.
        presets: Each preset's config by name (the file's stem).
        seeds: Number of seeds, >= 1 (intervals need 2 or more).
        months: Months per run, >= 12.
        root_seed: Root of the seeds.
        workers: Processes to run in; the results do not depend on it.
        progress: Told how many runs are done after each one.

    Returns:
        The per-seed summaries and the tables of effects.

    Raises:
        ConfigError: For a bad count.
    """
    for name, value, least in (
        ("seeds", seeds, 1),
        ("workers", workers, 1),
        ("months", months, 12),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"{name} must be a whole number >= {least}, not {value!r}.")
    model_seeds = comparison_seeds(root_seed, seeds)
    configs = {BASELINE: baseline, **presets}
    tasks = [(label, seed) for label in configs for seed in model_seeds]
    calls = [(configs[label], seed, months) for label, seed in tasks]
    with open_executor("local", min(workers, len(calls))) as executor:
        results = map_ordered(executor, run_preset_summary, calls, progress=progress)
    runs = pl.concat(
        [
            summary.select(
                pl.lit(label).alias("scenario"),
                pl.lit(seed, dtype=pl.Int64).alias("seed"),
                pl.all(),
            )
            for (label, seed), (summary, _) in zip(tasks, results, strict=True)
        ]
    )
    traces = {task: trace for task, (_, trace) in zip(tasks, results, strict=True)}
    tables, rows = [], []
    for name in presets:
        paired = paired_comparison(
            runs.filter(pl.col("scenario").is_in((BASELINE, name))).with_columns(
                scenario=pl.when(pl.col("scenario") == BASELINE)
                .then(pl.lit(BASELINE))
                .otherwise(pl.lit(SCENARIO))
            )
        )
        tables.append(_effects(name, paired))
        rows.append(_preset_row(name, paired, runs, model_seeds, traces))
    return PresetEffects(
        root_seed=root_seed,
        seeds=tuple(model_seeds),
        months=months,
        runs=runs,
        table=pl.concat(tables),
        presets=pl.DataFrame(rows),
    )


def _pick(paired: pl.DataFrame, sector: str, role: str, outcome: str) -> dict | None:
    rows = paired.filter(
        (pl.col("sector") == sector) & (pl.col("role") == role) & (pl.col("outcome") == outcome)
    )
    return rows.row(0, named=True) if rows.height else None


def _effects(name: str, paired: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for label, sector, role, outcome in OUTCOMES:
        row = _pick(paired, sector, role, outcome) or {}
        rows.append(
            {
                "preset": name,
                "outcome": label,
                "baseline_mean": row.get(f"{BASELINE}_mean"),
                "preset_mean": row.get(f"{SCENARIO}_mean"),
                "difference": row.get("difference"),
                "ci_low": row.get("ci_low"),
                "ci_high": row.get("ci_high"),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "preset": pl.String,
            "outcome": pl.String,
            "baseline_mean": pl.Float64,
            "preset_mean": pl.Float64,
            "difference": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
        },
    )


def _per_seed(runs: pl.DataFrame, label: str, outcome: str, seeds: Sequence[int]) -> np.ndarray:
    rows = runs.filter(
        (pl.col("scenario") == label)
        & (pl.col("sector") == WALES)
        & (pl.col("role") == ALL_ROLES)
        & (pl.col("outcome") == outcome)
    )
    values = dict(zip(rows["seed"], rows["value"], strict=True))
    return np.array([values[seed] for seed in seeds], dtype=np.float64)


def _preset_row(
    name: str,
    paired: pl.DataFrame,
    runs: pl.DataFrame,
    seeds: Sequence[int],
    traces: dict[tuple[str, int], list],
) -> dict:
    expectation = EXPECTED.get(name)
    moved = (
        None
        if expectation is None
        else _pick(paired, expectation.sector, expectation.role, expectation.outcome)
    )
    as_expected = None
    if moved is not None and moved["ci_low"] is not None:
        low, high = sorted(
            (expectation.sign * moved["ci_low"], expectation.sign * moved["ci_high"])
        )
        as_expected = "yes" if low > 0 else "no, the other way" if high < 0 else "not clearly"
    avoided = _per_seed(runs, BASELINE, VACANCIES, seeds) - _per_seed(runs, name, VACANCIES, seeds)
    extra_pay = _per_seed(runs, name, "wage_bill", seeds) - _per_seed(
        runs, BASELINE, "wage_bill", seeds
    )
    cost, cost_low, cost_high = ratio_interval(extra_pay, avoided)
    half = _half_width(avoided)
    return {
        "preset": name,
        "first_difference": _first_difference(name, seeds, traces),
        "expected": None if expectation is None else expectation.label,
        "moved": None if moved is None else moved["difference"],
        "moved_ci_low": None if moved is None else moved["ci_low"],
        "moved_ci_high": None if moved is None else moved["ci_high"],
        "as_expected": as_expected,
        "vacancies_avoided": float(avoided.mean()),
        "vacancies_avoided_ci_low": float(avoided.mean() - half),
        "vacancies_avoided_ci_high": float(avoided.mean() + half),
        "cost_per_vacancy_avoided": cost,
        "cost_ci_low": cost_low,
        "cost_ci_high": cost_high,
    }


def _half_width(values: np.ndarray) -> float:
    n = len(values)
    if n < 2:
        return math.nan
    return t_quantile(0.975, n - 1) * float(values.std(ddof=1)) / math.sqrt(n)


def ratio_interval(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, float, float]:
    """A ratio of paired means and its 95 % interval (delta method, Student's t).

    R = mean(numerator) / mean(denominator), with variance (var a + R² var b − 2 R cov(a,
    b)) / (n · mean(b)²). Undefined (NaN) unless the denominator's own 95 % interval lies
    above zero: with no clear vacancies avoided there is no cost per vacancy avoided.

    Args:
        numerator: Per-seed values, e.g. the extra wage bill.
        denominator: Per-seed values on the same seeds, e.g. the vacancies avoided.

    Returns:
        The ratio and its interval's ends.
    """
    n = len(numerator)
    b = float(denominator.mean())
    if n < 2 or b - _half_width(denominator) <= 0:
        return math.nan, math.nan, math.nan
    ratio = float(numerator.mean()) / b
    cov = np.cov(numerator, denominator, ddof=1)
    variance = (cov[0, 0] + ratio**2 * cov[1, 1] - 2 * ratio * cov[0, 1]) / (n * b**2)
    half = t_quantile(0.975, n - 1) * math.sqrt(max(variance, 0.0))
    return ratio, ratio - half, ratio + half


def _first_difference(
    name: str, seeds: Sequence[int], traces: dict[tuple[str, int], list]
) -> str | None:
    """The first month in which the preset's run differs from the baseline's, on any seed."""
    firsts = []
    for seed in seeds:
        for mine, theirs in zip(traces[(name, seed)], traces[(BASELINE, seed)], strict=True):
            if mine != theirs:
                firsts.append(mine[0])
                break
    return f"{min(firsts):%Y-%m}" if firsts else None


# --------------------------------------------------------------------------- markdown
def _money(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{'-' if value < 0 else '+'}£{abs(value) / 1e6:,.1f}m"


def _points(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{100 * value:+.2f}"


_FORMATS: dict[str, Callable[[float | None], str]] = {
    "care-worker vacancy rate": _points,
    "care-worker leaver rate": _points,
    "Welsh vacancy rate": _points,
    "wage bill": _money,
    "agency spend": _money,
    "vacancies": lambda v: "-" if v is None or math.isnan(v) else f"{v:+,.0f}",
}


def _with_interval(value: float | None, low: float | None, high: float | None, show) -> str:
    if value is None:
        return "-"
    if low is None or high is None or math.isnan(low):
        return show(value)
    return f"{show(value)} ({show(low)} to {show(high)})"


def effects_markdown(effects: PresetEffects, command: str) -> str:
    """The tables of effects, as docs/PRESETS.md shows them.

    Args:
        effects: The finished comparison.
        command: The command that made it, quoted above the tables.

    Returns:
        Markdown: the command and sizes, the table of effects and the table of checks.
    """
    table = effects.table
    headers = ["preset", *(label for label, *_ in OUTCOMES if label != "vacancies")]
    lines = [
        f"Made by `{command}`: {len(effects.seeds)} seeds (root {effects.root_seed}), "
        f"{effects.months} months from April 2022, each run summarised over its last 12 months. "
        "Differences are preset − baseline, paired by seed, with 95 % intervals over seeds; "
        "rates in percentage points (a leaver rate is a year's), money in £ over the 12 "
        "months (Welsh local authorities, independent providers and agencies, all roles).",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
    ]
    for preset in table["preset"].unique(maintain_order=True):
        cells = [f"`{preset}`"]
        for label in headers[1:]:
            row = table.filter((pl.col("preset") == preset) & (pl.col("outcome") == label)).row(
                0, named=True
            )
            cells.append(
                _with_interval(row["difference"], row["ci_low"], row["ci_high"], _FORMATS[label])
            )
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "| preset | first month unlike the baseline | meant to move | moved | as meant | "
        "vacancies avoided | wage bill per vacancy avoided |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in effects.presets.iter_rows(named=True):
        moved = _with_interval(
            row["moved"], row["moved_ci_low"], row["moved_ci_high"], _moved_format(row)
        )
        avoided = _with_interval(
            row["vacancies_avoided"],
            row["vacancies_avoided_ci_low"],
            row["vacancies_avoided_ci_high"],
            lambda v: f"{v:,.0f}",
        )
        cost = (
            "- (no clear vacancy avoided)"
            if math.isnan(row["cost_per_vacancy_avoided"])
            else _with_interval(
                row["cost_per_vacancy_avoided"],
                row["cost_ci_low"],
                row["cost_ci_high"],
                lambda v: f"£{v / 1e3:,.0f}k",
            )
        )
        lines.append(
            f"| `{row['preset']}` | {row['first_difference'] or 'never'} | "
            f"{row['expected'] or '-'} | {moved} | {row['as_expected'] or '-'} | {avoided} | "
            f"{cost} |"
        )
    return "\n".join(lines) + "\n"


def _moved_format(row: dict) -> Callable[[float | None], str]:
    return _money if row["expected"] and "spend" in row["expected"] else _points
