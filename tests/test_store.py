"""Tests of wfabm.store: run files, resume after a kill, failed runs, the manifest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from wfabm.compare import monthly_outcomes, summarise_run
from wfabm.config import ConfigError
from wfabm.experiment import load_experiment, run_experiment
from wfabm.store import RUN_SCHEMA, ResultsStore, read_runs, write_file_atomically

SPEC = """
[experiment]
name = "resume"
months = 3
seed = 21
replicates = 3

[scenarios]
baseline = "baseline"
zero_hours_ban = "scenarios/zero_hours_ban"

[outcomes]
window_months = 2
summary = ["headcount", "vacancy_rate", "leaver_rate", "burnout"]
series = ["vacancy_rate", "headcount"]
sectors = ["wales", "independent"]
roles = ["all", "care_worker"]
flows = true
metrics = false
"""

FAILING = """
[experiment]
name = "failing"
months = 2
seed = 4
replicates = 1

[scenarios]
baseline = "baseline"

[design]
method = "grid"

# More registered managers than the workforce holds: the population cannot be built.
[parameters."workforce.headcount.registered_manager"]
values = [2670, 900000]

[outcomes]
summary = ["headcount"]
series = []
flows = false
metrics = false
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "resume.toml"
    path.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uninterrupted(spec, tmp_path_factory) -> pl.DataFrame:
    out = tmp_path_factory.mktemp("whole") / "results"
    outcome = run_experiment(load_experiment(spec), out)
    assert outcome.finished == 6
    return read_runs(out)


def run_files(out: Path) -> list[Path]:
    return sorted((out / "runs").rglob("*.parquet"))


def test_run_files_hold_what_the_spec_keeps(spec, tmp_path):
    experiment = load_experiment(spec)
    out = tmp_path / "results"
    run_experiment(experiment, out)
    files = run_files(out)
    assert [f.relative_to(out).parts[:3] for f in files[:1]] == [
        ("runs", "experiment=resume", "scenario=baseline")
    ]
    table = pl.read_parquet(files[0])
    assert table.schema == pl.Schema(RUN_SCHEMA)
    assert set(table["kind"]) == {"summary", "series", "flows"}
    series = table.filter(pl.col("kind") == "series")
    assert set(series["outcome"]) == {"vacancy_rate", "headcount"}
    assert set(series["sector"]) == {"wales", "independent"}
    assert series["month"].n_unique() == 3
    # The stored rows are the model's own summaries of the same run.
    from wfabm.runner import run_model

    run = experiment.runs[0]
    model, _ = run_model(run.config, seed=run.seed, months=3)
    expected = summarise_run(model.metrics, 2).filter(
        pl.col("outcome").is_in(["headcount", "vacancy_rate", "leaver_rate", "burnout"])
    )
    stored = table.filter(pl.col("kind") == "summary").select(expected.columns)
    assert_frame_equal(stored, expected)
    monthly = monthly_outcomes(model.metrics).filter(
        (pl.col("sector") == "wales")
        & (pl.col("role") == "all")
        & (pl.col("outcome") == "headcount")
    )
    assert (
        series.filter(
            (pl.col("sector") == "wales")
            & (pl.col("role") == "all")
            & (pl.col("outcome") == "headcount")
        )["value"].to_list()
        == monthly["value"].to_list()
    )
    moved = model.flows.filter(pl.col("month") >= model.flows["month"].unique().sort()[1])
    assert table.filter(pl.col("kind") == "flows")["value"].sum() == moved["count"].sum()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["hash"] == experiment.hash
    assert manifest["seeds"] == list(experiment.seeds)
    assert set(manifest["configs"]) == {"baseline", "zero_hours_ban"}
    assert manifest["package_versions"]["numpy"]
    assert len(manifest["timings"]) == 6
    assert manifest["sessions"][0]["runs_finished"] == 6


def test_a_killed_experiment_resumes_with_nothing_lost_or_duplicated(spec, uninterrupted, tmp_path):
    out = tmp_path / "results"
    command = [sys.executable, "-m", "wfabm", "experiment", str(spec), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while len(run_files(out)) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, "the experiment ended before it could be killed"
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    done_before = len(run_files(out))
    assert 2 <= done_before < 6
    result = subprocess.run(
        [*command, "--quiet"], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert f"{6 - done_before} runs done, {done_before} already done" in result.stdout
    assert len(run_files(out)) == 6
    assert not [p for p in out.rglob(".*") if p.is_file()]
    resumed = read_runs(out)
    assert resumed.select("scenario", "sample", "replicate").unique().height == 6
    assert_frame_equal(resumed, uninterrupted)
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert len(sessions) == 2
    assert sessions[1]["runs_skipped"] == done_before


def test_a_failing_run_is_recorded_retried_once_and_the_rest_go_on(tmp_path, capsys):
    path = tmp_path / "failing.toml"
    path.write_text(textwrap.dedent(FAILING), encoding="utf-8")
    experiment = load_experiment(path)
    out = tmp_path / "results"
    outcome = run_experiment(experiment, out)
    assert outcome.finished == 1
    assert outcome.failed == ("baseline/sample-00001_replicate-0000",)
    assert [f.name for f in run_files(out)] == ["sample-00000_replicate-0000.parquet"]
    store = ResultsStore(out, experiment)
    [record] = store.failures()
    assert record["attempts"] == 2
    assert record["sample"] == 1
    assert record["seed"] == experiment.seeds[0]
    assert "named roles exceed the sector totals" in record["error"]
    assert "Traceback" in record["traceback"]
    # Running again retries only the failed run; the finished one is kept.
    again = run_experiment(experiment, out)
    assert (again.skipped, again.finished, len(again.failed)) == (1, 0, 1)
    assert "retries them" in again.text()


def test_results_of_a_half_written_file_never_count(tmp_path):
    target = tmp_path / "run.parquet"

    def interrupted(path: Path) -> None:
        path.write_bytes(b"PAR1 half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_file_atomically(target, interrupted)
    assert list(tmp_path.iterdir()) == []
    write_file_atomically(target, lambda path: path.write_bytes(b"whole"))
    assert target.read_bytes() == b"whole"


def test_reading_a_folder_without_runs_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="holds no run results"):
        read_runs(tmp_path)
