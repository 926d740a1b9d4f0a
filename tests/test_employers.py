"""Tests for ``wfabm.world.employers``: headcounts, post growth, vacancies, pay response, agency.

Covers ``headcount_by_cell``; ``grow_posts`` (social care and NHS growth rates, agency posts
untouched, twelve months compounding to the yearly rate); ``vacancies`` (whole posts, never
negative); ``open_vacancies`` (the held share is not advertised); ``respond_with_pay`` (only
independent providers, streaks of months above the trigger, the fee cap); ``sum_by_group``
(each group's rows, added in a fixed order of blocks); ``sum_by_region``
and ``allocate_agency`` (pro-rata cover when supply is short, full cover when ample, nothing
outside the agency regions, never more cover than supply).
"""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.core.taxonomy import (
    AGENCY,
    CARE_WORKER,
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    ENGLAND_NHS,
    INDEPENDENT,
    LA,
    N_ROLES,
    NHS,
    SOCIAL_WORKER,
)
from wfabm.world.employers import (
    SUM_BLOCK,
    EmployerTable,
    affordable_rise,
    allocate_agency,
    grow_posts,
    headcount_by_cell,
    open_vacancies,
    respond_with_pay,
    sum_by_group,
    sum_by_region,
    vacancies,
)

ROOMY_FEES = (1.0, 0.825)
"""Fee surplus and staff share that leave room for any rise here."""


def _employers(sector, funded=None, premium=None, region=None):
    sector = np.asarray(sector, dtype=np.int8)
    n = len(sector)
    return EmployerTable(
        sector=sector,
        la=np.zeros(n, dtype=np.int16),
        service=np.zeros(n, dtype=np.int8),
        organisation=np.arange(n, dtype=np.int32),
        sponsor=np.zeros(n, dtype=bool),
        funded=np.full((n, N_ROLES), 10.0) if funded is None else np.asarray(funded, float),
        pay=np.zeros((n, N_ROLES)),
        premium=np.zeros(n) if premium is None else np.asarray(premium, float),
        funded_premium=np.zeros(n) if premium is None else np.asarray(premium, float),
        vacancy_streak=np.zeros(n, dtype=np.int16),
        agency_fte=np.zeros((n, N_ROLES)),
        region=np.zeros(n, dtype=np.int16) if region is None else np.asarray(region, np.int16),
    )


ALL_SECTORS = [LA, INDEPENDENT, NHS, ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS, AGENCY]


# ------------------------------------------------------------------ headcount_by_cell
def test_headcount_by_cell_counts_active_workers_per_workplace_and_role():
    employer = np.array([0, 0, 0, 2, 2, 1])
    role = np.array([CARE_WORKER, CARE_WORKER, SOCIAL_WORKER, CARE_WORKER, CARE_WORKER, 8])
    active = np.array([True, True, True, True, False, True])
    counts = headcount_by_cell(employer, role, active, 4)
    assert counts.shape == (4, N_ROLES)
    expected = np.zeros((4, N_ROLES), dtype=int)
    expected[0, CARE_WORKER] = 2
    expected[0, SOCIAL_WORKER] = 1
    expected[2, CARE_WORKER] = 1  # the inactive one is not counted
    expected[1, 8] = 1
    np.testing.assert_array_equal(counts, expected)


# ------------------------------------------------------------------ grow_posts
def test_grow_posts_applies_social_care_and_nhs_rates_and_leaves_agencies():
    employers = _employers(ALL_SECTORS)
    grow_posts(employers, 0.12, 0.24)
    care_factor = 1.12 ** (1 / 12)
    nhs_factor = 1.24 ** (1 / 12)
    factor = employers.funded[:, 0] / 10.0
    for row, sector in enumerate(ALL_SECTORS):
        if sector in (NHS, ENGLAND_NHS):
            assert factor[row] == pytest.approx(nhs_factor)
        elif sector == AGENCY:
            assert factor[row] == 1.0
        else:
            assert factor[row] == pytest.approx(care_factor)
    # All roles of a workplace grow alike.
    np.testing.assert_allclose(employers.funded, employers.funded[:, :1].repeat(N_ROLES, 1))


def test_twelve_months_of_growth_compound_to_the_yearly_rate():
    employers = _employers(ALL_SECTORS)
    for _ in range(12):
        grow_posts(employers, 0.01, 0.02)
    factor = employers.funded[:, 0] / 10.0
    np.testing.assert_allclose(factor, [1.01, 1.01, 1.02, 1.01, 1.01, 1.02, 1.0], rtol=1e-12)


