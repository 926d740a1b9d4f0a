"""Tests of the policy workshop dashboard without a browser.

The levers, measures and session model are checked against the model's own tables and the
config schema; every view is rendered with ``solara.render`` and inspected as widgets. The
browser tests are in ``test_dashboard_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import socket
import stat
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import ipyvuetify as v
import numpy as np
import polars as pl
import pytest
import solara
from polars.testing import assert_frame_equal

from wfabm.batch.compare import paired_comparison, summarise_run
from wfabm.cli import commands as cli
from wfabm.config import load_config
from wfabm.core.taxonomy import DESTINATIONS, N_ROLES, N_SECTORS, ORIGINS, SECTOR_INDEX
from wfabm.dashboard import app, assets, charts, server
from wfabm.dashboard.differences import OUTCOME_LABELS
from wfabm.dashboard.levers import (
    GROUPS,
    LEVERS,
    PAY_RISE,
    PAY_RISE_ROLES,
    LeverError,
    configure,
    lever_values,
    presets,
)
from wfabm.dashboard.measures import CARE_ROLES, MAP_MEASURES, WALES_MEASURES, Series, aggregate
from wfabm.dashboard.memory import SessionMemory
from wfabm.dashboard.replicates import forget_runs
from wfabm.dashboard.simulation import Simulation
from wfabm.dashboard.workshop import Workshop, typed_number
from wfabm.model.workforce import WorkforceModel
from wfabm.outcomes.results import Results
from wfabm.world.metrics import COLUMN, STOCK_COLUMNS

POWYS = "W06000023"


@pytest.fixture(scope="module")
def baseline():
    return load_config()


@pytest.fixture(scope="module")
def values(baseline):
    return lever_values(baseline)


@pytest.fixture(scope="module")
def run(baseline, values):
    """A Wales-scale session run for 14 months, following a care worker in Powys."""
    simulation = Simulation(configure(values, seed=11, horizon=14))
    ids = simulation.candidates("care_worker", POWYS)
    simulation.follow_worker(int(ids[0]))
    for _ in range(14):
        simulation.step()
    return simulation


def texts(rc) -> str:
    """Every piece of text in the rendered widgets (labels, Markdown, buttons)."""
    found = []
    for widget in rc.find(v.Html).widgets + rc.find(v.Btn).widgets + rc.find(v.Alert).widgets:
        found += [c for c in widget.children if isinstance(c, str)]
    for widget in rc.find(v.VuetifyTemplate).widgets:
        # Markdown is rendered to HTML in the template.
        found.append(re.sub(r"<[^>]+>", "", str(widget.template)))
    for widget in (
        rc.find(v.TextField).widgets + rc.find(v.Select).widgets + rc.find(v.Switch).widgets
    ):
        found.append(str(widget.label))
    return "\n".join(found)


def button(rc, label: str):
    found = [w for w in rc.find(v.Btn).widgets if label in w.children]
    assert len(found) == 1, label
    return found[0]


def charts_of(rc) -> dict[str, object]:
    """The charts drawn, by title (the page's hidden, empty chart has none)."""
    return {w.layout.title.text: w for w in rc.find(app.ChartWidget).widgets if w.data}


# --------------------------------------------------------------------------- levers
def test_levers_are_grouped_in_plain_language_with_their_evidence():
    assert {lever.group for lever in LEVERS} == set(GROUPS)
    for lever in LEVERS:
        assert lever.label, lever.name
        assert lever.explanation, lever.name
        assert lever.source, lever.name
        assert "_" not in lever.label, lever.label


def test_every_preset_is_exactly_its_lever_values(baseline):
    # A preset card sets the levers; the run built from them is the preset's own config.
    assert len(presets()) >= 9
    for preset in presets():
        config = load_config(preset.path)
        rebuilt = configure(
            lever_values(config),
            seed=config["run"]["seed"],
            horizon=config["run"]["months"],
            base=baseline,
        )
        assert rebuilt.data == config.data, preset.name
        assert preset.title[0].isalpha()


@pytest.mark.parametrize(
    ("change", "lever", "words"),
    [
        ({"policy.wellbeing.recovery_boost": 9.0}, "policy.wellbeing.recovery_boost", "0 to 5"),
        ({PAY_RISE: 7.0}, PAY_RISE, "-0.9 to 5"),
        ({PAY_RISE: 0.1, "pay_rise.start": "2026-13"}, "pay_rise.start", "YYYY-MM"),
        ({"policy.caseload.cap": "twenty"}, "policy.caseload.cap", "wrong type"),
        ({"policy.nhs_parity.roles": ["nurse"]}, "policy.nhs_parity.roles", "'nurse'"),
    ],
)
def test_a_bad_lever_value_is_refused_naming_the_lever(values, change, lever, words):
    with pytest.raises(LeverError) as refused:
        configure({**values, **change}, seed=1, horizon=12)
    message = str(refused.value)
    assert refused.value.lever == lever
    label = next((x.label for x in LEVERS if lever in (x.name, x.start)), None)
    assert message.startswith(label)
    assert words in message
    assert "allowed" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("seed", "horizon", "words"),
    [("-3", "12", "Seed: run.seed = -3"), ("abc", "12", "Seed: "), ("1", "0", "Horizon")],
)
def test_a_bad_seed_or_horizon_is_refused(values, seed, horizon, words):
    with pytest.raises(LeverError, match=words):
        configure(
            values,
            seed=typed_number(seed),
            horizon=typed_number(horizon),
        )


