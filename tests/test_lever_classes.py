"""The lever classes: the three orders, each lever's start in a short run, the hooks, pay timing.

The scenario checks run a small Wales (``SMALL_WALES`` of test_model) on one seed: each
lever is started in June 2022, two months into a run from April 2022, and what it acts on
is compared with the same run without the lever. Until the start the two runs are the same
model, so that quantity must be equal in May, and it must have changed in June.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import fields

import numpy as np
import pytest
from test_model import SMALL_WALES

from wfabm.config import default_schema, load_config
from wfabm.core.taxonomy import (
    AGENCY,
    ARRIVALS,
    CARE_WORKER,
    ENGLISH_SECTORS,
    INDEPENDENT,
    LA,
    NHS,
    OCCUPATIONAL_THERAPIST,
    SERVICE_INDEX,
    SOCIAL_WORKER,
    WELSH_EMPLOYERS,
)
from wfabm.dashboard.levers import GROUPS, LEVERS
from wfabm.levers import DASHBOARD_ORDER, PAY_ORDER, SCHEMA_ORDER, Lever, LeverSet, overrides
from wfabm.levers.base import HOOKS, LeverContext
from wfabm.levers.caseload import CaseloadCap
from wfabm.levers.overseas_recruitment import OverseasRecruitment
from wfabm.model.workforce import WorkforceModel

SEED = 7
LEVER = "2022-06"
START = 2  # June 2022 in a run from April 2022
GRADUATE, OVERSEAS = ARRIVALS.index("graduate"), ARRIVALS.index("overseas")


# ------------------------------------------------------------------------- the orders
def test_pay_order_is_exactly_the_levers_that_change_pay() -> None:
    pay_levers = {lever for lever in SCHEMA_ORDER if overrides(lever, "adjust_pay")}
    assert len(PAY_ORDER) == len(set(PAY_ORDER))
    assert set(PAY_ORDER) == pay_levers


def test_every_lever_class_is_in_the_schema_and_dashboard_orders_once() -> None:
    assert len(set(SCHEMA_ORDER)) == len(SCHEMA_ORDER) == 12
    assert set(DASHBOARD_ORDER) == set(SCHEMA_ORDER)
    assert len(DASHBOARD_ORDER) == len(SCHEMA_ORDER)
    assert all(issubclass(lever, Lever) for lever in SCHEMA_ORDER)


def test_schema_policy_block_is_the_levers_entries_in_schema_order() -> None:
    policy = default_schema()["policy"]
    assert list(policy) == [
        "pay_change",
        "pay_framework",
        "nhs_parity",
        "social_worker_terms",
        "agency",
        "overseas_recruitment",
        "training",
        "wellbeing",
        "zero_hours",
        "caseload",
        "england",
        "demand",
    ]
    for lever in SCHEMA_ORDER:
        assert policy[lever.table] is lever.schema


def test_dashboard_levers_are_the_lever_texts_in_dashboard_order() -> None:
    texts = [text for lever in DASHBOARD_ORDER for text in lever.texts]
    assert [lever.name for lever in LEVERS] == [text.name for text in texts]
    for shown, text in zip(LEVERS, texts, strict=True):
        assert all(getattr(shown, f.name) == getattr(text, f.name) for f in fields(text))
    # Grouped as the dashboard shows them: each group's levers are together.
    groups = [lever.group for lever in LEVERS]
    assert groups == sorted(groups, key=GROUPS.index)


def test_every_hook_has_a_lever_acting_at_it() -> None:
    for hook in HOOKS:
        assert any(overrides(lever, hook) for lever in SCHEMA_ORDER), hook


def test_the_model_resolves_one_lever_of_every_class() -> None:
    model = WorkforceModel(load_config(overrides=SMALL_WALES), seed=SEED, record_events=False)
    assert isinstance(model.policy, LeverSet)
    assert list(model.policy.levers) == list(SCHEMA_ORDER)


# ------------------------------------------------------------------------- hooks, unit
class _Employers:
    """Just the columns the caseload lever reads."""

    def __init__(self, sector: list[int], service: list[int]) -> None:
        self.sector = np.array(sector)
        self.service = np.array(service)


def _caseload(cap: float | None, start: str = LEVER) -> CaseloadCap:
    social_work, residential = SERVICE_INDEX["social_work"], SERVICE_INDEX["residential"]
    employers = _Employers([LA, LA, INDEPENDENT, LA], [social_work, social_work] * 2)
    employers.service[3] = residential
    context = LeverContext({}, dt.date(2022, 4, 1), employers, None, None)  # type: ignore[arg-type]
    section = {"cap": cap, "cases_at_full_staffing": 20.0, "start": start}
    return CaseloadCap(section, context)


def test_caseload_cap_caps_only_council_social_work_teams_from_its_start() -> None:
    lever = _caseload(16.0)  # ratio 0.8
    assert lever.teams.tolist() == [True, True, False, False]
    load = np.array([1.0, 0.5, 1.0, 1.0])
    present, agency = np.array([4.0, 2.0, 3.0, 5.0]), np.array([1.0, 0.0, 0.0, 0.0])
    requests = np.full(4, 9.0)
    lever.cap_workload(load, present, agency, requests, START - 1)
    assert load.tolist() == [1.0, 0.5, 1.0, 1.0]
    assert requests.tolist() == [0.0] * 4  # last month's requests are cleared
    lever.cap_workload(load, present, agency, requests, START)
    np.testing.assert_allclose(load, [0.8, 0.5, 1.0, 1.0])
    # The hours beyond the cap, of the staff and agency cover who carry them: (1 - 0.8) * 5.
    np.testing.assert_allclose(requests, [1.0, 0.0, 0.0, 0.0])
    demand = np.zeros((4, 9))
    lever.agency_demand(demand, requests)
    np.testing.assert_allclose(demand[:, SOCIAL_WORKER], [1.0, 0.0, 0.0, 0.0])
    assert demand[:, np.arange(9) != SOCIAL_WORKER].sum() == 0.0


def test_no_caseload_cap_never_caps() -> None:
    lever = _caseload(None)
    assert lever.start is None
    load = np.array([50.0, 50.0, 1.0, 1.0])
    requests = np.zeros(4)
    lever.cap_workload(load, np.ones(4), np.zeros(4), requests, 600)
    assert load.tolist() == [50.0, 50.0, 1.0, 1.0]
    assert not requests.any()


def test_overseas_route_open_share_around_its_closing_day() -> None:
    start = dt.date(2022, 4, 1)
    route = OverseasRecruitment(
        {"close": "2025-07-22"},
        LeverContext({}, start, None, None, None),  # type: ignore[arg-type]
    )
    assert route.start == 39
    assert route.open_share(dt.date(2025, 6, 1)) == 1.0
    assert route.open_share(dt.date(2025, 7, 1)) == pytest.approx(21 / 30)
    assert route.open_share(dt.date(2025, 8, 1)) == 0.0
    never = OverseasRecruitment(
        {"close": "never"},
        LeverContext({}, start, None, None, None),  # type: ignore[arg-type]
    )
    assert never.start is None
    assert never.open_share(dt.date(2040, 1, 1)) == 1.0


# ------------------------------------------------------------------------- starts in a run
def _welsh(model: WorkforceModel) -> np.ndarray:
    return np.isin(model.employers.sector, WELSH_EMPLOYERS)


def _of_workers_at(model: WorkforceModel, column: str, rows: np.ndarray) -> np.ndarray:
    """A worker column's values for the active workers at the given workplaces."""
    w = model.workers
    used = w.view()
    return getattr(w, column)[used][w.active[used] & rows[w.employer[used]]]


