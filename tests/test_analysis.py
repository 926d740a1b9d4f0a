"""Tests of wfabm.batch.analysis and ``wfabm analyse``: statistics, SALib indices, plots, report."""

from __future__ import annotations

import textwrap
from datetime import date

import numpy as np
import polars as pl
import pytest

from wfabm.batch.analysis import (
    EXPECTED_TOLERANCE,
    analyse,
    check_expected,
    sensitivity_indices,
    write_expected,
)
from wfabm.batch.experiment import load_experiment, run_experiment
from wfabm.cli import commands as cli
from wfabm.config import ConfigError

SPEC = """
[experiment]
name = "analysed"
months = 3
seed = 8
replicates = 2

[scenarios]
baseline = "baseline"
wellbeing = "scenarios/wellbeing_programme"

[design]
method = "morris"
samples = 2
levels = 4

[parameters."burnout.recovery_rate"]
low = 0.02
high = 0.10
[parameters."exits.intent_burnout"]
low = 1.5
high = 3.5

[outcomes]
window_months = 2
summary = ["headcount", "vacancy_rate", "leaver_rate", "burnout"]
series = ["burnout"]
sectors = ["wales"]
roles = ["all"]
flows = true
metrics = false

[analysis]
sensitivity = ["burnout"]
"""


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysed")
    spec = folder / "spec.toml"
    spec.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    out = folder / "results"
    outcome = run_experiment(load_experiment(spec), out, workers=2)
    assert outcome.finished == 2 * 6 * 2
    return analyse(out)


