"""Tests of wfabm.batch.executor: identical results in every engine, batching, the SLURM recipe."""

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

import pytest
from polars.testing import assert_frame_equal

from wfabm.batch.executor import (
    batch_size,
    batches,
    load_cluster_settings,
    map_ordered,
    open_executor,
    slurm_cluster,
)
from wfabm.batch.experiment import check_results_folder, load_experiment, run_experiment
from wfabm.batch.store import read_runs
from wfabm.cli import commands as cli
from wfabm.config import ConfigError

REPOSITORY = Path(__file__).resolve().parent.parent

SPEC = """
[experiment]
name = "engines"
months = 3
seed = 99
replicates = 2

[scenarios]
baseline = "baseline"
zero_hours_ban = "scenarios/zero_hours_ban"

[design]
method = "grid"

[parameters."burnout.recovery_rate"]
values = [0.03, 0.09]

[outcomes]
window_months = 2
summary = ["headcount", "vacancy_rate", "leaver_rate", "burnout", "wage_bill"]
series = ["vacancy_rate"]
sectors = ["wales", "la"]
roles = ["all"]
flows = true
metrics = false
"""


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "engines.toml"
    path.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    return load_experiment(path)


@pytest.fixture(scope="module")
def serial(experiment, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "results"
    outcome = run_experiment(experiment, out, workers=1)
    assert outcome.finished == 8
    return read_runs(out)


def test_results_do_not_depend_on_the_parameters_that_differ(serial):
    # The grid's two recovery rates give different burnout on the same seeds.
    burnout = serial.filter(
        (serial["kind"] == "summary")
        & (serial["sector"] == "wales")
        & (serial["role"] == "all")
        & (serial["outcome"] == "burnout")
        & (serial["scenario"] == "baseline")
    )
    low = burnout.filter(burnout["sample"] == 0).sort("replicate")["value"].to_numpy()
    high = burnout.filter(burnout["sample"] == 1).sort("replicate")["value"].to_numpy()
    assert (high < low).all()


def test_two_local_workers_give_identical_results(experiment, serial, tmp_path):
    out = tmp_path / "results"
    run_experiment(experiment, out, engine="local", workers=2)
    assert_frame_equal(read_runs(out), serial)


def test_dask_local_cluster_gives_identical_results(experiment, serial, tmp_path):
    out = tmp_path / "results"
    outcome = run_experiment(experiment, out, engine="dask", workers=2)
    assert outcome.finished == 8
    assert_frame_equal(read_runs(out), serial)


def test_dask_local_workers_keep_mallocs_adaptive_threshold():
    # The nanny's default MALLOC_TRIM_THRESHOLD_ made every Dask run about twice as slow;
    # its other settings (one BLAS thread a worker) stay.
    with open_executor("dask", 2) as executor:
        trim = executor.submit(os.getenv, "MALLOC_TRIM_THRESHOLD_").result()
        blas = executor.submit(os.getenv, "OPENBLAS_NUM_THREADS").result()
    assert trim is None
    assert blas == "1"


def test_completion_order_does_not_matter(experiment, serial, tmp_path):
    # Runs done in reverse order, one at a time, as a resumed or unlucky session would.
    out = tmp_path / "results"
    for index in reversed(range(len(experiment.runs))):
        partial = dataclasses.replace(experiment, runs=(experiment.runs[index],))
        run_experiment(partial, out)
    assert_frame_equal(read_runs(out), serial)


def _slow_square(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value * value


@pytest.mark.parametrize("workers", [1, 2])
def test_results_are_handed_over_as_each_task_finishes(workers):
    arrived: list[tuple[int, int, float]] = []
    started = time.monotonic()
    with open_executor("local", workers) as executor:
        results = map_ordered(
            executor,
            _slow_square,
            [(1.5, 3), (0.0, 4)],
            on_result=lambda i, r: arrived.append((i, r, time.monotonic() - started)),
        )
    assert results == [9, 16]
    assert sorted((i, r) for i, r, _ in arrived) == [(0, 9), (1, 16)]
    if workers == 2:
        # The quick task is handed over before the slow one has finished.
        assert [i for i, _, _ in arrived] == [1, 0]
        assert arrived[0][2] < arrived[1][2] - 0.5


def test_batches_hold_short_runs_together_but_keep_workers_busy():
    assert batch_size(120, 200, 2) == 1
    assert batch_size(3, 8, 1) == 4
    assert batch_size(3, 8, 2) == 2
    assert batch_size(3, 1000, 4) == 8
    assert batch_size(120, 200, 2, requested=5) == 5
    assert [len(b) for b in batches(list(range(7)), 3)] == [3, 3, 1]


def test_an_unreachable_scheduler_is_a_clear_error(experiment, tmp_path, capsys):
    status = cli.main(
        [
            "experiment",
            str(experiment.source),
            "--engine",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--out",
            str(tmp_path / "results"),
            "--quiet",
        ]
    )
    assert status == 2
    assert "cannot reach a Dask scheduler" in capsys.readouterr().err


def test_the_shipped_slurm_recipe_gives_a_job_script_of_single_threaded_workers():
    settings = load_cluster_settings(REPOSITORY / "experiments" / "cluster" / "slurm.toml")
    cluster = slurm_cluster(settings, start=False)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert f"#SBATCH -p {settings['queue']}" in script
    assert f"#SBATCH -t {settings['walltime']}" in script
    assert f"#SBATCH -n 1\n#SBATCH --cpus-per-task={settings['cores']}" in script
    assert "distributed.cli.dask_worker" in script
    assert "--nthreads 1" in script
    assert f"--nworkers {settings['cores']}" in script
    for line in settings["job_script_prologue"]:
        assert line in script


def test_a_bad_cluster_file_is_refused(tmp_path):
    path = tmp_path / "slurm.toml"
    path.write_text('[slurm]\ncores = 0\nmemory = "4GB"\nwalltime = "01:00:00"\njobs = 1\n')
    with pytest.raises(ConfigError, match=r"slurm.cores = 0 is out of range"):
        load_cluster_settings(path)


# --------------------------------------------------------------------------- killed sessions
# Tasks of eight ten-year runs: a worker that outlived its parent would still be busy long
# after the bound the tests allow.
LONG_TASKS = """
[experiment]
name = "long_tasks"
months = 120
seed = 3
replicates = 16
batch_size = 8

[scenarios]
baseline = "baseline"

[outcomes]
summary = ["headcount"]
series = []
flows = false
metrics = false
"""


def descendants(root: int) -> set[int]:
    """Every process below ``root``, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Whether a process exists and has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def pool_workers(pids: set[int]) -> set[int]:
    workers = set()
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing.spawn" in command:
            workers.add(pid)
    return workers


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_pool_workers_end_with_a_killed_experiment(tmp_path, signum):
    spec = tmp_path / "long_tasks.toml"
    spec.write_text(textwrap.dedent(LONG_TASKS), encoding="utf-8")
    out = tmp_path / "results"
    command = [sys.executable, "-m", "wfabm", "experiment", str(spec), "--out", str(out)]
    # Files, not pipes: a surviving worker would hold a pipe open.
    stderr_file = tmp_path / "stderr.txt"
    with stderr_file.open("w") as stderr_sink:
        process = subprocess.Popen(
            [*command, "--workers", "2", "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=stderr_sink,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, stderr_file.read_text()
            workers = pool_workers(descendants(process.pid))
            time.sleep(0.1)
        assert len(workers) == 2
        everything = descendants(process.pid)
        # Let the workers start their first tasks.
        time.sleep(3)
        os.kill(process.pid, signum)
        process.wait(timeout=60)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in everything) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in everything if alive(pid)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    stderr = stderr_file.read_text()
    if signum == signal.SIGTERM:
        assert process.returncode == 128 + signal.SIGTERM
        assert "Traceback" not in stderr
        assert "interrupted" in stderr
        assert "run the same command again to resume" in stderr
        sessions = json.loads((out / "manifest.json").read_text())["sessions"]
        assert sessions[-1]["finished"] is not None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_worker_watching_its_parent_ends_when_the_parent_is_killed(tmp_path):
    # The fallback where PR_SET_PDEATHSIG is missing: the worker polls its parent's id.
    pid_file = tmp_path / "worker.pid"
    worker = (
        "import os, sys, time; from wfabm.batch.workerpool import die_with_parent; "
        "die_with_parent(int(sys.argv[1]), poll=True); "
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    )
    parent_code = (
        "import os, subprocess, sys, time; "
        f"subprocess.Popen([sys.executable, '-c', {worker!r}, str(os.getpid())]); time.sleep(120)"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.05)
        pid = int(pid_file.read_text())
        assert alive(pid)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(parent.pid, signal.SIGKILL)
        parent.wait()


def _default_sigint() -> None:
    # A shell without job control starts background commands with SIGINT ignored, and a
    # child inherits that; Ctrl-C at a terminal reaches a process that has not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_ctrl_c_stops_a_dask_experiment_within_seconds_and_keeps_it_resumable(tmp_path):
    spec = tmp_path / "long_tasks.toml"
    spec.write_text(textwrap.dedent(LONG_TASKS), encoding="utf-8")
    out = tmp_path / "results"
    command = [sys.executable, "-m", "wfabm", "experiment", str(spec), "--out", str(out)]
    stderr_file = tmp_path / "stderr.txt"
    with stderr_file.open("w") as stderr_sink:
        process = subprocess.Popen(
            [*command, "--engine", "dask", "--workers", "2", "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=stderr_sink,
            start_new_session=True,
            preexec_fn=_default_sigint,
        )
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, stderr_file.read_text()
            workers = pool_workers(descendants(process.pid))
            time.sleep(0.1)
        assert len(workers) == 2
        time.sleep(3)
        # Ctrl-C at a terminal signals the whole process group: the workers as well.
        os.killpg(process.pid, signal.SIGINT)
        stopped = time.monotonic()
        process.wait(timeout=30)
        assert time.monotonic() - stopped < 30
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    stderr = stderr_file.read_text()
    assert process.returncode == 130, stderr
    # No traceback of this process (a worker stopped while still importing may print its own).
    assert "wfabm/batch/" not in stderr
    assert "KeyboardInterrupt" not in stderr.split("\n")[-2]
    assert "run the same command again to resume" in stderr
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert sessions[-1]["interrupted"] is True
    # The folder takes the same experiment again: not locked, nor refused.
    assert check_results_folder(load_experiment(spec), out) == out


# --------------------------------------------------------------------------- a cluster that fails
SHORT = """
[experiment]
name = "short"
months = 2
seed = 5
replicates = 2

[scenarios]
baseline = "baseline"

[outcomes]
window_months = 1
summary = ["headcount"]
series = []
flows = false
metrics = false
"""


def _fake_slurm(tmp_path: Path, sbatch: str) -> dict[str, str]:
    """A PATH whose ``sbatch`` runs the given shell lines and whose ``scancel`` succeeds."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("sbatch", sbatch), ("scancel", "exit 0")):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        script.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def _run_on_cluster(tmp_path: Path, environment: dict[str, str], extra: str = "") -> tuple:
    spec = tmp_path / "short.toml"
    spec.write_text(textwrap.dedent(SHORT), encoding="utf-8")
    cluster = tmp_path / "slurm.toml"
    cluster.write_text(
        '[slurm]\ncores = 1\nmemory = "1GB"\nwalltime = "00:10:00"\njobs = 1\n' + extra,
        encoding="utf-8",
    )
    command = [
        *(sys.executable, "-m", "wfabm", "experiment", str(spec)),
        *("--out", str(tmp_path / "results"), "--engine", "dask"),
        *("--cluster", str(cluster), "--quiet"),
    ]
    started = time.monotonic()
    done = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=90, cwd=tmp_path
    )
    return done, time.monotonic() - started


def test_a_missing_submit_command_is_a_clear_error(tmp_path):
    environment = {**os.environ, "PATH": str(Path(sys.executable).parent) + ":/bin"}
    done, _ = _run_on_cluster(tmp_path, environment)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "sbatch" in done.stderr
    assert "PATH" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "results").exists()


