"""``wfabm validate``: the report's figures are those of the runs it made.

A tenth-size Wales (the calibration tests' ``SMALL``), three seeds and the 36 months to the
latest figure: every number of the report is checked against the per-seed values the run
produced, and the judging rules (band, persistence, winner) against figures made to pass or
fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from test_calibration import SMALL

from wfabm.calibration import fit
from wfabm.calibration.moments import run_moments
from wfabm.cli.commands import main
from wfabm.config import ConfigError, load_config
from wfabm.core.reference import fact_number, facts
from wfabm.validation import figures as figures_module
from wfabm.validation.figures import FITTED, HELD_OUT, load_figures
from wfabm.validation.observe import FULL_MONTHS
from wfabm.validation.report import (
    FAIL,
    INTERVAL,
    MODEL,
    NOT_REACHED,
    PASS,
    PERSISTENCE,
    TIE,
    figure_table,
    validate,
    write_validation,
)


@pytest.fixture(scope="module")
def small():
    return load_config(overrides=SMALL)


@pytest.fixture(scope="module")
def validation(small):
    return validate(small, seeds=3, months=FULL_MONTHS, root_seed=11)


def _values(runs: pl.DataFrame, key: str) -> np.ndarray:
    return runs.filter(pl.col("figure") == key)["value"].to_numpy()


def test_every_figure_is_reported_once_in_order(validation) -> None:
    keys = [figure.key for figure in load_figures()]
    assert validation.table["figure"].to_list() == keys
    assert validation.runs.height == len(keys) * 3
    # Every figure is reached and defined in a run to March 2025.
    assert validation.table["result"].is_in([PASS, FAIL]).all()
    assert (validation.table["seeds"] == 3).all()


def test_median_and_interval_are_those_of_the_per_seed_values(validation) -> None:
    for row in validation.table.iter_rows(named=True):
        values = _values(validation.runs, row["figure"])
        assert row["median"] == pytest.approx(np.median(values)), row["figure"]
        low, high = np.quantile(values, INTERVAL)
        assert (row["interval_low"], row["interval_high"]) == pytest.approx((low, high))
        inside = row["band_low"] <= row["median"] <= row["band_high"]
        assert row["result"] == (PASS if inside else FAIL), row["figure"]


def test_the_targets_values_are_the_calibrations_moments(small, validation) -> None:
    # The validation reads each target where the calibration does.
    seed = validation.seeds[0]
    moments = run_moments(small, seed=seed, months=12)
    run = validation.runs.filter(pl.col("seed") == seed)
    values = dict(zip(run["figure"], run["value"], strict=True))
    for target in fit.load_targets():
        assert values[target.key] == pytest.approx(moments[target.key], nan_ok=True), target.key


def test_persistence_holds_the_2022_figure(validation) -> None:
    rows = {row["figure"]: row for row in validation.table.iter_rows(named=True)}
    assert rows["zero_hours_share_care_worker_2025"]["persistence"] == pytest.approx(
        fact_number("seed_care_workers_zero_hours_share") / 100
    )
    assert rows["intent_to_leave_2024"]["persistence"] == rows["intent_to_leave"]["observed"]
    assert rows["social_worker_growth_2024"]["persistence"] == 0.0
    # Base-year figures have nothing to forecast.
    assert rows["vacancy_rate_wales"]["persistence"] is None
    assert rows["vacancy_rate_wales"]["winner"] is None
    for row in rows.values():
        if row["persistence"] is None:
            continue
        model = abs(row["median"] - row["observed"])
        held = abs(row["persistence"] - row["observed"])
        assert row["model_error"] == pytest.approx(model)
        assert row["persistence_error"] == pytest.approx(held)
        assert row["winner"] == (MODEL if model < held else PERSISTENCE if held < model else TIE)


def _runs(values: dict[str, list[float]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"seed": seed, "figure": key, "value": value}
            for key, series in values.items()
            for seed, value in enumerate(series)
        ]
    )


def test_a_figure_outside_its_band_fails_and_persistence_is_judged_alike() -> None:
    figures = load_figures()
    zero = next(f for f in figures if f.key == "zero_hours_share_care_worker_2025")
    vacancy = next(f for f in figures if f.key == "vacancy_rate_wales")
    runs = _runs(
        {
            # Model far off: fails, and persistence (16% against 14.7%) is nearer.
            zero.key: [zero.high + 0.01, zero.high + 0.02, zero.high + 0.03],
            # On the band's edge: passes.
            vacancy.key: [vacancy.low, vacancy.low, vacancy.observed],
        }
    )
    table = figure_table(figures, runs, FULL_MONTHS)
    rows = {row["figure"]: row for row in table.iter_rows(named=True)}
    assert rows[zero.key]["result"] == FAIL
    assert rows[zero.key]["persistence_result"] == PASS
    assert rows[zero.key]["winner"] == PERSISTENCE
    assert rows[vacancy.key]["result"] == PASS
    assert rows[vacancy.key]["median"] == vacancy.low
    # A figure no run produced is not judged.
    assert rows["intent_to_leave"]["result"] == NOT_REACHED
    assert rows["intent_to_leave"]["median"] is None

    nearer = figure_table(figures, _runs({zero.key: [zero.observed] * 3}), FULL_MONTHS)
    assert nearer.filter(pl.col("figure") == zero.key)["winner"].item() == MODEL


def test_figures_after_the_last_month_are_not_reached() -> None:
    figures = load_figures()
    runs = _runs({f.key: [f.observed, f.observed] for f in figures})
    table = figure_table(figures, runs, 24)
    late = table.filter(pl.col("year") == "2025")
    assert late.height == 2
    assert (late["result"] == NOT_REACHED).all()
    assert (table.filter(pl.col("year") != "2025")["result"] == PASS).all()


def test_evidence_follows_the_targets_fitted_column(monkeypatch: pytest.MonkeyPatch) -> None:
    targets = fit.load_targets()
    kept_out = tuple(
        t if t.key != "intent_to_leave_2024" else type(t)(**{**vars(t), "fitted": False})
        for t in targets
    )
    monkeypatch.setattr(figures_module, "load_targets", lambda: kept_out)
    evidence = {f.key: f.evidence for f in load_figures()}
    assert evidence["intent_to_leave_2024"] == HELD_OUT
    assert evidence["intent_to_leave"] == FITTED
    # The figures of held_out_figures.csv are never fitted.
    held = [f for f in load_figures() if f.key not in {t.key for t in targets}]
    assert held
    assert all(f.evidence == HELD_OUT for f in held)


def test_held_out_figures_cite_facts_that_exist() -> None:
    known = facts()
    targets = {t.key for t in fit.load_targets()}
    for figure in load_figures():
        if figure.key in targets:
            continue
        keys = re.findall(r"facts:([A-Za-z0-9_]+)", figure.source)
        assert keys, figure.key
        assert set(keys) <= set(known), figure.key


def test_the_report_holds_the_table_and_a_chart_per_figure(validation, tmp_path: Path) -> None:
    out = write_validation(validation, tmp_path / "report")
    assert pl.read_parquet(out / "validation.parquet").equals(validation.table)
    assert pl.read_parquet(out / "runs.parquet").equals(validation.runs)
    page = (out / "report.html").read_text(encoding="utf-8")
    # Opens with no internet: the Plotly library is inline, and nothing is fetched.
    assert not re.search(r"<script[^>]+src=", page)
    assert page.count('class="plotly-graph-div"') == validation.table.height
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seeds"] == list(validation.seeds)
    assert manifest["months"] == FULL_MONTHS


def test_bad_counts_are_refused(small) -> None:
    with pytest.raises(ConfigError, match="months must be a whole number >= 12, not 6"):
        validate(small, seeds=1, months=6, root_seed=1)
    with pytest.raises(ConfigError, match="seeds must be a whole number >= 1, not 0"):
        validate(small, seeds=0, months=12, root_seed=1)


def test_validate_command_writes_the_report_and_prints_its_summary(
    small, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "small.toml"
    config.write_text(small.to_toml(), encoding="utf-8")
    out = tmp_path / "validation"
    argv = ["validate", str(config), "--seeds", "1", "--months", "12", "--out", str(out)]
    assert main([*argv, "--quiet"]) == 0
    printed = capsys.readouterr().out
    table = pl.read_parquet(out / "validation.parquet")
    judged = table.filter(pl.col("evidence") == FITTED, pl.col("result") != NOT_REACHED)
    passed = judged.filter(pl.col("result") == PASS).height
    assert f"fitted: {passed} of {judged.height} figures within their band" in printed
    for row in table.iter_rows(named=True):
        line = next(line for line in printed.splitlines() if line.split()[:1] == [row["figure"]])
        assert row["result"] in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--months", "6"],
            "--months=6 is out of range; allowed: a whole number from 12 to 1200 "
            "(months: the base year's 12 at least).",
        ),
        (["--seeds", "0"], "--seeds=0 is out of range; allowed: a whole number from 1 to 10000"),
    ],
)
def test_bad_options_are_one_error_line_and_write_nothing(
    argv: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "validation"
    assert main(["validate", *argv, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"wfabm: error: {expected}")
    assert error.count("\n") == 1
    assert "Traceback" not in error
    assert not out.exists()
