"""Bayesian calibration by ABC-SMC: reproducible in any engine, resumable, read as an ensemble."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from wfabm.batch.ensemble import load_draws
from wfabm.calibration.abc import AbcSettings, Posterior, calibrate_posterior, write_posterior
from wfabm.calibration.fit import FREE_PARAMETERS
from wfabm.config import load_config

# Tiny on purpose: three particles of one-month runs test the machinery, not the fit.
TINY = AbcSettings(particles=3, generations=2, months=1, root_seed=5)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Posterior:
    folder = tmp_path_factory.mktemp("abc-two")
    return calibrate_posterior(load_config(), replace(TINY, workers=2), folder)


def test_the_same_settings_give_the_same_posterior_in_one_process(
    two_workers: Posterior, tmp_path: Path
) -> None:
    alone = calibrate_posterior(load_config(), replace(TINY, workers=1), tmp_path)
    assert np.array_equal(alone.values, two_workers.values)
    assert np.array_equal(alone.weights, two_workers.weights)
    assert alone.epsilons == two_workers.epsilons
    assert alone.runs == two_workers.runs


def test_a_resumed_calibration_continues_where_it_stopped(
    two_workers: Posterior, tmp_path: Path
) -> None:
    first = calibrate_posterior(load_config(), replace(TINY, generations=1, workers=2), tmp_path)
    assert len(first.epsilons) == 1
    resumed = calibrate_posterior(load_config(), replace(TINY, workers=2), tmp_path)
    assert resumed.epsilons == two_workers.epsilons
    assert np.array_equal(resumed.values, two_workers.values)
    # The tolerance tightens from one generation to the next.
    assert resumed.epsilons[1] < resumed.epsilons[0]


def test_the_posterior_folder_is_an_ensemble_of_draws(
    two_workers: Posterior, tmp_path: Path
) -> None:
    folder = write_posterior(two_workers, tmp_path / "posterior")
    draws = load_draws(folder, load_config())
    assert draws.table.height == TINY.particles
    assert draws.table["weight"].sum() == pytest.approx(1.0)
    keys = [key for parameter in FREE_PARAMETERS for key in parameter.keys]
    assert list(draws.parameters) == keys
    first = FREE_PARAMETERS[0]
    values = draws.table[first.keys[0]].to_numpy()
    assert np.array_equal(values, two_workers.values[:, 0])
    assert ((values >= first.low) & (values <= first.high)).all()


def test_diagnostics_of_a_posterior() -> None:
    parameters = FREE_PARAMETERS[:2]
    pinned, loose = parameters
    # The first parameter's draws sit close together, the second's across its range.
    values = np.array(
        [
            [pinned.value(0.50), loose.value(0.05)],
            [pinned.value(0.51), loose.value(0.50)],
            [pinned.value(0.52), loose.value(0.95)],
            [pinned.value(0.53), loose.value(0.30)],
        ]
    )
    weights = np.array([0.1, 0.2, 0.3, 0.4])
    posterior = Posterior(parameters, values, weights, (1.0,), (0.5,), 8, TINY)
    assert posterior.effective_sample_size == pytest.approx(1 / np.sum(weights**2))
    ratios = posterior.prior_ratios()
    assert ratios[pinned.name] < 0.1 < 0.5 < ratios[loose.name]
    assert posterior.medians()[pinned.name] == pinned.value(0.52)


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--particles", "1", "2 to 100000"),
        ("--generations", "0", "1 to 100"),
        ("--months", "0", "1 to 1200"),
    ],
)
def test_bad_posterior_options_are_one_line_errors(
    option: str, value: str, allowed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wfabm import cli

    out = tmp_path / "posterior"
    assert cli.main(["posterior", option, value, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"wfabm: error: {option}={value} is out of range")
    assert allowed in err
    assert len(err.splitlines()) == 1
    assert not out.exists()
