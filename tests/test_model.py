"""Tests of WorkforceModel's public behaviour on the default baseline over 24 months.

Conservation of people (in total, in the metrics table, and cell by cell), every worker in
exactly one state (events and ``worker()`` views agree), the shape and keys of the metrics
and flows tables, and loose first-year plausibility bands for the default model.

One default model (``WorkforceModel()``) is built and stepped once for the whole module.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from wfabm.calibration.fit import load_targets
from wfabm.cli import commands as cli
from wfabm.config import ConfigError, load_config
from wfabm.core.taxonomy import ARRIVALS, DEPARTURES, NHS, NURSE, ROLES, SECTORS
from wfabm.levers.idle import IdleLeverWarning
from wfabm.model.workforce import WorkforceModel
from wfabm.world.pay import scale_rate

MONTHS = 24
CELL = ["sector", "role", "local_authority"]
WELSH_SECTORS = ("la", "independent", "nhs", "agency")
ENGLISH_SECTORS = ("england_la", "england_independent", "england_nhs")
# A Wales a tenth the size, with its NHS and English neighbours scaled alike: the same model,
# quick enough to run for decades.
SMALL_WALES = {
    "workforce": {
        "total": 8413,
        "headcount": {
            "social_worker": 397,
            "amhp": 21,
            "occupational_therapist": 23,
            "residential_child_care_worker": 434,
            "registered_manager": 267,
            "deputy_manager": 534,
            "ancillary_worker": 1204,
            "administrator": 421,
            "nurse": 112,
        },
        "agency": {"social_workers": 38},
    },
    "nhs_wales": {
        "healthcare_assistant_fte": 583,
        "nurse_fte": 3932,
        "occupational_therapists": 140,
        "social_workers": 15,
    },
    "england": {
        "population": 5649005,
        "social_care_jobs": 160000,
        "social_workers": 5400,
        "occupational_therapists": 380,
        "amhps": 380,
    },
}


@pytest.fixture(scope="module")
def run() -> dict:
    """The default model stepped 24 months, with what was observed after every step."""
    model = WorkforceModel()
    start_headcount = model.headcount
    steps = []
    for _ in range(MONTHS):
        before = model.headcount
        model.step()
        metrics = model.metrics
        flows = model.flows
        month = metrics["month"].max()
        this_month = flows.filter(pl.col("month") == month)
        steps.append(
            {
                "month": month,
                "months_done": model.month,
                "before": before,
                "after": model.headcount,
                "arrivals": this_month.filter(pl.col("origin").is_in(ARRIVALS))["count"].sum(),
                "departures": this_month.filter(pl.col("destination").is_in(DEPARTURES))[
                    "count"
                ].sum(),
                "metrics_headcount": metrics.filter(pl.col("month") == month)["headcount"].sum(),
            }
        )
    return {
        "model": model,
        "start_headcount": start_headcount,
        "steps": steps,
        "metrics": model.metrics,
        "flows": model.flows,
        "events": model.events(),
    }


def _first_year(metrics: pl.DataFrame) -> pl.DataFrame:
    first = metrics["month"].min()
    return metrics.filter(
        (pl.col("month") < pl.lit(first).dt.offset_by("12mo"))
        & pl.col("sector").is_in(["la", "independent"])
    )


# ----------------------------------------------------------------------------------------------
# conservation


def test_runs_with_defaults(run: dict) -> None:
    model = run["model"]
    assert model.month == MONTHS
    assert [s["months_done"] for s in run["steps"]] == list(range(1, MONTHS + 1))
    assert model.seed == model.config.data["run"]["seed"]
    assert 150_000 < run["start_headcount"] < 350_000
    assert run["metrics"]["month"].n_unique() == MONTHS


def test_headcount_changes_by_arrivals_less_departures_each_month(run: dict) -> None:
    for s in run["steps"]:
        change = s["after"] - s["before"]
        assert change == s["arrivals"] - s["departures"], s
    # Something happened: people arrived and left in every month.
    assert all(s["arrivals"] > 0 and s["departures"] > 0 for s in run["steps"])


def test_metrics_headcount_sums_to_model_headcount_each_month(run: dict) -> None:
    for s in run["steps"]:
        assert s["metrics_headcount"] == s["after"], s
    # Later months do not rewrite earlier ones.
    by_month = run["metrics"].group_by("month").agg(pl.col("headcount").sum()).sort("month")
    assert by_month["headcount"].to_list() == [s["after"] for s in run["steps"]]
    assert by_month["month"].to_list() == [s["month"] for s in run["steps"]]


def test_cell_headcount_changes_by_its_own_flows(run: dict) -> None:
    checked = (
        run["metrics"]
        .sort("month")
        .with_columns(previous=pl.col("headcount").shift(1).over(CELL))
        .filter(pl.col("previous").is_not_null())
        .with_columns(
            change=pl.col("headcount") - pl.col("previous"),
            flows=pl.col("joiners")
            - pl.col("leavers")
            + pl.col("promoted_in")
            - pl.col("promoted_out"),
        )
    )
    n_cells = run["metrics"].select(CELL).n_unique()
    assert checked.height == n_cells * (MONTHS - 1)
    broken = checked.filter(pl.col("change") != pl.col("flows"))
    assert broken.height == 0, broken.select([*CELL, "month", "previous", "headcount", "flows"])
    # The identity is not vacuous: cells do change.
    assert (checked["change"] != 0).sum() > 0
    assert checked["promoted_in"].sum() > 0


# ----------------------------------------------------------------------------------------------
# every worker in exactly one state


def test_departed_workers_never_appear_again(run: dict) -> None:
    events = run["events"]
    departures = events.filter(pl.col("kind").is_in(DEPARTURES)).select(
        "worker_id", departed=pl.col("month")
    )
    assert departures.height > 0
    # Each worker departs at most once ...
    assert departures["worker_id"].is_unique().all()
    # ... and has no event in or after the month they left (exits come first in a month).
    later = events.filter(~pl.col("kind").is_in(DEPARTURES)).join(departures, on="worker_id")
    assert later.filter(pl.col("month") >= pl.col("departed")).height == 0


def test_arrivals_are_new_workers(run: dict) -> None:
    events = run["events"]
    arrivals = events.filter(pl.col("kind") == "arrival").select(
        "worker_id", arrived=pl.col("month")
    )
    assert arrivals.height > 0
    assert arrivals["worker_id"].is_unique().all()
    earlier = events.join(arrivals, on="worker_id").filter(pl.col("month") < pl.col("arrived"))
    assert earlier.height == 0
    # Arrivals come from outside: no origin workplace (null or -1) and no origin role.
    arrived = events.filter(pl.col("kind") == "arrival")
    assert arrived["origin_employer"].fill_null(-1).lt(0).all()
    assert arrived["origin_role"].null_count() == arrived.height


def _sample(ids: pl.Series, n: int) -> list[int]:
    ids = ids.unique().sort()
    step = max(len(ids) // n, 1)
    return ids.gather_every(step).head(n).to_list()


def test_worker_view_of_active_workers_matches_their_last_event(run: dict) -> None:
    model = run["model"]
    events = run["events"]
    departed = events.filter(pl.col("kind").is_in(DEPARTURES))["worker_id"]
    still_in = events.filter(~pl.col("worker_id").is_in(departed.implode()))
    last = still_in.group_by("worker_id").agg(pl.all().sort_by("month").last())
    # The sort within a month is not defined, so use workers with one event in their last month.
    single = still_in.group_by(["worker_id", "month"]).len().filter(pl.col("len") == 1)
    last = last.join(single.select("worker_id", "month"), on=["worker_id", "month"])
    sample = _sample(last["worker_id"], 12)
    assert len(sample) == 12
    for worker_id in sample:
        event = last.filter(pl.col("worker_id") == worker_id).row(0, named=True)
        view = model.worker(worker_id)
        assert view["worker_id"] == worker_id
        assert view["active"] is True
        assert view["sector"] in SECTORS
        assert view["role"] in ROLES
        assert view["employer"] == event["destination_employer"]
        assert view["sector"] == SECTORS[int(model.employers.sector[view["employer"]])]
        assert view["role"] == event["destination_role"]
        assert len(view["history"]) == events.filter(pl.col("worker_id") == worker_id).height


def test_worker_view_of_departed_workers_is_inactive(run: dict) -> None:
    model = run["model"]
    left = run["events"].filter(pl.col("kind") == "left_sector")
    # Some left before the yearly compaction in April 2023, some after.
    early = left.filter(pl.col("month") < dt.date(2023, 4, 1))
    late = left.filter(pl.col("month") >= dt.date(2023, 4, 1))
    assert early.height > 0
    assert late.height > 0
    for worker_id in _sample(early["worker_id"], 6) + _sample(late["worker_id"], 6):
        event = left.filter(pl.col("worker_id") == worker_id).row(0, named=True)
        view = model.worker(worker_id)
        assert view["active"] is False
        assert view["employer"] == event["origin_employer"]
        assert view["sector"] == SECTORS[int(model.employers.sector[event["origin_employer"]])]
        assert view["history"][-1]["kind"] == "left_sector"


def test_worker_view_of_unknown_id_raises(run: dict) -> None:
    with pytest.raises(KeyError):
        run["model"].worker(10**12)


# ----------------------------------------------------------------------------------------------
# the tables


def test_metrics_has_one_row_per_month_and_cell(run: dict) -> None:
    metrics = run["metrics"]
    keys = ["month", *CELL]
    assert metrics.select(keys).is_duplicated().sum() == 0
    assert metrics.null_count().select(keys).sum_horizontal().item() == 0
    n_cells = metrics.select(CELL).n_unique()
    assert metrics.height == MONTHS * n_cells
    assert set(metrics["sector"].unique()) <= set(SECTORS)
    assert set(metrics["role"].unique()) <= set(ROLES)


def test_metrics_months_are_first_days_in_sequence(run: dict) -> None:
    months = run["metrics"]["month"]
    assert months.dtype == pl.Date
    assert (months.dt.day() == 1).all()
    start = run["model"].config.data["run"]["start"]
    year, month = (int(p) for p in start.split("-")[:2])
    expected = [
        dt.date(year + (month - 1 + m) // 12, (month - 1 + m) % 12 + 1, 1) for m in range(MONTHS)
    ]
    assert months.unique().sort().to_list() == expected


def test_metrics_local_authorities_are_ons_codes_of_the_right_country(run: dict) -> None:
    geography = run["model"].geography
    metrics = run["metrics"]
    codes = set(metrics["local_authority"].unique())
    assert codes <= set(geography.codes)
    welsh = {c for c, w in zip(geography.codes, geography.welsh, strict=True) if w}
    assert len(welsh) == 22
    assert all(c.startswith("W06") for c in welsh)
    wales = metrics.filter(pl.col("sector").is_in(WELSH_SECTORS))
    england = metrics.filter(pl.col("sector").is_in(ENGLISH_SECTORS))
    assert set(wales["local_authority"].unique()) <= welsh
    assert not set(england["local_authority"].unique()) & welsh
    # Every Welsh authority has local authority and independent social care.
    for sector in ("la", "independent"):
        present = metrics.filter(pl.col("sector") == sector)["local_authority"].unique()
        assert set(present) == welsh


def test_flows_kinds(run: dict) -> None:
    flows = run["flows"]
    assert flows.height > 0
    assert (flows["count"] > 0).all()
    # Nothing flows into an arrival kind or out of a departure kind.
    assert set(flows["origin"].unique()) <= set(SECTORS) | set(ARRIVALS)
    assert set(flows["destination"].unique()) <= set(SECTORS) | set(DEPARTURES)
    # Arrivals only from entrant/graduate/overseas, and they arrive into a sector.
    arrivals = flows.filter(~pl.col("origin").is_in(SECTORS))
    assert set(arrivals["origin"].unique()) == set(ARRIVALS)
    assert set(arrivals["destination"].unique()) <= set(SECTORS)
    assert set(flows["role"].unique()) <= set(ROLES)
    assert flows.select(["month", "role", "origin", "destination"]).is_duplicated().sum() == 0


def test_flows_agree_with_events(run: dict) -> None:
    flows = run["flows"].with_columns(
        kind=pl.when(pl.col("origin").is_in(ARRIVALS))
        .then(pl.lit("arrival"))
        .when(pl.col("destination").is_in(DEPARTURES))
        .then(pl.col("destination"))
        .otherwise(pl.lit("move"))
    )
    from_flows = flows.group_by(["month", "kind"]).agg(pl.col("count").sum())
    from_events = (
        run["events"]
        .filter(pl.col("kind") != "promotion")
        .group_by(["month", "kind"])
        .agg(pl.len().cast(pl.Int64).alias("count"))
    )
    joined = from_flows.join(from_events, on=["month", "kind"], how="full", coalesce=True)
    assert joined.height == MONTHS * 4
    mismatch = joined.filter(pl.col("count").ne_missing(pl.col("count_right")))
    assert mismatch.height == 0, mismatch


# ----------------------------------------------------------------------------------------------
# the default model's first year against the calibration targets (the baseline seed alone;
# tests/test_calibration.py checks the calibration itself)


def _target(key: str) -> tuple[float, float]:
    (target,) = [t for t in load_targets() if t.key == key]
    return target.observed - target.tolerance, target.observed + target.tolerance


def test_first_year_wales_vacancy_rate_is_within_its_target(run: dict) -> None:
    year = _first_year(run["metrics"])
    rate = year["vacancies"].sum() / year["funded_posts"].sum()
    low, high = _target("vacancy_rate_wales")
    assert low <= rate <= high, rate


def test_first_year_care_worker_leaver_rate_is_within_its_target(run: dict) -> None:
    year = _first_year(run["metrics"]).filter(pl.col("role") == "care_worker")
    mean_headcount = year["headcount"].sum() / 12
    rate = year["leavers"].sum() / mean_headcount
    low, high = _target("care_worker_leaver_rate")
    assert low <= rate <= high, rate


def test_pay_fte_and_wage_bill_in_metrics_match_the_workers(run: dict) -> None:
    """The last month's pay, FTE and wage bill per cell equal sums over the workers in it."""
    model = run["model"]
    workers = model.workers
    rows = np.flatnonzero(workers.active[workers.view()])
    employer, role = workers.employer[rows], workers.role[rows]
    pay = model.pay.hourly(employer, role, workers.point[rows])
    hours = workers.hours[rows]
    by_worker = (
        pl.DataFrame(
            {
                "sector": np.array(SECTORS)[model.employers.sector[employer]],
                "role": np.array(ROLES)[role],
                "local_authority": np.array(model.geography.codes)[model.employers.la[employer]],
                "pay": pay,
                "hours": hours,
                "wage": pay * hours * 52.143 / 12,
            }
        )
        .group_by(CELL)
        .agg(pl.col("pay").mean(), pl.col("hours").sum(), pl.col("wage").sum())
    )
    full_time = model.config["workforce"]["contracts"]["full_time_hours"]
    metrics = run["metrics"]
    last = metrics.filter(pl.col("month") == metrics["month"].max()).join(by_worker, on=CELL)
    assert len(last) == len(by_worker)
    np.testing.assert_allclose(last["pay_mean"], last["pay"], rtol=1e-9)
    np.testing.assert_allclose(last["fte"], last["hours"] / full_time, rtol=1e-9)
    np.testing.assert_allclose(last["wage_bill"], last["wage"], rtol=1e-9)