@pytest.mark.parametrize(
    ("lever", "allowed"),
    [(PAY_RISE, "a number from -0.9 to 5 (share)"), ("policy.demand.growth", "from 0 to 10")],
)
def test_an_empty_lever_is_refused(values, lever, allowed):
    with pytest.raises(LeverError, match="no value given; allowed: ") as refused:
        configure({**values, lever: None}, seed=1, horizon=12)
    assert allowed in str(refused.value)
    assert refused.value.lever == lever


def test_empty_optional_lever_leaves_no_cap(values):
    config = configure({**values, "policy.agency.cap": None}, seed=1, horizon=12)
    assert config.get("policy.agency.cap", None) is None
    capped = configure({**values, "policy.agency.cap": 1.3}, seed=1, horizon=12)
    assert capped.get("policy.agency.cap") == 1.3


def test_pay_rise_lever_raises_care_pay_by_its_share(values):
    # Mechanism: same seed, the only difference is the lever; care pay rises by 10 %.
    start = {**values, "pay_rise.start": "2022-04"}
    plain = WorkforceModel(configure(start, seed=5, horizon=1))
    raised = WorkforceModel(configure({**start, PAY_RISE: 0.1}, seed=5, horizon=1))
    plain.step()
    raised.step()

    def pay(model, roles):
        frame = model.metrics.filter(
            pl.col("sector").is_in(["la", "independent"]) & pl.col("role").is_in(roles)
        )
        return (frame["pay_mean"] * frame["headcount"]).sum() / frame["headcount"].sum()

    ratio = pay(raised, list(PAY_RISE_ROLES)) / pay(plain, list(PAY_RISE_ROLES))
    assert ratio == pytest.approx(1.1, abs=0.01)
    # Other roles' pay is unchanged (within the drift of who works where after a month).
    assert pay(raised, ["social_worker"]) == pytest.approx(pay(plain, ["social_worker"]), rel=1e-3)


# --------------------------------------------------------------------------- measures
def test_aggregate_sums_cells_into_rates():
    n_la = 3
    stocks = np.zeros((2, N_SECTORS * N_ROLES * n_la, len(STOCK_COLUMNS)))

    def cell(sector: str, role: str, la: int) -> int:
        return (SECTOR_INDEX[sector] * N_ROLES + CARE_ROLES.index(role)) * n_la + la

    for month in range(2):
        for sector, la, headcount, funded, vacancies, leavers in (
            ("la", 0, 90, 100, 10, 3),
            ("independent", 1, 180, 200, 30, 9),
            ("nhs", 2, 500, 520, 20, 4),
        ):
            row = stocks[month, cell(sector, "care_worker", la)]
            row[COLUMN["headcount"]] = headcount
            row[COLUMN["funded_posts"]] = funded
            row[COLUMN["vacancies"]] = vacancies
            row[COLUMN["leavers"]] = leavers
    series = Series(n_la, capacity=1)
    series.extend(stocks[:1])
    series.extend(stocks[1:])  # grows past its capacity
    care = CARE_ROLES.index("care_worker")
    # Welsh social care only: NHS staff are not in the Welsh rates.
    assert series.vacancy_rate()[:, care] == pytest.approx([40 / 300] * 2)
    assert series.wales("vacancy_rate") == pytest.approx([40 / 300] * 2)
    # 12 leavers a month from 270 people: 144 a year in the first months scaled up.
    assert series.turnover()[:, care] == pytest.approx([12 * 12 / 270] * 2)
    assert series["sector_headcount"][0, SECTOR_INDEX["nhs"]] == 500
    assert series.local_authority("headcount") == pytest.approx([90, 180, 0])
    assert np.isnan(series.local_authority("vacancy_rate")[2])
    assert set(aggregate(stocks, n_la)) >= {"sector_headcount", "la_headcount", "role_leavers"}


