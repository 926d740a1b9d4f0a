"""The net cost of a scenario against the baseline, lever by lever, and its waterfall."""

from __future__ import annotations

import datetime as dt

import ipyvuetify as v
import polars as pl
import pytest
import solara

from wfabm.batch.run import run_model
from wfabm.config import load_config
from wfabm.dashboard import app, i18n
from wfabm.dashboard.cost_view import CostStudy, waterfall
from wfabm.dashboard.costs import (
    CostBreakdown,
    CostRates,
    CostStep,
    RunCosts,
    cost_breakdown,
    lever_steps,
    programme_cost,
    run_cost_steps,
    run_costs,
)
from wfabm.dashboard.levers import configure, lever_values
from wfabm.dashboard.workshop import Workshop


@pytest.fixture(scope="module")
def base():
    return load_config()


@pytest.fixture(scope="module")
def baseline(base):
    return lever_values(base)


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.session_language().set(i18n.DEFAULT_LANGUAGE)


def test_levers_are_added_one_at_a_time_in_the_panels_order(baseline):
    values = {
        **baseline,
        "policy.zero_hours.ban": True,
        "policy.wellbeing.recovery_boost": 0.2,
        "policy.wellbeing.start": "2023-01",
        # Only the start of a lever that stays off: no step.
        "policy.agency.start": "2030-01",
    }
    steps = lever_steps(values, baseline)
    assert [name for name, _ in steps] == [
        "baseline",
        "policy.wellbeing.recovery_boost",
        "policy.zero_hours.ban",
    ]
    assert steps[0][1] == baseline
    assert steps[1][1]["policy.wellbeing.start"] == "2023-01"
    assert steps[1][1]["policy.zero_hours.ban"] is False
    assert steps[2][1]["policy.wellbeing.recovery_boost"] == 0.2
    assert steps[2][1]["policy.zero_hours.ban"] is True
    assert lever_steps(baseline, baseline) == [("baseline", baseline)]


def months_of(first: dt.date, count: int) -> list[dt.date]:
    return [
        dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(count)
    ]


def test_programme_costs_follow_the_levers_rates_and_start(base, baseline):
    rates = CostRates(wellbeing_per_worker=100.0, training_per_student=10_000.0)
    year = months_of(dt.date(2026, 1, 1), 12)
    assert programme_cost(configure(baseline, seed=1, horizon=12), year, 80_000, rates) == 0
    wellbeing = configure(
        {**baseline, "policy.wellbeing.recovery_boost": 0.2, "policy.wellbeing.start": "2026-04"},
        seed=1,
        horizon=12,
    )
    # Nine of the twelve months from April.
    assert programme_cost(wellbeing, year, 80_000, rates) == pytest.approx(100 * 80_000 * 9 / 12)
    training = configure(
        {**baseline, "policy.training.social_work_places": 2.0, "policy.training.start": "2025-09"},
        seed=1,
        horizon=12,
    )
    graduates = base.get("inflows.social_work_graduates")
    years = base.get("policy.training.course_years")
    assert programme_cost(training, year, 80_000, rates) == pytest.approx(
        10_000 * graduates * years
    )


def metrics_table() -> pl.DataFrame:
    rows = []
    for month in months_of(dt.date(2025, 1, 1), 14):
        for sector, pay, agency in (
            ("la", 10.0, 2.0),
            ("independent", 20.0, 1.0),
            ("agency", 5.0, 0.0),
            ("nhs", 99.0, 9.0),
        ):
            rows.append(
                {
                    "month": month,
                    "sector": sector,
                    "role": "care_worker",
                    "local_authority": "W06000023",
                    "headcount": 100,
                    "vacancies": 10,
                    "leavers": 2,
                    "wage_bill": pay,
                    "agency_spend": agency,
                }
            )
    return pl.DataFrame(rows)


def test_a_runs_year_is_its_last_twelve_months_of_welsh_social_care(base, baseline):
    costs = run_costs(metrics_table(), configure(baseline, seed=1, horizon=14), CostRates())
    # Councils' and providers' wages and agency spend; the agencies' own wages are inside
    # that spend, and the NHS is not social care.
    assert costs.wage_bill == pytest.approx(12 * 30.0)
    assert costs.agency_spend == pytest.approx(12 * 3.0)
    assert costs.vacancies == pytest.approx(30)
    assert costs.leavers == pytest.approx(12 * 6)
    assert costs.programmes == 0
    assert costs.total == pytest.approx(12 * 33.0)


def run(wages: float, agency: float, programmes: float, vacancies: float, leavers: float):
    return RunCosts(wages, agency, programmes, vacancies, leavers)