def _arrivals(model: WorkforceModel, kind: int) -> int:
    w = model.workers
    used = w.view()
    return int((w.arrival[used] == kind).sum())


def _teams(model: WorkforceModel) -> np.ndarray:
    return model.policy[CaseloadCap].teams


# name: (policy overrides, what the lever acts on, the month index it first acts in)
SCENARIOS: dict[str, tuple[dict, Callable[[WorkforceModel], np.ndarray], int]] = {
    "pay_change": (
        {"pay_change": [{"sector": "la", "role": "care_worker", "fraction": 0.1, "start": LEVER}]},
        lambda m: m.employers.pay[m.employers.sector == LA, CARE_WORKER],
        START,
    ),
    "england": (
        {"england": {"pay_change": 0.1, "roles": ["care_worker"], "start": LEVER}},
        lambda m: m.employers.pay[np.isin(m.employers.sector, ENGLISH_SECTORS), CARE_WORKER],
        START,
    ),
    "social_worker_terms": (
        {"social_worker_terms": {"harmonised": True, "start": LEVER}},
        lambda m: m.employers.pay[m.employers.sector == LA, SOCIAL_WORKER],
        START,
    ),
    "nhs_parity_pay": (
        {"nhs_parity": {"roles": ["occupational_therapist"], "gap_closed": 1.0, "start": LEVER}},
        lambda m: m.employers.pay[m.employers.sector == LA, OCCUPATIONAL_THERAPIST],
        START,
    ),
    "nhs_parity_terms": (
        {"nhs_parity": {"roles": ["occupational_therapist"], "gap_closed": 1.0, "start": LEVER}},
        lambda m: m.terms[m.employers.sector == LA, OCCUPATIONAL_THERAPIST],
        START,
    ),
    "pay_framework": (
        {"pay_framework": {"mode": "mandatory", "start": LEVER}},
        lambda m: m.pay.step_group,
        START,
    ),
    "agency": (
        {"agency": {"cap": 1.0, "roles": ["social_worker"], "start": LEVER}},
        lambda m: m.employers.pay[m.employers.sector == AGENCY, SOCIAL_WORKER],
        START,
    ),
    "wellbeing": (
        {"wellbeing": {"recovery_boost": 1.0, "start": LEVER}},
        lambda m: _of_workers_at(m, "burnout", _welsh(m)),
        START,
    ),
    "zero_hours": (
        {"zero_hours": {"ban": True, "start": LEVER}},
        lambda m: _of_workers_at(m, "zero_hours", _welsh(m)),
        START,
    ),
    "caseload": (
        {"caseload": {"cap": 1.0, "start": LEVER}},
        lambda m: _of_workers_at(m, "burnout", _teams(m)),
        START,
    ),
    # Graduates arrive in September: extra places from June with no course add to the
    # September 2022 cohort (month 5) and to no earlier month.
    "training": (
        {"training": {"social_work_places": 3.0, "course_years": 0, "start": LEVER}},
        lambda m: np.array([_arrivals(m, GRADUATE)]),
        5,
    ),
    "overseas_recruitment": (
        {"overseas_recruitment": {"close": "2022-06-01"}},
        lambda m: np.array([_arrivals(m, OVERSEAS)]),
        START,
    ),
    # The demand lever has no start: it scales post growth from the first month.
    "demand": (
        {"demand": {"growth": 3.0}},
        lambda m: m.employers.funded.sum(axis=0),
        0,
    ),
}


