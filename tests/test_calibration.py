from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from wfabm.calibration import fit as calibration
from wfabm.calibration.fit import (
    FREE_PARAMETERS,
    Evaluator,
    calibrate,
    calibrated_toml,
    candidate_config,
    current_values,
    load_targets,
)
from wfabm.calibration.moments import run_moments, separation_elasticity
from wfabm.calibration.report import target_table, targets_markdown, write_report
from wfabm.cli.commands import main
from wfabm.config import ConfigError, load_config, named_config_path
from wfabm.core.reference import behaviour_anchors, facts

# A Wales a tenth the size, with its NHS and English neighbours scaled alike: the same model,
# quick enough to calibrate in a test.
SMALL = {
    "workforce": {
        "total": 8413,
        "headcount": {
            "social_worker": 397,
            "amhp": 21,
            "occupational_therapist": 23,
            "residential_child_care_worker": 434,
            "registered_manager": 267,
            "deputy_manager": 534,
            "ancillary_worker": 1204,
            "administrator": 421,
            "nurse": 112,
        },
        "agency": {"social_workers": 38},
    },
    "nhs_wales": {
        "healthcare_assistant_fte": 583,
        "nurse_fte": 3932,
        "occupational_therapists": 140,
        "social_workers": 15,
    },
    "england": {
        "population": 5649005,
        "social_care_jobs": 160000,
        "social_workers": 5400,
        "occupational_therapists": 380,
        "amhps": 380,
    },
}
# The start, one Jacobian column per free parameter, then one step of the optimiser.
TINY = {"budget": len(FREE_PARAMETERS) + 2, "seeds": 1, "months": 2}


@pytest.fixture(scope="module")
def small() -> object:
    return load_config(overrides=SMALL)


@pytest.fixture(scope="module")
def tiny_serial(small, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    cache = tmp_path_factory.mktemp("serial") / calibration.CACHE_FILE
    return calibrate(small, workers=1, cache=cache, **TINY), cache


# ---------------------------------------------------------------------------------- targets


def test_every_target_cites_sources_that_exist() -> None:
    fact_keys = set(facts())
    anchor_keys = set(behaviour_anchors()["key"].to_list())
    for target in load_targets():
        assert target.tolerance > 0, target.key
        cited = re.findall(r"facts:([A-Za-z0-9_]+)", target.source)
        anchors = re.findall(r"behaviour_anchors:([A-Za-z0-9_]+)", target.source)
        assert cited or anchors, target.key
        # "facts:england_turnover_*" names a family of rows.
        for key in cited:
            assert key in fact_keys or any(k.startswith(key) for k in fact_keys), key
        for key in anchors:
            assert key in anchor_keys, key


def test_each_target_has_a_simulated_moment(small) -> None:
    moments = run_moments(small, seed=3, months=2)
    assert [t.key for t in load_targets()] == list(moments)
    for key in ("vacancy_rate_wales", "intent_to_leave", "leavers_staying_in_sector"):
        assert 0.0 < moments[key] < 1.0, (key, moments[key])


# ---------------------------------------------------------------------------------- moments


def _moments(small, exits: dict) -> dict[str, float]:
    return run_moments(small.with_overrides({"exits": exits}), seed=3, months=2)


def test_a_reason_for_leaving_is_the_share_of_intent_its_terms_account_for(small) -> None:
    """With a group's terms at zero it accounts for none of the intent; with more weight on
    them, for more (same seed)."""
    none = _moments(small, {"intent_pay_gap": 0.0, "intent_terms": 0.0, "intent_zero_hours": 0.0})
    more = _moments(small, {"intent_pay_gap": 4.0, "intent_terms": 1.0})
    assert none["leave_reason_conditions"] == pytest.approx(0.0, abs=1e-12)
    assert none["leave_reason_pay"] < 0.01  # only pay below the outside option is left
    assert more["leave_reason_pay"] > none["leave_reason_pay"] + 0.3
    assert more["leave_reason_conditions"] > 0.2


def test_departures_due_to_burnout_vanish_without_its_two_routes(small) -> None:
    none = _moments(small, {"intent_burnout": 0.0, "leave_burnout": 0.0})
    direct = _moments(small, {"intent_burnout": 0.0, "leave_burnout": 0.1})
    both = _moments(small, {"leave_burnout": 0.1})
    assert none["leavers_due_to_burnout"] == pytest.approx(0.0, abs=1e-12)
    assert both["leavers_due_to_burnout"] > direct["leavers_due_to_burnout"] > 0.05


def test_intent_a_year_later_is_read_from_the_second_window(small) -> None:
    """Burnout that is shed more slowly keeps the intent of the second year higher."""
    base = _moments(small, {})
    hotter = run_moments(
        small.with_overrides({"burnout": {"recovery_rate": 0.01}}), seed=3, months=2
    )
    assert hotter["intent_to_leave_2024"] > base["intent_to_leave_2024"]


def test_separation_elasticity_recovers_a_known_slope() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(40), 50)
    log_pay = np.log(10.0) + rng.normal(0.0, 0.05, groups.size)
    exposure = rng.integers(10, 60, groups.size).astype(float)
    level = rng.normal(-1.5, 0.3, 40)[groups]
    separations = rng.poisson(exposure * np.exp(level - 2.0 * (log_pay - np.log(10.0))))
    estimate = separation_elasticity(separations.astype(float), exposure, log_pay, groups)
    assert estimate == pytest.approx(-2.0, abs=0.25)


