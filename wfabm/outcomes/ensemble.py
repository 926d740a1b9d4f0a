"""The distribution of a scenario's effect over an ensemble of paired runs.

An ensemble is a set of members, each a (parameter draw, seed) pair; the baseline and the
scenario are run on every member (common random numbers), so each member gives one paired
difference, scenario − baseline, per outcome. Across members, this module reports:

- the median difference and its central 90 % interval (the 5th and 95th percentiles of the
  members' differences, linear interpolation), so an interval says where the effect of one
  realisation of the next years lies, given what is known of the parameters;
- the probability that the scenario is better than the baseline: the share of members whose
  difference goes the better way for the outcome (:data:`BETTER`);
- the spread split into its sources. Members are nested, several seeds within each draw, so a
  one-way random-effects decomposition applies: the stochastic variance is the mean of the
  within-draw variances, and the parameter variance is the variance of the draw means less
  the stochastic variance over the seeds per draw (floored at zero). Both are given as
  standard deviations; with one draw (seeds alone) the parameter part is zero by design.

Plain numpy and polars: importing it never loads the model.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from wfabm.outcomes.results import paired_matrices

__all__ = ["BETTER", "LEVEL", "effect_distribution"]

LEVEL = 0.90
"""The central probability of the interval of an effect."""

BETTER: Mapping[str, int] = {
    "headcount": +1,
    "vacancy_rate": -1,
    "leaver_rate": -1,
    "burnout": -1,
    "agency_spend": -1,
    "unmet_hours": -1,
}
"""Which way is better for each outcome: +1 more, −1 less.

``joiner_rate`` and ``wage_bill`` have no better direction (more joiners can be growth or
churn; a dearer wage bill is the price of a pay rise, not a failure), so they get no
probability of being better.
"""


def effect_distribution(
    frame: pl.DataFrame,
    by: Sequence[str],
    *,
    member: str,
    reference: str,
    draw: str | None = None,
    better: Mapping[str, int] = BETTER,
) -> pl.DataFrame:
    """Median, 90 % interval, probability of being better and the spread's sources.

    Args:
        frame: Per-run values with columns ``scenario`` (the reference and one other),
            ``member``, ``by`` (including ``outcome``) and ``value``, and ``draw`` when
            given: the parameter draw of each member.
        by: The grouping columns.
        member: The column that pairs the runs.
        reference: The reference scenario's label.
        draw: The column naming each member's parameter draw, or None when every member has
            the same parameters.
        better: The better direction of each outcome; others get a null probability.

    Returns:
        ``by``, ``members`` (members with both values), ``<reference>_median``,
        ``<other>_median``, ``difference_median``, ``difference_low`` and
        ``difference_high`` (5th and 95th percentiles), ``p_better``, ``sd_parameter`` and
        ``sd_stochastic``; statistics are null where no member has both values.

    Raises:
        ValueError: As :func:`~wfabm.outcomes.results.paired_matrices` raises, or when a
            member has more than one draw.
    """
    pairs = paired_matrices(frame, by, member, reference)
    differences = pairs.scenario - pairs.reference
    valid = ~np.isnan(differences)
    draws = _draw_codes(frame, member, draw, pairs.runs)
    low_q, high_q = (1 - LEVEL) / 2, 1 - (1 - LEVEL) / 2
    with np.errstate(all="ignore"):
        quantiles = _nan_quantiles(differences, [0.5, low_q, high_q])
        direction = np.array(
            [better.get(outcome, 0) for outcome in pairs.keys["outcome"].to_list()],
            dtype=np.float64,
        )
        gains = np.sign(differences) * direction[:, None]
        counted = valid.sum(axis=1)
        p_better = np.where(
            (direction != 0) & (counted > 0),
            np.where(valid, gains > 0, False).sum(axis=1) / np.maximum(counted, 1),
            np.nan,
        )
    sd_parameter, sd_stochastic = _decompose(differences, draws)
    return pairs.keys.with_columns(
        pl.Series("members", counted, dtype=pl.Int64),
        _column(f"{reference}_median", _nan_quantiles(pairs.reference, [0.5])[0]),
        _column(f"{pairs.other}_median", _nan_quantiles(pairs.scenario, [0.5])[0]),
        _column("difference_median", quantiles[0]),
        _column("difference_low", quantiles[1]),
        _column("difference_high", quantiles[2]),
        _column("p_better", p_better),
        _column("sd_parameter", sd_parameter),
        _column("sd_stochastic", sd_stochastic),
    )


def _draw_codes(
    frame: pl.DataFrame, member: str, draw: str | None, runs: pl.DataFrame
) -> np.ndarray:
    """Each run's (member's) draw number, in the order of ``runs``."""
    if draw is None:
        return np.zeros(runs.height, dtype=np.int64)
    mapping = frame.select(member, draw).unique()
    if mapping[member].is_duplicated().any():
        raise ValueError(f"a {member} has more than one {draw}")
    codes = runs.join(mapping, on=member, how="left")[draw]
    _, code = np.unique(codes.to_numpy(), return_inverse=True)
    return code.astype(np.int64)


def _nan_quantiles(values: np.ndarray, probabilities: list[float]) -> np.ndarray:
    """Quantiles of each row, skipping NaN; NaN for a row with no values."""
    out = np.full((len(probabilities), values.shape[0]), np.nan)
    has = ~np.all(np.isnan(values), axis=1)
    if has.any():
        out[:, has] = np.nanquantile(values[has], probabilities, axis=1)
    return out


def _decompose(differences: np.ndarray, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameter and stochastic sds of each row's differences (one-way random effects)."""
    groups = int(draws.max()) + 1 if draws.size else 0
    rows = differences.shape[0]
    means = np.full((rows, groups), np.nan)
    within = np.full((rows, groups), np.nan)
    sizes = np.zeros((rows, groups))
    for group in range(groups):
        block = differences[:, draws == group]
        count = (~np.isnan(block)).sum(axis=1)
        sizes[:, group] = count
        with np.errstate(all="ignore"):
            means[:, group] = np.where(count > 0, np.nansum(block, axis=1) / count, np.nan)
            centred = np.where(np.isnan(block), 0.0, block - means[:, group : group + 1])
            within[:, group] = np.where(count > 1, (centred**2).sum(axis=1) / (count - 1), np.nan)
    # Rows with no values give NaN (and numpy's empty-slice warnings, which say only that).
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stochastic = np.nanmean(within, axis=1) if groups else np.full(rows, np.nan)
        per_draw = np.nanmean(np.where(sizes > 0, sizes, np.nan), axis=1)
        observed = (~np.isnan(means)).sum(axis=1)
        between = np.zeros(rows)
        several = observed > 1
        if several.any():
            between[several] = np.nanvar(means[several], axis=1, ddof=1)
        parameter = np.maximum(between - np.nan_to_num(stochastic) / per_draw, 0.0)
    parameter = np.where(observed >= 1, parameter, np.nan)
    return np.sqrt(parameter), np.sqrt(stochastic)


def _column(name: str, values: np.ndarray) -> pl.Series:
    # NaN marks an undefined statistic in numpy; the tables use null.
    return pl.Series(name, values, dtype=pl.Float64).fill_nan(None)