def _series(policy: dict, acts_on: Callable[[WorkforceModel], np.ndarray], months: int) -> list:
    config = load_config(overrides={**SMALL_WALES, "policy": policy} if policy else SMALL_WALES)
    model = WorkforceModel(config, seed=SEED, record_events=False)
    snapshots = [acts_on(model).copy()]  # before the first month
    for _ in range(months):
        model.step()
        snapshots.append(acts_on(model).copy())
    return snapshots


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_lever_first_acts_in_its_start_month(name: str) -> None:
    policy, acts_on, first = SCENARIOS[name]
    lever = _series(policy, acts_on, first + 1)
    baseline = _series({}, acts_on, first + 1)
    # snapshots[k] is the state after month k - 1; [first] is before the start month.
    for k in range(first + 1):
        np.testing.assert_array_equal(lever[k], baseline[k], err_msg=f"{name}, snapshot {k}")
    assert not np.array_equal(lever[first + 1], baseline[first + 1]), name


def test_pay_change_applies_exactly_its_fraction_in_the_start_month() -> None:
    policy, acts_on, first = SCENARIOS["pay_change"]
    lever = _series(policy, acts_on, first + 1)
    baseline = _series({}, acts_on, first + 1)
    np.testing.assert_allclose(lever[first + 1], baseline[first + 1] * 1.1, rtol=1e-12)


# ------------------------------------------------------------------------- pay timing
def test_the_april_uplift_changes_pay_in_april_and_no_other_month() -> None:
    # Without providers' own pay response, only the uplifts move the pay scale.
    overrides_ = {**SMALL_WALES, "employers": {"pay_response_step": 0.0}}
    model = WorkforceModel(load_config(overrides=overrides_), seed=SEED, record_events=False)
    months = 15  # April 2022 to June 2023
    published = [model.employers.pay.copy()]
    for _ in range(months):
        model.step()
        published.append(model.employers.pay.copy())
    changed = [
        month
        for month in range(months)
        if not np.array_equal(published[month + 1], published[month])
    ]
    aprils = [month for month in range(months) if model.policy.date_of(month).month == 4]
    assert aprils == [0, 12]
    # April 2022's pay is the starting pay; April 2023's uplift is the first.
    assert changed == [12]


def test_parity_closes_the_gap_left_after_a_pay_rise() -> None:
    model = WorkforceModel(load_config(overrides=SMALL_WALES), seed=SEED, record_events=False)
    config = load_config(
        overrides={
            **SMALL_WALES,
            "policy": {
                "pay_change": [
                    {
                        "sector": "la",
                        "role": "occupational_therapist",
                        "fraction": 0.1,
                        "start": LEVER,
                    }
                ],
                "nhs_parity": {
                    "roles": ["occupational_therapist"],
                    "gap_closed": 0.5,
                    "start": LEVER,
                },
            },
        }
    )
    levers = LeverSet(
        config.data, model.start, model.employers, model.geography, np.random.default_rng(0)
    )
    level = model.pay.level
    la, nhs = model.employers.sector == LA, model.employers.sector == NHS
    target = level[nhs, OCCUPATIONAL_THERAPIST][level[nhs, OCCUPATIONAL_THERAPIST] > 0].mean()
    raised = level[la, OCCUPATIONAL_THERAPIST] * 1.1
    expected = raised + 0.5 * np.maximum(target - raised, 0.0)
    published = levers.published_pay(level, START)
    np.testing.assert_allclose(published[la, OCCUPATIONAL_THERAPIST], expected, rtol=1e-12)
    # Before the start neither acts.
    np.testing.assert_array_equal(levers.published_pay(level, START - 1), level)
