"""Tests of wfabm.outcomes: the Results object and its reduce across runs, and imports."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import polars as pl
import pytest

from wfabm.outcomes.results import Results
from wfabm.outcomes.statistics import mean_sd, t_half_widths, t_quantile


def test_unpaired_reduce_is_the_t_interval_of_the_mean():
    values = [1.0, 2.0, 4.0, None, 10.0, 12.0]
    frame = pl.DataFrame({"group": ["a", "a", "a", "a", "b", "b"], "value": values})
    table = Results(frame).reduce(["group"], over=None)
    a = table.row(0, named=True)
    sample = np.array([1.0, 2.0, 4.0])
    half = t_quantile(0.975, 2) * sample.std(ddof=1) / math.sqrt(3)
    assert a["group"] == "a"
    assert a["runs"] == 3
    assert a["mean"] == pytest.approx(sample.mean())
    assert a["sd"] == pytest.approx(sample.std(ddof=1))
    assert a["ci_low"] == pytest.approx(sample.mean() - half)
    assert a["ci_high"] == pytest.approx(sample.mean() + half)
    b = table.row(1, named=True)
    assert (b["runs"], b["mean"]) == (2, 11.0)


def test_a_single_run_has_a_mean_but_no_interval():
    table = Results(pl.DataFrame({"group": ["a"], "value": [3.0]})).reduce(["group"], over=None)
    assert table.row(0) == ("a", 1, 3.0, None, None, None)


def test_groups_come_in_order_of_first_appearance():
    frame = pl.DataFrame({"group": ["z", "a", "z", "m"], "value": [1.0, 2.0, 3.0, 4.0]})
    table = Results(frame).reduce(["group"], over=None)
    assert table["group"].to_list() == ["z", "a", "m"]
    assert table["mean"].to_list() == [2.0, 2.0, 4.0]


def test_reduce_over_a_run_column_does_not_depend_on_the_order_runs_finished():
    rng = np.random.default_rng(3)
    seeds = [int(s) for s in rng.integers(0, 2**32, 11)]
    frame = pl.DataFrame(
        {
            "outcome": np.repeat([f"o{k}" for k in range(40)], len(seeds)),
            "seed": np.tile(seeds, 40),
            "value": rng.lognormal(3.0, 1.0, 40 * len(seeds)),
        }
    )
    in_order = Results(frame).reduce(["outcome"], over="seed")
    # The same rows finished in another order, seeds first seen in the same order.
    first = frame.filter(pl.col("outcome") == "o0")
    shuffled = pl.concat(
        [first, frame.filter(pl.col("outcome") != "o0").sample(fraction=1.0, seed=1)]
    )
    assert Results(shuffled).reduce(["outcome"], over="seed").equals(in_order)
    matrix = frame["value"].to_numpy().reshape(40, len(seeds))
    count, mean, sd = mean_sd(matrix)
    assert in_order["mean"].to_list() == mean.tolist()
    assert in_order["ci_high"].to_list() == (mean + t_half_widths(count, sd)).tolist()


def test_two_values_of_one_run_in_a_group_are_refused():
    frame = pl.DataFrame({"group": ["a", "a"], "seed": [1, 1], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="more than one value"):
        Results(frame).reduce(["group"], over="seed")


def test_paired_reduce_takes_differences_seed_by_seed():
    runs = Results.of_runs(
        (
            {"scenario": label, "seed": seed},
            pl.DataFrame(
                {
                    "sector": ["wales", "wales"],
                    "role": ["all", "all"],
                    "outcome": ["headcount", "vacancy_rate"],
                    "value": [value, rate],
                }
            ),
        )
        for label, seed, value, rate in (
            ("baseline", 1, 100.0, 0.10),
            ("scenario", 1, 103.0, 0.08),
            ("baseline", 2, 200.0, 0.20),
            ("scenario", 2, 201.0, None),
            ("baseline", 3, 300.0, 0.30),
            ("scenario", 3, 308.0, 0.27),
        )
    )
    assert runs.summary["seed"].dtype == pl.Int64
    table = runs.reduce(["sector", "role", "outcome"], paired="baseline")
    headcount, rate = table.iter_rows(named=True)
    differences = np.array([3.0, 1.0, 8.0])
    half = t_quantile(0.975, 2) * differences.std(ddof=1) / math.sqrt(3)
    assert headcount["seeds"] == 3
    assert headcount["baseline_mean"] == pytest.approx(200.0)
    assert headcount["scenario_mean"] == pytest.approx(204.0)
    assert headcount["difference"] == pytest.approx(4.0)
    assert headcount["ci_low"] == pytest.approx(4.0 - half)
    # Seed 2's scenario rate is undefined, so only seeds 1 and 3 pair.
    assert rate["seeds"] == 2
    assert rate["baseline_mean"] == pytest.approx(0.2)
    assert rate["difference"] == pytest.approx(-0.025)


def test_a_total_missing_from_a_run_counts_as_zero_when_paired():
    frame = pl.DataFrame(
        {
            "scenario": ["baseline", "scenario", "baseline"],
            "seed": [1, 1, 2],
            "outcome": ["agency_spend"] * 3,
            "value": [10.0, 12.0, 6.0],
        }
    )
    row = Results(frame).reduce(["outcome"], paired="baseline").row(0, named=True)
    assert row["seeds"] == 2
    assert row["scenario_mean"] == pytest.approx(6.0)
    assert row["difference"] == pytest.approx(-2.0)


def test_paired_reduce_needs_the_reference_and_one_other_scenario():
    frame = pl.DataFrame({"scenario": ["a", "b"], "seed": [1, 1], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="'baseline' and one other"):
        Results(frame).reduce([], paired="baseline")


def test_results_without_a_monthly_table_say_so():
    with pytest.raises(ValueError, match="no monthly table"):
        Results(pl.DataFrame({"value": [1.0]})).reduce([], table="monthly")


def test_reading_results_does_not_load_the_model_or_mesa():
    code = (
        "import sys\n"
        "import wfabm.outcomes, wfabm.outcomes.results, wfabm.outcomes.summary\n"
        "import wfabm.batch.compare, wfabm.batch.store, wfabm.batch.analysis\n"
        "names = ('mesa', 'wfabm.model', 'wfabm.model.workforce')\n"
        "loaded = [m for m in names if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""
