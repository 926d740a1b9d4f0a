"""Tests for the one progress display: what it shows, when it shows, and its setting."""

from __future__ import annotations

import io
import sys

import pytest
import tqdm.std

from wfabm.batch.progress import ProgressBar, pace, progress_shown
from wfabm.config import ConfigError


class Clock:
    """A stand-in for tqdm's clock, moved on by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(tqdm.std, "time", clock)
    return clock


def last_line(err: str) -> str:
    """The line as the terminal last showed it."""
    return err.rstrip("\n").rsplit("\r", 1)[-1]


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (2.5, "2.5 runs/s"),
        (0.2, "12.0 runs/min"),
        (1 / 192, "3.2 min/run"),
        (None, ""),
        (0.0, ""),
    ],
)
def test_pace_reads_in_the_largest_sensible_unit(rate: float | None, text: str) -> None:
    assert pace(rate, "run", "runs") == text


def test_the_bar_shows_count_rate_time_left_and_note(
    clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "always")
    with ProgressBar("compare", "run") as bar:
        bar.update_to(0, 10)
        clock.now += 20.0
        bar.update_to(4, 10, note="seed 4")
    err = capsys.readouterr().err
    # 4 runs in 20 s: 12 runs a minute, and 6 runs left take 30 s.
    assert last_line(err) == (
        "  compare: |#########6              | 4/10 runs, 12.0 runs/min, 00:30 left, seed 4"
    )
    assert err.endswith("\n")
    assert err.count("\n") == 1


def test_work_from_before_counts_as_done_but_not_towards_the_rate(
    clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "always")
    with ProgressBar("grid", "run") as bar:
        bar.update_to(90, 100, before=90)
        clock.now += 60.0
        bar.update_to(91, 100)
    line = last_line(capsys.readouterr().err)
    # One run this session in a minute: 1 run/min, and 9 left take 9 minutes.
    assert "91/100 runs, 1.0 runs/min, 09:00 left" in line


def test_an_open_ended_count_shows_no_time_left(
    clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "always")
    with ProgressBar("calibrate", "candidate") as bar:
        bar.update_to(0, None)
        clock.now += 2.0
        bar.update_to(5, None, note="best objective 3.1")
    line = last_line(capsys.readouterr().err)
    assert line == "  calibrate: 5 candidates, 2.5 candidates/s, best objective 3.1"


def test_a_total_learnt_late_gives_the_bar_and_time_left(
    clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "always")
    with ProgressBar("calibrate", "candidate") as bar:
        bar.update_to(0, None)
        clock.now += 10.0
        bar.update_to(5, 10)
    assert "5/10 candidates, 30.0 candidates/min, 00:10 left" in last_line(capsys.readouterr().err)


@pytest.mark.parametrize("setting", [None, "", "auto", "never"])
def test_quiet_when_stderr_is_not_a_terminal_or_told_never(
    setting: str | None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if setting is None:
        monkeypatch.delenv("WFABM_PROGRESS", raising=False)
    else:
        monkeypatch.setenv("WFABM_PROGRESS", setting)
    assert not progress_shown()
    with ProgressBar("compare", "run") as bar:
        bar.update_to(1, 2)
    assert capsys.readouterr().err == ""


def test_shown_on_a_terminal_unless_told_never(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.delenv("WFABM_PROGRESS", raising=False)
    with ProgressBar("run", "month") as bar:
        bar.update_to(3, 12, note="2022-07")
    assert "3/12 months" in terminal.getvalue()
    monkeypatch.setenv("WFABM_PROGRESS", "never")
    assert not progress_shown()


def test_a_bar_closed_before_any_report_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "always")
    bar = ProgressBar("compare", "run")
    bar.close()
    bar.close()
    assert capsys.readouterr().err == ""


def test_a_bad_setting_is_refused_naming_the_variable_and_the_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WFABM_PROGRESS", "sometimes")
    with pytest.raises(ConfigError) as refused:
        ProgressBar("compare", "run")
    message = str(refused.value)
    assert message.startswith('WFABM_PROGRESS="sometimes" is not one of the allowed choices')
    assert '"always", "never", "auto"' in message


def test_a_bad_setting_stops_a_run_before_the_model_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wfabm.batch import run
    from wfabm.model import workforce

    built = []
    # run_model imports the model class when called, so the stand-in is put where it looks.
    monkeypatch.setattr(workforce, "WorkforceModel", lambda *args, **kwargs: built.append(args))
    monkeypatch.setenv("WFABM_PROGRESS", "loud")
    with pytest.raises(ConfigError, match="WFABM_PROGRESS"):
        run.run_model(None, seed=1, months=2, progress=True)
    assert built == []
