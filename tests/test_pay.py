"""Tests for ``wfabm.world.pay``: the uplift schedule and the pay tables built from the baseline.

``uplift_schedule`` has one uplift per April after the start, carries the published Real
Living Wage (10.90 from April 2023, 13.45 from April 2026), grows every scale by
``growth_after_data`` a year beyond the data, and turns the NJC award into a line that maps
one year's published SCP2 (and SCP43) onto the next year's. ``UpliftCalendar`` gives the
same uplifts, month by month, to any month however far ahead. ``PayTables``, built on one
workplace per sector with the baseline config, pays Welsh independent care workers the RLW
times (1 + premium), keeps them at or above the new RLW after an uplift, never pays NHS Wales
healthcare assistants below the RLW, pays agency social workers the local authority rate
plus the agency markup, and gives pay-point factors of 1 + step * point.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from wfabm.config import load_config
from wfabm.core import reference
from wfabm.core.taxonomy import (
    AGENCY,
    ANCILLARY_WORKER,
    CARE_WORKER,
    DEPUTY_MANAGER,
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    ENGLAND_NHS,
    HEALTHCARE_ASSISTANT,
    INDEPENDENT,
    LA,
    N_ROLES,
    N_SECTORS,
    NHS,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
)
from wfabm.model.workforce import WorkforceModel
from wfabm.world.employers import EmployerTable
from wfabm.world.pay import NJC_HOURS, PayTables, UpliftCalendar, uplift_schedule

START = dt.date(2022, 4, 1)
SECTOR_ROWS = [LA, INDEPENDENT, NHS, ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS, AGENCY]
ROW = {sector: i for i, sector in enumerate(SECTOR_ROWS)}
PREMIUM = 0.04


@pytest.fixture(scope="module")
def config():
    return load_config().data


@pytest.fixture(scope="module")
def schedule(config):
    return uplift_schedule(START, 12 * 10, config["pay"]["growth_after_data"])


def _employers():
    n = len(SECTOR_ROWS)
    sector = np.array(SECTOR_ROWS, dtype=np.int8)
    # Welsh workplaces in authority 0 (Anglesey), English ones in authority 22 (Herefordshire).
    la = np.where(np.isin(sector, [ENGLAND_LA, ENGLAND_INDEPENDENT, ENGLAND_NHS]), 22, 0)
    premium = np.where(np.isin(sector, [INDEPENDENT, ENGLAND_INDEPENDENT]), PREMIUM, 0.0)
    return EmployerTable(
        sector=sector,
        la=la.astype(np.int16),
        service=np.zeros(n, dtype=np.int8),
        organisation=np.arange(n, dtype=np.int32),
        sponsor=np.zeros(n, dtype=bool),
        funded=np.full((n, N_ROLES), 5.0),
        pay=np.zeros((n, N_ROLES)),
        premium=premium,
        funded_premium=premium.copy(),
        vacancy_streak=np.zeros(n, dtype=np.int16),
        agency_fte=np.zeros((n, N_ROLES)),
        region=np.zeros(n, dtype=np.int16),
    )


def _tables(config, seed=0):
    employers = _employers()
    tables = PayTables(config, employers, np.random.default_rng(seed), START)
    return tables, employers


# ------------------------------------------------------------------ uplift_schedule
def test_schedule_has_an_uplift_each_april_after_the_start(schedule):
    assert sorted(schedule) == [12 * k for k in range(1, 10)]


def test_schedule_from_a_mid_year_start_puts_uplifts_on_aprils():
    uplifts = uplift_schedule(dt.date(2022, 6, 1), 30, 0.04)
    assert sorted(uplifts) == [10, 22]
    assert uplifts[10].rlw == pytest.approx(10.90)


def test_schedule_carries_the_published_real_living_wage(schedule):
    assert schedule[12].rlw == pytest.approx(10.90)  # April 2023
    assert schedule[48].rlw == pytest.approx(13.45)  # April 2026
    assert schedule[12].nlw == pytest.approx(10.42)


def test_beyond_the_data_scales_grow_by_growth_after_data():
    uplifts = uplift_schedule(START, 12 * 8, 0.05)
    assert uplifts[60].rlw == pytest.approx(13.45 * 1.05)  # April 2027
    assert uplifts[72].rlw == pytest.approx(13.45 * 1.05**2)
    assert uplifts[72].nlw == pytest.approx(uplifts[60].nlw * 1.05)
    # Once every scale is beyond the data, awards are a pure percentage.
    assert uplifts[72].njc[1] == pytest.approx(1.05)
    assert uplifts[72].njc[0] == pytest.approx(0.0, abs=1e-9)
    assert uplifts[72].afc[1] == pytest.approx(1.05)


@pytest.mark.parametrize("month", [12, 24, 36])
def test_njc_award_line_maps_published_points_onto_the_next_year(schedule, month):
    a, b = schedule[month].njc
    year = 2022 + month // 12
    for point in ("scp2", "scp43"):
        old = reference.pay_rate("njc", point, dt.date(year - 1, 4, 1)) / NJC_HOURS
        new = reference.pay_rate("njc", point, dt.date(year, 4, 1)) / NJC_HOURS
        assert a + b * old == pytest.approx(new, rel=1e-9)


def test_flat_njc_award_is_bigger_in_percent_for_the_lowest_paid(schedule):
    a, b = schedule[12].njc  # 2023: a flat £1,925
    assert a > 0
    assert b == pytest.approx(1.0)
    low, high = 10.0, 25.0
    assert (a + b * low) / low > (a + b * high) / high


def test_calendar_gives_the_schedule_uplifts_to_the_last_bit(config, schedule):
    calendar = UpliftCalendar(START, config["pay"]["growth_after_data"])
    found = {m: calendar.get(m) for m in range(12 * 10) if calendar.get(m) is not None}
    assert found == schedule


def test_calendar_has_no_uplift_at_the_start_or_outside_april():
    calendar = UpliftCalendar(dt.date(2022, 6, 1), 0.04)
    assert [m for m in range(40) if calendar.get(m) is not None] == [10, 22, 34]
    assert UpliftCalendar(START, 0.04).get(0) is None


def test_calendar_grows_pay_by_its_rule_centuries_ahead():
    calendar = UpliftCalendar(START, 0.04)
    month = 12 * (2200 - 2022)  # April 2200
    uplift = calendar.get(month)
    assert uplift.rlw == pytest.approx(13.45 * 1.04 ** (2200 - 2026))
    assert uplift.afc == pytest.approx((0.0, 1.04), abs=1e-9)
    assert calendar.get(month + 12).nlw == pytest.approx(uplift.nlw * 1.04)


# ------------------------------------------------------------------ PayTables
def test_welsh_independent_care_workers_are_paid_the_rlw_times_the_premium(config):
    tables, employers = _tables(config)
    row = ROW[INDEPENDENT]
    assert tables.rlw == pytest.approx(9.90)
    assert employers.pay[row, CARE_WORKER] == pytest.approx(9.90 * (1 + PREMIUM))
    hourly = tables.hourly(np.array([row]), np.array([CARE_WORKER]), np.array([0]))
    assert hourly[0] == pytest.approx(9.90 * (1 + PREMIUM))
    # Seniors keep their relativity to the floor.
    ratio = config["pay"]["independent"]["senior_care_worker"] / 9.90
    assert employers.pay[row, SENIOR_CARE_WORKER] == pytest.approx(9.90 * ratio * (1 + PREMIUM))


def test_english_independent_care_workers_follow_the_nlw(config):
    tables, employers = _tables(config)
    assert employers.pay[ROW[ENGLAND_INDEPENDENT], CARE_WORKER] == pytest.approx(
        9.50 * (1 + PREMIUM)
    )
    tables.apply(uplift_schedule(START, 13, 0.04)[12])
    assert employers.pay[ROW[ENGLAND_INDEPENDENT], CARE_WORKER] == pytest.approx(
        10.42 * (1 + PREMIUM)
    )


def test_after_the_2023_uplift_independent_care_workers_get_at_least_the_new_rlw(config, schedule):
    tables, employers = _tables(config)
    tables.apply(schedule[12])
    assert tables.rlw == pytest.approx(10.90)
    pay = employers.pay[ROW[INDEPENDENT], CARE_WORKER]
    assert pay >= 10.90
    assert pay == pytest.approx(10.90 * (1 + PREMIUM))


def test_premium_rise_moves_floor_linked_pay(config):
    tables, employers = _tables(config)
    employers.premium[ROW[INDEPENDENT]] += 0.10
    tables.refresh_floor_linked()
    assert employers.pay[ROW[INDEPENDENT], CARE_WORKER] == pytest.approx(9.90 * (1.04 + 0.10))


def test_nhs_wales_healthcare_assistants_never_below_the_rlw(config, schedule):
    tables, employers = _tables(config)
    row = ROW[NHS]
    assert employers.pay[row, HEALTHCARE_ASSISTANT] >= tables.rlw
    for month in sorted(schedule):
        tables.apply(schedule[month])
        assert employers.pay[row, HEALTHCARE_ASSISTANT] >= tables.rlw - 1e-12
        assert employers.pay[ROW[LA], CARE_WORKER] >= tables.rlw - 1e-12


def test_agency_social_workers_are_paid_the_la_rate_plus_the_markup(config, schedule):
    tables, employers = _tables(config)
    markup = config["pay"]["agency_markup_professional"]
    care_markup = config["pay"]["agency_markup_care"]

    def check():
        la_pay = employers.pay[ROW[LA]]
        agency_pay = employers.pay[ROW[AGENCY]]
        assert agency_pay[SOCIAL_WORKER] == pytest.approx(la_pay[SOCIAL_WORKER] * (1 + markup))
        assert agency_pay[CARE_WORKER] == pytest.approx(la_pay[CARE_WORKER] * (1 + care_markup))

    check()
    tables.apply(schedule[12])
    check()


def test_local_authority_pay_carries_the_organisation_spread(config):
    _, first = _tables(config, seed=1)
    _, second = _tables(config, seed=2)
    base = config["pay"]["la"]["social_worker"]
    assert first.pay[ROW[LA], SOCIAL_WORKER] != second.pay[ROW[LA], SOCIAL_WORKER]
    # NHS pay has no spread between organisations.
    assert first.pay[ROW[NHS], SOCIAL_WORKER] == config["pay"]["nhs"]["social_worker"]
    assert abs(first.pay[ROW[LA], SOCIAL_WORKER] / base - 1) < 0.15


def test_point_factors_are_one_at_entry_and_rise_by_the_step(config):
    tables, _ = _tables(config)
    points = config["pay"]["points"]
    # One group per sector, and a last one for employers in the pay and progression framework.
    factors = tables.point_factors(points).reshape(N_SECTORS + 1, N_ROLES, points)
    np.testing.assert_array_equal(factors[:, :, 0], 1.0)
    steps = np.arange(points)
    la_step = config["pay"]["point_step"]["social_worker"]
    np.testing.assert_allclose(factors[LA, SOCIAL_WORKER], 1 + la_step * steps)
    cw_step = config["pay"]["point_step"]["care_worker"] * config["pay"]["independent_step_factor"]
    np.testing.assert_allclose(factors[INDEPENDENT, CARE_WORKER], 1 + cw_step * steps)
    np.testing.assert_array_equal(factors[AGENCY], 1.0)
    # Framework employers' care workers progress at the statutory step, not the independent one.
    statutory = config["pay"]["point_step"]["care_worker"]
    np.testing.assert_allclose(factors[N_SECTORS, CARE_WORKER], 1 + statutory * steps)


def test_pay_key_indexes_the_point_factors_like_hourly(config):
    tables, employers = _tables(config)
    points = config["pay"]["points"]
    factors = tables.point_factors(points)
    row, role, point = ROW[LA], SOCIAL_WORKER, 3
    key = (LA * N_ROLES + role) * points + point
    hourly = tables.hourly(np.array([row]), np.array([role]), np.array([point]))[0]
    assert hourly == pytest.approx(employers.pay[row, role] * factors[key])


def test_welsh_providers_pay_ancillary_staff_from_the_nlw_and_care_workers_from_the_rlw():
    # The Welsh Real Living Wage policy covers registered workers only: ancillary staff at
    # independent providers are paid from the National Living Wage, and each April's rise
    # of either floor moves only the roles paid from it.
    model = WorkforceModel(load_config(overrides={"run": {"months": 13}}), record_events=False)
    employers = model.employers
    rows = (employers.sector == INDEPENDENT) & (employers.pay[:, ANCILLARY_WORKER] > 0)
    assert rows.sum() > 100
    for _ in range(13):
        premium = 1.0 + employers.premium[rows]
        np.testing.assert_allclose(
            employers.pay[rows, ANCILLARY_WORKER] / premium, model.pay.nlw, rtol=1e-9
        )
        np.testing.assert_allclose(
            employers.pay[rows, CARE_WORKER] / premium, model.pay.rlw, rtol=1e-9
        )
        assert (employers.pay[rows, DEPUTY_MANAGER] > employers.pay[rows, CARE_WORKER]).all()
        model.step()
    assert model.pay.nlw == pytest.approx(10.42)  # April 2023 (facts:nlw_uk_2023)
    la = (employers.sector == LA) & (employers.pay[:, ANCILLARY_WORKER] > 0)
    # Local authorities pay them on the NJC spine, above the RLW.
    assert (employers.pay[la, ANCILLARY_WORKER] > model.pay.rlw).all()