def test_series_agree_with_the_run_summary(run):
    # The dashboard's lines are the project's own summary measures, month by month.
    metrics = run.model.metrics
    year = summarise_run(metrics, 12).filter(
        (pl.col("sector") == "wales") & (pl.col("role") == "all")
    )
    last = summarise_run(metrics, 1).filter(
        (pl.col("sector") == "wales") & (pl.col("role") == "all")
    )

    def outcome(table, name):
        return table.filter(pl.col("outcome") == name)["value"][0]

    series = run.series
    assert series.months == 14
    assert series.wales("vacancy_rate")[-1] == pytest.approx(outcome(last, "vacancy_rate"))
    assert series.wales("turnover")[-1] == pytest.approx(outcome(year, "leaver_rate"))
    assert series.wales("burnout")[-1] == pytest.approx(outcome(last, "burnout"))
    assert series.wales("headcount")[-1] == pytest.approx(outcome(last, "headcount"))
    assert series.wales("unmet_hours")[-1] == pytest.approx(outcome(last, "unmet_hours"))
    # The map's authorities add up to Wales (the English ones are counted apart).
    welsh = np.array([code.startswith("W") for code in run.model.geography.codes])
    by_la = series.local_authority("headcount")
    assert by_la[welsh].sum() == pytest.approx(series.wales("headcount")[-1])
    assert by_la[~welsh].min() > 0


def test_flows_of_a_month_and_since_the_start_match_the_flows_table(run):
    flows = run.model.flows
    last_month = flows.filter(pl.col("month") == run.last_date)
    matrix = run.flows()
    for row in last_month.group_by("origin", "destination").agg(pl.col("count").sum()).iter_rows():
        assert matrix[ORIGINS.index(row[0]), DESTINATIONS.index(row[1])] == row[2]
    assert matrix.sum() == last_month["count"].sum()
    assert run.flows(cumulative=True).sum() == flows["count"].sum()
    care = flows.filter(pl.col("role") == "care_worker")["count"].sum()
    assert run.flows(cumulative=True, role="care_worker").sum() == care


def test_burnout_histogram_counts_every_welsh_social_care_worker(run):
    metrics = run.model.metrics.filter(
        (pl.col("month") == run.last_date) & pl.col("sector").is_in(["la", "independent", "agency"])
    )
    assert run.burnout_histogram().sum() == metrics["headcount"].sum()


def test_followed_worker_has_a_month_by_month_story(run):
    follow = run.follow
    assert len(follow.trace) == 14
    assert [entry["month"] for entry in follow.trace] == run.dates
    first = follow.trace[0]
    assert first["role"] == "care_worker"
    assert first["workplace_local_authority"] == POWYS
    for entry in follow.trace:
        if entry["active"]:
            assert entry["hourly_pay"] > 10
            assert entry["workload"] > 0
            assert 0 <= entry["burnout"] <= 1
    # The story's employer changes exactly when the worker's history records a move.
    worker = run.worker()
    moves = [e for e in worker["history"] if e["kind"] == "move"]
    changes = sum(a["employer"] != b["employer"] for a, b in itertools.pairwise(follow.trace))
    assert changes == len(moves)


def test_candidates_are_welsh_workers_of_the_role_in_the_authority(run):
    ids = run.candidates("social_worker", POWYS)
    assert len(ids) > 10
    for worker_id in ids[:20]:
        state = run.model.worker(int(worker_id))
        assert state["role"] == "social_worker"
        assert state["workplace_local_authority"] == POWYS
        assert state["sector"] in ("la", "independent", "agency")


def test_export_writes_the_results_tables(run):
    metrics, flows = run.results()
    assert_frame_equal(pl.read_parquet(io.BytesIO(run.export("metrics", "parquet"))), metrics)
    csv = pl.read_csv(io.BytesIO(run.export("flows", "csv")), try_parse_dates=True)
    assert csv.shape == flows.shape
    assert csv["count"].sum() == flows["count"].sum()
    with pytest.raises(ValueError, match="csv, parquet"):
        run.export("flows", "xlsx")


def test_simulation_stops_at_the_horizon(values):
    simulation = Simulation(configure(values, seed=3, horizon=2))
    assert simulation.last_date is None
    assert simulation.step()
    assert simulation.step()
    assert simulation.done
    assert not simulation.step()
    assert simulation.month == 2


# --------------------------------------------------------------------------- charts
def test_map_colours_every_authority_and_keeps_the_attribution(run):
    values = run.series.local_authority("turnover")
    figure = charts.map_of_authorities(run.model.geography.codes, values, "t", percent=True)
    shapes = [trace for trace in figure.data if trace.fill == "toself"]
    assert len(shapes) == 29
    colours = {trace.fillcolor for trace in shapes}
    assert len(colours) > 5  # coloured by the measure, not all alike
    assert "Martin Chorley" in figure.layout.annotations[0].text
    assert "Crown copyright" in figure.layout.annotations[0].text


