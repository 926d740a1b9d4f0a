"""The table of preset effects: its numbers are those of the paired runs it made.

A tenth-size Wales (the calibration tests' ``SMALL``), two seeds and 14 months; the
"presets" are the baseline itself and the baseline with a lever switched on in July 2022.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from test_calibration import SMALL

from wfabm.config import ConfigError, load_config
from wfabm.validation.presets import (
    VACANCIES,
    effects_markdown,
    preset_effects,
    ratio_interval,
)

START = "2022-07"


@pytest.fixture(scope="module")
def effects():
    small = load_config(overrides=SMALL)
    boosted = small.with_overrides(
        {"policy": {"wellbeing": {"recovery_boost": 0.5, "start": START}}}
    )
    return preset_effects(
        small,
        {"unchanged": small, "wellbeing_programme": boosted},
        seeds=2,
        months=14,
        root_seed=5,
    )


def _per_seed(effects, scenario: str, outcome: str, role: str = "all") -> np.ndarray:
    rows = effects.runs.filter(
        (pl.col("scenario") == scenario)
        & (pl.col("sector") == "wales")
        & (pl.col("role") == role)
        & (pl.col("outcome") == outcome)
    ).sort("seed")
    return rows["value"].to_numpy()


def test_a_preset_first_differs_from_the_baseline_in_its_start_month(effects) -> None:
    rows = {row["preset"]: row for row in effects.presets.iter_rows(named=True)}
    assert rows["wellbeing_programme"]["first_difference"] == START
    # The baseline against itself never differs, and has no effect.
    assert rows["unchanged"]["first_difference"] is None
    unchanged = effects.table.filter(pl.col("preset") == "unchanged")
    assert (unchanged["difference"] == 0.0).all()
    assert rows["unchanged"]["vacancies_avoided"] == 0.0
    assert math.isnan(rows["unchanged"]["cost_per_vacancy_avoided"])


def test_effects_are_the_mean_paired_differences_of_the_runs(effects) -> None:
    table = effects.table.filter(pl.col("preset") == "wellbeing_programme")
    for label, outcome, role in (
        ("wage bill", "wage_bill", "all"),
        ("care-worker leaver rate", "leaver_rate", "care_worker"),
    ):
        row = table.filter(pl.col("outcome") == label).row(0, named=True)
        differences = _per_seed(effects, "wellbeing_programme", outcome, role) - _per_seed(
            effects, "baseline", outcome, role
        )
        assert row["difference"] == pytest.approx(differences.mean())
        assert row["ci_low"] < row["difference"] < row["ci_high"]
    preset = effects.presets.filter(pl.col("preset") == "wellbeing_programme").row(0, named=True)
    avoided = _per_seed(effects, "baseline", VACANCIES) - _per_seed(
        effects, "wellbeing_programme", VACANCIES
    )
    assert preset["vacancies_avoided"] == pytest.approx(avoided.mean())
    # Its headline, the care-worker leaver rate, is the one in the table.
    leavers = table.filter(pl.col("outcome") == "care-worker leaver rate")["difference"].item()
    assert preset["moved"] == pytest.approx(leavers)


def test_mean_vacancies_are_those_of_the_window() -> None:
    small = load_config(overrides=SMALL)
    from wfabm.batch.run import run_model
    from wfabm.validation.presets import run_preset_summary

    summary, _ = run_preset_summary(small, 3, 13)
    model, _ = run_model(small, seed=3, months=13)
    metrics = model.metrics
    last = metrics["month"].unique().sort().tail(12)
    welsh = metrics.filter(
        pl.col("month").is_in(last.implode()) & pl.col("sector").is_in(("la", "independent"))
    )
    vacancies = summary.filter(pl.col("outcome") == VACANCIES)["value"].item()
    assert vacancies == pytest.approx(welsh["vacancies"].sum() / 12)


def test_the_cost_per_vacancy_avoided_is_the_ratio_of_mean_differences() -> None:
    cost, low, high = ratio_interval(np.array([10.0, 12.0, 14.0]), np.array([1.0, 1.2, 1.4]))
    assert (cost, low, high) == pytest.approx((10.0, 10.0, 10.0))
    cost, low, high = ratio_interval(np.array([19.0, 21.0, 20.0]), np.array([1.9, 2.0, 2.1]))
    assert cost == pytest.approx(10.0)
    assert low < cost < high
    # No clear vacancy avoided: no cost per vacancy.
    assert math.isnan(ratio_interval(np.array([1.0, 2.0]), np.array([-1.0, 1.5]))[0])


def test_the_markdown_lists_every_preset_once(effects) -> None:
    text = effects_markdown(effects, "scripts/preset_effects --seeds 2")
    assert text.startswith(
        "Made by `scripts/preset_effects --seeds 2`: 2 seeds (root 5), 14 months"
    )
    for name in ("unchanged", "wellbeing_programme"):
        assert text.count(f"| `{name}` |") == 2
    assert "| `unchanged` | never |" in text
    assert f"| `wellbeing_programme` | {START} |" in text


def test_bad_counts_are_refused() -> None:
    small = load_config(overrides=SMALL)
    with pytest.raises(ConfigError, match="months must be a whole number >= 12, not 3"):
        preset_effects(small, {}, seeds=1, months=3, root_seed=1)
