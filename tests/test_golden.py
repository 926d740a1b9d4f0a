"""Golden fingerprints: every output of the model and the batch layer, bit for bit.

Each output table is reduced to one SHA-256 per column (over its name, dtype and bytes, with
dates as int32 days and a null mask where there are nulls), and the checked-in
``tests/golden/fingerprints.json`` holds the values of the code as it was when they were last
regenerated. A restructuring that is meant to leave results unchanged must leave every one of
them unchanged; a failure names each fingerprint that moved. If a change is meant to move
results, run ``tests/golden/update`` and commit the new file with the change.

The runs: the baseline and every ``configs/scenarios/*.toml`` on one seed for 30 months from
April 2022 (two Aprils with their uplifts and yearly compaction, three Septembers with
graduates), with events recorded; each preset again with its levers' start moved into those
30 months (the presets start in 2026, past the window); and one synthetic config with the
caseload cap, an agency cap, demand growth and a training expansion, all within the window.
The batch outputs use few seeds and months so that the whole file stays in the default run.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields, is_dataclass
from multiprocessing import get_context
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import polars as pl
import pytest


def api() -> SimpleNamespace:
    """Every wfabm name this file uses: the one place to edit when modules move."""
    from wfabm.batch.analysis import analyse
    from wfabm.batch.compare import compare_configs, paired_comparison
    from wfabm.batch.experiment import load_experiment, run_experiment
    from wfabm.calibration.fit import Evaluator
    from wfabm.calibration.moments import run_moments
    from wfabm.calibration.report import target_table
    from wfabm.cli import commands as cli
    from wfabm.config import default_schema, load_config
    from wfabm.dashboard.levers import LEVERS
    from wfabm.dashboard.replicates import run_replicates
    from wfabm.model.workforce import WorkforceModel
    from wfabm.outcomes.results import Results

    def interval_statistics(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        return Results(frame).reduce(keys, over=None)

    return SimpleNamespace(
        cli=cli,
        analyse=analyse,
        interval_statistics=interval_statistics,
        Evaluator=Evaluator,
        target_table=target_table,
        compare_configs=compare_configs,
        paired_comparison=paired_comparison,
        default_schema=default_schema,
        load_config=load_config,
        LEVERS=LEVERS,
        run_replicates=run_replicates,
        load_experiment=load_experiment,
        run_experiment=run_experiment,
        WorkforceModel=WorkforceModel,
        run_moments=run_moments,
    )


ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "fingerprints.json"
SCENARIOS = ROOT / "configs" / "scenarios"
CI_REPLAY = ROOT / "experiments" / "ci" / "policy_comparison.toml"
WORKERS = 2
SEED = 1
MONTHS = 30
# Inside the 30 months from April 2022, between the first two Aprils.
IN_WINDOW = "2023-01"

# Each preset with its levers' start moved into the window. The overseas preset only keeps
# the route open, which the baseline also does until July 2025, so its counterpart is the
# baseline with the route closing inside the window.
SHIFTED: dict[str, dict[str, Any]] = {
    "england_fair_pay_agreement": {"england": {"start": IN_WINDOW}},
    "fair_work_package": {
        lever: {"start": IN_WINDOW}
        for lever in ("pay_framework", "zero_hours", "wellbeing", "social_worker_terms", "agency")
    },
    "nhs_parity_occupational_therapists": {"nhs_parity": {"start": IN_WINDOW}},
    "overseas_never_closed": {"overseas_recruitment": {"close": "2023-07-22"}},
    "pay_framework_mandatory": {"pay_framework": {"start": IN_WINDOW}},
    "social_worker_terms_and_pledge": {
        "social_worker_terms": {"start": IN_WINDOW},
        "agency": {"start": IN_WINDOW},
    },
    # Extra places from September 2022 graduate after one year, in September 2023.
    "training_expansion": {"training": {"start": "2022-09", "course_years": 1}},
    "wellbeing_programme": {"wellbeing": {"start": IN_WINDOW}},
    "zero_hours_ban": {"zero_hours": {"start": IN_WINDOW}},
}

SYNTHETIC: dict[str, Any] = {
    "caseload": {"cap": 18.0, "start": IN_WINDOW},
    "agency": {"cap": 1.2, "roles": ["social_worker", "care_worker"], "start": IN_WINDOW},
    "demand": {"growth": 1.5},
    # No course: the extra places graduate from the first September.
    "training": {
        "social_work_places": 2.0,
        "occupational_therapy_places": 1.5,
        "course_years": 0,
        "start": "2022-09",
    },
}


# ----------------------------------------------------------------------- fingerprints
def column_digest(series: pl.Series) -> str:
    """SHA-256 of a column's name, dtype, null mask and values, as hex."""
    digest = hashlib.sha256()
    digest.update(f"{series.name}\0{series.dtype}\0{series.len()}\0".encode())
    if series.null_count():
        digest.update(b"nulls\0" + series.is_null().to_numpy().tobytes())
    values = series
    if values.dtype == pl.Date:
        values = values.cast(pl.Int32)
    elif values.dtype in (pl.Categorical, pl.Enum):
        values = values.cast(pl.String)
    if values.dtype == pl.String:
        texts = values.fill_null("")
        # The lengths keep "ab","c" apart from "a","bc".
        digest.update(texts.str.len_bytes().to_numpy().astype("<u4").tobytes())
        digest.update("".join(texts.to_list()).encode())
    elif values.dtype == pl.Boolean or values.dtype.is_numeric():
        array = values.to_numpy() if not values.null_count() else values.fill_null(0).to_numpy()
        digest.update(np.ascontiguousarray(array).tobytes())
    else:
        raise TypeError(f"no fingerprint for column {series.name!r} of dtype {series.dtype}")
    return digest.hexdigest()


