"""Charts of an experiment's analysis that need more than a mean: bands, fans, units.

- :func:`sample_bands`: how an outcome spreads across design samples month by month, as
  percentiles of the samples' means (median, 50 % and 90 % bands), not an interval of the
  mean, which shrinks with the number of samples and hides the spread.
- :func:`paired_fan`: a scenario minus the reference month by month on common random
  numbers (same sample, same replicate, so the same seed), as median and 50 %/90 % bands
  over the pairs: the fan chart of a policy's effect.
- :func:`axis_label` and :func:`plain_numbers`: every axis names its unit, and large totals
  are shown in full, not as an offset (``1e6``).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from wfabm.batch.tables import outcome_unit

__all__ = [
    "BANDS",
    "axis_label",
    "draw_bands",
    "fan_plot",
    "paired_fan",
    "plain_numbers",
    "sample_bands",
]

BANDS: tuple[tuple[float, float], ...] = ((0.05, 0.95), (0.25, 0.75))
"""The percentile bands drawn: 90 % and 50 % of the samples (or pairs)."""


def axis_label(outcome: str, *, series: bool = False, difference: bool = False) -> str:
    """An axis label naming the outcome and its unit, e.g. ``"vacancy_rate (fraction ...)"``."""
    unit = outcome_unit(outcome, series)
    text = f"{outcome} - reference" if difference else outcome
    return f"{text} ({unit})" if unit else text


def plain_numbers(axes: Any) -> None:
    """Show the y axis in plain numbers with thousands separators, never as an offset."""
    from matplotlib.ticker import FuncFormatter

    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.6g}"))


def _quantiles(frame: pl.DataFrame, value: str, by: list[str]) -> pl.DataFrame:
    levels = sorted({q for band in BANDS for q in band} | {0.5})
    return (
        frame.group_by(by, maintain_order=True)
        .agg(
            *(pl.col(value).quantile(q, interpolation="linear").alias(f"q{q:g}") for q in levels),
            pl.col(value).count().alias("n"),
        )
        .sort(by)
    )


def sample_bands(series: pl.DataFrame) -> pl.DataFrame:
    """Percentiles across design samples of each sample's mean, by scenario and month.

    Args:
        series: The reduced series (columns scenario, sample, month, mean, ...), one
            outcome, sector and role.

    Returns:
        Columns scenario, month, q0.05, q0.25, q0.5, q0.75, q0.95 and n (samples).
    """
    return _quantiles(series.drop_nulls("mean"), "mean", ["scenario", "month"])


def paired_fan(series_rows: pl.DataFrame, reference: str) -> pl.DataFrame:
    """Each scenario minus the reference on common random numbers, as percentiles by month.

    Args:
        series_rows: The runs' series rows (scenario, sample, replicate, month, value) of
            one outcome, sector and role.
        reference: The reference scenario.

    Returns:
        Columns scenario, month, the percentiles of the differences and n (pairs); none for
        the reference itself.
    """
    keys = ["sample", "replicate", "month"]
    base = series_rows.filter(pl.col("scenario") == reference).select(
        *keys, pl.col("value").alias("reference")
    )
    paired = (
        series_rows.filter(pl.col("scenario") != reference)
        .join(base, on=keys, how="inner")
        .with_columns((pl.col("value") - pl.col("reference")).alias("difference"))
        .drop_nulls("difference")
    )
    return _quantiles(paired, "difference", ["scenario", "month"])


def draw_bands(axes: Any, table: pl.DataFrame, label: str) -> None:
    """Draw a median line and the percentile bands of one scenario's rows."""
    months = table["month"].to_list()
    (line,) = axes.plot(months, table["q0.5"].to_numpy(), label=label)
    for (low, high), alpha in zip(BANDS, (0.15, 0.3), strict=True):
        axes.fill_between(
            months,
            table[f"q{low:g}"].to_numpy(),
            table[f"q{high:g}"].to_numpy(),
            color=line.get_color(),
            alpha=alpha,
            linewidth=0,
        )


def fan_plot(fan: pl.DataFrame, outcome: str, where: str, reference: str) -> Any:
    """The fan chart of every scenario's paired difference from the reference.

    Args:
        fan: :func:`paired_fan`'s table.
        outcome: The outcome.
        where: ``"<sector>, <role>"`` for the title.
        reference: The reference scenario.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5))
    for (scenario,), group in fan.group_by("scenario", maintain_order=True):
        draw_bands(axes, group.sort("month"), scenario)
    axes.axhline(0.0, color="black", linewidth=0.8)
    pairs = int(fan["n"].max()) if fan.height else 0
    axes.set_title(
        f"{outcome} ({where}): scenario minus {reference}, paired on seeds; median, 50% and "
        f"90% of {pairs} pairs",
        fontsize="medium",
    )
    axes.set_xlabel("month")
    axes.set_ylabel(axis_label(outcome, series=True, difference=True))
    plain_numbers(axes)
    axes.legend(fontsize="small")
    return figure
