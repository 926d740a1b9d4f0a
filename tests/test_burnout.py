"""Tests for ``wfabm.world.burnout``: absence, staff present, workload and burnout dynamics.

``absence`` rises linearly with burnout; ``present_staff`` equals headcount less the summed
absence of the staff; ``workload`` is funded posts per available person (1 where nothing is
funded); ``update_burnout`` rises with excess workload, recovers without it, is pulled toward
the team mean, stays in [0, 1], and settles at ``rise*e / (rise*e + recovery)`` under a
constant excess ``e`` with no contagion or noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.world.burnout import absence, present_staff, update_burnout, workload


def test_absence_rises_linearly_with_burnout():
    burnout = np.array([0.0, 0.25, 0.5, 1.0])
    result = absence(burnout, 0.045, 1.5)
    np.testing.assert_allclose(result, 0.045 * (1 + 1.5 * burnout))
    assert result[0] == pytest.approx(0.045)
    assert np.all(np.diff(result) > 0)


def test_present_staff_is_headcount_less_each_workers_absence():
    rng = np.random.default_rng(0)
    teams = [rng.random(n) for n in (1, 5, 12)]
    headcount = np.array([len(t) for t in teams], dtype=float)
    burnout_sum = np.array([t.sum() for t in teams])
    present = present_staff(headcount, burnout_sum, 0.05, 2.0)
    expected = [np.sum(1.0 - absence(t, 0.05, 2.0)) for t in teams]
    np.testing.assert_allclose(present, expected)


def test_present_staff_falls_as_burnout_rises():
    headcount = np.full(3, 10.0)
    present = present_staff(headcount, np.array([0.0, 2.0, 5.0]), 0.05, 1.5)
    assert present[0] == pytest.approx(9.5)
    assert np.all(np.diff(present) < 0)


def test_workload_is_funded_posts_per_available_person():
    present = np.array([8.0, 8.0, 10.0, 0.0])
    funded = np.array([10.0, 10.0, 10.0, 4.0])
    agency = np.array([0.0, 2.0, 0.0, 0.0])
    result = workload(present, funded, agency)
    np.testing.assert_allclose(result[:3], [1.25, 1.0, 1.0])
    # Nobody there: the denominator is floored at half a person, not zero.
    assert result[3] == pytest.approx(8.0)
    assert np.all(np.isfinite(result))


def test_workload_is_one_without_funded_posts():
    result = workload(np.array([0.0, 3.0]), np.array([0.0, 0.0]), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(result, [1.0, 1.0])


def test_workload_falls_with_agency_cover():
    low = workload(np.array([8.0]), np.array([10.0]), np.array([0.0]))
    high = workload(np.array([8.0]), np.array([10.0]), np.array([1.0]))
    assert high[0] < low[0]


def _step(burnout, excess, team=None, noise=0.0, rise=0.15, recovery=0.05, contagion=0.0):
    burnout = np.asarray(burnout, dtype=float)
    team = burnout if team is None else np.asarray(team, dtype=float)
    return update_burnout(
        burnout,
        np.broadcast_to(np.asarray(excess, dtype=float), burnout.shape),
        team,
        np.broadcast_to(np.asarray(noise, dtype=float), burnout.shape),
        rise,
        recovery,
        contagion,
    )


def test_burnout_rises_with_excess_workload():
    burnout = np.full(3, 0.3)
    after = _step(burnout, [0.0, 0.2, 0.5], recovery=0.0)
    assert after[0] == pytest.approx(0.3)
    assert 0.3 < after[1] < after[2]
    assert after[1] == pytest.approx(0.3 + 0.15 * 0.2 * 0.7)


def test_burnout_recovers_toward_zero_without_excess():
    burnout = np.array([0.8])
    path = [burnout]
    for _ in range(200):
        path.append(_step(path[-1], 0.0))
    path = np.concatenate(path)
    assert np.all(np.diff(path) < 0)
    assert path[1] == pytest.approx(0.8 * 0.95)
    assert path[-1] < 1e-3


def test_contagion_pulls_burnout_toward_the_team_mean():
    burnout = np.array([0.2, 0.8, 0.5])
    team = np.full(3, 0.5)
    plain = _step(burnout, 0.0, team=team, recovery=0.0, contagion=0.0)
    pulled = _step(burnout, 0.0, team=team, recovery=0.0, contagion=0.1)
    np.testing.assert_allclose(plain, burnout)
    np.testing.assert_allclose(pulled, burnout + 0.1 * (team - burnout))
    assert np.all(np.abs(pulled - team) <= np.abs(burnout - team))


def test_recovery_can_be_given_per_worker():
    burnout = np.array([0.5, 0.5])
    after = _step(burnout, 0.0, recovery=np.array([0.0, 0.2]))
    np.testing.assert_allclose(after, [0.5, 0.4])


def test_burnout_stays_between_zero_and_one():
    rng = np.random.default_rng(1)
    burnout = rng.random(5000)
    for _ in range(20):
        burnout = _step(
            burnout,
            rng.uniform(0, 10, 5000),
            team=rng.random(5000),
            noise=rng.normal(0, 0.5, 5000),
            rise=2.0,
            recovery=0.5,
            contagion=0.5,
        )
        assert burnout.min() >= 0.0
        assert burnout.max() <= 1.0
    # Clipping is active at both ends, so the bounds are really being exercised.
    assert (burnout == 0.0).any()
    assert (burnout == 1.0).any()


@pytest.mark.parametrize("excess", [0.1, 0.5, 2.0])
def test_burnout_settles_at_the_equilibrium_of_rise_and_recovery(excess):
    rise, recovery = 0.15, 0.05
    burnout = np.array([0.0, 0.5, 1.0])
    for _ in range(2000):
        burnout = _step(burnout, excess, rise=rise, recovery=recovery)
    expected = rise * excess / (rise * excess + recovery)
    np.testing.assert_allclose(burnout, expected, atol=1e-6)
