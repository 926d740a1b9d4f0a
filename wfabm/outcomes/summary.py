"""The outcomes of one run, by sector and role: over its last months, or month by month.

:func:`summarise_run` and :func:`monthly_outcomes` turn a run's monthly metrics
(:attr:`WorkforceModel.metrics`) into long tables (sector, role, outcome, value) that every
batch tool shares: compare, experiments, analysis, calibration and the dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from wfabm.core.taxonomy import ROLES, SECTORS, WELSH_SOCIAL_CARE

__all__ = [
    "ALL_ROLES",
    "OUTCOMES",
    "TOTALS",
    "WALES",
    "in_report_order",
    "monthly_outcomes",
    "summarise_run",
    "yearly_wales",
]

WALES = "wales"
"""Sector label of the Welsh social care rows (``la`` + ``independent`` + ``agency``)."""

ALL_ROLES = "all"
"""Role label of the rows that sum over every role in a sector."""

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

TOTALS = frozenset({"headcount", "agency_spend", "wage_bill", "unmet_hours"})
"""Outcomes that are totals: a (sector, role) cell absent from a run had none of them,
whereas a rate or mean of an absent cell is undefined."""

_SECTOR_ORDER = (WALES, *SECTORS)
_ROLE_ORDER = (ALL_ROLES, *ROLES)


def yearly_wales(metrics: pl.DataFrame, role: str | None = None) -> pl.DataFrame:
    """Welsh social care by model year (April to March): stocks, rates and burnout.

    Args:
        metrics: A run's monthly metrics (:attr:`WorkforceModel.metrics`).
        role: One role's rows only (None: every role).

    Returns:
        One row per model year from 0: ``headcount`` (mean over the months),
        ``vacancy_rate`` (vacancies over funded posts, pooled), ``leaver_rate`` (the year's
        leavers over its mean headcount; a shorter last year is scaled to a year) and
        ``burnout`` (headcount-weighted mean).
    """
    welsh = metrics.filter(pl.col("sector").is_in(WELSH_SOCIAL_CARE))
    if role is not None:
        welsh = welsh.filter(pl.col("role") == role)
    first = welsh["month"].min()
    year = (
        (pl.col("month").dt.year() - first.year) * 12 + pl.col("month").dt.month() - first.month
    ) // 12
    months = pl.col("month").n_unique()
    return (
        welsh.with_columns(year=year)
        .group_by("year")
        .agg(
            headcount=pl.col("headcount").sum() / months,
            vacancy_rate=pl.col("vacancies").sum() / pl.col("funded_posts").sum(),
            leaver_rate=pl.col("leavers").sum()
            / (pl.col("headcount").sum() / months)
            * 12
            / months,
            burnout=(pl.col("burnout_mean").fill_nan(0.0) * pl.col("headcount")).sum()
            / pl.col("headcount").sum(),
        )
        .sort("year")
    )


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
    return in_report_order(_outcomes(window, [], len(months)))


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
    return in_report_order(_outcomes(metrics, ["month"], 1)).sort("month", maintain_order=True)


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


def in_report_order(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort a table by sector, role and outcome in reporting order (taxonomy order).

    Names the model may add later sort after the known ones, alphabetically; rows that tie
    keep their order.
    """
    ranks = [
        _rank("sector", _SECTOR_ORDER),
        _rank("role", _ROLE_ORDER),
        _rank("outcome", OUTCOMES),
    ]
    return frame.sort([*ranks, "sector", "role", "outcome"], maintain_order=True)


def _rank(column: str, order: Sequence[str]) -> pl.Expr:
    return pl.col(column).replace_strict(
        list(order), list(range(len(order))), default=len(order), return_dtype=pl.Int64
    )