# ----------------------------------------------------------------------------------------------
# the calendar


def test_pay_uplifts_go_on_however_far_past_run_months_a_model_is_stepped() -> None:
    config = load_config(overrides={**SMALL_WALES, "run": {"months": 1}})
    growth = config["pay"]["growth_after_data"]
    model = WorkforceModel(config, record_events=False)
    nhs_wales = model.employers.sector == NHS
    rlw: dict[int, float] = {}
    nurse_pay: dict[int, float] = {}
    # To April 2044: the Aprils of 2043 and 2044 are more than 240 months past run.months.
    months = 12 * 22 + 1
    for _ in range(months):
        model.step()
        if (model.month - 1) % 12 == 0:
            year = model.start.year + (model.month - 1) // 12
            rlw[year] = model.pay.rlw
            nurse_pay[year] = float(model.employers.pay[nhs_wales, NURSE].mean())
    for year in (2042, 2043, 2044):
        assert rlw[year] == pytest.approx(scale_rate("rlw", "all", dt.date(year, 4, 1), growth))
        # Agenda for Change beyond its data is a pure percentage award.
        assert nurse_pay[year] == pytest.approx(nurse_pay[year - 1] * (1.0 + growth))
    assert model.metrics["month"].n_unique() == months


@pytest.mark.parametrize("start", ["2023-04", "2021-04", "2022-05"])
def test_a_start_other_than_april_2022_is_refused_by_check_run_and_the_model(
    start: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("later.toml").write_text(
        f'extends = "baseline"\n[run]\nstart = "{start}"\nmonths = 2\n', encoding="utf-8"
    )
    expected = (
        f'later.toml: run.start = "{start}" is not an allowed month; allowed: the month '
        '"2022-04" (the initial workforce is built from the March 2022 workforce collection, '
        "and the configured pay, vacancy rates and visa share are April 2022's, so a run from "
        "another month would start that month's market from 2022's figures)."
    )
    with pytest.raises(ConfigError) as caught:
        WorkforceModel("later.toml")
    assert str(caught.value) == expected
    assert caught.value.key == "run.start"
    for command in (["check", "later.toml"], ["run", "later.toml", "--out", "out"]):
        assert cli.main(command) == 2
        captured = capsys.readouterr()
        assert captured.err == f"wfabm: error: {expected}\n"
        assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["later.toml"]


# --- arguments: the config's own error for a wrong one --------------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"config": 42},
            "config=42 has the wrong type (a whole number); allowed: a path (a .toml file, "
            '"baseline" or the name of another packaged config).',
        ),
        (
            {"seed": "x"},
            'seed="x" has the wrong type (a string) for run.seed; '
            "allowed: a whole number from 0 to 9223372036854775807 (seed).",
        ),
        (
            {"seed": 1.5},
            "seed=1.5 has the wrong type (a number) for run.seed; "
            "allowed: a whole number from 0 to 9223372036854775807 (seed).",
        ),
        (
            {"seed": True},
            "seed=true has the wrong type (true/false) for run.seed; "
            "allowed: a whole number from 0 to 9223372036854775807 (seed).",
        ),
        (
            {"seed": 2**70},
            f"seed={2**70} is out of range for run.seed; "
            "allowed: a whole number from 0 to 9223372036854775807 (seed).",
        ),
        (
            {"record_events": "no"},
            'record_events="no" has the wrong type (a string); allowed: true or false.',
        ),
    ],
)
def test_bad_arguments_are_config_errors(arguments: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        WorkforceModel(**arguments)
    assert str(caught.value) == expected


def test_a_numpy_seed_is_a_whole_number() -> None:
    assert WorkforceModel(seed=np.int64(5)).seed == 5


@pytest.fixture(scope="module")
def short() -> WorkforceModel:
    """The baseline, planned for 2 months, with a ban on zero hours from 2040."""
    config = load_config(overrides={"run": {"months": 2}, "policy": {"zero_hours": {"ban": True}}})
    return WorkforceModel(config.with_overrides({"policy": {"zero_hours": {"start": "2040-01"}}}))


@pytest.mark.parametrize(
    ("months", "problem"),
    [
        (-1, "is out of range"),
        (0, "is out of range"),
        (1.5, "has the wrong type (a number)"),
        ("3", "has the wrong type (a string)"),
    ],
)
def test_run_refuses_months_it_cannot_run(short: WorkforceModel, months, problem: str) -> None:
    with pytest.raises(ConfigError, match=r"^months=\S+ " + re.escape(problem) + " for run.months"):
        short.run(months)
    assert short.month == 0


def test_a_lever_that_never_acts_in_the_run_is_warned_about(short: WorkforceModel) -> None:
    with pytest.warns(IdleLeverWarning) as caught:
        short.run(1)
    (warning,) = caught
    assert str(warning.message) == (
        "policy.zero_hours.start: the lever first acts in 2040-01, after the run's last month "
        "(2022-04), so it never acts in this run; start it earlier or run longer."
    )
    assert short.month == 1


def test_a_lever_within_the_run_is_not_warned_about() -> None:
    config = load_config(overrides={"run": {"months": 1}, "policy": {"zero_hours": {"ban": True}}})
    model = WorkforceModel(config.with_overrides({"policy": {"zero_hours": {"start": "2022-04"}}}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", IdleLeverWarning)
        model.run()
    assert model.month == 1