def frame_fingerprint(frame: pl.DataFrame) -> dict[str, Any]:
    """Row count and one digest per column, in column order."""
    return {
        "rows": frame.height,
        "columns": {name: column_digest(frame[name]) for name in frame.columns},
    }


def array_digest(array: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes, as hex."""
    digest = hashlib.sha256(f"{array.dtype.str}\0{array.shape}\0".encode())
    digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def text_digest(text: str) -> str:
    """SHA-256 of a text, as hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def exact(value: float) -> str:
    """A float as text that reads back to the same bits."""
    return repr(float(value))


def plain(value: Any) -> Any:
    """Schema and lever declarations as JSON-ready values, with the class of each record."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            "class": type(value).__name__,
            **{field.name: plain(getattr(value, field.name)) for field in fields(value)},
        }
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"no JSON form for {type(value).__name__} {value!r}")


# ----------------------------------------------------------------------- the outputs
def run_names() -> list[str]:
    """Every config run for 30 months: the baseline, each preset twice, the synthetic one."""
    presets = sorted(path.stem for path in SCENARIOS.glob("*.toml"))
    return ["baseline", *(f"{p}{s}" for p in presets for s in ("", f"@{IN_WINDOW}")), "synthetic"]


def config_of(name: str) -> Any:
    """The config of one of :func:`run_names`."""
    wf = api()
    if name == "baseline":
        return wf.load_config("baseline")
    if name == "synthetic":
        return wf.load_config("baseline").with_overrides({"policy": SYNTHETIC})
    preset, _, shifted = name.partition("@")
    config = wf.load_config(SCENARIOS / f"{preset}.toml")
    return config.with_overrides({"policy": SHIFTED[preset]}) if shifted else config


def model_run(name: str) -> dict[str, Any]:
    """Metrics, flows and events of one config on one seed."""
    wf = api()
    model = wf.WorkforceModel(config_of(name), seed=SEED, record_events=True)
    model.run(MONTHS)
    return {
        "metrics": frame_fingerprint(model.metrics),
        "flows": frame_fingerprint(model.flows),
        "events": frame_fingerprint(model.events()),
    }


def wellbeing_early() -> Any:
    """The wellbeing programme starting two months into a run, so short runs differ."""
    wf = api()
    preset = wf.load_config(SCENARIOS / "wellbeing_programme.toml")
    return preset.with_overrides({"policy": {"wellbeing": {"start": "2022-06"}}})


def comparison() -> dict[str, Any]:
    """``compare_configs`` on two seeds of four months."""
    wf = api()
    result = wf.compare_configs(wf.load_config("baseline"), wellbeing_early(), seeds=2, months=4)
    return {
        "seeds": list(result.seeds),
        "table": frame_fingerprint(result.table),
        "runs": frame_fingerprint(result.runs),
    }


def ci_replay(tmp: str) -> dict[str, Any]:
    """The analysis of the CI replay of the baseline against the wellbeing programme."""
    wf = api()
    outcome = wf.run_experiment(wf.load_experiment(CI_REPLAY), Path(tmp) / "replay", workers=1)
    assert not outcome.failed
    report = wf.analyse(Path(tmp) / "replay")
    return {
        "summary": frame_fingerprint(report.summary),
        "series": frame_fingerprint(report.series),
        "differences": frame_fingerprint(report.differences),
    }


def moments() -> dict[str, Any]:
    """``run_moments`` of the baseline over six months (twelve run)."""
    wf = api()
    return {
        key: exact(value) for key, value in wf.run_moments(wf.load_config("baseline"), 1, 6).items()
    }


def replicates() -> dict[str, Any]:
    """The dashboard's replicate comparison on two seeds of four months."""
    wf = api()
    result = wf.run_replicates(
        wf.load_config("baseline"),
        {"scenario": wellbeing_early()},
        replicates=2,
        months=4,
        root_seed=20220401,
        workers=1,
    )
    return {
        "seeds": list(result.seeds),
        "dates": [str(date) for date in result.dates],
        "lines": {
            label: {measure: array_digest(values) for measure, values in lines.items()}
            for label, lines in result.results.lines.items()
        },
        "runs": frame_fingerprint(result.results.summary),
        "table": frame_fingerprint(result.table("scenario")),
    }


def calibration_targets() -> dict[str, Any]:
    """The calibration report's target table over two seeds of two months."""
    wf = api()
    evaluator = wf.Evaluator(base=wf.load_config("baseline"), seeds=(1, 2), months=2)
    with evaluator:
        return frame_fingerprint(wf.target_table(evaluator))


def statistics() -> dict[str, Any]:
    """Both interval aggregators on 10 synthetic seeds, where their summation orders differ."""
    wf = api()
    rng = np.random.default_rng(20220401)
    keys, seeds = 500, 10
    frame = pl.DataFrame(
        {
            "scenario": np.repeat(["baseline", "scenario"], keys * seeds),
            "seed": np.tile(np.repeat(np.arange(seeds), keys), 2),
            "sector": "wales",
            "role": "all",
            "outcome": np.tile([f"outcome_{k}" for k in range(keys)], 2 * seeds),
            "value": rng.lognormal(3.0, 1.0, 2 * keys * seeds),
        }
    )
    return {
        "paired_comparison": frame_fingerprint(wf.paired_comparison(frame)),
        "interval_statistics": frame_fingerprint(
            wf.interval_statistics(
                frame.sort("scenario", "outcome", "seed"), ["scenario", "outcome"]
            )
        ),
    }


def declarations() -> dict[str, Any]:
    """``wfabm check baseline``, the parameter schema and the dashboard's levers."""
    import contextlib
    import io

    wf = api()
    printed = io.StringIO()
    here = Path.cwd()
    # The header names the config files relative to the working directory.
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(printed):
            code = wf.cli.main(["check", "baseline"])
    finally:
        os.chdir(here)
    assert code == 0
    schema = plain(wf.default_schema())
    return {
        "check_baseline": text_digest(printed.getvalue()),
        "schema": {
            table: text_digest(json.dumps(spec, ensure_ascii=False))
            for table, spec in schema.items()
        },
        "levers": {
            lever.name: text_digest(json.dumps(plain(lever), ensure_ascii=False))
            for lever in wf.LEVERS
        },
    }


def jobs() -> list[tuple[str, str, Callable[..., Any], tuple]]:
    """(group, name, function, arguments) for every fingerprint, longest first."""
    import tempfile

    out: list[tuple[str, str, Callable[..., Any], tuple]] = [
        ("runs", name, model_run, (name,)) for name in run_names()
    ]
    out += [
        ("batch", "ci_replay", ci_replay, (tempfile.mkdtemp(prefix="wfabm-golden-"),)),
        ("batch", "replicates", replicates, ()),
        ("batch", "compare_configs", comparison, ()),
        ("batch", "run_moments", moments, ()),
        ("batch", "target_table", calibration_targets, ()),
        ("statistics", "aggregators", statistics, ()),
        ("declarations", "declarations", declarations, ()),
    ]
    return out


def timed(function: Callable[..., Any], arguments: tuple) -> tuple[Any, tuple[float, float]]:
    """A job's result and its (wall, processor) seconds, in a worker process."""
    started, processor = time.perf_counter(), time.process_time()
    result = function(*arguments)
    return result, (time.perf_counter() - started, time.process_time() - processor)


def compute() -> tuple[dict[str, dict[str, Any]], dict[str, tuple[float, float]]]:
    """Every fingerprint by group and name, and each job's (wall, processor) seconds."""
    import shutil

    todo = jobs()
    try:
        # Mesa switches multiprocessing to "spawn" anyway; asking for it keeps platforms alike.
        with ProcessPoolExecutor(WORKERS, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(timed, function, args) for _, _, function, args in todo]
            results = [future.result() for future in futures]
    finally:
        for _, name, _, args in todo:
            if name == "ci_replay":
                shutil.rmtree(args[0], ignore_errors=True)
    found: dict[str, dict[str, Any]] = {}
    seconds: dict[str, tuple[float, float]] = {}
    for (group, name, _, _), (result, spent) in zip(todo, results, strict=True):
        found.setdefault(group, {})[name] = result
        seconds[f"{group}/{name}"] = spent
    return found, seconds


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    """``{"group/name/.../leaf": value}`` for every leaf of a nested dict."""
    if not isinstance(tree, dict):
        return {prefix: tree}
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        flat.update(flatten(value, f"{prefix}/{key}" if prefix else str(key)))
    if prefix:
        # Keeps the order of columns and keys, which the leaves alone would not.
        flat[f"{prefix}/(keys)"] = list(tree)
    return flat


def differences(expected: Any, found: Any) -> list[str]:
    """One line per fingerprint that moved, appeared or went missing."""
    want, got = flatten(expected), flatten(found)
    lines = [f"moved: {path}" for path in want if path in got and got[path] != want[path]]
    lines += [f"missing: {path}" for path in want if path not in got]
    lines += [f"new: {path}" for path in got if path not in want]
    return lines


# ----------------------------------------------------------------------- the tests
@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text("utf-8"))


