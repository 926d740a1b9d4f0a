"""Tests of wfabm.batch.experiment and ``wfabm experiment``: specs, validation, run table, seeds.

The runs themselves are a few months long; the shipped specs are only expanded, not run.
"""

from __future__ import annotations

import shutil
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from wfabm.batch.compare import comparison_seeds
from wfabm.batch.experiment import design_seed, load_experiment, run_experiment
from wfabm.cli import commands as cli
from wfabm.config import ConfigError

REPOSITORY = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPOSITORY / "experiments").glob("*.toml"))

BASE = """
[experiment]
name = "tiny"
months = 2
seed = 11
replicates = 2

[scenarios]
baseline = "baseline"
"""


def write_spec(folder: Path, text: str, name: str = "spec.toml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- shipped specs
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_specs_expand_into_valid_runs(path):
    experiment = load_experiment(path)
    spec = experiment.spec["experiment"]
    assert len(experiment.runs) == (
        len(experiment.scenarios) * len(experiment.samples) * spec["replicates"]
    )
    labels = {(run.scenario, run.name) for run in experiment.runs}
    assert len(labels) == len(experiment.runs)


def test_shipped_examples_cover_the_issue():
    methods = {load_experiment(path).method for path in SHIPPED}
    assert {"none", "grid", "morris", "sobol"} <= methods
    comparison = load_experiment(REPOSITORY / "experiments" / "policy_comparison.toml")
    presets = sorted((REPOSITORY / "configs" / "scenarios").glob("*.toml"))
    assert len(comparison.scenarios) == len(presets) + 1
    assert len(comparison.seeds) == 20
    sobol = load_experiment(REPOSITORY / "experiments" / "sobol_key_parameters.toml")
    assert 4 <= len(sobol.parameters) <= 6


# --------------------------------------------------------------------------- seeds and runs
def test_replicates_share_seeds_across_scenarios_and_samples(tmp_path):
    spec = write_spec(
        tmp_path,
        BASE
        + """
        zero_hours_ban = "scenarios/zero_hours_ban"

        [design]
        method = "grid"

        [parameters."burnout.recovery_rate"]
        values = [0.04, 0.06, 0.08]
        """,
    )
    experiment = load_experiment(spec)
    assert experiment.seeds == tuple(comparison_seeds(11, 2))
    assert len(experiment.runs) == 2 * 3 * 2
    for run in experiment.runs:
        assert run.seed == experiment.seeds[run.replicate]
        recovery = run.config.get("burnout.recovery_rate")
        assert recovery == [0.04, 0.06, 0.08][run.sample]
    banned = {run.config.get("policy.zero_hours.ban") for run in experiment.runs}
    assert banned == {True, False}


def test_grid_takes_every_combination_in_order(tmp_path):
    spec = write_spec(
        tmp_path,
        BASE
        + """
        [design]
        method = "grid"

        [parameters.burnout]
        recovery_rate = { values = [0.04, 0.06] }

        [parameters."search.choice_set_size"]
        values = [3, 5, 7]
        """,
    )
    experiment = load_experiment(spec)
    assert experiment.sample_table() == [
        {"burnout.recovery_rate": r, "search.choice_set_size": c}
        for r in (0.04, 0.06)
        for c in (3, 5, 7)
    ]
    assert all(isinstance(row["search.choice_set_size"], int) for row in experiment.sample_table())


@pytest.mark.parametrize(("method", "rows"), [("latin", 6), ("morris", 6 * 3), ("sobol", 8 * 4)])
def test_sampled_designs_stay_in_bounds_and_repeat_from_the_root_seed(tmp_path, method, rows):
    samples = 8 if method == "sobol" else 6
    text = (
        BASE
        + f"""
        [design]
        method = "{method}"
        samples = {samples}

        [parameters."burnout.recovery_rate"]
        low = 0.03
        high = 0.08

        [parameters."exits.intent_pay"]
        low = -2.0
        high = -0.5
        """
    )
    first = load_experiment(write_spec(tmp_path, text, "a.toml"))
    again = load_experiment(write_spec(tmp_path, text, "b.toml"))
    other = load_experiment(write_spec(tmp_path, text.replace("seed = 11", "seed = 12"), "c.toml"))
    assert first.samples.shape == (rows, 2)
    assert np.array_equal(first.samples, again.samples)
    assert not np.array_equal(first.samples, other.samples)
    assert first.samples[:, 0].min() >= 0.03
    assert first.samples[:, 0].max() <= 0.08
    assert first.samples[:, 1].min() >= -2.0
    assert first.samples[:, 1].max() <= -0.5
    assert first.design_seed() == design_seed(11)
    assert first.design_seed() not in first.seeds


def test_hash_changes_with_the_spec_and_with_a_scenario_config(tmp_path):
    scenario = write_spec(tmp_path, 'extends = "baseline"\n', "scenario.toml")
    text = BASE + 'other = "scenario.toml"\n'
    first = load_experiment(write_spec(tmp_path, text))
    assert load_experiment(write_spec(tmp_path, text)).hash == first.hash
    more = load_experiment(write_spec(tmp_path, text.replace("replicates = 2", "replicates = 3")))
    assert more.hash != first.hash
    scenario.write_text('extends = "baseline"\n[burnout]\nrecovery_rate = 0.07\n')
    assert load_experiment(write_spec(tmp_path, text)).hash != first.hash


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("extra", "replace", "message"),
    [
        ("", ("replicates = 2", "replicates = 0"), "experiment.replicates = 0 is out of range"),
        ("", ('name = "tiny"', 'name = "a/b"'), "experiment.name"),
        ('[design]\nmethod = "fractal"\n', None, 'design.method = "fractal"'),
        ('[outcomes]\nsummary = ["vacancies"]\n', None, "outcomes.summary"),
        ("[outcomes]\nwindow_months = 5\n", None, "outcomes.window_months = 5 is longer"),
        (
            '[design]\nmethod = "grid"\n[parameters."burnout.no_such_key"]\nvalues = [1.0]\n',
            None,
            'parameters."burnout.no_such_key" is not a numeric config value',
        ),
        (
            '[design]\nmethod = "latin"\nsamples = 4\n'
            '[parameters."burnout.recovery_rate"]\nvalues = [0.1]\n',
            None,
            'does not suit design.method = "latin"',
        ),
        (
            '[design]\nmethod = "grid"\n[parameters."burnout.recovery_rate"]\nvalues = [1.5]\n',
            None,
            "burnout.recovery_rate = 1.5 is out of range",
        ),
        (
            '[design]\nmethod = "sobol"\nsamples = 6\n'
            '[parameters."burnout.recovery_rate"]\nlow = 0.01\nhigh = 0.1\n',
            None,
            "design.samples = 6 is not a power of 2",
        ),
        (
            '[design]\nmethod = "grid"\n[parameters."policy.pay_change[3].fraction"]\n'
            "values = [0.1]\n",
            None,
            "has no such entry",
        ),
        ('[analysis]\nreference = "nobody"\n', None, 'analysis.reference = "nobody"'),
        ("[extras]\n", None, "unknown table extras"),
    ],
)
def test_bad_specs_are_refused_with_one_paragraph(tmp_path, extra, replace, message):
    text = BASE if replace is None else BASE.replace(*replace)
    spec = write_spec(tmp_path, text + extra)
    with pytest.raises(ConfigError) as caught:
        load_experiment(spec)
    assert message in str(caught.value)
    assert str(caught.value).startswith("spec.toml") or "spec.toml" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "allowed" in str(caught.value).lower()