def test_sankey_links_origins_to_destinations(run):
    flows = run.flows(cumulative=True)
    figure = charts.sankey(flows, "t")
    node, link = figure.data[0].node, figure.data[0].link
    english = [i for i, s in enumerate(ORIGINS) if s.startswith("england")]
    within_england = flows[np.ix_(english, english)].sum()
    assert within_england > 0
    # Every flow but England's own churn, which is left out.
    assert sum(link.value) == flows.sum() - within_england
    labels = list(node.label)
    # One node each side for the English border employers, each box with its count.
    assert sum(label.startswith("English border employers") for label in labels) == 2
    left_for_work = DESTINATIONS.index("left_sector")
    assert f"Left for other work ({flows[:, left_for_work].sum():,})" in labels
    assert any(label.startswith("New entrants and returners (") for label in labels)
    # A flow takes its origin's colour, not its position's.
    origin_colours = [node.color[source] for source in link.source]
    assert [c.replace("rgba", "") for c in link.color] == [
        charts._rgba(c, 0.45).replace("rgba", "") for c in origin_colours
    ]
    assert len(set(link.color)) > 3


# --------------------------------------------------------------------------- the app
@pytest.fixture
def dashboard():
    workshop = Workshop()
    _, rc = solara.render(app.Dashboard(workshop), handle_error=False)
    yield workshop, rc
    workshop.playing.set(False)
    rc.close()


def test_dashboard_shows_levers_presets_and_run_controls(dashboard):
    workshop, rc = dashboard
    for group in GROUPS:
        workshop.lever_group.set(group)
        shown = texts(rc)
        # Only the open group's levers are drawn.
        for lever in LEVERS:
            drawn = lever.group == group
            if drawn:
                assert lever.label in shown
            assert (lever.explanation in shown) == drawn, lever.label
            assert (f"Evidence: {lever.source}" in shown) == drawn, lever.label
    for preset in presets():
        assert preset.title[1:] in shown
    for label in ("Play", "Step a month", "Reset", "Apply levers and restart"):
        button(rc, label)
    assert "not started" in shown


def test_a_month_and_a_restart_redraw_the_page_once(dashboard):
    # Three components read the month; without batching each would redraw the page.
    workshop, rc = dashboard
    workshop.view.set("workforce")
    workshop.step()
    before = rc.render_count
    workshop.step()
    assert rc.render_count - before == 1
    before = rc.render_count
    assert workshop.restart()
    assert rc.render_count - before == 1
    assert workshop.simulation.value.month == 0


def test_step_a_month_advances_the_date_and_draws(dashboard):
    workshop, rc = dashboard
    workshop.view.set("workforce")
    button(rc, "Step a month").click()
    button(rc, "Step a month").click()
    assert "Month shown: May 2022" in texts(rc)
    drawn = charts_of(rc)
    assert set(drawn) == {
        "Headcount by sector in Wales",
        "Headcount of the English border employers (their own scale)",
    }
    for chart in drawn.values():
        assert len(chart.data[0].x) == 2


def test_play_runs_months_until_paused(dashboard):
    workshop, rc = dashboard
    workshop.speed.set(10)
    button(rc, "Play").click()
    deadline = dt.datetime.now() + dt.timedelta(seconds=60)
    while workshop.simulation.value.month < 3 and dt.datetime.now() < deadline:
        threading.Event().wait(0.1)
    button(rc, "Pause").click()
    months = workshop.simulation.value.month
    assert months >= 3
    threading.Event().wait(0.5)
    assert workshop.simulation.value.month <= months + 1  # a step under way may finish


@pytest.mark.parametrize(
    ("view", "titles"),
    [
        ("workforce", ["Headcount by sector in Wales", "Headcount of the English border"]),
        ("vacancies", ["Vacancy rate by role", "12-month turnover by role"]),
        ("burnout", ["Burnout of Welsh social care workers", "Mean burnout by role"]),
        ("agency", ["Agency spend", "Unmet care hours"]),
        ("flows", ["Moves, arrivals and departures"]),
        ("map", ["Vacancy rate in social care"]),
    ],
)
def test_every_live_view_draws_its_charts(dashboard, view, titles):
    workshop, rc = dashboard
    button(rc, "Step a month").click()
    workshop.view.set(view)
    drawn = charts_of(rc)
    assert len(drawn) == len(titles)
    for title in titles:
        (figure,) = [f for name, f in drawn.items() if name.startswith(title)]
        assert len(figure.data) > 0
        assert figure._config["toImageButtonOptions"]["format"] == "png"


def test_map_view_keeps_the_boundaries_attribution(dashboard):
    workshop, rc = dashboard
    button(rc, "Step a month").click()
    workshop.view.set("map")
    (figure,) = charts_of(rc).values()
    assert "CC BY 4.0" in figure.layout.annotations[0].text