def test_each_levers_contribution_adds_up_to_the_net_cost():
    runs = [
        [run(100, 10, 0, 50, 30), run(102, 10, 0, 52, 32)],  # baseline, two seeds
        [run(110, 8, 0, 45, 28), run(112, 8, 0, 47, 30)],  # + pay rise
        [run(110, 8, 5, 43, 25), run(112, 8, 5, 45, 27)],  # + wellbeing
    ]
    breakdown = cost_breakdown(runs, ["pay_rise", "policy.wellbeing.recovery_boost"], (1, 2))
    pay, wellbeing = breakdown.steps
    assert (pay.wage_bill, pay.agency_spend, pay.programmes) == (10, -2, 0)
    assert pay.net == 8
    assert wellbeing.net == 5
    assert breakdown.net == 13
    assert breakdown.vacancies_avoided == 7
    assert breakdown.leavers_avoided == 5
    assert breakdown.per_vacancy_avoided == pytest.approx(13 / 7)
    assert breakdown.per_leaver_avoided == pytest.approx(13 / 5)
    worse = cost_breakdown(
        [runs[0], [run(101, 10, 0, 60, 40), run(103, 10, 0, 62, 42)]], ["x"], (1, 2)
    )
    assert worse.per_vacancy_avoided is None
    assert worse.per_leaver_avoided is None


def test_the_waterfall_steps_from_each_lever_to_the_net_cost():
    breakdown = CostBreakdown(
        (
            CostStep("pay_rise", 10, -2, 0, -5, -2),
            CostStep("policy.zero_hours.ban", 3, 0, 0, -1, -1),
        ),
        (1,),
    )
    figure = waterfall(breakdown, "cost")
    (trace,) = figure.data
    assert list(trace.measure) == ["relative", "relative", "total"]
    assert list(trace.y) == [8, 3, 11]
    assert list(trace.x) == [
        "Pay rise for care staff (share, 0.05 = +5 %)",
        "End zero-hours contracts",
        "Net cost a year",
    ]
    i18n.set_language("cy")
    welsh = waterfall(breakdown, "cost").data[0]
    assert list(welsh.x)[-1] == "Cost net y flwyddyn"


def test_cost_runs_on_common_seeds_match_the_scenario_against_the_baseline(base, baseline):
    values = {
        **baseline,
        "policy.wellbeing.recovery_boost": 0.5,
        "policy.wellbeing.start": "2022-04",
        "policy.zero_hours.ban": True,
        "policy.zero_hours.start": "2022-04",
    }
    rates = CostRates(wellbeing_per_worker=200.0)
    breakdown = run_cost_steps(
        values, baseline, base=base, seed=5, months=3, replicates=1, rates=rates, workers=1
    )
    assert [step.lever for step in breakdown.steps] == [
        "policy.wellbeing.recovery_boost",
        "policy.zero_hours.ban",
    ]
    wellbeing, zero_hours = breakdown.steps
    assert wellbeing.programmes > 0
    # The ban costs no programme of its own: only the wellbeing cost of a changed headcount.
    assert abs(zero_hours.programmes) < 0.05 * wellbeing.programmes
    # The steps end at the scenario itself: they add up to the scenario minus the baseline,
    # each run directly on the comparison's seed.
    (seed,) = breakdown.seeds
    direct = {}
    for name, chosen in (("baseline", baseline), ("scenario", values)):
        config = configure(chosen, seed=5, horizon=3, base=base)
        model, _ = run_model(config, seed=seed, months=3)
        direct[name] = run_costs(model.metrics, config, rates)
    assert breakdown.net == pytest.approx(direct["scenario"].total - direct["baseline"].total)
    assert breakdown.vacancies_avoided == pytest.approx(
        direct["baseline"].vacancies - direct["scenario"].vacancies
    )
    again = run_cost_steps(
        values, baseline, base=base, seed=5, months=3, replicates=1, rates=rates, workers=1
    )
    assert again == breakdown  # common seeds: the same runs give the same costs


def test_the_cost_view_offers_its_rates_and_the_run_button():
    workshop = Workshop()
    _, rc = solara.render(app.Dashboard(workshop), handle_error=False)
    try:
        workshop.view.set("cost")
        labels = [w.label for w in rc.find(v.TextField).widgets]
        assert "Wellbeing support, £ a worker a year" in labels
        assert "Training, £ an extra student a year" in labels
        buttons = [w for w in rc.find(v.Btn).widgets if "Run the cost of each lever" in w.children]
        assert len(buttons) == 1
    finally:
        rc.close()


def test_a_bad_cost_rate_is_refused_in_one_paragraph():
    study = CostStudy()
    assert study.rates() == CostRates()
    study.wellbeing.set("lots")
    with pytest.raises(
        ValueError,
        match=r'^Wellbeing support, £ a worker a year = "lots" is not '
        r"allowed; allowed: a number of pounds, 0 or more\.$",
    ):
        study.rates()
    study.wellbeing.set("-5")
    with pytest.raises(ValueError, match="0 or more"):
        study.rates()