def test_a_missing_scenario_config_is_named(tmp_path):
    spec = write_spec(tmp_path, BASE + 'other = "nowhere.toml"\n')
    with pytest.raises(ConfigError, match=r'scenarios.other = "nowhere.toml": there is no such'):
        load_experiment(spec)


def test_cli_refuses_a_bad_spec_with_exit_2_and_writes_nothing(tmp_path, capsys):
    spec = write_spec(tmp_path, BASE.replace("months = 2", "months = -1"))
    out = tmp_path / "results"
    status = cli.main(["experiment", str(spec), "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("wfabm: error: ")
    assert "experiment.months = -1 is out of range" in captured.err
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_cli_refuses_scheduler_without_dask(tmp_path, capsys):
    spec = write_spec(tmp_path, BASE)
    status = cli.main(["experiment", str(spec), "--scheduler", "tcp://127.0.0.1:1"])
    assert status == 2
    assert "--scheduler and --cluster need --engine dask" in capsys.readouterr().err


def test_a_folder_of_another_experiment_is_refused_before_running(tmp_path):
    first = load_experiment(write_spec(tmp_path, BASE.replace("replicates = 2", "replicates = 1")))
    out = tmp_path / "results"
    run_experiment(first, out)
    changed = load_experiment(write_spec(tmp_path, BASE.replace("seed = 11", "seed = 12")))
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(ConfigError, match="not of this spec"):
        run_experiment(changed, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    stranger = tmp_path / "elsewhere"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not an experiment's results"):
        run_experiment(first, stranger)


def test_cli_runs_a_spec_with_a_progress_bar_and_resumes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WFABM_PROGRESS", "always")
    spec = write_spec(tmp_path, BASE.replace("replicates = 2", "replicates = 1"))
    out = tmp_path / "results"
    assert cli.main(["experiment", str(spec), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "1/1 runs" in captured.err
    assert any(f" {pace}, " in captured.err for pace in ("runs/s", "runs/min", "min/run"))
    assert "1 runs done, 0 already done, 0 failed, of 1" in captured.out
    assert cli.main(["experiment", str(spec), "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "0 runs done, 1 already done" in captured.out


# --------------------------------------------------------------------------- design size
HUGE_GRID = (
    BASE
    + """
    [design]
    method = "grid"
    """
    + "".join(
        f"""
    [parameters."{key}"]
    values = [{", ".join(str(low + step * i) for i in range(100))}]
    """
        for key, low, step in (
            ("burnout.recovery_rate", 0.01, 0.0001),
            ("burnout.rise_rate", 0.1, 0.001),
            ("exits.intent_pay", -2.0, 0.01),
            ("search.choice_set_size", 1, 1),
        )
    )
)


def test_a_grid_of_1e8_points_is_refused_at_once_with_its_size(tmp_path):
    spec = write_spec(tmp_path, HUGE_GRID)
    started = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        load_experiment(spec)
    assert time.perf_counter() - started < 20
    message = str(caught.value)
    assert "the design has 200,000,000 runs (1 scenario x 100,000,000 design points x 2" in message
    assert "CPU-days at 2 months a run" in message
    assert "over the limit of 100,000 runs (the default limit)" in message
    assert "experiment.max_runs" in message
    assert "--max-runs" in message
    assert "\n" not in message


def test_a_latin_hypercube_of_1e6_points_is_refused_at_once(tmp_path):
    spec = write_spec(
        tmp_path,
        BASE
        + """
        [design]
        method = "latin"
        samples = 1000000

        [parameters."burnout.recovery_rate"]
        low = 0.03
        high = 0.08
        """,
    )
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="the design has 2,000,000 runs"):
        load_experiment(spec)
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize(
    ("design", "runs"),
    [
        ('method = "grid"', 3 * 2),
        ('method = "latin"\nsamples = 5', 5 * 2),
        ('method = "morris"\nsamples = 3', 3 * 3 * 2),
        ('method = "sobol"\nsamples = 4', 4 * 4 * 2),
        ('method = "sobol"\nsamples = 4\nsecond_order = true', 4 * 6 * 2),
    ],
)
def test_the_limit_counts_the_runs_the_design_expands_to(tmp_path, design, runs):
    grid = "grid" in design
    text = (
        BASE.replace("replicates = 2", "replicates = 2\nmax_runs = {limit}")
        + f"\n[design]\n{design}\n"
        + '[parameters."burnout.recovery_rate"]\n'
        + ("values = [0.04, 0.06, 0.08]\n" if grid else "low = 0.03\nhigh = 0.08\n")
        + '[parameters."exits.intent_pay"]\n'
        + ("values = [-1.0]\n" if grid else "low = -2.0\nhigh = -0.5\n")
    )
    accepted = load_experiment(write_spec(tmp_path, text.format(limit=runs), "fits.toml"))
    assert len(accepted.runs) == runs
    with pytest.raises(ConfigError, match=f"the design has {runs:,} runs.*limit of {runs - 1:,}"):
        load_experiment(write_spec(tmp_path, text.format(limit=runs - 1), "over.toml"))
    # The command line's limit wins over the spec's.
    assert len(load_experiment(tmp_path / "over.toml", max_runs=runs).runs) == runs


def test_raising_the_limit_does_not_change_the_experiment(tmp_path):
    plain = load_experiment(write_spec(tmp_path, BASE, "plain.toml"))
    raised = load_experiment(
        write_spec(tmp_path, BASE.replace("replicates = 2", "replicates = 2\nmax_runs = 9"))
    )
    assert raised.hash == plain.hash


def test_cli_refuses_a_design_over_max_runs_with_exit_2(tmp_path, capsys):
    spec = write_spec(tmp_path, BASE)
    out = tmp_path / "results"
    status = cli.main(["experiment", str(spec), "--out", str(out), "--max-runs", "1"])
    captured = capsys.readouterr()
    assert status == 2
    assert "the design has 2 runs" in captured.err
    assert "over the limit of 1 runs (--max-runs 1)" in captured.err
    assert captured.err.count("\n") == 1
    assert not out.exists()


# ------------------------------------------------------------------ levers in the run window
LATE_LEVER = """
[experiment]
name = "late_lever"
months = 2
seed = 11
replicates = 1

[scenarios]
baseline = "baseline"
zero_hours_ban = "scenarios/zero_hours_ban"

[outcomes]
window_months = 1
summary = ["headcount", "vacancy_rate"]
series = []
flows = false
metrics = false
"""


def test_a_scenario_lever_that_never_acts_in_the_run_is_warned_of(tmp_path, capsys):
    spec = write_spec(tmp_path, LATE_LEVER)
    status = cli.main(["experiment", str(spec), "--out", str(tmp_path / "out"), "--quiet"])
    assert status == 0
    err = capsys.readouterr().err
    assert "wfabm: warning: scenario zero_hours_ban: policy.zero_hours.start" in err
    assert "never acts in this run" in err
    assert "scenario baseline" not in err


def test_dry_run_tells_the_runs_the_cost_and_each_lever_and_writes_nothing(tmp_path, capsys):
    spec = write_spec(tmp_path, LATE_LEVER)
    out = tmp_path / "out"
    status = cli.main(["experiment", str(spec), "--out", str(out), "--dry-run", "--months", "60"])
    assert status == 0
    text = capsys.readouterr().out
    assert "2 runs = 2 scenario(s) x 1 design point(s) x 1 replicate(s), 60 months" in text
    assert "estimated time: about" in text
    # The ban starts in 2026-04: month 49 of a run from 2022-04.
    assert "policy.zero_hours.start: acts from 2026-04, month 49 of 60" in text
    assert not out.exists()
    cli.main(["experiment", str(spec), "--out", str(out), "--dry-run"])
    assert "policy.zero_hours.start: NEVER acts" in capsys.readouterr().out


# ------------------------------------------------------------ shrinking from the command line
def test_months_and_replicates_from_the_command_line_make_another_experiment(tmp_path):
    spec = write_spec(tmp_path, BASE + '\n[outcomes]\nwindow_months = 2\nsummary = ["headcount"]\n')
    full = load_experiment(spec)
    short = load_experiment(spec, months=1, replicates=1)
    assert (short.months, len(short.runs), len(full.runs)) == (1, 1, 2)
    assert short.outcomes["window_months"] == 1
    assert short.spec["experiment"]["command_line"] == {"months": 1, "replicates": 1}
    assert short.hash != full.hash
    assert load_experiment(spec, months=1, replicates=1).hash == short.hash
    # Without the options the spec and its hash are as before.
    assert "command_line" not in full.spec["experiment"]
    from wfabm.batch.experiment import results_folder

    assert results_folder(short) == Path("results") / "tiny_months-1_replicates-1"
    assert results_folder(full) == Path("results") / "tiny"


def test_a_shortened_run_resumes_only_with_the_same_options(tmp_path, capsys):
    spec = write_spec(tmp_path, LATE_LEVER)
    out = str(tmp_path / "out")
    assert cli.main(["experiment", str(spec), "--out", out, "--months", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert cli.main(["experiment", str(spec), "--out", out, "--months", "1", "--quiet"]) == 0
    assert "0 runs done, 2 already done" in capsys.readouterr().out
    assert cli.main(["experiment", str(spec), "--out", out, "--quiet"]) == 2


def test_bad_months_on_the_command_line_is_a_clear_error(tmp_path, capsys):
    spec = write_spec(tmp_path, LATE_LEVER)
    assert cli.main(["experiment", str(spec), "--months", "0", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "--months" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- rerun
def test_rerun_reproduces_a_stored_run_and_shows_what_differs(tmp_path, capsys):
    import polars as pl

    spec = write_spec(tmp_path, LATE_LEVER)
    out = tmp_path / "out"
    assert cli.main(["experiment", str(spec), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    run = "zero_hours_ban/sample-00000_replicate-0000"
    assert cli.main(["experiment", "rerun", str(out), run]) == 0
    assert "identical" in capsys.readouterr().out
    stored = next(out.glob("runs/*/scenario=zero_hours_ban/*.parquet"))
    table = pl.read_parquet(stored)
    table.with_columns(pl.col("value") * 1.01).write_parquet(stored)
    assert cli.main(["experiment", "rerun", str(out), run]) == 1
    text = capsys.readouterr().out
    assert "DIFFERS" in text
    assert "value" in text
    assert cli.main(["experiment", "rerun", str(out), "nope/sample-00000_replicate-0000"]) == 2
    assert "names no run of this folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- specs copied elsewhere
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_a_shipped_spec_copied_with_its_folder_elsewhere_is_the_same_experiment(path, tmp_path):
    # A researcher copies a spec (and the scenario files beside it) to a folder of their own.
    copy = tmp_path / "mine"
    shutil.copytree(path.parent / "scenarios", copy / "scenarios")
    shutil.copy(path, copy / path.name)
    assert load_experiment(copy / path.name).hash == load_experiment(path).hash


def test_the_policy_comparison_spec_copied_alone_finds_its_scenarios(tmp_path):
    path = REPOSITORY / "experiments" / "policy_comparison.toml"
    shutil.copy(path, tmp_path / path.name)
    assert load_experiment(tmp_path / path.name).hash == load_experiment(path).hash


def test_scenario_paths_are_relative_to_the_spec_not_to_the_current_folder(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # A config of the same name in the folder the command runs from must not be taken.
    (elsewhere / "pay.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    study = tmp_path / "study"
    study.mkdir()
    spec = write_spec(study, BASE + 'pay = "pay.toml"\n')
    monkeypatch.chdir(elsewhere)
    with pytest.raises(ConfigError, match=r"scenarios.pay = \"pay.toml\": there is no such"):
        load_experiment(spec)
    (study / "pay.toml").write_text('extends = "baseline"\n', encoding="utf-8")
    assert load_experiment(spec).scenarios["pay"].source == study / "pay.toml"
