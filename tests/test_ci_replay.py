"""CI replays of the small experiments in ``experiments/ci/``.

Each spec is run afresh and its expected summary (:func:`wfabm.batch.analysis.expected_summary`)
compared with the checked-in ``experiments/ci/expected/<name>.csv`` within
:data:`wfabm.batch.analysis.EXPECTED_TOLERANCE`. A change that moves the model's results fails
here with a table of what moved; if the move is intended, regenerate the files with
``experiments/ci/update-expected`` and commit them with the change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wfabm.batch.analysis import analyse, check_expected
from wfabm.batch.experiment import load_experiment, run_experiment

CI = Path(__file__).resolve().parent.parent / "experiments" / "ci"
SPECS = sorted(CI.glob("*.toml"))


def test_every_replay_has_an_expected_summary():
    assert SPECS
    assert sorted(p.stem for p in (CI / "expected").glob("*.csv")) == [p.stem for p in SPECS]


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_replayed_experiment_matches_its_expected_summary(spec, tmp_path):
    outcome = run_experiment(load_experiment(spec), tmp_path / "results", workers=2)
    assert not outcome.failed
    report = analyse(tmp_path / "results")
    moved = check_expected(report, CI / "expected" / f"{spec.stem}.csv")
    assert not moved, (
        f"{moved}\nIf this change is meant to move the results, run "
        "experiments/ci/update-expected and commit the new expected files."
    )