def test_bad_lever_value_shows_the_message_and_keeps_the_run(dashboard):
    workshop, rc = dashboard
    workshop.lever_group.set("Workload and wellbeing")
    before = workshop.simulation.value
    workshop.set_lever("policy.wellbeing.recovery_boost", 9.0)
    button(rc, "Apply levers and restart").click()
    error = workshop.error.value
    assert error.startswith("Wellbeing support")
    assert "out of range" in error
    assert error in texts(rc)
    assert workshop.simulation.value is before
    workshop.set_lever("policy.wellbeing.recovery_boost", 0.2)
    button(rc, "Apply levers and restart").click()
    assert workshop.error.value is None
    assert workshop.simulation.value.config.get("policy.wellbeing.recovery_boost") == 0.2


def test_preset_card_sets_the_levers_and_restarts(dashboard):
    workshop, rc = dashboard
    button(rc, "Step a month").click()
    (zero_hours,) = [p for p in presets() if p.name == "zero_hours_ban"]
    button(rc, zero_hours.title[0].upper() + zero_hours.title[1:]).click()
    assert workshop.values.value["policy.zero_hours.ban"] is True
    assert workshop.simulation.value.month == 0
    assert workshop.simulation.value.config.get("policy.zero_hours.ban") is True


def test_follow_view_tells_one_workers_story(dashboard):
    workshop, rc = dashboard
    workshop.view.set("follow")
    button(rc, "Follow someone").click()
    simulation = workshop.simulation.value
    assert simulation.follow is not None
    button(rc, "Step a month").click()
    button(rc, "Step a month").click()
    shown = texts(rc)
    assert f"Worker {simulation.follow.worker_id}" in shown
    assert "Powys" in shown
    (story,) = charts_of(rc).values()
    assert len(story.data) == 3
    assert len(story.data[0].x) == 2
    # Reset keeps following the same person (the same seed builds the same people).
    button(rc, "Reset").click()
    assert workshop.simulation.value.follow.worker_id == simulation.follow.worker_id


def test_export_view_offers_csv_and_parquet(dashboard):
    workshop, rc = dashboard
    button(rc, "Step a month").click()
    workshop.view.set("export")
    shown = texts(rc)
    for name in ("metrics.csv", "metrics.parquet", "flows.csv", "flows.parquet"):
        assert name in shown
    assert "camera button" in shown


def wait_for(condition, seconds: float = 120) -> None:
    deadline = dt.datetime.now() + dt.timedelta(seconds=seconds)
    while not condition() and dt.datetime.now() < deadline:
        threading.Event().wait(0.2)
    assert condition()


def test_compare_view_runs_named_scenarios_on_common_seeds(dashboard):
    workshop, rc = dashboard
    forget_runs()
    workshop.horizon.set("3")
    workshop.replicates.set(2)
    workshop.compare_workers = 1
    # Funded posts growing 10 % a year instead of 1 % (the lever's largest multiplier).
    workshop.set_lever("policy.demand.growth", 10.0)
    button(rc, "Apply levers and restart").click()
    workshop.view.set("compare")
    assert workshop.keep_scenario("More posts")
    workshop.set_lever("policy.demand.growth", 1.0)
    workshop.set_lever("policy.zero_hours.ban", True)
    button(rc, "Apply levers and restart").click()
    assert workshop.keep_scenario("No zero hours")
    assert workshop.compare_choice.value == ["More posts", "No zero hours"]
    seen: list[int] = []
    workshop.comparison.subscribe(lambda c: seen.append(-1 if c is None else c.done))
    workshop.compare_request.set(1)
    wait_for(lambda: workshop.comparison.value is not None and workshop.comparison.value.complete)
    comparison = workshop.comparison.value
    assert comparison.names == ("More posts", "No zero hours")
    assert len(comparison.seeds) == 2
    # Runs were shown as they finished, one at a time (the thread that set the last one
    # may still be telling its listeners).
    wait_for(lambda: seen[-1] == 6, seconds=10)
    assert [n for n in seen if n >= 0] == [0, 1, 2, 3, 4, 5, 6]
    assert isinstance(comparison.results, Results)
    assert comparison.lines("baseline", "vacancy_rate").shape == (2, 3)
    assert comparison.lines("No zero hours", "vacancy_rate").shape == (2, 3)
    # Each scenario's table is the paired comparison of its runs with the baseline's.
    runs = comparison.results.summary
    for name in comparison.names:
        mine = runs.filter(pl.col("scenario").is_in(["baseline", name])).with_columns(
            pl.col("scenario").replace({name: "scenario"})
        )
        assert_frame_equal(comparison.table(name), paired_comparison(mine))
    # Common random numbers: the same seeds, and the zero-hours runs really are the ban.
    assert set(runs["seed"].to_list()) == set(comparison.seeds)
    shown = texts(rc)
    for name in comparison.names:
        assert f"{name} against the baseline, Welsh social care" in shown
    assert "across 2 seeds" in shown
    assert "points" in shown
    assert "£" in shown
    (bands,) = charts_of(rc).values()
    assert len(bands.data) == 6  # a band and a mean line for the baseline and each scenario
    assert {trace.name for trace in bands.data} >= {"Baseline", "More posts", "No zero hours"}
    # More funded posts and the same people: more vacancies than the baseline.
    table = comparison.table("More posts").filter(
        (pl.col("sector") == "wales")
        & (pl.col("role") == "all")
        & (pl.col("outcome") == "vacancy_rate")
    )
    assert table["difference"][0] > 0
    # Runs are kept: the same comparison again runs nothing and is complete at once.
    workshop.compare_request.set(2)
    wait_for(lambda: workshop.compare_progress.value is None, seconds=10)
    again = workshop.comparison.value
    assert again.complete
    assert_frame_equal(again.results.summary, comparison.results.summary)


