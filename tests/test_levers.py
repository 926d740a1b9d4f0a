"""Tests of which levers a config switches on, when they first act, and the idle-lever check."""

from __future__ import annotations

import numpy as np
import pytest

from wfabm.config import load_config
from wfabm.levers import LeverSet
from wfabm.levers.agency_cap import AgencyCap
from wfabm.levers.caseload import CaseloadCap
from wfabm.levers.idle import idle_levers, lever_starts
from wfabm.levers.nhs_parity import NhsParity
from wfabm.levers.social_worker_terms import SocialWorkerTerms
from wfabm.levers.training import Training
from wfabm.levers.wellbeing import Wellbeing
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
    levers = LeverSet(
        config.data, model.start, model.employers, model.geography, np.random.default_rng(0)
    )
    starts = {lever.key: lever.month for lever in lever_starts(config.data)}
    assert starts == {
        "policy.pay_change[0].start": levers.pay_changes[0].start,
        "policy.pay_framework.start": levers.framework_start,
        "policy.nhs_parity.start": levers[NhsParity].start,
        "policy.social_worker_terms.start": levers[SocialWorkerTerms].start,
        "policy.agency.start": levers[AgencyCap].start,
        "policy.wellbeing.start": levers[Wellbeing].start,
        "policy.zero_hours.start": levers.zero_hours_ban_start,
        "policy.caseload.start": levers[CaseloadCap].start,
        "policy.england.start": levers.pay_changes[-1].start,
        "policy.training.start": levers[Training].first_cohort,
    }
    assert sorted(starts.values()) == [9, 11, 12, 13, 14, 15, 16, 17, 18, 43]


def test_the_baseline_switches_no_lever_on(model: WorkforceModel) -> None:
    assert lever_starts(load_config().data) == []
    baseline = LeverSet(
        load_config().data, model.start, model.employers, model.geography, np.random.default_rng(0)
    )
    assert baseline.zero_hours_ban_start is None
    assert baseline.framework_start is None
    # No lever starts, so pay is published only when uplifts or employers change it.
    assert baseline.pay_events == set()


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