@pytest.fixture(scope="module")
def found() -> dict[str, Any]:
    return compute()[0]


@pytest.mark.slow
@pytest.mark.parametrize("group", ["runs", "batch", "statistics", "declarations"])
def test_outputs_match_golden_fingerprints(group, golden, found):
    moved = differences(golden[group], found[group])
    assert not moved, (
        f"{len(moved)} {group} fingerprint(s) differ from tests/golden/fingerprints.json:\n"
        + "\n".join(moved[:60])
        + ("\n..." if len(moved) > 60 else "")
        + "\nIf this change is meant to move results, run tests/golden/update and commit "
        "the new fingerprints with it."
    )


def test_every_preset_has_an_in_window_variant():
    assert sorted(SHIFTED) == sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def test_column_digest_sees_each_value_and_the_dtype():
    base = pl.Series("x", [1, 2, 3], dtype=pl.Int64)
    digests = {
        column_digest(base),
        column_digest(pl.Series("x", [1, 2, 4], dtype=pl.Int64)),
        column_digest(pl.Series("x", [1, 2, 3], dtype=pl.Int32)),
        column_digest(pl.Series("y", [1, 2, 3], dtype=pl.Int64)),
        column_digest(pl.Series("x", [1, 2, None], dtype=pl.Int64)),
        column_digest(pl.Series("x", [1, 2, 0], dtype=pl.Int64)),
    }
    assert len(digests) == 6
    assert column_digest(base) == column_digest(pl.Series("x", [1, 2, 3], dtype=pl.Int64))