def test_a_scenario_name_is_checked(dashboard):
    workshop, _ = dashboard
    assert workshop.keep_scenario("  Fair work  ")
    assert workshop.scenarios.value[0].name == "Fair work"
    assert workshop.scenarios.value[0].values == workshop.applied.value
    for name in ("", "baseline", "fair WORK", "x" * 41):
        assert not workshop.keep_scenario(name)
        assert workshop.scenario_error.value == (
            f'Scenario name = "{name}" is not allowed; allowed: 1 to 40 characters, other '
            'than "Baseline" and the names already kept (Fair work).'
        )
    assert len(workshop.scenarios.value) == 1


def test_changing_the_levers_drops_their_comparison(dashboard):
    workshop, rc = dashboard
    workshop.horizon.set("2")
    workshop.replicates.set(1)
    workshop.compare_workers = 1
    button(rc, "Apply levers and restart").click()
    workshop.view.set("compare")
    workshop.compare_request.set(1)
    wait_for(lambda: workshop.comparison.value is not None and workshop.comparison.value.complete)
    assert workshop.comparison.value.names == ("Baseline: today's policy",)
    wait_for(lambda: workshop.compare_progress.value is None)  # its thread has finished
    (zero_hours,) = [p for p in presets() if p.name == "zero_hours_ban"]
    workshop.apply_preset(zero_hours.name)
    assert workshop.comparison.value is None
    assert workshop.compared.value == ()
    assert workshop.applied_name.value == "No zero-hours contracts in Welsh social care"
    shown = texts(rc)
    assert "Baseline: today's policy against the baseline" not in shown
    items = [item["text"] for w in rc.find(v.Select).widgets for item in (w.items or [])]
    assert "Levers applied: No zero-hours contracts in Welsh social care" in items


def test_levers_edited_but_not_applied_are_said_to_be_waiting(dashboard):
    workshop, rc = dashboard
    assert "Levers changed but not applied" not in texts(rc)
    workshop.lever_group.set("Contracts")
    workshop.set_lever("policy.zero_hours.ban", True)
    assert workshop.pending
    assert "Levers changed but not applied" in texts(rc)
    workshop.horizon.set("12")
    button(rc, "Apply levers and restart").click()
    assert not workshop.pending
    assert "Levers changed but not applied" not in texts(rc)
    workshop.horizon.set("24")
    assert "Levers changed but not applied" in texts(rc)


def test_compare_refuses_a_bad_number_of_replicates(dashboard):
    workshop, _ = dashboard
    workshop.view.set("compare")
    workshop.replicates.set(0)
    workshop.compare_request.set(1)
    deadline = dt.datetime.now() + dt.timedelta(seconds=30)
    while workshop.compare_error.value is None and dt.datetime.now() < deadline:
        threading.Event().wait(0.1)
    assert workshop.compare_error.value == (
        "Replicates (seeds) = 0 is not allowed; allowed: a whole number from 1 to 10 "
        "(2 or more give intervals)."
    )
    assert workshop.comparison.value is None


def test_each_session_gets_its_own_model():
    first = solara.render(app.Page(), handle_error=False)[1]
    second = solara.render(app.Page(), handle_error=False)[1]
    button(first, "Step a month").click()
    assert "Month shown: April 2022" in texts(first)
    assert "not started" in texts(second)
    first.close()
    second.close()


def test_views_and_measures_are_labelled():
    assert set(app.VIEWS) >= {"workforce", "flows", "map", "compare", "follow", "export"}
    assert set(OUTCOME_LABELS) >= {"vacancy_rate", "leaver_rate", "burnout"}
    assert set(MAP_MEASURES) >= set(WALES_MEASURES) - {"headcount"}


# --------------------------------------------------------------------------- offline assets
TEMPLATE = """
{% if vue3 == True %}
<link href="{{cdn}}/@widgetti/solara-vuetify3-app@5.2.0/dist/main.css">
{% else %}
<link href="{{cdn}}/@widgetti/solara-vuetify-app@10.1.1/dist/main.css">
{% endif %}
{% if vue3 == True %}
  {% if production %}<script src="{{cdn}}/@widgetti/solara-vuetify3-app@5.2.0/a.min.js">
  {% else %}<script src="{{cdn}}/@widgetti/solara-vuetify3-app@5.2.0/a.js">{% endif %}
{% else %}
  {% if production %}<script src="{{ cdn }}/@widgetti/solara-vuetify-app@10.1.1/a.min.js">
  {% else %}<script src="{{cdn}}/@widgetti/solara-vuetify-app@10.1.1/a.js">{% endif %}
{% endif %}
<script src="{{cdn}}/requirejs@2.3.6/require.js">
"""


