"""Tests of the words a comparison is told in: its headline and its table's figures."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from wfabm.dashboard.headline import format_difference, format_level, headline, points

MARCH_2032 = dt.date(2032, 3, 1)


def table(**rows: tuple[float | None, float | None, float | None]) -> pl.DataFrame:
    """A paired comparison's Wales rows: ``outcome=(difference, ci_low, ci_high)``."""
    return pl.DataFrame(
        {
            "sector": ["wales"] * len(rows) + ["la"],
            "role": ["all"] * len(rows) + ["all"],
            "outcome": [*rows, "vacancy_rate"],
            "difference": [r[0] for r in rows.values()] + [0.5],
            "ci_low": [r[1] for r in rows.values()] + [0.4],
            "ci_high": [r[2] for r in rows.values()] + [0.6],
        }
    )


def test_headline_gives_points_and_millions_with_their_intervals():
    comparison = table(
        vacancy_rate=(0.0213, 0.0141, 0.0287), agency_spend=(-3_412_000, -5_790_000, -1_040_000)
    )
    assert headline("Zero hours ban", comparison, seeds=3, until=MARCH_2032) == (
        "Zero hours ban: the vacancy rate in Welsh social care is 2.1 points higher than the "
        "baseline (+1.4 to +2.9) in the year to March 2032, and agency spend £3.4 million a "
        "year lower (−£5.8 million to −£1.0 million), across 3 seeds."
    )


def test_headline_says_no_clear_change_when_the_interval_spans_zero():
    comparison = table(
        vacancy_rate=(-0.004, -0.011, 0.003), agency_spend=(250_000, 120_000, 380_000)
    )
    assert headline("Wellbeing", comparison, seeds=5, until=MARCH_2032) == (
        "Wellbeing: no clear change in the vacancy rate in Welsh social care (−1.1 to +0.3 "
        "points) in the year to March 2032, and agency spend £0.25 million a year higher "
        "(+£0.12 million to +£0.38 million), across 5 seeds."
    )


def test_headline_of_one_seed_says_it_has_no_interval():
    comparison = table(vacancy_rate=(0.03, None, None))
    assert headline("Own levers", comparison, seeds=1, until=MARCH_2032) == (
        "Own levers: the vacancy rate in Welsh social care is 3.0 points higher than the "
        "baseline (one seed, so no interval) in the year to March 2032, across 1 seed."
    )


def test_small_differences_keep_a_significant_figure():
    assert points(0.0004, decimals=2, signed=True) == "+0.04"
    assert format_difference("vacancy_rate", 0.0004) == "+0.04 points"
    assert format_difference("vacancy_rate", -0.021) == "−2.1 points"


@pytest.mark.parametrize(
    ("outcome", "level", "difference", "shown_level", "shown_difference"),
    [
        ("vacancy_rate", 0.1034, 0.012, "10.3 %", "+1.2 points"),
        ("agency_spend", 41_236_512.37, -1_250_000.0, "£41.2 million", "−£1.2 million"),
        ("wage_bill", 1_234_567_890.0, 12_345_678.0, "£1,235 million", "+£12.3 million"),
        ("headcount", 84_123.6, -312.4, "84,124", "−312"),
        ("burnout", 0.41234, 0.0123, "0.412", "+0.012"),
    ],
)
def test_table_figures_are_in_their_units(
    outcome, level, difference, shown_level, shown_difference
):
    assert format_level(outcome, level) == shown_level
    assert format_difference(outcome, difference) == shown_difference
    assert format_level(outcome, None) == "–"