# --------------------------------------------------------------------------- sensitivity
def test_morris_indices_find_the_parameter_that_matters():
    problem = {"num_vars": 2, "names": ["strong", "idle"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    from SALib.sample import morris

    samples = morris.sample(problem, 20, num_levels=4, seed=1)
    response = 3.0 * samples[:, 0] + 0.0 * samples[:, 1]
    table = sensitivity_indices("morris", problem, samples, response, seed=2)
    mu_star = dict(table.filter(pl.col("index") == "mu_star").select("parameter", "value").rows())
    assert mu_star["strong"] == pytest.approx(3.0)
    assert mu_star["idle"] == pytest.approx(0.0)


def test_sobol_indices_split_the_variance():
    problem = {"num_vars": 2, "names": ["big", "small"], "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    from SALib.sample import sobol

    samples = sobol.sample(problem, 512, calc_second_order=False, seed=1)
    response = samples[:, 0] + 0.1 * samples[:, 1]
    table = sensitivity_indices("sobol", problem, samples, response, seed=2)
    first = dict(table.filter(pl.col("index") == "S1").select("parameter", "value").rows())
    # Var = (1 + 0.01) / 12, so S1 = 1 / 1.01 and 0.01 / 1.01.
    assert first["big"] == pytest.approx(1 / 1.01, abs=0.03)
    assert first["small"] == pytest.approx(0.01 / 1.01, abs=0.01)
    row = table.filter((pl.col("index") == "ST") & (pl.col("parameter") == "big")).row(
        0, named=True
    )
    assert row["ci_low"] < row["value"] < row["ci_high"]


# --------------------------------------------------------------------------- a real experiment
def test_summary_is_the_mean_over_replicates_of_the_stored_runs(analysed):
    from wfabm.batch.store import read_runs

    runs = read_runs(analysed.root, "summary").filter(
        (pl.col("scenario") == "wellbeing")
        & (pl.col("sample") == 3)
        & (pl.col("sector") == "wales")
        & (pl.col("role") == "all")
        & (pl.col("outcome") == "burnout")
    )
    row = analysed.summary.filter(
        (pl.col("scenario") == "wellbeing")
        & (pl.col("sample") == 3)
        & (pl.col("sector") == "wales")
        & (pl.col("role") == "all")
        & (pl.col("outcome") == "burnout")
    ).row(0, named=True)
    assert row["runs"] == 2
    assert row["mean"] == pytest.approx(runs["value"].mean(), rel=1e-12)
    assert row["ci_low"] < row["mean"] < row["ci_high"]


def test_analysis_writes_tables_sensitivity_plots_and_one_report_page(analysed):
    folder = analysed.root / "analysis"
    names = {path.name for path in analysed.files}
    assert {"summary.csv", "series.parquet", "differences.csv", "sensitivity.csv"} <= names
    assert {"series_burnout.png", "network_baseline.png", "network_wellbeing.png"} <= names
    assert {"morris_baseline_burnout.png", "morris_wellbeing_burnout.png"} <= names
    for name in names:
        assert (folder / name).stat().st_size > 0
    page = (folder / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len([n for n in names if n.endswith(".png")])
    assert "src='http" not in page
    sensitivity = analysed.sensitivity
    assert set(sensitivity["parameter"]) == {"burnout.recovery_rate", "exits.intent_burnout"}
    # Faster recovery lowers burnout, so it has a clear elementary effect.
    recovery = sensitivity.filter(
        (pl.col("parameter") == "burnout.recovery_rate")
        & (pl.col("index") == "mu_star")
        & (pl.col("scenario") == "baseline")
    )["value"][0]
    assert recovery > 0
    series = analysed.series.filter(pl.col("scenario") == "baseline")
    assert series["month"].n_unique() == 3


def test_differences_pair_each_scenario_with_the_reference(analysed):
    differences = analysed.differences
    assert set(differences["scenario"]) == {"wellbeing"}
    assert set(differences["reference"]) == {"baseline"}
    assert differences["sample"].n_unique() == 6
    row = differences.filter(
        (pl.col("sample") == 0)
        & (pl.col("sector") == "wales")
        & (pl.col("role") == "all")
        & (pl.col("outcome") == "burnout")
    ).row(0, named=True)
    assert row["difference"] == pytest.approx(row["scenario_mean"] - row["reference_mean"])


def test_analysis_is_repeatable_to_the_bit(analysed):
    again = analyse(analysed.root)
    assert again.summary.equals(analysed.summary)
    assert again.sensitivity.equals(analysed.sensitivity)


def test_a_moved_expected_value_gives_a_readable_difference(analysed, tmp_path):
    path = write_expected(analysed, tmp_path / "expected.csv")
    assert check_expected(analysed, path) == ""
    table = pl.read_csv(path)
    bump = 1 + 10 * EXPECTED_TOLERANCE["relative"]
    moved = table.with_columns(
        pl.when((pl.col("outcome") == "burnout") & (pl.col("sector") == "wales"))
        .then(pl.col("mean") * bump)
        .otherwise(pl.col("mean"))
    )
    moved.write_csv(path)
    report = check_expected(analysed, path)
    lines = report.splitlines()
    assert "moved beyond the tolerance" in lines[0]
    assert any("burnout" in line and "wales" in line for line in lines[2:])
    assert (
        len(lines)
        == 2 + moved.filter((pl.col("outcome") == "burnout") & (pl.col("sector") == "wales")).height
    )


def test_cli_analyse_fails_with_exit_1_when_the_expected_summary_moved(analysed, tmp_path, capsys):
    path = write_expected(analysed, tmp_path / "expected.csv")
    assert cli.main(["analyse", str(analysed.root), "--expected", str(path)]) == 0
    pl.read_csv(path).with_columns(pl.col("mean") * 2).write_csv(path)
    assert cli.main(["analyse", str(analysed.root), "--expected", str(path)]) == 1
    assert "moved beyond the tolerance" in capsys.readouterr().err


def test_analysing_a_folder_that_is_not_an_experiment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"has no manifest\.json"):
        analyse(tmp_path)


# ---------------------------------------------------------------- bands, fans, convergence
def test_bands_across_design_samples_are_percentiles_not_an_interval_of_the_mean():
    from wfabm.batch.charts import sample_bands

    means = np.linspace(0.073, 0.079, 25)
    series = pl.DataFrame(
        {
            "scenario": ["baseline"] * 25,
            "sample": list(range(25)),
            "month": [date(2023, 1, 1)] * 25,
            "mean": means,
        }
    )
    band = sample_bands(series).row(0, named=True)
    assert band["q0.05"] == pytest.approx(np.quantile(means, 0.05))
    assert band["q0.95"] == pytest.approx(np.quantile(means, 0.95))
    # The 90% band spans most of the samples' range, not a sliver around their mean.
    assert band["q0.95"] - band["q0.05"] > 0.005
    assert band["n"] == 25


def test_the_fan_pairs_each_scenario_with_the_reference_on_the_same_seed():
    from wfabm.batch.charts import paired_fan

    rows = []
    for replicate in range(3):
        for scenario, shift in (("baseline", 0.0), ("pay_rise", -0.01)):
            # Replicate noise is shared by the pair, so the paired difference is exact.
            rows.append((scenario, 0, replicate, date(2023, 1, 1), 0.1 * replicate + shift))
    table = pl.DataFrame(
        rows, schema=["scenario", "sample", "replicate", "month", "value"], orient="row"
    )
    fan = paired_fan(table, "baseline").row(0, named=True)
    assert fan["scenario"] == "pay_rise"
    assert fan["n"] == 3
    assert fan["q0.05"] == pytest.approx(-0.01)
    assert fan["q0.95"] == pytest.approx(-0.01)


def test_analysis_draws_a_fan_chart_of_paired_differences(analysed):
    assert "fan_burnout.png" in {path.name for path in analysed.files}


def test_a_small_sobol_design_is_flagged():
    from wfabm.batch.convergence import convergence_notes

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[-np.pi, np.pi]] * 3}
    from SALib.sample import sobol

    samples = sobol.sample(problem, 8, calc_second_order=False, seed=1)
    x = samples
    ishigami = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    table = sensitivity_indices("sobol", problem, samples, ishigami, seed=1)
    notes = convergence_notes(table, "sobol", 8, "y for baseline")
    assert any("design.samples = 8" in note for note in notes)
    assert any("bootstrap intervals" in note for note in notes)
    big = sobol.sample(problem, 1024, calc_second_order=False, seed=1)
    response = np.sin(big[:, 0]) + 7 * np.sin(big[:, 1]) ** 2
    converged = sensitivity_indices("sobol", problem, big, response, seed=1)
    assert not [n for n in convergence_notes(converged, "sobol", 1024, "y") if "outside" in n]


# --------------------------------------------------------------------------- analysis choices
def test_analyse_options_choose_outcome_sector_role_and_reference(analysed, capsys):
    root = str(analysed.root)
    argv = ["analyse", root, "--outcome", "headcount", "--sector", "wales", "--role", "all"]
    assert cli.main([*argv, "--reference", "wellbeing"]) == 0
    report = analyse(analysed.root, outcome="headcount", reference="wellbeing")
    assert set(report.sensitivity["outcome"]) == {"headcount"}
    assert set(report.differences["reference"]) == {"wellbeing"}
    assert cli.main(["analyse", root, "--sector", "mars"]) == 2
    err = capsys.readouterr().err
    assert "--sector mars" in err
    assert "allowed:" in err


def test_editing_the_analysis_table_does_not_refuse_the_results_folder(tmp_path):
    spec = tmp_path / "spec.toml"
    text = textwrap.dedent(SPEC).replace('sensitivity = ["burnout"]', 'sensitivity = ["headcount"]')
    text = text.replace("samples = 2\n", "samples = 1\n").replace(
        "replicates = 2", "replicates = 1"
    )
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "results"
    run_experiment(load_experiment(spec), out)
    spec.write_text(text.replace('sensitivity = ["headcount"]', 'sensitivity = ["burnout"]'))
    again = run_experiment(load_experiment(spec), out)
    assert again.skipped == again.total


def test_analyse_help_shows_percent_signs_once(capsys):
    assert cli.main(["analyse", "--help"]) == 0
    text = capsys.readouterr().out
    assert "95%" in text
    assert "%%" not in text


# --------------------------------------------------------------------------- scenario discovery
def test_prim_finds_the_lever_that_keeps_vacancies_down_in_the_ci_experiment(tmp_path, capsys):
    from pathlib import Path

    spec = Path(__file__).resolve().parent.parent / "experiments" / "ci" / "discovery.toml"
    out = tmp_path / "results"
    assert cli.main(["experiment", str(spec), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    capsys.readouterr()
    argv = ["analyse", str(out), "--sector", "independent", "--discover", "vacancy_rate<0.15"]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    # Each sample runs from its own burn-in, so the sampled recovery rate sets how burnt out
    # and understaffed the providers start: only the samples recovering fastest keep
    # independent vacancies under 15 %, and PRIM's box is on that parameter.
    assert "when burnout.recovery_rate from" in text
    assert "feature scores: " in text
    assert (out / "analysis" / "discovery" / "prim.png").stat().st_size > 0
    scores = pl.read_csv(out / "analysis" / "discovery" / "feature_scores.csv")
    assert scores["score"].sum() == pytest.approx(1.0)
    # The scenario matters far less than the two sampled parameters (their order between
    # themselves is close, 0.45-0.49 each).
    by_dimension = dict(zip(scores["dimension"], scores["score"], strict=True))
    assert by_dimension["scenario"] < 0.2
    assert min(by_dimension["burnout.recovery_rate"], by_dimension["exits.intent_burnout"]) > 0.3
    assert cli.main(["analyse", str(out), "--discover", "vacancy rate low"]) == 2
    assert "is not a condition" in capsys.readouterr().err