def test_template_packages_follow_the_vue_version():
    assert assets.template_packages(TEMPLATE) == [
        "@widgetti/solara-vuetify-app@10.1.1",
        "requirejs@2.3.6",
    ]
    assert assets.template_packages(TEMPLATE, vue3=True) == [
        "@widgetti/solara-vuetify3-app@5.2.0",
        "@widgetti/solara-vuetify-app@10.1.1",
        "requirejs@2.3.6",
    ]


def test_installed_solara_needs_its_app_requirejs_and_fonts():
    needed = assets.packages()
    assert any(p.startswith("@widgetti/solara-vuetify-app@") for p in needed)
    assert not any("vuetify3" in p for p in needed)  # ipyvuetify is pinned below 2
    assert any(p.startswith("requirejs@") for p in needed)
    assert any(p.startswith("font-awesome@") for p in needed)
    assert len(needed) == len(set(needed))


MARKDOWN_CODE = """
        async loadKatexExt() {
            return (await this.import([`${this.getCdn()}/katex@0.16.9/dist/contrib/a.min.js`]))[0]
        },
        async loadMermaid() {
            return (await this.import([`${this.getCdn()}/mermaid@10.8.0/dist/mermaid.min.js`]))[0]
        },
        script.src = `${this.getCdn()}/requirejs@2.3.6/require.min.js`;
        link.href = `${this.getCdn()}/katex@0.16.9/dist/katex.min.css`;
"""


def test_component_packages_are_read_from_the_components_browser_code():
    assert assets.component_packages(MARKDOWN_CODE) == [
        "katex@0.16.9",
        "mermaid@10.8.0",
        "requirejs@2.3.6",
    ]


def test_the_markdown_components_libraries_are_installed_for_offline_use():
    # solara.Markdown, on every page of the dashboard, loads mermaid and KaTeX from the CDN.
    needed = assets.packages()
    assert any(p.startswith("mermaid@") for p in needed)
    assert any(p.startswith("katex@") for p in needed)
    assert assets.missing(assets.cache_dir(), needed) == []


def fake_npm(tmp_path: Path) -> Path:
    """An npm that packs a one-file package (the real one needs the registry)."""
    script = tmp_path / "npm"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import io, sys, tarfile\n"
        "spec, destination = sys.argv[2], sys.argv[-1]\n"
        "name = spec.rsplit('@', 1)[0].lstrip('@').replace('/', '-')\n"
        "with tarfile.open(f'{destination}/{name}.tgz', 'w:gz') as archive:\n"
        '    data = (\'{"name": "%s"}\' % spec).encode()\n'
        "    info = tarfile.TarInfo('package/package.json'); info.size = len(data)\n"
        "    archive.addfile(info, io.BytesIO(data))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_fetch_unpacks_each_package_into_the_cache_layout(tmp_path):
    npm = fake_npm(tmp_path)
    cache = tmp_path / "cache"
    wanted = ["@widgetti/solara-vuetify-app@10.1.1", "requirejs@2.3.6"]
    assert assets.fetch(cache, wanted, npm=str(npm)) == wanted
    assert (cache / "@widgetti/solara-vuetify-app@10.1.1/package.json").is_file()
    assert (cache / "requirejs@2.3.6/package.json").read_text() == '{"name": "requirejs@2.3.6"}'
    assert assets.missing(cache, wanted) == []
    assert assets.fetch(cache, wanted, npm=str(npm)) == []  # nothing to do the second time
    assert not [p for p in cache.iterdir() if p.name.startswith(".fetch-")]


def test_fetch_without_npm_says_what_is_needed(tmp_path):
    with pytest.raises(assets.AssetsError, match="npm is needed"):
        assets.fetch(tmp_path, ["requirejs@2.3.6"], npm=str(tmp_path / "no-npm"))


def test_fetch_reports_a_package_npm_cannot_get(tmp_path):
    npm = tmp_path / "npm"
    npm.write_text("#!/bin/sh\necho 'npm error 404 Not Found' >&2\nexit 1\n")
    npm.chmod(0o755)
    with pytest.raises(assets.AssetsError, match=r"could not fetch nope@1\.0\.0: npm error 404"):
        assets.fetch(tmp_path / "cache", ["nope@1.0.0"], npm=str(npm))
    assert not (tmp_path / "cache" / "nope@1.0.0").exists()


