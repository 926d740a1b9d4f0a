"""The calibration report: every target against the model, and what the targets pin down.

:func:`target_table` runs a configuration on common seeds over the base year and sets every
target (observed, tolerance) beside the simulated mean and its 95 % interval over seeds.
:func:`sensitivity` moves each free parameter by a step around the calibrated values, on the
calibration's seeds, and reads from the change in every residual which parameters the
targets pin down. :func:`write_report` writes both as CSV and Markdown, with PNG plots.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from wfabm.batch.atomic import write_atomically
from wfabm.batch.run import check_results_folder
from wfabm.calibration.fit import (
    FREE_PARAMETERS,
    Evaluator,
    current_values,
    load_targets,
)
from wfabm.outcomes.statistics import mean_sd, t_half_widths

__all__ = [
    "REPORT_FILES",
    "SENSITIVITY_STEP",
    "format_targets",
    "sensitivity",
    "target_table",
    "targets_markdown",
    "write_report",
]

SENSITIVITY_STEP = 0.1
"""Step of the sensitivity check, as a share of each parameter's search range."""

REPORT_FILES = (
    "targets.csv",
    "targets.md",
    "fit.png",
    "sensitivity.csv",
    "identifiability.csv",
    "identifiability.md",
    "sensitivity.png",
)

# A parameter is pinned when the targets hold it, at one tolerance, within this share of its
# search range.
_PINNED = 0.15
# Targets whose mean over the seeds has a standard error above this share of the tolerance.
_NOISY = 0.25


def target_table(evaluator: Evaluator) -> pl.DataFrame:
    """Every target beside the model's value for the evaluator's base configuration.

    Args:
        evaluator: Runs the configuration on its seeds.

    Returns:
        One row per target: key, observed, tolerance, unit, fitted, simulated (mean over
        seeds), sd (standard deviation over single seeds), ci_low and ci_high (95 % interval
        of the mean, Student's t; null with one seed), residual ((simulated − observed) /
        tolerance) and within (|residual| <= 1).
    """
    runs = evaluator.per_seed(current_values(evaluator.base))
    targets = load_targets()
    values = np.array(
        [[run[target.key] for run in runs] for target in targets], dtype=np.float64
    ).reshape(len(targets), len(runs))
    count, means, sds = mean_sd(values)
    halves = t_half_widths(count, sds)
    rows = []
    for target, mean, sd, half in zip(targets, means, sds, halves, strict=True):
        mean, sd, half = float(mean), float(sd), float(half)
        residual = (mean - target.observed) / target.tolerance
        rows.append(
            {
                "key": target.key,
                "observed": target.observed,
                "tolerance": target.tolerance,
                "unit": target.unit,
                "fitted": target.fitted,
                "simulated": mean,
                "sd": sd,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "residual": residual,
                "within": bool(abs(residual) <= 1.0),
            }
        )
    return pl.DataFrame(rows).with_columns(
        pl.col(name).fill_nan(None) for name in ("simulated", "sd", "ci_low", "ci_high", "residual")
    )


