"""Tests of which levers a config switches on, when they first act, and the idle-lever check."""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.config import load_config
from wfabm.levers.idle import idle_levers, lever_starts
from wfabm.levers.policy import NEVER, Policy
from wfabm.model.workforce import WorkforceModel

# Every lever on, each from a month of its own (counted from the baseline's 2022-04).
ALL_ON = {
    "policy": {
        "pay_change": [
            {"sector": "la", "role": "care_worker", "fraction": 0.1, "start": "2023-01"},
            {"sector": "all", "role": "all", "fraction": 0.0, "start": "2023-02"},
        ],
        "pay_framework": {"mode": "voluntary", "start": "2023-03"},
        "nhs_parity": {"roles": ["occupational_therapist"], "gap_closed": 0.5, "start": "2023-04"},
        "social_worker_terms": {"harmonised": True, "start": "2023-05"},
        "agency": {"cap": 1.5, "start": "2023-06"},
        "wellbeing": {"recovery_boost": 0.2, "start": "2023-07"},
        "zero_hours": {"ban": True, "start": "2023-08"},
        "caseload": {"cap": 20.0, "start": "2023-09"},
        "england": {"pay_change": 0.05, "start": "2023-10"},
        "training": {"social_work_places": 1.5, "course_years": 2, "start": "2023-11"},
    }
}


@pytest.fixture(scope="module")
def model() -> WorkforceModel:
    return WorkforceModel()


def test_lever_starts_agree_with_the_policy_the_model_applies(model: WorkforceModel) -> None:
    config = load_config(overrides=ALL_ON)
    policy = Policy(
        config.data, model.start, model.employers, model.geography, np.random.default_rng(0)
    )
    starts = {lever.key: lever.month for lever in lever_starts(config.data)}
    assert starts == {
        "policy.pay_change[0].start": policy.pay_changes[0].start,
        "policy.pay_framework.start": policy.framework_start,
        "policy.nhs_parity.start": policy.parity_start,
        "policy.social_worker_terms.start": policy.harmonise_start,
        "policy.agency.start": policy.agency_cap_start,
        "policy.wellbeing.start": policy.wellbeing_start,
        "policy.zero_hours.start": policy.zero_hours_ban_start,
        "policy.caseload.start": policy.caseload_start,
        "policy.england.start": policy.pay_changes[-1].start,
        "policy.training.start": policy.training_first_cohort,
    }
    assert sorted(starts.values()) == [9, 11, 12, 13, 14, 15, 16, 17, 18, 43]


def test_the_baseline_switches_no_lever_on(model: WorkforceModel) -> None:
    assert lever_starts(load_config().data) == []
    baseline = Policy(
        load_config().data, model.start, model.employers, model.geography, np.random.default_rng(0)
    )
    assert baseline.zero_hours_ban_start == baseline.framework_start == NEVER


def test_idle_levers_are_those_first_acting_after_the_last_month() -> None:
    data = load_config(overrides=ALL_ON).data
    assert idle_levers(data, 44) == []
    (training,) = idle_levers(data, 43)
    assert training == (
        "policy.training.start: the lever first acts in 2025-11 (when its first extra graduates "
        "arrive), after the run's last month (2025-10), so it never acts in this run; start it "
        "earlier or run longer."
    )
    assert len(idle_levers(data, 10)) == 9
    assert len(idle_levers(data, 9)) == 10