def test_column_digest_sees_float_bits_text_splits_and_dates():
    assert column_digest(pl.Series("v", [0.1 + 0.2])) != column_digest(pl.Series("v", [0.3]))
    assert column_digest(pl.Series("v", [0.0])) != column_digest(pl.Series("v", [-0.0]))
    assert column_digest(pl.Series("s", ["ab", "c"])) != column_digest(pl.Series("s", ["a", "bc"]))
    dates = pl.Series("d", ["2022-04-01", "2022-05-01"]).str.to_date()
    later = pl.Series("d", ["2022-04-01", "2022-06-01"]).str.to_date()
    assert column_digest(dates) != column_digest(later)
    assert column_digest(dates) != column_digest(dates.cast(pl.Int32).alias("d"))


def test_differences_name_what_moved_and_column_order():
    expected = {"runs": {"a": {"rows": 3, "columns": {"x": "1", "y": "2"}}}}
    assert differences(expected, expected) == []
    moved = {"runs": {"a": {"rows": 3, "columns": {"x": "1", "y": "9"}}}}
    assert differences(expected, moved) == ["moved: runs/a/columns/y"]
    swapped = {"runs": {"a": {"rows": 3, "columns": {"y": "2", "x": "1"}}}}
    assert differences(expected, swapped) == ["moved: runs/a/columns/(keys)"]
    fewer = {"runs": {"a": {"rows": 3, "columns": {"x": "1"}}}}
    assert differences(expected, fewer) == [
        "moved: runs/a/columns/(keys)",
        "missing: runs/a/columns/y",
    ]


def update() -> None:
    """Recompute every fingerprint, write ``tests/golden/fingerprints.json``, show the times."""
    started = time.perf_counter()
    found, seconds = compute()
    partial = GOLDEN.with_name(GOLDEN.name + ".partial")
    partial.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", "utf-8")
    partial.replace(GOLDEN)
    groups: dict[str, list[float]] = {}
    for job, (wall, processor) in seconds.items():
        print(f"  {job}: {wall:.1f} s ({processor:.1f} s of processor)")
        total = groups.setdefault(job.split("/")[0], [0.0, 0.0])
        total[0] += wall
        total[1] += processor
    for group, (wall, processor) in groups.items():
        print(f"{group}: {wall:.1f} s in the workers ({processor:.1f} s of processor)")
    print(f"wrote {GOLDEN.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_golden.py --update  (or run tests/golden/update)")
    update()
