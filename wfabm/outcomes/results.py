"""Runs of one or more scenarios on common seeds, and their statistics across runs.

:class:`Results` holds the per-run summaries (and optionally the monthly tables) that
compare, experiment analysis and the dashboard make, and :meth:`Results.reduce` turns them
into means, sds and 95 % Student-t intervals across runs: of each scenario's values, or of
the differences between a scenario and a reference paired run by run. Every statistic is
taken by one kernel (:func:`wfabm.outcomes.statistics.mean_sd`) over a (group × run) matrix
in a fixed run order, so the same runs give the same tables to the last bit, whatever order
the runs finished in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from wfabm.outcomes.statistics import mean_sd, t_half_widths
from wfabm.outcomes.summary import TOTALS

__all__ = ["PairedMatrices", "Results", "paired_matrices"]

_TABLES = ("summary", "monthly")


@dataclass(frozen=True)
class Results:
    """Runs of one or more scenarios: per-run summaries and, optionally, monthly tables.

    Attributes:
        summary: One row per run and outcome: the run's identity (e.g. ``scenario`` and
            ``seed``, or ``scenario``, ``sample`` and ``replicate``), ``sector``, ``role``,
            ``outcome`` and ``value``.
        monthly: The same with a ``month`` column, or None.
        lines: Anything the caller keeps beside the tables (the dashboard's Wales lines,
            ``{scenario: {measure: (runs, months) array}}``), or None.
    """

    summary: pl.DataFrame
    monthly: pl.DataFrame | None = None
    lines: Mapping[str, Any] | None = None

    @classmethod
    def of_runs(cls, runs: Iterable[tuple[Mapping[str, Any], pl.DataFrame]]) -> Results:
        """Stack each run's summary under its identity columns.

        Args:
            runs: ``(identity, summary)`` per run, e.g. ``({"scenario": "baseline", "seed":
                7}, summarise_run(metrics))``; whole numbers become Int64 columns.

        Returns:
            Results whose summary holds every run's rows, in the order given.
        """
        frames = [
            summary.select(
                *(
                    pl.lit(value, dtype=pl.Int64 if isinstance(value, int) else None).alias(name)
                    for name, value in identity.items()
                ),
                pl.all(),
            )
            for identity, summary in runs
        ]
        if not frames:
            raise ValueError("there are no runs to hold")
        return cls(pl.concat(frames, how="diagonal"))

    def reduce(
        self,
        by: Sequence[str],
        *,
        over: str | None = "seed",
        paired: str | None = None,
        table: str = "summary",
    ) -> pl.DataFrame:
        """Mean, sd and 95 % interval of ``value`` across runs, for each group of ``by``.

        Null and NaN values are left out. Without ``paired``, the groups come in the order
        they first appear and each run's value sits at the position of its ``over`` value
        (in order of first appearance), or with ``over=None`` at its position within the
        group (sort the table first for a fixed result).

        With ``paired``, the ``scenario`` column must hold ``paired`` (the reference) and
        one other label, and runs are paired by ``over``: the statistics are of each
        run's scenario − reference difference, over the runs where both are defined. A
        run that lacks a (sector, role) another run has counts as zero for totals
        (:data:`~wfabm.outcomes.summary.TOTALS`) and as undefined for rates and means.

        Args:
            by: The grouping columns (without ``scenario`` when paired).
            over: The column that names a run (``"seed"``, ``"replicate"``), or None.
            paired: The reference scenario's label, for paired differences.
            table: ``"summary"`` or ``"monthly"``.

        Returns:
            Unpaired: ``by``, ``runs``, ``mean``, ``sd``, ``ci_low``, ``ci_high``. Paired:
            ``by``, ``<over>s`` (runs with both values), ``<reference>_mean`` and
            ``<other>_mean`` (each over the runs where it is defined), ``difference``,
            ``ci_low``, ``ci_high``. Sds and intervals are null with fewer than two runs.

        Raises:
            ValueError: For an unknown table, a table without runs, two values of one run
                in a group, or a paired table without exactly two scenarios.
        """
        frame = self._table(table)
        if paired is not None:
            if over is None:
                raise ValueError("paired differences need the column that pairs the runs")
            return _paired(frame, list(by), over, paired)
        return _unpaired(frame, list(by), over)

    def _table(self, name: str) -> pl.DataFrame:
        if name not in _TABLES:
            raise ValueError(f"table must be one of {', '.join(_TABLES)}, not {name!r}")
        frame = self.summary if name == "summary" else self.monthly
        if frame is None:
            raise ValueError(f"these results hold no {name} table")
        return frame


def _unpaired(frame: pl.DataFrame, by: list[str], over: str | None) -> pl.DataFrame:
    frame = frame.filter(pl.col("value").is_not_null() & pl.col("value").is_not_nan())
    if frame.is_empty():
        return frame.select(by).with_columns(
            pl.lit(None, pl.Int64).alias("runs"),
            *(pl.lit(None, pl.Float64).alias(n) for n in ("mean", "sd", "ci_low", "ci_high")),
        )
    group, groups = _codes(frame, by)
    if over is None:
        column = _positions(group)
    else:
        column, _ = _codes(frame, [over])
    values = _matrix(group, column, frame["value"].to_numpy(), len(groups))
    count, mean, sd = mean_sd(values)
    half = t_half_widths(count, sd)
    return (
        frame[groups]
        .select(by)
        .with_columns(
            pl.Series("runs", count, dtype=pl.Int64),
            *(
                _column(name, values)
                for name, values in (
                    ("mean", mean),
                    ("sd", sd),
                    ("ci_low", mean - half),
                    ("ci_high", mean + half),
                )
            ),
        )
    )


def _paired(frame: pl.DataFrame, by: list[str], over: str, reference: str) -> pl.DataFrame:
    pairs = paired_matrices(frame, by, over, reference)
    base, scen = pairs.reference, pairs.scenario
    count, difference, sd = mean_sd(scen - base)
    half = t_half_widths(count, sd)
    return pairs.keys.with_columns(
        pl.Series(f"{over}s", count, dtype=pl.Int64),
        _column(f"{reference}_mean", mean_sd(base)[1]),
        _column(f"{pairs.other}_mean", mean_sd(scen)[1]),
        _column("difference", difference),
        _column("ci_low", difference - half),
        _column("ci_high", difference + half),
    )


@dataclass(frozen=True)
class PairedMatrices:
    """A reference and one other scenario's values, run by run, ready to be differenced.

    Attributes:
        keys: The groups, one row each (the ``by`` columns), in order of first appearance.
        runs: The ``over`` values, one row each, in order of first appearance.
        other: The label of the scenario that is not the reference.
        reference: The reference's values, a (groups × runs) matrix, NaN where undefined.
        scenario: The other scenario's values, the same shape.
    """

    keys: pl.DataFrame
    runs: pl.DataFrame
    other: str
    reference: np.ndarray
    scenario: np.ndarray


def paired_matrices(
    frame: pl.DataFrame, by: Sequence[str], over: str, reference: str
) -> PairedMatrices:
    """Lay out two scenarios' values as (group × run) matrices paired by ``over``.

    A run that lacks a (sector, role) another run has counts as zero for totals
    (:data:`~wfabm.outcomes.summary.TOTALS`) and as undefined (NaN) for rates and means.

    Args:
        frame: Per-run values with columns ``scenario``, ``over``, ``by`` and ``value``.
        by: The grouping columns.
        over: The column that pairs the runs (``"seed"``, ``"member"``).
        reference: The reference scenario's label.

    Returns:
        The matrices, with the groups and runs they are laid out by.

    Raises:
        ValueError: Without exactly the reference and one other scenario, or with two values
            of one (scenario, run, group).
    """
    by = list(by)
    labels = frame["scenario"].unique(maintain_order=True).to_list()
    if reference not in labels or len(labels) != 2:
        raise ValueError(
            f"paired differences need scenarios {reference!r} and one other, not {labels}"
        )
    (other,) = (label for label in labels if label != reference)
    on = ["scenario", over, *by]
    if frame.select(on).is_duplicated().any():
        raise ValueError(f"there is more than one value for a ({', '.join(on)})")
    runs = frame.select(over).unique(maintain_order=True).with_row_index("run_index")
    keys = frame.select(by).unique(maintain_order=True).with_row_index("key_index")
    grid = keys.join(runs, how="cross")
    for label in (reference, other):
        side = frame.filter(pl.col("scenario") == label).select(
            *on[1:], pl.col("value").alias(label)
        )
        grid = grid.join(side, on=on[1:], how="left")
    if "outcome" in by:
        total = pl.col("outcome").is_in(list(TOTALS))
        grid = grid.with_columns(
            pl.when(total).then(pl.col(label).fill_null(0.0)).otherwise(pl.col(label))
            for label in (reference, other)
        )
    grid = grid.sort("key_index", "run_index")
    shape = (keys.height, runs.height)
    return PairedMatrices(
        keys=keys.drop("key_index"),
        runs=runs.drop("run_index"),
        other=other,
        reference=grid[reference].to_numpy().astype(np.float64).reshape(shape),
        scenario=grid[other].to_numpy().astype(np.float64).reshape(shape),
    )


def _codes(frame: pl.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group number (numbered in order of first appearance); each group's first row."""
    labels = frame.select(pl.concat_str(columns, separator="\x1f")).to_series().to_numpy()
    _, first, code = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[code], first[order]


def _positions(group: np.ndarray) -> np.ndarray:
    """Each row's position among the rows of its group, in row order."""
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], group[order], side="left")
    positions = np.empty_like(order)
    positions[order] = np.arange(len(order)) - starts
    return positions


def _matrix(row: np.ndarray, column: np.ndarray, values: np.ndarray, rows: int) -> np.ndarray:
    """Values placed in a (rows × runs) matrix, NaN where a run has none."""
    seen = np.zeros((rows, int(column.max()) + 1), dtype=bool)
    seen[row, column] = True
    if seen.sum() < len(row):
        raise ValueError("a group holds more than one value of the same run")
    matrix = np.full(seen.shape, np.nan)
    matrix[row, column] = values
    return matrix


def _column(name: str, values: np.ndarray) -> pl.Series:
    # NaN marks an undefined statistic in numpy; the tables use null.
    return pl.Series(name, values, dtype=pl.Float64).fill_nan(None)
