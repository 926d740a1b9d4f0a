"""Tests for ``wfabm.world.metrics``: month dates, flows and stocks recording, and their tables.

Covers ``month_dates``; ``MetricsRecorder.add_flows`` with ``flows_frame`` (counts come back
by role, origin and destination); ``set_aggregation`` (workplaces must be sorted by sector and
local authority) with ``add_columns`` (per-(workplace, role) values summed into the right
(sector, role, authority) cells); ``add``; and ``stocks_frame`` (only cells ever used, sums
turned into means per head).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from wfabm.core.taxonomy import (
    AGENCY,
    CARE_WORKER,
    DESTINATIONS,
    INDEPENDENT,
    LA,
    N_ROLES,
    ORIGINS,
    SOCIAL_WORKER,
)
from wfabm.world.metrics import COLUMN, MetricsRecorder, month_dates

START = dt.date(2022, 4, 1)
CODES = ("A", "B", "C")


def _recorder(months=3):
    return MetricsRecorder(months, len(CODES), CODES, START)


def test_month_dates_cross_the_year_end():
    dates = month_dates(dt.date(2022, 11, 1), 4)
    assert dates == [
        dt.date(2022, 11, 1),
        dt.date(2022, 12, 1),
        dt.date(2023, 1, 1),
        dt.date(2023, 2, 1),
    ]
    assert len(month_dates(START, 120)) == 120
    assert month_dates(START, 120)[-1] == dt.date(2032, 3, 1)
    assert month_dates(START, 0) == []


def test_flows_round_trip_through_the_frame():
    recorder = _recorder()
    entrant = ORIGINS.index("entrant")
    la = ORIGINS.index("la")
    retired = DESTINATIONS.index("retired")
    nhs = DESTINATIONS.index("nhs")
    recorder.add_flows(
        0,
        np.array([CARE_WORKER, CARE_WORKER, CARE_WORKER, SOCIAL_WORKER]),
        np.array([entrant, entrant, la, la]),
        np.array([nhs, nhs, retired, retired]),
    )
    recorder.add_flows(2, np.array([CARE_WORKER]), np.array([entrant]), np.array([nhs]))
    recorder.add_flows(1, np.zeros(0, int), np.zeros(0, int), np.zeros(0, int))
    recorder.months_recorded = 3
    frame = recorder.flows_frame().sort("month", "role", "origin")
    expected = pl.DataFrame(
        {
            "month": [dt.date(2022, 4, 1)] * 3 + [dt.date(2022, 6, 1)],
            "role": ["care_worker", "care_worker", "social_worker", "care_worker"],
            "origin": ["entrant", "la", "la", "entrant"],
            "destination": ["nhs", "retired", "retired", "nhs"],
            "count": [2, 1, 1, 1],
        }
    ).sort("month", "role", "origin")
    assert frame.equals(expected)
    assert frame.schema["month"] == pl.Date
    assert frame.schema["count"] == pl.Int64


def test_flows_frame_only_covers_recorded_months():
    recorder = _recorder()
    recorder.add_flows(0, np.array([0]), np.array([0]), np.array([0]))
    recorder.add_flows(1, np.array([0]), np.array([0]), np.array([0]))
    recorder.months_recorded = 1
    assert recorder.flows_frame()["count"].to_list() == [1]


def test_empty_flows_frame_has_the_schema():
    recorder = _recorder()
    frame = recorder.flows_frame()
    assert frame.height == 0
    assert frame.columns == ["month", "role", "origin", "destination", "count"]


def test_set_aggregation_requires_workplaces_sorted_by_sector_and_authority():
    recorder = _recorder()
    with pytest.raises(ValueError, match="sorted"):
        recorder.set_aggregation(np.array([LA, INDEPENDENT, LA]), np.array([0, 0, 1]))
    with pytest.raises(ValueError, match="sorted"):
        recorder.set_aggregation(np.array([LA, LA]), np.array([2, 1]))
    # Sorted by sector then authority is fine, even with gaps and repeats.
    recorder.set_aggregation(np.array([LA, LA, INDEPENDENT, AGENCY]), np.array([0, 2, 0, 0]))


def _aggregated():
    """Five workplaces: LA in A, A, C; independent in A; agency in B."""
    recorder = _recorder()
    sector = np.array([LA, LA, LA, INDEPENDENT, AGENCY])
    la = np.array([0, 0, 2, 0, 1])
    recorder.set_aggregation(sector, la)
    return recorder, sector, la


def test_add_columns_sums_workplaces_into_sector_role_authority_cells():
    recorder, sector, la = _aggregated()
    rng = np.random.default_rng(0)
    headcount = rng.integers(0, 20, (5, N_ROLES)).astype(float)
    burnout = rng.random((5, N_ROLES)) * headcount
    recorder.add_columns(1, {"headcount": headcount.ravel(), "burnout_sum": burnout.ravel()})

    expected = np.zeros((recorder.n_cells, 2))
    for e in range(5):
        for r in range(N_ROLES):
            cell = recorder.cell(np.array([sector[e]]), np.array([r]), np.array([la[e]]))[0]
            expected[cell] += headcount[e, r], burnout[e, r]
    stocks = recorder.stocks[1][:, [COLUMN["headcount"], COLUMN["burnout_sum"]]]
    np.testing.assert_allclose(stocks, expected)
    # The two LA workplaces in authority A were added together.
    cell = recorder.cell(np.array([LA]), np.array([CARE_WORKER]), np.array([0]))[0]
    assert stocks[cell, 0] == headcount[0, CARE_WORKER] + headcount[1, CARE_WORKER]
    # Other months are untouched.
    assert not recorder.stocks[0].any()
    assert not recorder.stocks[2].any()


def test_add_columns_accumulates():
    recorder, _, _ = _aggregated()
    ones = np.ones(5 * N_ROLES)
    recorder.add_columns(0, {"leavers": ones})
    recorder.add_columns(0, {"leavers": ones})
    assert recorder.stocks[0, :, COLUMN["leavers"]].sum() == 2 * 5 * N_ROLES


def test_stocks_frame_keeps_used_cells_and_turns_sums_into_means():
    recorder, _, _ = _aggregated()
    headcount = np.zeros((5, N_ROLES))
    burnout = np.zeros((5, N_ROLES))
    funded = np.zeros((5, N_ROLES))
    headcount[0, CARE_WORKER], burnout[0, CARE_WORKER] = 4, 2.0
    headcount[1, CARE_WORKER], burnout[1, CARE_WORKER] = 6, 1.0
    headcount[4, SOCIAL_WORKER], burnout[4, SOCIAL_WORKER] = 2, 0.5
    funded[2, SOCIAL_WORKER] = 3.0  # funded but empty: kept, with no mean
    recorder.add_columns(
        0,
        {
            "headcount": headcount.ravel(),
            "burnout_sum": burnout.ravel(),
            "funded_posts": funded.ravel(),
        },
    )
    # Month 1: the agency cell is empty this month, the LA cell has different numbers.
    headcount[4, SOCIAL_WORKER], burnout[4, SOCIAL_WORKER] = 0, 0.0
    burnout[0, CARE_WORKER] = 5.0
    recorder.add_columns(
        1,
        {
            "headcount": headcount.ravel(),
            "burnout_sum": burnout.ravel(),
            "funded_posts": funded.ravel(),
        },
    )
    recorder.months_recorded = 2
    frame = recorder.stocks_frame()

    assert frame.height == 2 * 3  # three cells ever used, two months
    keys = set(frame.select("sector", "role", "local_authority").iter_rows())
    assert keys == {
        ("la", "care_worker", "A"),
        ("la", "social_worker", "C"),
        ("agency", "social_worker", "B"),
    }
    rows = {
        (row["month"], row["sector"], row["role"], row["local_authority"]): row
        for row in frame.iter_rows(named=True)
    }
    april, may = dt.date(2022, 4, 1), dt.date(2022, 5, 1)
    la_care = rows[(april, "la", "care_worker", "A")]
    assert la_care["headcount"] == 10
    assert la_care["burnout_mean"] == pytest.approx(3.0 / 10)
    assert rows[(may, "la", "care_worker", "A")]["burnout_mean"] == pytest.approx(6.0 / 10)
    assert rows[(april, "agency", "social_worker", "B")]["burnout_mean"] == pytest.approx(0.25)
    empty = rows[(may, "agency", "social_worker", "B")]
    assert empty["headcount"] == 0
    assert empty["burnout_mean"] is None or np.isnan(empty["burnout_mean"])
    funded_only = rows[(april, "la", "social_worker", "C")]
    assert funded_only["funded_posts"] == 3.0
    assert funded_only["headcount"] == 0
    assert frame.schema["month"] == pl.Date
    assert frame.schema["headcount"] == pl.Int64
