"""Tests for the wfabm command line, with a stand-in schema, baseline and runner."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest

from wfabm.cli import commands as cli
from wfabm.config import ConfigError
from wfabm.config import loading as config_module
from wfabm.core.schema import Param

REPO = Path(__file__).resolve().parents[1]

SCHEMA = {
    "run": {"months": Param("int", "months", 1, 600), "seed": Param("int", "seed", 0, 2**63 - 1)},
    "burnout": {"recovery_rate": Param("float", "share per month", 0.0, 1.0)},
}

BASELINE = "[run]\nmonths = 24\nseed = 7\n\n[burnout]\nrecovery_rate = 0.2\n"
# The packaged ones, before the fixture below stands in for them.
REAL_BASELINE = config_module.baseline_path
REAL_SCHEMA = config_module.default_schema


@pytest.fixture(autouse=True)
def small_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point "baseline" and the default schema at test versions, and work in tmp_path."""
    baseline = tmp_path / "baseline.toml"
    baseline.write_text(BASELINE, encoding="utf-8")
    monkeypatch.setattr(config_module, "baseline_path", lambda: baseline)
    monkeypatch.setattr(config_module, "default_schema", lambda: SCHEMA)
    monkeypatch.chdir(tmp_path)
    return baseline


@pytest.fixture
def bad_config(tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text('extends = "baseline"\n[burnout]\nrecovery_rate = 1.7\n', encoding="utf-8")
    return path


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Install a stand-in wfabm.batch.run that records its calls."""
    calls: list[dict] = []

    class Result:
        def summary_text(self) -> str:
            return "summary: all good"

    def run_to_directory(config, *, seed, months, out, progress):
        calls.append(
            {"config": config, "seed": seed, "months": months, "out": out, "progress": progress}
        )
        return Result()

    stub_runner(monkeypatch, run_to_directory)
    return calls


def stub_runner(monkeypatch: pytest.MonkeyPatch, run_to_directory) -> None:
    """Stand in for wfabm.batch.run: its folder checks pass and ``run_to_directory`` runs."""
    module = types.ModuleType("wfabm.batch.run")
    module.run_to_directory = run_to_directory
    module.results_folder = lambda config, seed, out=None: Path(out or "results")
    module.check_results_folder = lambda out: out
    monkeypatch.setitem(sys.modules, "wfabm.batch.run", module)


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("wfabm: error: ")
    assert "Traceback" not in err
    return lines[0]


def test_check_prints_the_resolved_config(capsys: pytest.CaptureFixture[str]) -> None:
    Path("child.toml").write_text('extends = "baseline"\n[run]\nseed = 3\n', encoding="utf-8")
    assert cli.main(["check", "child.toml"]) == 0
    out = capsys.readouterr().out
    header, _, body = out.partition("\n")
    assert header.startswith("# wfabm config merged from baseline.toml, child.toml")
    config = config_module.load_config("child.toml")
    assert header.endswith(f"hash {config.hash}")
    assert tomllib.loads(out) == config.data
    assert tomllib.loads(body)["run"]["seed"] == 3


def test_check_bad_config_is_one_error_line(
    bad_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", str(bad_config)]) == 2
    line = error_line(capsys)
    assert line == (
        "wfabm: error: bad.toml: burnout.recovery_rate = 1.7 is out of range; "
        "allowed: a number from 0 to 1 (share per month)."
    )


def test_check_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "nope.toml"]) == 2
    assert error_line(capsys) == (
        "wfabm: error: no such config file: nope.toml (looked in the current directory); "
        'pass a path to a .toml file or "baseline".'
    )


def test_module_entry_point_reports_errors_without_traceback(tmp_path: Path) -> None:
    # A malformed file fails before any schema is needed, so the real one is not involved.
    bad = tmp_path / "broken.toml"
    bad.write_text("[run]\nmonths = = 3\n", encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "wfabm", "check", str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("wfabm: error: broken.toml: malformed TOML at line 2, column ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


def test_run_with_bad_config_writes_nothing(
    bad_config: Path, tmp_path: Path, runner: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["run", str(bad_config), "--out", str(out)]) == 2
    error_line(capsys)
    assert not out.exists()
    assert runner == []


def test_run_passes_config_defaults_to_the_runner(
    runner: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run"]) == 0
    assert capsys.readouterr().out == "summary: all good\n"
    (call,) = runner
    assert call["config"].source == "baseline"
    assert (call["seed"], call["months"], call["out"], call["progress"]) == (7, 24, None, True)


def test_run_options_override_config(runner: list[dict]) -> None:
    argv = ["run", "baseline", "--seed", "0", "--months", "3", "--out", "x", "--quiet"]
    assert cli.main(argv) == 0
    (call,) = runner
    assert (call["seed"], call["months"], call["out"], call["progress"]) == (0, 3, "x", False)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--seed", "abc"],
        ["run", "--seed", "-1"],
        ["run", "--seed", "1.5"],
        ["run", "--months", "0"],
        ["run", "--bogus"],
        ["check"],
        ["explode"],
        [],
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], runner: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    error_line(capsys)
    assert runner == []


def test_bad_seed_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--seed", "abc"]) == 2
    assert error_line(capsys) == (
        'wfabm: error: --seed="abc" has the wrong type (a string) for run.seed; '
        "allowed: a whole number from 0 to 9223372036854775807 (seed)."
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["run", "--months", "1000000000"],
            "--months=1000000000 is out of range for run.months; "
            "allowed: a whole number from 1 to 600 (months).",
        ),
        (
            ["run", "--months", "-5"],
            "--months=-5 is out of range for run.months; "
            "allowed: a whole number from 1 to 600 (months).",
        ),
        (
            ["run", "--seed", str(2**70)],
            f"--seed={2**70} is out of range for run.seed; "
            "allowed: a whole number from 0 to 9223372036854775807 (seed).",
        ),
        (
            ["compare", "baseline", "baseline", "--months", "2.5"],
            "--months=2.5 has the wrong type (a number) for run.months; "
            "allowed: a whole number from 1 to 600 (months).",
        ),
    ],
)
def test_options_mapped_to_config_keys_are_checked_as_those_keys(
    argv: list[str],
    expected: str,
    runner: list[dict],
    comparer: list[tuple],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(argv) == 2
    assert error_line(capsys) == f"wfabm: error: {expected}"
    assert runner == []
    assert comparer == []


def test_option_limits_follow_the_config_schema(
    monkeypatch: pytest.MonkeyPatch, runner: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    narrow = {**SCHEMA, "run": {**SCHEMA["run"], "months": Param("int", "months", 1, 30)}}
    monkeypatch.setattr(config_module, "default_schema", lambda: narrow)
    assert cli.main(["run", "--months", "31"]) == 2
    assert "allowed: a whole number from 1 to 30 (months)" in error_line(capsys)
    assert cli.main(["run", "--months", "30"]) == 0
    assert runner[0]["months"] == 30


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["compare", "baseline", "baseline", "--seeds", "0"],
            "--seeds=0 is out of range; allowed: a whole number from 1 to 10000 (seeds).",
        ),
        (
            ["compare", "baseline", "baseline", "--workers", "100000"],
            "--workers=100000 is out of range; allowed: a whole number from 1 to 1024 (processes).",
        ),
        (
            ["dashboard", "--port", "70000"],
            "--port=70000 is out of range; allowed: a whole number from 1 to 65535 (port).",
        ),
        (
            ["experiment", "spec.toml", "--engine", "dusk"],
            '--engine="dusk" is not one of the allowed choices; did you mean "dask"? '
            'Allowed: one of "local", "dask".',
        ),
        (
            ["calibrate", "--budget", "1e3"],
            "--budget=1000.0 has the wrong type (a number); "
            "allowed: a whole number from 1 to 100000 (candidates).",
        ),
        (
            ["report", "calibrashun"],
            'KIND="calibrashun" is not one of the allowed choices; did you mean "calibration"? '
            'Allowed: one of "calibration".',
        ),
        (
            ["run", "--out", "a\x00b"],
            '--out="a\\u0000b" is not a usable path (it holds a NUL character); '
            "allowed: a path (folder).",
        ),
        (
            ["dashboard", "--host", ""],
            '--host="" is not a usable name (it is empty); '
            "allowed: a name (a host name or IP address).",
        ),
        (
            ["check", ""],
            'CONFIG="" is not a usable path (it is empty); '
            'allowed: a path (a .toml file or "baseline").',
        ),
    ],
)
def test_every_option_goes_through_the_schema(
    argv: list[str],
    expected: str,
    runner: list[dict],
    comparer: list[tuple],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(argv) == 2
    assert error_line(capsys) == f"wfabm: error: {expected}"
    assert runner == []
    assert comparer == []


def test_config_error_from_the_runner_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run_to_directory(config, **kwargs):
        raise ConfigError("policy starts after the run ends.", file="baseline.toml")

    stub_runner(monkeypatch, run_to_directory)
    assert cli.main(["run"]) == 2
    assert error_line(capsys) == "wfabm: error: baseline.toml: policy starts after the run ends."


def test_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run_to_directory(config, **kwargs):
        raise KeyboardInterrupt

    stub_runner(monkeypatch, run_to_directory)
    assert cli.main(["run"]) == 130
    err = capsys.readouterr().err
    assert err == "wfabm: interrupted\n"


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    assert "run" in capsys.readouterr().out
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("wfabm ")


@pytest.fixture
def comparer(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Install a stand-in wfabm.batch.compare that records its calls."""
    calls: list[tuple] = []

    class Comparison:
        def text(self, out) -> str:
            return f"comparison, files in {out}"

    def compare_configs(baseline, scenario, **options):
        if options["progress"] is not None:
            options["progress"](0, 2)
            options["progress"](2, 2)
        calls.append(("compare", baseline, scenario, options))
        return Comparison()

    def write_comparison(comparison, out):
        calls.append(("write", out))
        return out

    module = types.ModuleType("wfabm.batch.compare")
    module.check_out = lambda out: calls.append(("check", out))
    module.compare_configs = compare_configs
    module.write_comparison = write_comparison
    module.write_comparison_json = lambda comparison, path: calls.append(("json", path))
    monkeypatch.setitem(sys.modules, "wfabm.batch.compare", module)
    return calls


def test_compare_passes_config_defaults(
    comparer: list[tuple], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "always")
    Path("child.toml").write_text('extends = "baseline"\n[run]\nseed = 3\n', encoding="utf-8")
    assert cli.main(["compare", "baseline", "child.toml"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "comparison, files in None\n"
    # The bar is redrawn in place and ends its line with the final count.
    assert captured.err.startswith("\r  compare: ")
    assert captured.err.endswith("\n")
    assert captured.err.count("\n") == 1
    assert (
        captured.err.rstrip()
        .rsplit("\r", 1)[-1]
        .startswith("  compare: |########################| 2/2 runs")
    )
    ((_, baseline, scenario, options),) = comparer
    assert (baseline.source, scenario.name) == ("baseline", "child")
    # Seeds and months come from the baseline, not the scenario.
    assert {key: value for key, value in options.items() if key != "progress"} == {
        "seeds": 10,
        "months": 24,
        "root_seed": 7,
        "workers": 1,
        "ensemble": None,
    }


def test_compare_progress_is_quiet_when_stderr_is_not_a_terminal(
    comparer: list[tuple], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WFABM_PROGRESS", raising=False)
    assert cli.main(["compare", "baseline", "baseline", "--seeds", "2"]) == 0
    assert capsys.readouterr().err == ""


def test_a_bad_progress_setting_stops_the_command_before_any_run(
    comparer: list[tuple], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "yes")
    assert cli.main(["compare", "baseline", "baseline", "--seeds", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith('wfabm: error: WFABM_PROGRESS="yes" is not one of the allowed choices')
    assert len(err.splitlines()) == 1
    assert [call[0] for call in comparer] == []


def test_compare_options(comparer: list[tuple], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compare", "baseline", "baseline", "--seeds", "3", "--months", "5", "--seed", "0"]
    argv += ["--workers", "4", "--out", "cmp", "--quiet"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().err == ""
    check, (_, _, _, options), write = comparer
    assert check == ("check", "cmp")
    assert write == ("write", "cmp")
    assert options == {
        "seeds": 3,
        "months": 5,
        "root_seed": 0,
        "workers": 4,
        "progress": None,
        "ensemble": None,
    }


@pytest.mark.parametrize(
    "extra",
    [
        ["--seeds", "0"],
        ["--seeds", "two"],
        ["--months", "0"],
        ["--workers", "0"],
        ["--seed", "-1"],
    ],
)
def test_compare_usage_errors(
    extra: list[str], comparer: list[tuple], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["compare", "baseline", "baseline", *extra]) == 2
    assert error_line(capsys).startswith(f"wfabm: error: {extra[0]}=")
    assert comparer == []


@pytest.mark.parametrize("argv", [["compare", "baseline"], ["compare", "a", "b", "--bogus"]])
def test_compare_bad_arguments(
    argv: list[str], comparer: list[tuple], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    error_line(capsys)
    assert comparer == []


@pytest.mark.parametrize("which", [0, 1])
def test_compare_bad_config_fails_before_running(
    which: int, bad_config: Path, comparer: list[tuple], capsys: pytest.CaptureFixture[str]
) -> None:
    configs = ["baseline", "baseline"]
    configs[which] = str(bad_config)
    assert cli.main(["compare", *configs, "--out", "cmp"]) == 2
    assert "recovery_rate = 1.7 is out of range" in error_line(capsys)
    assert comparer == []
    assert not Path("cmp").exists()


def test_run_warns_of_a_lever_that_never_acts_in_the_run(
    monkeypatch: pytest.MonkeyPatch, runner: list[dict], capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(config_module, "baseline_path", REAL_BASELINE)
    monkeypatch.setattr(config_module, "default_schema", REAL_SCHEMA)
    Path("ban.toml").write_text(
        'extends = "baseline"\n[policy.zero_hours]\nban = true\nstart = "2026-04"\n',
        encoding="utf-8",
    )
    assert cli.main(["run", "ban.toml", "--months", "12", "--quiet"]) == 0
    assert capsys.readouterr().err == (
        "wfabm: warning: ban.toml: policy.zero_hours.start: the lever first acts in 2026-04, "
        "after the run's last month (2023-03), so it never acts in this run; start it earlier or "
        "run longer.\n"
    )
    assert runner[0]["months"] == 12
    # A run long enough to reach the ban says nothing.
    assert cli.main(["run", "ban.toml", "--months", "49", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_a_path_the_file_system_cannot_hold_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyse", "a" * 300]) == 2
    assert error_line(capsys) == (
        f'wfabm: error: DIR="{"a" * 56}... is not a usable path (a name in it is longer than '
        "255 bytes); allowed: a path (folder)."
    )