def test_tarball_is_read_safely(tmp_path):
    # A package whose tarball tries to write outside its folder is refused by the data filter.
    npm = tmp_path / "npm"
    bad = tmp_path / "bad.tgz"
    with tarfile.open(bad, "w:gz") as archive:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    npm.write_text(f'#!/bin/sh\ncp {bad} "$5"/bad.tgz\n')
    npm.chmod(0o755)
    with pytest.raises(tarfile.TarError):
        assets.fetch(tmp_path / "cache", ["bad@1.0.0"], npm=str(npm))
    assert not (tmp_path / "escape.txt").exists()


# --------------------------------------------------------------------------- the server
def test_server_is_workshop_safe():
    arguments = server.solara_arguments(server.DEFAULT_HOST, 8765)
    assert server.DEFAULT_HOST == "127.0.0.1"
    assert arguments[:2] == ["run", "wfabm.dashboard.app"]
    for flag in ("--production", "--no-open", "--no-check-version"):
        assert flag in arguments
    assert "--auto-restart" not in arguments
    env = server.server_env(Path("/x"))
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_ASSETS_PROXY_CACHE_DIR"] == "/x"


def test_a_session_whose_page_went_away_is_freed_within_minutes():
    # Solara keeps a session whose page lost its connection (no close from the browser) for
    # its kernel cull timeout: a day by default, a model's memory all that time.
    env = server.server_env(Path("/x"))
    idle = solara.util.parse_timedelta(env["SOLARA_KERNEL_CULL_TIMEOUT"])
    assert 60 <= idle <= 10 * 60


def test_dashboard_command_refuses_to_start_without_offline_assets(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(assets, "cache_dir", lambda: tmp_path)
    # serve() sets these for Solara; they must not outlive the test.
    monkeypatch.delenv("SOLARA_ASSETS_PROXY_CACHE_DIR", raising=False)
    monkeypatch.delenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", raising=False)
    assert cli.main(["dashboard", "--port", "8799"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("wfabm: error: Solara's browser files are not installed")
    assert "scripts/setup" in error
    assert "Traceback" not in error


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_dashboard_command_refuses_a_bad_port(port, capsys):
    assert cli.main(["dashboard", "--port", port]) == 2
    assert "--port" in capsys.readouterr().err


@pytest.fixture
def solara_env(monkeypatch):
    # serve() sets these for Solara; they must not outlive the test.
    for name in server.server_env(Path("/x")):
        monkeypatch.delenv(name, raising=False)


def test_dashboard_command_refuses_a_host_that_is_not_an_address(solara_env, capsys):
    assert cli.main(["dashboard", "--host", "no-such-host.invalid", "--port", "8799"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("wfabm: error: --host no-such-host.invalid is not a known address")
    assert "allowed: an address of this machine" in error
    assert "warning" not in error
    assert "Traceback" not in error


def test_dashboard_command_refuses_a_port_already_in_use(solara_env, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["dashboard", "--port", str(port)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"wfabm: error: cannot listen on --host 127.0.0.1 --port {port}")
    assert "in use" in error
    assert "Traceback" not in error


def test_solara_settings_are_set_before_solara_is_imported():
    # Solara reads telemetry and cache settings once, on import: the command must get there
    # first, and the model must not pull in the dashboard at all.
    probe = (
        "import sys, wfabm.cli.commands, wfabm.dashboard.server, wfabm.model.workforce; "
        "print('solara' in sys.modules, 'wfabm.dashboard.app' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_sessions_closing_together_share_one_release_of_memory():
    memory = SessionMemory(delay=0.3)
    memory.start()
    memory.session_closed()
    memory.session_closed()
    deadline = time.monotonic() + 10
    while memory.releases < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.6)
    assert memory.releases == 1
    memory.session_closed()
    deadline = time.monotonic() + 10
    while memory.releases < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert memory.releases == 2


def test_policy_labels_close_together_are_put_one_under_another():
    dates = [dt.date(2022 + (3 + m) // 12, (3 + m) % 12 + 1, 1) for m in range(72)]
    markers = [
        (dt.date(2023, 4, 1), "Wellbeing support", True),
        (dt.date(2025, 7, 1), "Overseas care visa route closes", False),
        (dt.date(2025, 10, 1), "Pay rise for care staff", True),
        (dt.date(2026, 1, 1), "End zero-hours contracts", True),
    ]
    figure = charts.lines("Vacancy rate", dates, {"Care workers": np.zeros(72)}, markers=markers)
    texts = [(note.text.replace("<br>", " "), note) for note in figure.layout.annotations]
    shift = {text.split(" from ")[0]: note.yshift or 0 for text, note in texts if " from " in text}
    # Two years on, the visa route's label has the first line to itself again; the two
    # starts in the six months after it go one under the other.
    assert shift["Wellbeing support"] == 0
    assert shift["Overseas care visa route closes"] == 0
    assert 0 > shift["Pay rise for care staff"] > shift["End zero-hours contracts"]
