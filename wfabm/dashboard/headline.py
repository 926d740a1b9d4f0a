"""A comparison's numbers in words: the headline and the table's figures.

Rates differ in percentage points ("2.1 points"), money in £ million a year, and every
difference carries its 95 % interval across the seeds run (seed noise: the only uncertainty
a comparison has until the model has a posterior ensemble), said plainly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import polars as pl

from wfabm.dashboard.i18n import month_year, number, t
from wfabm.outcomes.summary import ALL_ROLES, WALES

__all__ = [
    "MONEY",
    "RATES",
    "format_difference",
    "format_level",
    "headline",
    "points",
    "pounds_million",
]

RATES = frozenset({"vacancy_rate", "leaver_rate", "joiner_rate"})
"""Outcomes that are shares: levels in %, differences in percentage points."""

MONEY = frozenset({"agency_spend", "wage_bill"})
"""Outcomes in £ over the summarised year: shown in £ million."""

_MINUS = "\u2212"


def _signed(text: str, value: float) -> str:
    return f"+{text}" if value > 0 else (f"{_MINUS}{text}" if value < 0 else text)


def _decimals(*shares: float) -> int:
    """Decimals of points that keep the smallest non-zero difference readable."""
    magnitudes = [abs(v) * 100 for v in shares if v and math.isfinite(v)]
    if not magnitudes:
        return 1
    smallest = min(magnitudes)
    return 1 if smallest >= 0.1 else 2


def points(share: float, *, decimals: int = 1, signed: bool = False) -> str:
    """A difference of shares in percentage points: ``0.021`` -> ``"2.1"``."""
    text = f"{abs(share) * 100:.{decimals}f}"
    return _signed(text, share) if signed else (f"{_MINUS}{text}" if share < 0 else text)


def pounds_million(pounds: float, *, signed: bool = False) -> str:
    """Pounds in millions, rounded to what matters: ``3_412_000`` -> ``"£3.4 million"``."""
    millions = abs(pounds) / 1e6
    decimals = 0 if millions >= 100 else 1 if millions >= 1 else 2
    text = t("£{amount} million", amount=number(millions, decimals))
    if signed:
        return _signed(text, pounds)
    return f"{_MINUS}{text}" if pounds < 0 else text


def format_level(outcome: str, value: float | None) -> str:
    """An outcome's level for the comparison table."""
    if value is None or not math.isfinite(value):
        return "–"
    if outcome in RATES:
        return f"{value * 100:.1f} %"
    if outcome in MONEY:
        return pounds_million(value)
    if outcome == "burnout":
        return f"{value:.3f}"
    return f"{value:,.0f}"


def format_difference(outcome: str, value: float | None) -> str:
    """A scenario's difference from the baseline, signed, in the outcome's unit."""
    if value is None or not math.isfinite(value):
        return "–"
    if outcome in RATES:
        return t("{value} points", value=points(value, decimals=_decimals(value), signed=True))
    if outcome in MONEY:
        return pounds_million(value, signed=True)
    if outcome == "burnout":
        return _signed(f"{abs(value):.3f}", value)
    return _signed(f"{abs(value):,.0f}", value)


def _wales(table: pl.DataFrame, outcome: str) -> Mapping[str, float | None] | None:
    rows = table.filter(
        (pl.col("sector") == WALES) & (pl.col("role") == ALL_ROLES) & (pl.col("outcome") == outcome)
    )
    return rows.row(0, named=True) if rows.height else None


def _interval(row: Mapping[str, float | None], unit: str) -> str:
    low, high = row["ci_low"], row["ci_high"]
    if low is None or high is None:
        return t("one seed, so no interval")
    if unit == "points":
        decimals = _decimals(row["difference"] or 0.0, low, high)
        return t(
            "{low} to {high}",
            low=points(low, decimals=decimals, signed=True),
            high=points(high, decimals=decimals, signed=True),
        )
    return t(
        "{low} to {high}",
        low=pounds_million(low, signed=True),
        high=pounds_million(high, signed=True),
    )


def _clear(row: Mapping[str, float | None]) -> bool:
    """Whether the interval lies wholly on one side of zero."""
    low, high = row["ci_low"], row["ci_high"]
    return low is not None and high is not None and (low > 0 or high < 0)


def headline(name: str, table: pl.DataFrame, *, seeds: int, until: dt.date) -> str:
    """One sentence on what a scenario does, from its comparison with the baseline.

    Args:
        name: The scenario's name.
        table: Its paired comparison with the baseline
            (:meth:`~wfabm.dashboard.replicates.Replicates.table`).
        seeds: Paired seeds the table is over.
        until: The last month summarised (the year up to it is compared).

    Returns:
        E.g. "Zero hours ban: the vacancy rate in Welsh social care is 2.1 points higher
        than the baseline (+1.4 to +2.9) in the year to March 2032, and agency spend
        £3.4 million a year lower (−£5.8 million to −£1.0 million), across 3 seeds."
    """
    vacancy = _wales(table, "vacancy_rate")
    agency = _wales(table, "agency_spend")
    when = month_year(until)
    parts = []
    if vacancy is not None and vacancy["difference"] is not None:
        difference = vacancy["difference"]
        decimals = _decimals(difference, vacancy["ci_low"] or 0.0, vacancy["ci_high"] or 0.0)
        size = points(abs(difference), decimals=decimals)
        if seeds > 1 and not _clear(vacancy):
            parts.append(
                t(
                    "no clear change in the vacancy rate in Welsh social care ({interval} "
                    "points) in the year to {when}",
                    interval=_interval(vacancy, "points"),
                    when=when,
                )
            )
        else:
            parts.append(
                t(
                    "the vacancy rate in Welsh social care is {size} points {direction} "
                    "than the baseline ({interval}) in the year to {when}",
                    size=size,
                    direction=t("higher") if difference > 0 else t("lower"),
                    interval=_interval(vacancy, "points"),
                    when=when,
                )
            )
    if agency is not None and agency["difference"] is not None:
        difference = agency["difference"]
        if seeds > 1 and not _clear(agency):
            parts.append(
                t(
                    "no clear change in agency spend ({interval})",
                    interval=_interval(agency, "pounds"),
                )
            )
        else:
            parts.append(
                t(
                    "agency spend {size} a year {direction} ({interval})",
                    size=pounds_million(abs(difference)),
                    direction=t("higher") if difference > 0 else t("lower"),
                    interval=_interval(agency, "pounds"),
                )
            )
    if not parts:
        return t("{name}: no result yet.", name=name)
    body = (
        t("{first}, and {second}", first=parts[0], second=parts[1]) if len(parts) > 1 else parts[0]
    )
    across = t("across 1 seed") if seeds == 1 else t("across {n} seeds", n=seeds)
    return t("{name}: {body}, {across}.", name=name, body=body, across=across)
