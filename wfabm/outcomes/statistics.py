"""Student-t statistics over runs: the distribution, its quantiles, and means and sds.

Everything here is plain numpy and the standard library: no special functions are needed,
and importing it loads neither polars nor the model.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["CONFIDENCE", "mean_sd", "student_t_cdf", "t_half_widths", "t_quantile"]

CONFIDENCE = 0.95
"""The level of every interval wfabm reports."""


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


def mean_sd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and sample sd of each row of a matrix, skipping NaN.

    Each row is summed along its (contiguous) length, which numpy does pairwise, so the
    result depends only on the row's values and where they sit, never on the other rows.

    Args:
        values: A (groups × runs) float matrix, NaN where a run has no value.

    Returns:
        ``count``, ``mean`` and ``sd`` per row; mean NaN without values, sd NaN with fewer
        than two.
    """
    valid = ~np.isnan(values)
    count = valid.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(valid, values, 0.0).sum(axis=1) / count
        squares = np.where(valid, (values - mean[:, None]) ** 2, 0.0).sum(axis=1)
        sd = np.sqrt(squares / (count - 1))
    return count, np.where(count > 0, mean, np.nan), np.where(count > 1, sd, np.nan)


def t_half_widths(count: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Half-widths t(0.975, n − 1) · sd / √n of 95 % intervals of means (NaN for n < 2).

    Args:
        count: Values behind each mean.
        sd: Their sample sd.

    Returns:
        One half-width per mean.
    """
    counts = count.tolist()
    quantiles = {n: t_quantile(0.5 + CONFIDENCE / 2, n - 1) for n in set(counts) if n >= 2}
    quantile = np.array([quantiles.get(n, np.nan) for n in counts], dtype=np.float64)
    return quantile * sd / np.sqrt(np.maximum(count, 1))
