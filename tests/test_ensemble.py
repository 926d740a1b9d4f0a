"""Ensembles of parameter draws and seeds behind a comparison, and the effect's distribution."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from wfabm import cli
from wfabm.batch.compare import JSON_COLUMNS, compare_configs, comparison_seeds
from wfabm.batch.ensemble import DRAWS, Ensemble, draw_ensemble, load_draws
from wfabm.config import ConfigError, load_config
from wfabm.outcomes.ensemble import effect_distribution


# --------------------------------------------------------------------------- the statistics
def runs(differences: np.ndarray, draws: np.ndarray, outcome: str) -> pl.DataFrame:
    """Baseline runs at 1.0 and scenario runs at 1.0 + difference, one member each."""
    members = np.arange(len(differences))
    return pl.DataFrame(
        {
            "scenario": ["baseline"] * len(members) + ["scenario"] * len(members),
            "seed": np.concatenate([members, members]),
            "draw": np.concatenate([draws, draws]),
            "sector": "wales",
            "role": "all",
            "outcome": outcome,
            "value": np.concatenate([np.ones(len(members)), 1.0 + differences]),
        }
    )


def effects(frame: pl.DataFrame, draw: str | None = "draw") -> dict:
    (row,) = effect_distribution(
        frame, ["sector", "role", "outcome"], member="seed", reference="baseline", draw=draw
    ).to_dicts()
    return row


def test_median_interval_and_probability_of_being_better() -> None:
    differences = np.array([-0.03, -0.01, 0.0, 0.02, -0.02, -0.04, 0.01, -0.05])
    row = effects(runs(differences, np.zeros(8, dtype=int), "vacancy_rate"), draw=None)
    assert row["members"] == 8
    assert row["difference_median"] == pytest.approx(np.median(differences))
    assert row["difference_low"] == pytest.approx(np.percentile(differences, 5))
    assert row["difference_high"] == pytest.approx(np.percentile(differences, 95))
    # Lower vacancies are better; a tie (0.0) is not.
    assert row["p_better"] == pytest.approx(5 / 8)
    assert row["sd_parameter"] == 0.0
    assert row["sd_stochastic"] == pytest.approx(np.std(differences, ddof=1))


def test_more_headcount_is_better_and_joiners_have_no_better_way() -> None:
    differences = np.array([3.0, 1.0, -2.0, 4.0])
    assert effects(runs(differences, np.zeros(4, dtype=int), "headcount"))["p_better"] == 0.75
    assert effects(runs(differences, np.zeros(4, dtype=int), "joiner_rate"))["p_better"] is None


def test_the_spread_is_split_into_parameter_and_seed_parts() -> None:
    rng = np.random.default_rng(5)
    draws, seeds = 400, 4
    parameter_sd, seed_sd = 0.3, 0.1
    by_draw = rng.normal(0.0, parameter_sd, draws)
    draw = np.repeat(np.arange(draws), seeds)
    differences = by_draw[draw] + rng.normal(0.0, seed_sd, draws * seeds)
    row = effects(runs(differences, draw, "burnout"))
    assert row["sd_parameter"] == pytest.approx(parameter_sd, rel=0.1)
    assert row["sd_stochastic"] == pytest.approx(seed_sd, rel=0.05)
    # The same values read as seeds alone put all the spread down to seed noise.
    alone = effects(runs(differences, draw, "burnout"), draw=None)
    assert alone["sd_parameter"] == 0.0
    assert alone["sd_stochastic"] == pytest.approx(np.std(differences, ddof=1))


# --------------------------------------------------------------------------- folders of draws
def write_draws(folder: Path, **columns: list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(columns).write_parquet(folder / "draws.parquet")
    return folder


def test_draws_are_taken_in_proportion_to_their_weights(tmp_path: Path) -> None:
    folder = write_draws(
        tmp_path / "draws",
        draw=[10, 11, 12],
        weight=[0.0, 1.0, 3.0],
        **{"burnout.recovery_rate": [0.05, 0.10, 0.15]},
    )
    draws = load_draws(folder, load_config())
    seeds = comparison_seeds(3, 16)
    ensemble = draw_ensemble(draws, count=8, seeds=seeds, seeds_per_draw=2, root=3)
    taken = [member.draw for member in ensemble.members[::2]]
    assert sorted(set(taken)) == [11, 12]
    assert (taken.count(11), taken.count(12)) == (2, 6)
    assert [member.seed for member in ensemble.members] == seeds
    assert {member.parameters["burnout.recovery_rate"] for member in ensemble.members} == {
        0.10,
        0.15,
    }
    again = draw_ensemble(draws, count=8, seeds=seeds, seeds_per_draw=2, root=3)
    assert again == ensemble
    assert Ensemble.from_dict(json.loads(json.dumps(ensemble.to_dict()))) == ensemble


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"draw": [1], "weight": [1.0], "burnout.no_such_key": [1.0]}, "draw 1"),
        ({"draw": [1, 2], "weight": [-1.0, 2.0], "burnout.recovery_rate": [0.1, 0.1]}, ">= 0"),
        ({"draw": [1], "burnout.recovery_rate": [0.1]}, "needs columns draw and weight"),
        ({"draw": [1, 1], "weight": [1.0, 1.0], "burnout.recovery_rate": [0.1, 0.2]}, "repeat"),
    ],
)
def test_a_bad_folder_of_draws_is_refused(tmp_path: Path, columns: dict, message: str) -> None:
    folder = write_draws(tmp_path / "draws", **columns)
    with pytest.raises(ConfigError, match=message):
        load_draws(folder, load_config())


# --------------------------------------------------------------------------- through the model
@pytest.fixture(scope="module")
def boosts(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A wellbeing programme from month 2 whose boost is uncertain: 0 or 0.6."""
    root = tmp_path_factory.mktemp("ensemble")
    scenario = root / "wellbeing.toml"
    scenario.write_text(
        'extends = "baseline"\n\n[policy.wellbeing]\nrecovery_boost = 0.2\nstart = "2022-05"\n'
    )
    draws = write_draws(
        root / "draws",
        draw=[0, 1],
        weight=[1.0, 1.0],
        **{"policy.wellbeing.recovery_boost": [0.0, 0.6]},
    )
    return {"root": root, "scenario": scenario, "draws": draws}