# ------------------------------------------------------------------ vacancies
def test_vacancies_count_whole_unfilled_posts_and_are_never_negative():
    funded = np.zeros((1, N_ROLES))
    funded[0, :4] = [10.0, 10.7, 3.0, 2.9999999999999]
    employers = _employers([LA], funded=funded)
    headcount = np.zeros((1, N_ROLES))
    headcount[0, :4] = [7, 7, 5, 0]
    vacant = vacancies(employers, headcount)
    np.testing.assert_array_equal(vacant[0, :4], [3.0, 3.0, 0.0, 3.0])
    assert np.all(vacant >= 0)
    assert np.all(vacant == np.floor(vacant))


# ------------------------------------------------------------------ open_vacancies
def test_open_vacancies_leave_the_held_share_unadvertised():
    vacant = np.array([[10.0, 10.0, 4.0], [0.0, 3.0, 1.0]])
    held = np.array([0.0, 0.26, 1.0])
    opened = open_vacancies(vacant, held)
    np.testing.assert_array_equal(opened, [[10.0, 7.0, 0.0], [0.0, 2.0, 0.0]])
    assert np.all(opened <= vacant)


# ------------------------------------------------------------------ respond_with_pay
def test_only_independent_providers_respond_with_pay():
    employers = _employers(ALL_SECTORS)
    rate = np.full(len(ALL_SECTORS), 0.5)
    raised = np.zeros(len(ALL_SECTORS), dtype=bool)
    for _ in range(3):
        raised |= respond_with_pay(employers, rate, 0.12, 3, 0.01, *ROOMY_FEES)
    independent = np.isin(ALL_SECTORS, [INDEPENDENT, ENGLAND_INDEPENDENT])
    np.testing.assert_array_equal(raised, independent)
    np.testing.assert_allclose(employers.premium, np.where(independent, 0.01, 0.0))


def test_pay_rise_needs_the_set_number_of_consecutive_months_above_the_trigger():
    employers = _employers([INDEPENDENT])
    high, low = np.array([0.2]), np.array([0.05])
    history = []
    for rate in (high, high, low, high, high, high, high):
        history.append(bool(respond_with_pay(employers, rate, 0.12, 3, 0.01, *ROOMY_FEES)[0]))
        if len(history) == 2:
            assert employers.vacancy_streak[0] == 2
    # The low month resets the streak; the rise comes on the third month in a row.
    assert history == [False, False, False, False, False, True, False]
    assert employers.premium[0] == pytest.approx(0.01)
    assert employers.vacancy_streak[0] == 1  # reset at the rise, then one more month


def test_rate_at_the_trigger_does_not_count():
    employers = _employers([INDEPENDENT])
    for _ in range(5):
        respond_with_pay(employers, np.array([0.12]), 0.12, 3, 0.01, *ROOMY_FEES)
    assert employers.vacancy_streak[0] == 0
    assert employers.premium[0] == 0.0


def test_affordable_rise_shrinks_as_vacancies_cut_fee_income():
    surplus, staff_share = 0.05, 0.8
    rate = np.array([0.0, 0.1, 0.2, 0.25, 0.4, 1.0])
    rise = affordable_rise(rate, surplus, staff_share)
    # Fully staffed, the whole surplus can go on pay: 5 % of the fee is 6.25 % of the pay bill.
    assert rise[0] == pytest.approx(surplus / staff_share)
    assert np.all(np.diff(rise) < 0)
    # Running costs of 15 % of the fee are met from the 20 % margin on delivered hours: the
    # surplus is gone at a quarter of posts vacant, and beyond that the funded pay runs at a loss.
    assert rise[3] == pytest.approx(0.0, abs=1e-12)
    assert rise[4] < 0
    assert rise[5] == -np.inf


def test_pay_response_stops_where_the_fee_runs_out():
    employers = _employers([INDEPENDENT, INDEPENDENT], premium=[0.02, 0.02])
    # 15 % vacant: the fee allows 3.4 % over the funded pay, so three rises from 2 % to 5 %;
    # 30 % vacant: the provider already runs at a loss and cannot raise pay at all.
    rate = np.array([0.15, 0.30])
    rises = sum(
        respond_with_pay(employers, rate, 0.1, 1, 0.01, 0.05, 0.825).astype(int) for _ in range(10)
    )
    np.testing.assert_array_equal(rises, [3, 0])
    np.testing.assert_allclose(employers.premium, [0.05, 0.02])


def test_pay_response_is_limited_by_the_pay_the_fee_was_set_for():
    employers = _employers([INDEPENDENT, INDEPENDENT], premium=[0.10, 0.10])
    # The second provider already pays 10 % over what its fee funds (a premium added since).
    employers.funded_premium[:] = [0.10, 0.0]
    rate = np.array([0.15, 0.15])
    raised = respond_with_pay(employers, rate, 0.1, 1, 0.01, 0.05, 0.825)
    np.testing.assert_array_equal(raised, [True, False])


