"""The steady start: a burn-in under frozen 2022 conditions, the held age profile, the cache.

The burn-in's month-0 workforce must depend only on the config's non-policy values and the
seed (so a scenario and its baseline start alike), be the same read from the cache as made
afresh, keep the posts and the April 2022 visa share, and leave the run's first years closer
to steady than a start from the synthesised workforce.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from wfabm.config import load_config
from wfabm.core.taxonomy import CARE_WORKER, INDEPENDENT, LA, N_ROLES
from wfabm.model import WorkforceModel, burn_in
from wfabm.outcomes.summary import yearly_wales
from wfabm.world.ages import age_profile

BURN_IN = 24


def _config(
    months: int = 12, burn: int = BURN_IN, name: str = "baseline", hold: bool = False, **tables
):
    run = {"burn_in_months": burn, "months": months, "hold_age_profile": hold}
    return load_config(name).with_overrides({"run": run, **tables})


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WFABM_CACHE_DIR", str(tmp_path))
    return tmp_path / "burn-in"


def _workers(model: WorkforceModel) -> dict[str, np.ndarray]:
    w = model.workers
    return {name: getattr(w, name)[: w.size].copy() for name in w.columns}


def test_burn_in_is_reproducible_and_the_cache_returns_the_same_workforce(cache):
    fresh = WorkforceModel(_config(), record_events=False)
    assert len(list(cache.glob("*.npz"))) == 1
    cached = WorkforceModel(_config(), record_events=False)
    uncached = WorkforceModel(_config(), record_events=False, burn_in_cache=False)
    for other in (cached, uncached):
        mine, theirs = _workers(fresh), _workers(other)
        assert mine.keys() == theirs.keys()
        for name in mine:
            np.testing.assert_array_equal(mine[name], theirs[name], err_msg=name)
    fresh.run(3)
    cached.run(3)
    assert fresh.metrics.equals(cached.metrics)
    assert fresh.flows.equals(cached.flows)
    other_seed = WorkforceModel(_config(), seed=7, record_events=False)
    assert not np.array_equal(other_seed.workers.burnout[:100], fresh.workers.burnout[:100])


def test_scenario_and_baseline_start_from_the_same_workforce(cache):
    # Only the levers differ, and levers do not act in the burn-in.
    baseline = WorkforceModel(_config(), record_events=False)
    scenario = WorkforceModel(
        _config(policy={"zero_hours": {"ban": True, "start": "2022-05"}}), record_events=False
    )
    for name, column in _workers(baseline).items():
        np.testing.assert_array_equal(column, _workers(scenario)[name], err_msg=name)
    # A behavioural value is not a lever: it changes the steady state.
    steeper = WorkforceModel(_config(exits={"intent_burnout": 4.0}), record_events=False)
    assert not np.array_equal(steeper.workers.burnout, baseline.workers.burnout)


def test_burned_in_workforce_keeps_the_posts_ids_and_visa_share(cache):
    start = WorkforceModel(_config(burn=0), record_events=False)
    burned = WorkforceModel(_config(), record_events=False)
    # The same workplaces and funded posts: the burn-in froze their growth.
    np.testing.assert_array_equal(start.employers.funded, burned.employers.funded)
    w = burned.workers
    n = w.size
    assert w.active[:n].all()
    np.testing.assert_array_equal(w.worker_id[:n], np.arange(n))
    assert (w.arrival[:n] == -1).all()
    assert (w.arrived[:n] == -1).all()
    ties = w.ties[:n]
    assert ties.max() < n
    # The people changed: some left during the burn-in and newcomers took their posts.
    assert n != start.workers.size or not np.array_equal(
        w.tenure[:n], start.workers.tenure[: start.workers.size]
    )
    welsh_care = (w.role[:n] == CARE_WORKER) & (
        burned.employers.sector[w.employer[:n]] == INDEPENDENT
    )
    share = w.visa[:n][welsh_care].mean()
    wanted = burned.config["workforce"]["contracts"]["initial_visa_share"]
    assert share == pytest.approx(wanted, abs=1.0 / welsh_care.sum())
    # No visa recruits arrived in the burn-in, so without the top-up the share would fall.
    assert w.visa[:n].sum() >= start.workers.visa[: start.workers.size].sum() * 0.9


def test_held_age_profile_keeps_each_roles_ages_as_in_the_base_year():
    held = WorkforceModel(_config(months=36, burn=0, hold=True), record_events=False)
    profile = age_profile(held.workers)
    free = WorkforceModel(_config(months=36, burn=0), record_events=False)
    held.run(25)  # two Aprils: held twice
    free.run(25)
    for role in range(N_ROLES):
        if len(profile[role]) < 200:
            continue
        base = np.quantile(profile[role], [0.1, 0.5, 0.9])
        now_held = np.quantile(age_profile(held.workers)[role], [0.1, 0.5, 0.9])
        now_free = np.quantile(age_profile(free.workers)[role], [0.1, 0.5, 0.9])
        # Held: within the month since April, as in the base year; free: people aged.
        assert np.abs(now_held - base).max() <= 13, role
        assert now_free[1] != now_held[1] or now_free[2] != now_held[2], role


def test_burn_in_removes_the_start_up_fall_in_burnout_and_leaving(cache):
    # From the synthesised workforce, burnout and leaving fall sharply in the first years as
    # the model relaxes from the assumed start; from the burned-in one they barely move.
    months, burn = 36, 48
    frozen = "checks/steady_state"
    cold = WorkforceModel(_config(months, 0, frozen, True), record_events=False).run()
    warm = WorkforceModel(_config(months, burn, frozen, True), record_events=False).run()
    cold, warm = yearly_wales(cold.metrics), yearly_wales(warm.metrics)

    def change(table: pl.DataFrame, column: str) -> float:
        values = table[column].to_numpy()
        return abs(values[-1] / values[0] - 1.0)

    assert change(cold, "burnout") > 0.1
    assert change(warm, "burnout") < change(cold, "burnout") / 3
    # Leaving settles less: what is left is the slow balance of vacancies against outside
    # hiring, which 48 months do not complete (docs/ODD.md, "A steady start").
    assert change(cold, "leaver_rate") > 0.1
    assert change(warm, "leaver_rate") < change(cold, "leaver_rate") * 0.7


def test_steady_conditions_freeze_every_driver():
    cfg = load_config("configs/scenarios/zero_hours_ban.toml").data
    policy = load_config("baseline").data["policy"]
    steady = burn_in.steady_conditions(cfg, policy)
    assert steady["pay"]["uplifts"] is False
    assert steady["pay"]["typical_earnings_growth"] == 0.0
    assert steady["employers"]["funded_post_growth"] == 0.0
    assert steady["employers"]["nhs_post_growth"] == 0.0
    assert steady["run"]["hold_age_profile"] is True
    assert steady["run"]["burn_in_months"] == 0
    assert steady["policy"]["zero_hours"]["ban"] is False
    assert steady["policy"]["overseas_recruitment"]["close"] == "2022-04-01"
    assert cfg["policy"]["zero_hours"]["ban"] is True  # the config itself is left alone


def test_frozen_scales_leave_pay_unchanged_in_april_but_service_still_counts():
    moving = WorkforceModel(_config(months=13, burn=0), record_events=False)
    frozen = WorkforceModel(_config(months=13, burn=0, pay={"uplifts": False}), record_events=False)
    before = frozen.employers.pay.copy()
    moving.run(13)
    frozen.run(13)
    # Local authorities pay their scales (independent providers also answer vacancies).
    council = frozen.employers.sector == LA
    care = (slice(None), CARE_WORKER)
    assert (moving.employers.pay[care][council] > before[care][council]).all()
    np.testing.assert_array_equal(frozen.employers.pay[care][council], before[care][council])
    w = frozen.workers
    stayed = w.active[: w.size] & (w.arrived[: w.size] == -1) & (w.tenure[: w.size] >= 13)
    assert (w.point[: w.size][stayed] > 0).mean() > 0.5