def test_a_failing_submit_command_is_reported_not_waited_on(tmp_path):
    environment = _fake_slurm(tmp_path, "echo 'sbatch: error: invalid account' >&2\nexit 1")
    done, seconds = _run_on_cluster(tmp_path, environment)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "invalid account" in done.stderr
    assert seconds < 60


def test_jobs_that_never_start_workers_end_in_a_bounded_time(tmp_path):
    environment = _fake_slurm(tmp_path, "echo 'Submitted batch job 4242'")
    done, seconds = _run_on_cluster(tmp_path, environment, "worker_timeout = 5\n")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "no Dask worker" in done.stderr
    assert "4242" in done.stderr
    assert seconds < 60


def test_the_job_script_uses_the_prologues_python_and_keeps_malloc_adaptive(tmp_path):
    from wfabm.batch.cluster import MALLOC_PROLOGUE

    path = tmp_path / "slurm.toml"
    path.write_text(
        '[slurm]\ncores = 2\nmemory = "2GB"\nwalltime = "00:10:00"\n'
        "minimum_jobs = 0\nmaximum_jobs = 3\n"
        'job_script_prologue = ["source /opt/study/.venv/bin/activate"]\n',
        encoding="utf-8",
    )
    settings = load_cluster_settings(path)
    cluster = slurm_cluster(settings, start=False)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    lines = script.splitlines()
    activate = lines.index("source /opt/study/.venv/bin/activate")
    assert lines[activate + 1] == MALLOC_PROLOGUE
    # Not this machine's interpreter, whose path need not exist on the nodes.
    assert sys.executable not in script
    assert "\npython3 -m distributed.cli.dask_worker" in script
    assert settings["worker_timeout"] == 1800


def test_jobs_and_adaptive_scaling_are_exclusive(tmp_path):
    path = tmp_path / "slurm.toml"
    path.write_text(
        '[slurm]\ncores = 2\nmemory = "2GB"\nwalltime = "00:10:00"\njobs = 2\nmaximum_jobs = 3\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"give slurm.jobs .* or slurm.minimum_jobs"):
        load_cluster_settings(path)
