"""The seams of the month: the plan's stages, and the state they hand to each other.

Each stage takes the state and the month's scratch values; these tests run the stages one
at a time and check what must hold between them.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from wfabm.model import WorkforceModel
from wfabm.model.month import Month
from wfabm.model.plan import Plan, Stage
from wfabm.world.state import Cells

SEED = 20220401
STAGES = (
    "begin",
    "levers_start",
    "uplifts",
    "demand",
    "employers",
    "workload",
    "exits",
    "moves",
    "inflows",
    "progression",
    "recording",
    "clock",
)
# The stages that draw random numbers; the clock only in April (ties renewed).
DRAWING = {"workload", "exits", "moves", "inflows", "progression", "clock"}


class CountingGenerator:
    """A numpy Generator that counts the calls made to it, under the current stage's name."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.stage = ""
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str):
        method = getattr(self.rng, name)
        if not callable(method):
            return method

        def counted(*args, **kwargs):
            self.calls[self.stage] += 1
            return method(*args, **kwargs)

        return counted


def _run_month_by_stage(model: WorkforceModel, after_stage) -> None:
    """Run one month of ``model`` a stage at a time, calling ``after_stage(name, now)``."""
    now = Month()
    for stage in model.plan.stages:
        stage.run(model.state, now)
        after_stage(stage.name, now)


@pytest.fixture(scope="module")
def model() -> WorkforceModel:
    return WorkforceModel(seed=SEED, record_events=False)


def test_the_plan_lists_its_stages_in_order(model: WorkforceModel) -> None:
    assert model.plan.names == STAGES
    lines = str(model.plan).splitlines()
    assert [line.split(". ")[1] for line in lines] == list(STAGES)
    assert lines[0] == " 0. begin"


def test_timing_gives_a_time_for_every_stage() -> None:
    timed = WorkforceModel(seed=SEED, record_events=False)
    assert timed.plan.timings is None
    timed.plan.time()
    timed.run(2)
    timings = timed.plan.timings
    assert timings is not None
    assert list(timings) == list(STAGES)
    assert all(seconds >= 0.0 for seconds in timings.values())
    # The month's heavy stages take measurable time.
    assert timings["exits"] > 0.0
    assert timings["moves"] > 0.0
    timed.plan.time(False)
    timed.step()
    assert timed.plan.timings is None


def test_a_plan_refuses_two_stages_of_one_name() -> None:
    with pytest.raises(ValueError, match="distinct"):
        Plan([Stage("begin", lambda state, now: None), Stage("begin", lambda state, now: None)])


def test_a_timed_month_gives_the_same_results_as_an_untimed_one() -> None:
    plain = WorkforceModel(seed=SEED, record_events=False).run(2)
    timed = WorkforceModel(seed=SEED, record_events=False)
    timed.plan.time()
    timed.run(2)
    assert plain.metrics.equals(timed.metrics)
    assert plain.flows.equals(timed.flows)


def test_workload_is_funded_hours_over_present_staff_and_agency_cover() -> None:
    model = WorkforceModel(seed=SEED, record_events=False)
    state = model.state
    burnout_cfg = state.tables.cfg["burnout"]
    seen = {}

    def after(name: str, now: Month) -> None:
        if name == "employers":
            # What the workload stage reads: this month's posts and cover, last month's teams.
            n = state.employers.size
            seen["headcount"] = state.cells.headcount_matrix().sum(axis=1).astype(float)
            seen["burnout"] = state.cells.burnout_end_of_month[:-1].reshape(n, -1).sum(axis=1)
            seen["funded"] = state.employers.funded.sum(axis=1)
            seen["agency"] = state.employers.agency_fte.sum(axis=1)

    _run_month_by_stage(model, after)
    base, factor = burnout_cfg["absence_base"], burnout_cfg["absence_burnout"]
    # Each worker is absent base * (1 + factor * burnout) of the time.
    present = seen["headcount"] - base * (seen["headcount"] + factor * seen["burnout"])
    expected = np.where(
        seen["funded"] > 0, seen["funded"] / np.maximum(present + seen["agency"], 0.5), 1.0
    )
    agencies = state.tables.agency_rows
    expected[agencies] = burnout_cfg["agency_workload"]
    assert len(agencies) > 0
    np.testing.assert_allclose(state.workload, expected, rtol=1e-9)
    assert (state.workload[agencies] == burnout_cfg["agency_workload"]).all()
    # Some workplaces are short of staff: the check is not only of full teams.
    assert (state.workload > 1.05).sum() > 10


def test_cells_follow_the_workers_after_every_stage() -> None:
    """Headcounts and cell sums stay equal to a recount from the workers, stage by stage."""
    model = WorkforceModel(seed=SEED, record_events=False)
    state = model.state
    checked = Counter()

    def after(name: str, now: Month) -> None:
        w = state.workers
        used = w.view()
        cells = state.cells
        counted = np.bincount(w.cell[used], minlength=len(cells.headcount))
        np.testing.assert_array_equal(cells.headcount[:-1], counted[:-1], err_msg=name)
        fresh = Cells(w, state.employers.size, state.tables.point_factor)
        np.testing.assert_allclose(
            cells.sums[:-1], fresh.sums[:-1], rtol=1e-9, atol=1e-6, err_msg=name
        )
        checked[name] += 1

    # Through April, when departed workers are compacted away and ties renewed.
    while True:
        april = model.date.month == 3
        _run_month_by_stage(model, after)
        if april:
            break
    assert set(checked) == set(STAGES)
    assert model.state.clock.date.month == 4


def test_flow_counters_are_zero_after_recording() -> None:
    model = WorkforceModel(seed=SEED, record_events=False)
    cells = model.state.cells
    seen = {}

    def after(name: str, now: Month) -> None:
        counters = (cells.joined, cells.left, cells.promoted_in, cells.promoted_out)
        if name == "progression":
            seen["before"] = [counter.sum() for counter in counters]
        if name == "recording":
            seen["after"] = [counter.sum() for counter in counters]

    _run_month_by_stage(model, after)
    # There were flows of every kind this month, and recording set them to zero.
    assert all(total > 0 for total in seen["before"]), seen
    assert seen["after"] == [0.0, 0.0, 0.0, 0.0]
    joiners = model.metrics["joiners"].sum()
    assert joiners == seen["before"][0]


def test_only_the_drawing_stages_use_the_random_stream() -> None:
    model = WorkforceModel(seed=SEED, record_events=False)
    plain = WorkforceModel(seed=SEED, record_events=False)
    counting = CountingGenerator(model.state.rng)
    model.state.rng = counting
    months = 0
    while True:
        april = model.date.month == 3
        now = Month()
        for stage in model.plan.stages:
            counting.stage = stage.name
            stage.run(model.state, now)
        plain.step()
        months += 1
        if april:
            break
    assert set(counting.calls) == DRAWING, counting.calls
    # The clock draws only in April: once in the months run.
    assert counting.calls["clock"] == 1
    # The counting wrapper passed every draw through unchanged.
    assert model.metrics.equals(plain.metrics)
    assert months >= 1