# ------------------------------------------------------------------ sum_by_group
def test_sum_by_group_adds_the_rows_of_each_group():
    rng = np.random.default_rng(0)
    n_rows = 5 * SUM_BLOCK + 17
    values = rng.integers(0, 50, (n_rows, N_ROLES)).astype(float)
    group = rng.integers(0, 6, n_rows)
    sums = sum_by_group(values, group, 7)
    assert sums.shape == (7, N_ROLES)
    # Whole numbers add exactly in any order.
    for g in range(7):
        np.testing.assert_array_equal(sums[g], values[group == g].sum(axis=0))


def test_sum_by_group_adds_rows_block_by_block():
    # A value of 2**53 swallows every 1 added to it (the sum rounds back), so the result
    # shows which ones were summed in a block of their own before joining it.
    n_rows = 2 * SUM_BLOCK
    values = np.ones((n_rows, N_ROLES))
    values[0] = 2.0**53
    sums = sum_by_group(values, np.zeros(n_rows, dtype=np.int64), 1)
    np.testing.assert_array_equal(sums[0], 2.0**53 + SUM_BLOCK)
    # A remainder of one to two blocks is split into two, the first one row longer: of
    # SUM_BLOCK + 5 rows, the ones in the second block (half the rows, rounded down) count.
    n_rows = SUM_BLOCK + 5
    values = np.ones((n_rows, N_ROLES))
    values[0] = 2.0**53
    sums = sum_by_group(values, np.zeros(n_rows, dtype=np.int64), 1)
    np.testing.assert_array_equal(sums[0], 2.0**53 + n_rows // 2)


# ------------------------------------------------------------------ sum_by_region
def test_sum_by_region_adds_workplaces_of_each_region_and_skips_minus_one():
    values = np.arange(4 * N_ROLES, dtype=float).reshape(4, N_ROLES)
    region = np.array([1, -1, 1, 0])
    sums = sum_by_region(values, region, 3)
    assert sums.shape == (3, N_ROLES)
    np.testing.assert_array_equal(sums[0], values[3])
    np.testing.assert_array_equal(sums[1], values[0] + values[2])
    np.testing.assert_array_equal(sums[2], 0.0)


# ------------------------------------------------------------------ allocate_agency
def _demand(rows):
    demand = np.zeros((len(rows), N_ROLES))
    demand[:, CARE_WORKER] = rows
    return demand


def test_agency_cover_is_pro_rata_when_supply_is_short():
    demand = _demand([4.0, 12.0, 8.0])
    region = np.array([0, 0, 1])
    supply = np.zeros((2, N_ROLES))
    supply[0, CARE_WORKER] = 8.0  # half of the 16 wanted in region 0
    supply[1, CARE_WORKER] = 2.0  # a quarter of the 8 wanted in region 1
    cover, wanted = allocate_agency(demand, region, supply)
    np.testing.assert_allclose(cover[:, CARE_WORKER], [2.0, 6.0, 2.0])
    np.testing.assert_allclose(wanted[:, CARE_WORKER], [16.0, 8.0])
    np.testing.assert_allclose(sum_by_region(cover, region, 2), supply)


def test_agency_cover_meets_demand_when_supply_is_ample():
    demand = _demand([4.0, 12.0, 8.0])
    region = np.array([0, 0, 1])
    supply = np.full((2, N_ROLES), 100.0)
    cover, _ = allocate_agency(demand, region, supply)
    np.testing.assert_allclose(cover, demand)


def test_workplaces_outside_agency_regions_get_no_cover():
    demand = _demand([5.0, 5.0])
    region = np.array([-1, 0])
    supply = np.full((1, N_ROLES), 100.0)
    cover, wanted = allocate_agency(demand, region, supply)
    assert np.all(cover[0] == 0.0)
    assert cover[1, CARE_WORKER] == 5.0
    assert wanted[0, CARE_WORKER] == 5.0  # region -1 demand is not counted


def test_total_cover_never_exceeds_supply():
    rng = np.random.default_rng(4)
    demand = rng.uniform(0, 5, (40, N_ROLES))
    region = rng.integers(-1, 3, 40)
    supply = rng.uniform(0, 40, (3, N_ROLES))
    cover, wanted = allocate_agency(demand, region, supply)
    given = sum_by_region(cover, region, 3)
    assert np.all(given <= supply + 1e-9)
    assert np.all(given <= wanted + 1e-9)
    assert np.all(cover <= demand + 1e-12)
    np.testing.assert_allclose(given, np.minimum(supply, wanted))


def test_no_demand_gives_no_cover_and_no_nan():
    demand = np.zeros((2, N_ROLES))
    cover, _ = allocate_agency(demand, np.array([0, 0]), np.full((1, N_ROLES), 3.0))
    assert np.all(cover == 0.0)
