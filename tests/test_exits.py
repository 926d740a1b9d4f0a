"""Tests for ``wfabm.world.exits``: the logistic function, retirement and leaving the sector.

``expit`` is the logistic function; ``retirement_table`` gives monthly retirement hazards
that are negligible at 40, rise with age, are certain from 75, and imply retirement ages
with about the configured mean; ``intent_log_odds`` has the configured log-odds effects of
burnout (odds ratio 3.55 per half unit of burnout with the baseline coefficient), workload
and the static terms; ``monthly_leave_hazards`` compound back to the yearly probabilities,
with the configured odds ratio between those intending to leave and the others.
"""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.config import load_config
from wfabm.world.exits import (
    expit,
    intent_log_odds,
    monthly_burnout_hazard,
    monthly_leave_hazards,
    retirement_table,
)

COEF = {"intent_burnout": 2.53, "intent_workload": 1.0}


def _odds(p):
    p = np.asarray(p, dtype=np.float64)
    return p / (1.0 - p)


@pytest.fixture(scope="module")
def exits_config():
    return load_config().data["exits"]


# ------------------------------------------------------------------ expit
def test_expit_is_the_logistic_function():
    x = np.array([-5.0, -1.0, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(expit(x), 1.0 / (1.0 + np.exp(-x)), rtol=1e-6)
    assert expit(np.array([0.0]))[0] == 0.5


def test_expit_is_symmetric_and_bounded():
    x = np.linspace(-30, 30, 61)
    y = expit(x)
    np.testing.assert_allclose(y + expit(-x), 1.0, atol=1e-6)
    assert np.all((y >= 0) & (y <= 1))
    assert np.all(np.diff(y) >= 0)


# ------------------------------------------------------------------ retirement_table
def test_retirement_is_negligible_at_forty():
    table = retirement_table(65.5, 3.0)
    assert table[40 * 12] < 1e-5


def test_retirement_hazard_increases_with_age_and_is_certain_from_75():
    table = retirement_table(65.5, 3.0)
    working = table[16 * 12 : 75 * 12]
    assert np.all(np.diff(working) >= 0)
    assert table[60 * 12] < table[65 * 12] < table[70 * 12] < 1.0
    assert table[75 * 12 - 1] < 1.0
    assert np.all(table[75 * 12 :] == 1.0)


def test_retirement_table_has_the_requested_length():
    assert len(retirement_table(65.5, 3.0, max_months=1200)) == 1201


@pytest.mark.parametrize(("mean", "sd"), [(65.5, 3.0), (63.0, 2.0), (66.0, 4.0)])
def test_implied_retirement_ages_have_the_configured_mean(mean, sd):
    table = retirement_table(mean, sd, max_months=80 * 12).astype(np.float64)
    ages = np.arange(len(table)) / 12.0
    start = 30 * 12
    survival = np.concatenate(([1.0], np.cumprod(1.0 - table[start:])[:-1]))
    retire = survival * table[start:]
    assert retire.sum() == pytest.approx(1.0)
    mean_age = np.sum(retire * ages[start:])
    # The cut at 75 pulls the mean down slightly when the spread is wide.
    assert mean_age == pytest.approx(mean, abs=0.1)
    sd_age = np.sqrt(np.sum(retire * (ages[start:] - mean_age) ** 2))
    assert sd_age == pytest.approx(sd, rel=0.05)


# ------------------------------------------------------------------ intent_log_odds


def intent_to_leave(*args) -> np.ndarray:
    """The intent to leave of the log-odds (without the pay-gap term, as in the tests)."""
    return expit(intent_log_odds(*args))


def test_half_a_unit_of_burnout_multiplies_the_odds_of_intent_by_exp_half_the_coefficient():
    base = np.full(5, -2.2)
    burnout = np.array([0.0, 0.1, 0.2, 0.3, 0.5])
    zeros = np.zeros(5)
    low = intent_to_leave(base, burnout, zeros, zeros, COEF)
    high = intent_to_leave(base, burnout + 0.5, zeros, zeros, COEF)
    ratio = _odds(high) / _odds(low)
    np.testing.assert_allclose(ratio, np.exp(0.5 * 2.53), rtol=1e-4)


def test_baseline_burnout_odds_ratio_is_the_meta_analysis_3_55(exits_config):
    base = np.array([-2.3])
    zeros = np.zeros(1)
    low = intent_to_leave(base, np.array([0.2]), zeros, zeros, exits_config)
    high = intent_to_leave(base, np.array([0.7]), zeros, zeros, exits_config)
    assert float(_odds(high)[0] / _odds(low)[0]) == pytest.approx(3.55, rel=0.005)


def test_intent_rises_with_excess_workload():
    base = np.full(3, -2.0)
    zeros = np.zeros(3)
    excess = np.array([0.0, 0.5, 1.0])
    intent = intent_to_leave(base, zeros, excess, zeros, COEF)
    assert np.all(np.diff(intent) > 0)
    np.testing.assert_allclose(_odds(intent[1:]) / _odds(intent[0]), np.exp(excess[1:]), rtol=1e-4)


def test_static_terms_and_base_add_to_the_log_odds():
    base = np.array([-2.0, -1.0])
    static = np.array([0.7, 0.0])
    burnout = np.array([0.4, 0.4])
    excess = np.array([0.3, 0.3])
    intent = intent_to_leave(base, burnout, excess, static, COEF)
    log_odds = base + static + 2.53 * burnout + 1.0 * excess
    np.testing.assert_allclose(intent, 1.0 / (1.0 + np.exp(-log_odds)), rtol=1e-5)


def test_intent_does_not_change_its_inputs():
    base = np.array([-2.0, -1.0])
    static = np.array([0.5, 0.2])
    burnout = np.array([0.1, 0.9])
    intent_to_leave(base, burnout, np.zeros(2), static, COEF)
    np.testing.assert_array_equal(base, [-2.0, -1.0])
    np.testing.assert_array_equal(static, [0.5, 0.2])


# ------------------------------------------------------------------ monthly_leave_hazards
def test_twelve_months_of_m0_compound_to_the_yearly_probability():
    p0 = np.array([0.024, 0.016, 0.3])
    m0, _ = monthly_leave_hazards(p0, 5.68)
    np.testing.assert_allclose(1.0 - (1.0 - m0) ** 12, p0, rtol=1e-12)
    assert np.all(m0 < p0)


def test_yearly_odds_ratio_of_intending_leavers_is_the_configured_ratio(exits_config):
    p0 = np.array(list(exits_config["leave_base"].values()))
    odds_ratio = exits_config["intent_exit_odds_ratio"]
    assert odds_ratio == 5.68
    m0, m1 = monthly_leave_hazards(p0, odds_ratio)
    p1 = 1.0 - (1.0 - m1) ** 12
    np.testing.assert_allclose(_odds(p1) / _odds(p0), 5.68, rtol=1e-9)
    assert np.all(m1 > m0)


def test_odds_ratio_of_one_gives_equal_hazards():
    p0 = np.array([0.05, 0.2])
    m0, m1 = monthly_leave_hazards(p0, 1.0)
    np.testing.assert_allclose(m0, m1)


# ------------------------------------------------------------------ monthly_burnout_hazard
def test_twelve_months_of_the_burnout_hazard_compound_to_the_yearly_probability():
    for yearly in (0.01497, 0.2, 0.9):
        monthly = monthly_burnout_hazard(yearly)
        assert 0.0 < monthly < yearly
        assert 1.0 - (1.0 - monthly) ** 12 == pytest.approx(yearly, rel=1e-12)
    assert monthly_burnout_hazard(0.0) == 0.0