def sensitivity(
    evaluator: Evaluator, values: Sequence[float], spread: dict[str, float] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """How each fitted target responds to each free parameter around ``values``.

    Each parameter in turn moves by :data:`SENSITIVITY_STEP` of its search range (up, or
    down at the upper bound), on the evaluator's seeds (common random numbers). The
    Jacobian J of residuals with respect to the parameters (per whole search range) gives
    the tolerance ellipsoid: the parameter vectors whose objective is within 1 of the
    optimum have half-widths sqrt(diag((JᵀJ)⁻¹)) ("jointly"), and 1/sqrt(diag(JᵀJ)) when the
    others are held fixed ("alone"). Changes within one standard error of a difference of
    means over the seeds count as none, and targets whose mean has a standard error above a
    quarter of their tolerance (at this number of seeds) are left out. A parameter held
    jointly within 15 % of its search range is pinned; one held within 15 % only alone is
    pinned with others (the targets fix a combination of it and others); any other is not
    pinned.

    Args:
        evaluator: Runs candidates on the calibration's seeds; its budget is not used.
        values: The calibrated values, in :data:`~wfabm.calibration.fit.FREE_PARAMETERS` order.
        spread: Standard deviation of each moment over single runs (e.g. the ``sd`` column
            of :func:`target_table`, from more seeds); by default, over the evaluator's seeds.

    Returns:
        (sensitivity, identifiability): the change in each residual per step of each
        parameter (long table: parameter, target, change), and per parameter its value,
        half-width (in its own units and as a share of its range), the target it moves most
        and the verdict.
    """
    fitted = evaluator.fitted
    budget, evaluator.budget = evaluator.budget, None
    try:
        centre_unit = np.array([p.unit(v) for p, v in zip(FREE_PARAMETERS, values, strict=True)])
        steps = np.where(centre_unit + SENSITIVITY_STEP <= 1.0, SENSITIVITY_STEP, -SENSITIVITY_STEP)
        points = [list(values)]
        for i, parameter in enumerate(FREE_PARAMETERS):
            moved = list(values)
            moved[i] = parameter.value(centre_unit[i] + steps[i])
            points.append(moved)
        # Values are rounded before they run, so the step taken differs a little.
        taken = np.array(
            [
                p.unit(point[i]) - centre_unit[i]
                for i, (p, point) in enumerate(zip(FREE_PARAMETERS, points[1:], strict=True))
            ]
        )
        moments = evaluator.moments(points)
    finally:
        evaluator.budget = budget
    keys = [t.key for t in fitted]
    tolerance = np.array([t.tolerance for t in fitted])
    centre = np.array([moments[0][k] for k in keys])
    # A change smaller than twice the standard error of the moment over the seeds is not
    # told apart from sampling noise (which common random numbers do not remove for moments
    # that jump with every changed draw, such as the supply elasticity), so it counts as none.
    if spread is None:
        runs = evaluator.per_seed(list(values))
        spread = {k: float(np.nanstd([run[k] for run in runs], ddof=1)) for k in keys}
    sd = np.nan_to_num(np.array([spread[k] for k in keys]))
    # The standard error of a difference of two means over the seeds, at most sqrt(2) times
    # that of one mean (common random numbers make it smaller for smooth moments).
    noise = np.sqrt(2.0) * sd / np.sqrt(len(evaluator.seeds)) / tolerance
    raw = np.column_stack(
        [(np.array([m[k] for k in keys]) - centre) / tolerance for m in moments[1:]]
    )
    raw = np.where(np.abs(raw) > noise[:, None], np.nan_to_num(raw), 0.0)
    # A target whose mean over the seeds is itself uncertain by more than a quarter of its
    # tolerance cannot show a parameter's local effect: it is left out (NaN in the table).
    noisy = noise / np.sqrt(2.0) > _NOISY
    raw[noisy] = 0.0
    jacobian = raw / taken[None, :]
    changes = np.where(noisy[:, None], np.nan, jacobian * SENSITIVITY_STEP)
    information = jacobian.T @ jacobian
    # Alone: how far a parameter may move, the others fixed, before the objective rises by 1.
    # Jointly: the same when the others may move to compensate (the tolerance ellipsoid).
    seen = np.diag(information) > 0
    alone = np.ones(len(FREE_PARAMETERS))
    alone[seen] = 1.0 / np.sqrt(np.diag(information)[seen])
    # A parameter no target sees has no bound at all; pinv would report zero for it.
    jointly = np.ones(len(FREE_PARAMETERS))
    jointly[seen] = np.sqrt(
        np.maximum(np.diag(np.linalg.pinv(information[np.ix_(seen, seen)])), 0.0)
    )
    long = pl.DataFrame(
        {
            "parameter": [p.name for p in FREE_PARAMETERS for _ in keys],
            "target": keys * len(FREE_PARAMETERS),
            "change": changes.T.ravel(),
        }
    )
    verdicts = []
    for i, parameter in enumerate(FREE_PARAMETERS):
        if jointly[i] <= _PINNED:
            verdict = "pinned"
        elif alone[i] <= _PINNED:
            verdict = "pinned with others"
        else:
            verdict = "not pinned"
        verdicts.append(
            {
                "parameter": parameter.name,
                "value": float(values[i]),
                "alone_low": parameter.value(max(centre_unit[i] - alone[i], 0.0)),
                "alone_high": parameter.value(min(centre_unit[i] + alone[i], 1.0)),
                "alone_share": float(min(alone[i], 1.0)),
                "jointly_share": float(min(jointly[i], 1.0)),
                "moves_most": (
                    keys[int(np.argmax(np.abs(jacobian[:, i])))] if jacobian[:, i].any() else "none"
                ),
                "verdict": verdict,
            }
        )
    return long, pl.DataFrame(verdicts)


def _number(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if unit.startswith("share") or unit == "per year":
        return f"{value:.1%}"
    return f"{value:.2f}"


def targets_markdown(table: pl.DataFrame) -> str:
    """The target table as Markdown."""
    lines = [
        "| target | observed | tolerance | simulated | 95 % interval | fitted | within |",
        "|---|---:|---:|---:|---:|:---:|:---:|",
    ]
    for row in table.iter_rows(named=True):
        unit = row["unit"]
        tolerance = (
            f"± {row['tolerance'] * 100:.1f} pts"
            if unit.startswith("share") or unit == "per year"
            else f"± {row['tolerance']:.2f}"
        )
        interval = (
            "—"
            if row["ci_low"] is None
            else f"{_number(row['ci_low'], unit)} to {_number(row['ci_high'], unit)}"
        )
        lines.append(
            f"| `{row['key']}` | {_number(row['observed'], unit)} | {tolerance} | "
            f"{_number(row['simulated'], unit)} | {interval} | "
            f"{'yes' if row['fitted'] else 'no'} | {'yes' if row['within'] else '**no**'} |"
        )
    return "\n".join(lines) + "\n"


def identifiability_markdown(table: pl.DataFrame) -> str:
    """The identifiability table as Markdown."""
    lines = [
        "| parameter | calibrated | held alone within | alone | jointly | moves most | verdict |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    lines.extend(
        f"| `{row['parameter']}` | {row['value']:.4g} | {row['alone_low']:.4g} to "
        f"{row['alone_high']:.4g} | ±{row['alone_share']:.0%} | ±{row['jointly_share']:.0%} | "
        f"`{row['moves_most']}` | {row['verdict']} |"
        for row in table.iter_rows(named=True)
    )
    return "\n".join(lines) + "\n"


def format_targets(table: pl.DataFrame) -> str:
    """A plain-text target table for the terminal."""
    lines = [
        f"  {'target':<42} {'observed':>9} {'simulated':>10} {'95% interval':>19} "
        f"{'resid.':>7}  within"
    ]
    for row in table.iter_rows(named=True):
        unit = row["unit"]
        interval = (
            "-"
            if row["ci_low"] is None
            else f"{_number(row['ci_low'], unit)} to {_number(row['ci_high'], unit)}"
        )
        residual = "-" if row["residual"] is None else f"{row['residual']:+.2f}"
        mark = ("yes" if row["within"] else "NO") + ("" if row["fitted"] else " (not fitted)")
        lines.append(
            f"  {row['key']:<42} {_number(row['observed'], unit):>9} "
            f"{_number(row['simulated'], unit):>10} {interval:>19} {residual:>7}  {mark}"
        )
    within = table.filter(pl.col("fitted"))["within"]
    lines.append(f"  {int(within.sum())} of {len(within)} fitted targets within tolerance.")
    return "\n".join(lines)


def _plot_fit(table: pl.DataFrame, path: Path) -> None:
    # Imported here: matplotlib is only needed to draw.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = table["key"].to_list()[::-1]
    rows = table.reverse()
    residual = rows["residual"].fill_null(np.nan).to_numpy()
    low = ((rows["ci_low"] - rows["observed"]) / rows["tolerance"]).fill_null(np.nan).to_numpy()
    high = ((rows["ci_high"] - rows["observed"]) / rows["tolerance"]).fill_null(np.nan).to_numpy()
    fitted = rows["fitted"].to_numpy()
    figure, axes = plt.subplots(figsize=(8, 0.32 * len(keys) + 1.2))
    axes.axvspan(-1, 1, color="#d9ead3", label="within tolerance")
    axes.axvline(0, color="#555555", linewidth=0.8)
    y = np.arange(len(keys))
    axes.hlines(y, low, high, color="#1f4e79", linewidth=2)
    axes.scatter(residual[fitted], y[fitted], color="#1f4e79", zorder=3, label="fitted")
    axes.scatter(
        residual[~fitted], y[~fitted], color="#c00000", marker="s", zorder=3, label="not fitted"
    )
    axes.set_yticks(y, keys, fontsize=8)
    axes.set_xlabel("(simulated − observed) / tolerance; bars: 95 % interval over seeds")
    axes.set_title("Base year (April 2022 – March 2023) against the 2022 targets", fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _plot_sensitivity(long: pl.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parameters = [p.name for p in FREE_PARAMETERS]
    targets = long["target"].unique(maintain_order=True).to_list()
    grid = long["change"].to_numpy().reshape(len(parameters), len(targets)).T
    limit = max(float(np.nanmax(np.abs(grid))), 1e-9)
    figure, axes = plt.subplots(figsize=(9, 0.35 * len(targets) + 2.5))
    image = axes.imshow(grid, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    axes.set_xticks(range(len(parameters)), parameters, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(targets)), targets, fontsize=8)
    axes.set_title(f"Change in each residual per {SENSITIVITY_STEP:.0%} of a parameter's range")
    figure.colorbar(image, ax=axes, label="tolerances")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(
    out: Path,
    table: pl.DataFrame,
    sensitivity_tables: tuple[pl.DataFrame, pl.DataFrame] | None = None,
) -> Path:
    """Write the report folder whole (written beside it, then moved into place).

    Args:
        out: The report folder; it may hold only an earlier report's files.
        table: From :func:`target_table`.
        sensitivity_tables: From :func:`sensitivity`, if it was run.

    Returns:
        ``out``.
    """
    check_results_folder(out, REPORT_FILES)

    def write(folder: Path) -> None:
        table.write_csv(folder / "targets.csv")
        (folder / "targets.md").write_text(targets_markdown(table), encoding="utf-8")
        _plot_fit(table, folder / "fit.png")
        if sensitivity_tables is not None:
            long, verdicts = sensitivity_tables
            long.write_csv(folder / "sensitivity.csv")
            verdicts.write_csv(folder / "identifiability.csv")
            (folder / "identifiability.md").write_text(
                identifiability_markdown(verdicts), encoding="utf-8"
            )
            _plot_sensitivity(long, folder / "sensitivity.png")

    return write_atomically(out, write, folder=True)