def test_separation_elasticity_ignores_group_levels() -> None:
    # Pay and separations both higher in the second group, but unrelated within groups.
    log_pay = np.array([0.0, 0.1, 1.0, 1.1])
    separations = np.array([2.0, 2.0, 8.0, 8.0])
    exposure = np.full(4, 10.0)
    groups = np.array([0, 0, 1, 1])
    assert separation_elasticity(separations, exposure, log_pay, groups) == pytest.approx(0.0)


def test_separation_elasticity_is_undefined_without_pay_variation() -> None:
    same_pay = separation_elasticity(np.ones(3), np.ones(3), np.zeros(3), np.zeros(3))
    assert math.isnan(same_pay)


# ---------------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("parameter", FREE_PARAMETERS, ids=lambda p: p.name)
def test_free_parameter_scale_maps_bounds_and_round_trips(parameter) -> None:
    assert parameter.value(0.0) == pytest.approx(parameter.low, rel=1e-3)
    assert parameter.value(1.0) == pytest.approx(parameter.high, rel=1e-3)
    middle = parameter.value(0.5)
    assert parameter.unit(middle) == pytest.approx(0.5, abs=1e-3)
    # Four significant figures, so the file holds exactly what was run.
    assert float(f"{middle:.4g}") == middle


def test_candidate_config_sets_every_key_of_each_parameter() -> None:
    base = load_config()
    values = [p.value(0.25) for p in FREE_PARAMETERS]
    candidate = candidate_config(base, values)
    for parameter, value in zip(FREE_PARAMETERS, values, strict=True):
        for key in parameter.keys:
            assert candidate.get(key) == value
    assert current_values(candidate) == values
    assert candidate.hash != base.hash


def test_shipped_calibration_sets_exactly_the_free_parameters_within_bounds() -> None:
    shipped = tomllib.loads(named_config_path("calibrated").read_text(encoding="utf-8"))
    keys = set()

    def walk(table: dict, prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                keys.add(f"{prefix}{key}")

    walk(shipped, "")
    assert keys == {key for p in FREE_PARAMETERS for key in p.keys}
    baseline = load_config()
    for parameter in FREE_PARAMETERS:
        values = {baseline.get(key) for key in parameter.keys}
        assert len(values) == 1, parameter.name
        (value,) = values
        assert parameter.low <= value <= parameter.high, (parameter.name, value)


def test_baseline_takes_the_free_parameters_from_the_calibrated_file_alone() -> None:
    # baseline.toml extends calibrated.toml; if it set a free key itself, that would win.
    text = named_config_path("baseline").read_text(encoding="utf-8")
    assert text.count('extends = "calibrated.toml"') == 1
    raw = tomllib.loads(text)
    for parameter in FREE_PARAMETERS:
        for key in parameter.keys:
            node = raw
            for part in key.split("."):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            assert node == {}, key


# ---------------------------------------------------------------------------------- optimiser


def test_tiny_calibration_improves_on_its_start(tiny_serial) -> None:
    result, _ = tiny_serial
    assert result.evaluations <= TINY["budget"]
    small = load_config(overrides=SMALL)
    # The search starts from the hand-set values, whatever the config holds.
    start_values = [p.start for p in FREE_PARAMETERS]
    start = Evaluator(small, result.seeds, TINY["months"]).moments([start_values])[0]
    start_objective = float(
        np.nansum(calibration.residuals(start, [t for t in load_targets() if t.fitted]) ** 2)
    )
    assert result.objective < start_objective


def test_tiny_calibration_is_the_same_with_two_workers(small, tiny_serial, tmp_path) -> None:
    serial, _ = tiny_serial
    parallel = calibrate(small, workers=2, cache=tmp_path / calibration.CACHE_FILE, **TINY)
    assert parallel.values == serial.values
    assert parallel.objective == serial.objective
    assert calibrated_toml(parallel) == calibrated_toml(serial)


def test_tiny_calibration_resumes_from_its_cache(
    small, tiny_serial, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial, cache = tiny_serial

    def no_runs(*args, **kwargs):
        raise AssertionError("a cached run was run again")

    monkeypatch.setattr(calibration, "run_moments", no_runs)
    again = calibrate(small, workers=1, cache=cache, **TINY)
    assert calibrated_toml(again) == calibrated_toml(serial)


def test_interrupted_cache_line_is_run_again(small, tiny_serial, tmp_path) -> None:
    serial, cache = tiny_serial
    lines = cache.read_text(encoding="utf-8").splitlines()
    cut = tmp_path / calibration.CACHE_FILE
    cut.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:20], encoding="utf-8")
    again = calibrate(small, workers=1, cache=cut, **TINY)
    assert calibrated_toml(again) == calibrated_toml(serial)


