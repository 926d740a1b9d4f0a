"""Tests of wfabm.batch.store: run files, resume after a kill, failed runs, the manifest."""

from __future__ import annotations

import contextlib
import dataclasses
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

from wfabm.batch.atomic import write_atomically
from wfabm.batch.experiment import load_experiment, run_experiment
from wfabm.batch.store import RUN_SCHEMA, ResultsStore, read_runs
from wfabm.cli import commands as cli
from wfabm.config import ConfigError
from wfabm.outcomes.summary import monthly_outcomes, summarise_run

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
    from wfabm.batch.run import run_model

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
    assert "retries them" in again.failure_text()


def test_results_of_a_half_written_file_never_count(tmp_path):
    target = tmp_path / "run.parquet"

    def interrupted(path: Path) -> None:
        path.write_bytes(b"PAR1 half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(target, interrupted)
    assert list(tmp_path.iterdir()) == []
    write_atomically(target, lambda path: path.write_bytes(b"whole"))
    assert target.read_bytes() == b"whole"


def test_reading_a_folder_without_runs_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="holds no run results"):
        read_runs(tmp_path)


# --------------------------------------------------------------------------- failures
def test_cli_exits_1_with_a_summary_when_runs_fail_and_retries_them(tmp_path, capsys):
    path = tmp_path / "failing.toml"
    path.write_text(textwrap.dedent(FAILING), encoding="utf-8")
    out = tmp_path / "results"
    status = cli.main(["experiment", str(path), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert status == 1
    assert "1 runs done, 0 already done, 1 failed, of 2" in captured.out
    assert "1 run of 2 failed twice: baseline/sample-00001_replicate-0000" in captured.err
    assert "the first, baseline/sample-00001_replicate-0000: " in captured.err
    assert "named roles exceed the sector totals" in captured.err
    assert "running the same command again retries them" in captured.err
    assert "Traceback" not in captured.err
    # Run again: the failed run is tried again (and fails again), the finished one kept.
    assert cli.main(["experiment", str(path), "--out", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "0 runs done, 1 already done, 1 failed, of 2" in captured.out
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["runs_failed"] for s in sessions] == [1, 1]


def test_cli_exits_1_when_every_run_fails(tmp_path, capsys):
    path = tmp_path / "failing.toml"
    path.write_text(textwrap.dedent(FAILING).replace("[2670, 900000]", "[900000]"))
    status = cli.main(["experiment", str(path), "--out", str(tmp_path / "results"), "--quiet"])
    captured = capsys.readouterr()
    assert status == 1
    assert "0 runs done, 0 already done, 1 failed, of 1" in captured.out
    assert "1 run of 1 failed twice" in captured.err


# --------------------------------------------------------------------------- the lock
SLOWER = """
[experiment]
name = "locked"
months = 24
seed = 8
replicates = 4

[scenarios]
baseline = "baseline"

[outcomes]
summary = ["headcount"]
series = []
flows = false
metrics = false
"""


def test_a_second_session_on_the_same_folder_is_refused(tmp_path, capsys):
    path = tmp_path / "locked.toml"
    path.write_text(textwrap.dedent(SLOWER), encoding="utf-8")
    out = tmp_path / "results"
    command = [sys.executable, "-m", "wfabm", "experiment", str(path), "--out", str(out)]
    first = subprocess.Popen(
        [*command, "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (out / "manifest.json").is_file() and time.monotonic() < deadline:
            assert first.poll() is None, "the first session ended before the second began"
            time.sleep(0.05)
        status = cli.main(["experiment", str(path), "--out", str(out), "--quiet"])
        captured = capsys.readouterr()
        assert first.poll() is None, "the first session ended before the second was refused"
        assert status == 2
        assert captured.err.startswith("wfabm: error: --out ")
        assert "is in use by another `wfabm experiment` (process " in captured.err
        assert f"process {first.pid} on " in captured.err
        assert captured.err.count("\n") == 1
        assert first.wait(timeout=300) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert len(sessions) == 1
    assert sessions[0]["runs_finished"] == 4
    # The lock went with the first session: the folder can be resumed.
    assert cli.main(["experiment", str(path), "--out", str(out), "--quiet"]) == 0
    assert "0 runs done, 4 already done" in capsys.readouterr().out


# --------------------------------------------------------------------------- unwritable
@contextlib.contextmanager
def unwritable(folder: Path):
    """Make a folder refuse new files, even to root (``chattr +i``)."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not available here: {made.stderr.decode().strip()}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_an_unwritable_new_folder_is_refused_before_any_run(spec, tmp_path, capsys):
    parent = tmp_path / "locked-down"
    parent.mkdir()
    with unwritable(parent):
        status = cli.main(["experiment", str(spec), "--out", str(parent / "results"), "--quiet"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("wfabm: error: --out ")
    assert "cannot be written" in captured.err
    assert "nothing was run" in captured.err
    assert captured.err.count("\n") == 1
    assert list(parent.iterdir()) == []


def test_an_unwritable_run_folder_is_refused_before_any_run(spec, tmp_path, capsys):
    experiment = load_experiment(spec)
    out = tmp_path / "results"
    partial = dataclasses.replace(experiment, runs=experiment.runs[:1])
    run_experiment(partial, out)
    before = (out / "manifest.json").read_text()
    partition = run_files(out)[0].parent
    started = time.perf_counter()
    with unwritable(partition):
        status = cli.main(["experiment", str(spec), "--out", str(out), "--quiet"])
    captured = capsys.readouterr()
    assert status == 2
    assert "cannot be written" in captured.err
    assert "scenario=baseline" in captured.err
    assert time.perf_counter() - started < 10
    assert (out / "manifest.json").read_text() == before
    assert not (out / "failures").exists()


# --------------------------------------------------------------------------- damage
def test_a_damaged_manifest_is_a_clear_error(spec, tmp_path, capsys):
    out = tmp_path / "results"
    experiment = load_experiment(spec)
    run_experiment(dataclasses.replace(experiment, runs=experiment.runs[:1]), out)
    for damage in ('{"experiment": "resume", "hash"', "[]", '{"hash": "x"}'):
        (out / "manifest.json").write_text(damage)
        status = cli.main(["experiment", str(spec), "--out", str(out), "--quiet"])
        captured = capsys.readouterr()
        assert status == 2
        assert "manifest.json is damaged" in captured.err
        assert "Restore manifest.json" in captured.err
        assert "new --out folder" in captured.err
        assert captured.err.count("\n") == 1
        assert "Traceback" not in captured.err
        assert (out / "manifest.json").read_text() == damage
    assert len(run_files(out)) == 1


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        # Same size, one byte changed inside the data pages.
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])


@pytest.mark.parametrize(
    ("how", "checksum"),
    [("truncated", True), ("flipped", True), ("truncated", False)],
    ids=["truncated", "changed-byte", "truncated-after-the-last-manifest"],
)
def test_damaged_run_files_are_run_again_on_resume(spec, uninterrupted, tmp_path, how, checksum):
    experiment = load_experiment(spec)
    out = tmp_path / "results"
    run_experiment(experiment, out)
    damaged = [run_files(out)[1], run_files(out)[4]]
    for file in damaged:
        damage(file, how)
    if not checksum:
        # As after a session killed before it saved the manifest with these runs' checksums:
        # the files are read whole instead.
        manifest = json.loads((out / "manifest.json").read_text())
        for file in damaged:
            label = f"{file.parent.name.split('=')[1]}/{file.stem}"
            manifest.get("checksums", {}).pop(label, None)
        (out / "manifest.json").write_text(json.dumps(manifest))
    again = run_experiment(experiment, out)
    assert (again.finished, again.skipped) == (2, 4)
    assert sorted(again.repaired) == sorted(
        f"{file.parent.name.split('=')[1]}/{file.stem}" for file in damaged
    )
    assert "2 runs stored before were damaged and run again" in again.text()
    assert_frame_equal(read_runs(out), uninterrupted)
    # Sound files and checksums now: a further session has nothing to redo.
    assert run_experiment(experiment, out).skipped == 6


def test_reading_a_damaged_run_file_names_it(spec, tmp_path):
    experiment = load_experiment(spec)
    out = tmp_path / "results"
    run_experiment(dataclasses.replace(experiment, runs=experiment.runs[:2]), out)
    damage(run_files(out)[1], "truncated")
    with pytest.raises(ConfigError, match=r"sample-00000_replicate-0000.parquet is not a readable"):
        read_runs(out)


def test_analysing_a_folder_with_a_damaged_manifest_is_a_clear_error(spec, tmp_path, capsys):
    out = tmp_path / "results"
    experiment = load_experiment(spec)
    run_experiment(dataclasses.replace(experiment, runs=experiment.runs[:1]), out)
    (out / "manifest.json").write_text('{"experiment": "resume", "hash"')
    assert cli.main(["analyse", str(out)]) == 2
    captured = capsys.readouterr()
    assert "manifest.json is damaged: it cannot be read" in captured.err
    assert "Traceback" not in captured.err


# --------------------------------------------------------------------------- which code and spec
def test_the_manifest_names_the_commit_of_the_checkout_holding_the_spec(tmp_path):
    from wfabm.batch.provenance import commit_text
    from wfabm.batch.store import read_manifest

    study = tmp_path / "study"
    study.mkdir()
    spec = study / "spec.toml"
    spec.write_text(
        textwrap.dedent(
            """
            [experiment]
            name = "tracked"
            months = 1
            seed = 1
            replicates = 1

            [scenarios]
            baseline = "baseline"

            [outcomes]
            window_months = 1
            summary = ["headcount"]
            series = []
            flows = false
            metrics = false
            """
        ),
        encoding="utf-8",
    )
    git = ["git", "-C", str(study), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "spec.toml"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "the study"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    out = tmp_path / "results"
    run_experiment(load_experiment(spec), out)
    manifest = read_manifest(out)
    assert manifest["spec_checkout"] == {"commit": head, "dirty": False, "file": "spec.toml"}
    text = commit_text(manifest)
    assert f"spec spec.toml at commit {head[:12]}" in text
    assert "None" not in text
    assert "None" not in commit_text({**manifest, "git_commit": None})


# --------------------------------------------------------------------------- self-describing tables
def test_every_folder_gets_tables_pandas_and_polars_read_with_units_and_a_dictionary(tmp_path):
    import csv

    import pandas as pd
    import polars as pl
    import pyarrow.parquet as pq

    spec = tmp_path / "spec.toml"
    spec.write_text(
        textwrap.dedent(
            """
            [experiment]
            name = "described"
            months = 2
            seed = 3
            replicates = 2

            [scenarios]
            baseline = "baseline"

            [design]
            method = "grid"

            [parameters."burnout.recovery_rate"]
            values = [0.03, 0.09]

            [outcomes]
            window_months = 1
            summary = ["headcount", "vacancy_rate"]
            series = ["vacancy_rate"]
            sectors = ["wales"]
            roles = ["all"]
            flows = true
            metrics = false
            """
        ),
        encoding="utf-8",
    )
    out = tmp_path / "results"
    run_experiment(load_experiment(spec), out)
    tables = out / "tables"
    wide_pandas = pd.read_parquet(tables / "wide.parquet")
    wide = pl.read_parquet(tables / "wide.parquet")
    # One row per run: its scenario, sample, seed, parameter value and summary outcomes.
    assert wide.height == wide_pandas.shape[0] == 4
    assert wide.columns[:6] == [
        "experiment",
        "scenario",
        "sample",
        "replicate",
        "seed",
        "burnout.recovery_rate",
    ]
    assert sorted(wide["burnout.recovery_rate"].unique().to_list()) == [0.03, 0.09]
    summary = pl.read_parquet(tables / "summary.parquet")
    one = summary.filter(
        (pl.col("sample") == 1) & (pl.col("replicate") == 0) & (pl.col("sector") == "wales")
    )
    expected = one.filter(pl.col("role") == "all", pl.col("outcome") == "vacancy_rate")["value"]
    row = wide.filter((pl.col("sample") == 1) & (pl.col("replicate") == 0))
    assert row["vacancy_rate__wales__all"].to_list() == expected.to_list()
    assert set(summary["outcome"].unique()) == {"headcount", "vacancy_rate"}
    assert set(pl.read_parquet(tables / "series.parquet")["outcome"].unique()) == {"vacancy_rate"}
    assert "movers" in pl.read_parquet(tables / "flows.parquet").columns
    field = pq.read_schema(tables / "wide.parquet").field("vacancy_rate__wales__all")
    assert field.metadata[b"unit"] == b"fraction of funded posts"
    with (out / "data_dictionary.csv").open() as handle:
        described = {(row["table"], row["column"]) for row in csv.DictReader(handle)}
    for name in ("summary", "series", "flows", "wide"):
        columns = pl.read_parquet(tables / f"{name}.parquet").columns
        assert {(f"{name}.parquet", column) for column in columns} <= described
    # The folder with its tables is still the experiment's: it resumes.
    assert run_experiment(load_experiment(spec), out).skipped == 4