def test_parameter_uncertainty_shows_where_the_draws_change_the_effect(boosts: dict) -> None:
    baseline, scenario = load_config(), load_config(boosts["scenario"])
    draws = load_draws(boosts["draws"], scenario)
    ensemble = draw_ensemble(
        draws, count=2, seeds=comparison_seeds(11, 4), seeds_per_draw=2, root=11
    )
    assert ensemble.kind == DRAWS
    comparison = compare_configs(
        baseline, scenario, months=6, root_seed=11, workers=2, ensemble=ensemble
    )
    runs = comparison.runs.filter(
        (pl.col("sector") == "wales") & (pl.col("role") == "all") & (pl.col("outcome") == "burnout")
    )
    wide = runs.pivot(on="scenario", index=["seed", "draw"], values="value")
    # With no boost the programme changes nothing on the same seed; with 0.6 it cuts burnout.
    no_boost = wide.filter(pl.col("draw") == 0)
    assert (no_boost["scenario"] - no_boost["baseline"]).abs().max() < 1e-12
    boosted = wide.filter(pl.col("draw") == 1)
    assert (boosted["scenario"] < boosted["baseline"]).all()
    row = comparison.table.filter(
        (pl.col("sector") == "wales") & (pl.col("role") == "all") & (pl.col("outcome") == "burnout")
    ).to_dicts()[0]
    assert row["members"] == 4
    assert row["p_better"] == 0.5
    assert row["sd_parameter"] > 5 * row["sd_stochastic"]
    assert row["difference_low"] < row["difference_median"] <= row["difference_high"] <= 0.0


def test_cli_writes_the_json_and_the_comparison_replicates(
    boosts: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["compare", "baseline", str(boosts["scenario"]), "--ensemble", str(boosts["draws"])]
    argv += ["--draws", "2", "--seeds", "2", "--months", "3", "--workers", "2", "--quiet"]
    argv += ["--out", "cmp", "--json", "cmp.json"]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "2 parameter draws × 2 seeds from root seed" in text
    assert "Where the spread of the effect comes from" in text
    lines = [line for line in text.splitlines() if not line.startswith("parameter draws from")]
    assert max(len(line) for line in lines) <= 100
    document = json.loads(Path("cmp.json").read_text())
    table = pl.read_parquet("cmp/comparison.parquet")
    assert len(document["rows"]) == table.height
    assert list(document["columns"]) == table.columns == [name for name, _ in JSON_COLUMNS]
    members = document["manifest"]["ensemble"]["members"]
    assert [member["draw"] for member in members] == [0, 0, 1, 1]
    assert cli.main(["replicate", "cmp", "--quiet"]) == 0
    assert "replicated: all 3 tables identical" in capsys.readouterr().out


def test_draws_without_a_folder_of_draws_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["compare", "baseline", "baseline", "--draws", "5"]) == 2
    err = capsys.readouterr().err
    assert "--draws 5 needs --ensemble DIR" in err
    assert len(err.splitlines()) == 1