def test_calibrated_file_records_how_it_was_made(tiny_serial) -> None:
    result, _ = tiny_serial
    text = calibrated_toml(result)
    assert f"--budget {TINY['budget']} --seeds 1 --seed 20220401" in text
    assert f"sha256 {calibration.targets_hash()}" in text
    parsed = tomllib.loads(text)
    assert parsed["burnout"]["rise_rate"] == result.values[0]
    objective = re.search(r"Objective .*: (\S+)", text)
    assert objective is not None
    assert math.isclose(float(objective.group(1)), result.objective, rel_tol=1e-5)


@pytest.mark.parametrize(("option", "value"), [("budget", 0), ("seeds", -1), ("workers", 0)])
def test_bad_counts_are_refused(small, option: str, value: int, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=f"--{option} must be a whole number >= 1"):
        calibrate(small, **{**TINY, option: value}, cache=tmp_path / "c.jsonl")


def test_shipped_calibration_gives_the_objective_in_its_header() -> None:
    # The header names the seeds and the objective; the baseline run on those seeds must
    # give that objective again, or the file and the model have drifted apart.
    text = named_config_path("calibrated").read_text(encoding="utf-8")
    seeds = re.search(r"model seeds ([\d, ]+);", text)
    months = re.search(r"; (\d+) months a run", text)
    objective = re.search(r"Objective .*: (\S+)", text)
    assert seeds is not None
    assert months is not None
    assert objective is not None
    model_seeds = tuple(int(s) for s in seeds.group(1).split(","))
    baseline = load_config()
    mean = Evaluator(baseline, model_seeds, int(months.group(1))).moments(
        [current_values(baseline)]
    )[0]
    fitted = [t for t in load_targets() if t.fitted]
    recomputed = float(np.nansum(calibration.residuals(mean, fitted) ** 2))
    assert recomputed == pytest.approx(float(objective.group(1)), rel=1e-5)


def test_calibrate_command_refuses_a_bad_budget(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", "--budget", "0"]) == 2
    error = capsys.readouterr().err
    assert error == (
        "wfabm: error: --budget=0 is out of range; "
        "allowed: a whole number from 1 to 100000 (candidates).\n"
    )
    assert "Traceback" not in error


def test_calibration_commands_refuse_an_output_folder_holding_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    for command in (["calibrate"], ["report", "calibration"]):
        assert main([*command, "--out", str(tmp_path)]) == 2
        assert "already holds other files (notes.txt)" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_report_table_marks_targets_within_their_tolerance(small, tmp_path: Path) -> None:
    evaluator = Evaluator(small, (1, 2), months=2)
    table = target_table(evaluator)
    assert table["key"].to_list() == [t.key for t in load_targets()]
    for row in table.iter_rows(named=True):
        assert row["ci_low"] <= row["simulated"] <= row["ci_high"], row["key"]
        assert row["within"] == (abs(row["simulated"] - row["observed"]) <= row["tolerance"])
    write_report(tmp_path / "report", table)
    written = tmp_path / "report"
    assert (written / "fit.png").read_bytes().startswith(b"\x89PNG")
    assert targets_markdown(table).count("\n| `") == len(table)
    assert (written / "targets.csv").read_text(encoding="utf-8").count("\n") == len(table) + 1
