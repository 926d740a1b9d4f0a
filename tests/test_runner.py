"""Tests of wfabm.batch.run.run_to_directory and ``wfabm run`` on the real baseline.

The run writes exactly ``metrics.parquet``, ``flows.parquet`` and ``manifest.json``, the
manifest records what is needed to repeat the run, the tables have the published columns and
types, and a bad config fails with status 2 before anything is written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from wfabm.batch.run import run_to_directory
from wfabm.cli import commands as cli
from wfabm.config import load_config

FILES = ["flows.parquet", "manifest.json", "metrics.parquet"]

METRICS_SCHEMA = {
    "month": pl.Date,
    "sector": pl.String,
    "role": pl.String,
    "local_authority": pl.String,
    "headcount": pl.Int64,
    "fte": pl.Float64,
    "funded_posts": pl.Float64,
    "vacancies": pl.Int64,
    "joiners": pl.Int64,
    "leavers": pl.Int64,
    "promoted_in": pl.Int64,
    "promoted_out": pl.Int64,
    "burnout_mean": pl.Float64,
    "intent_mean": pl.Float64,
    "absence_mean": pl.Float64,
    "workload_mean": pl.Float64,
    "pay_mean": pl.Float64,
    "agency_fte": pl.Float64,
    "agency_spend": pl.Float64,
    "wage_bill": pl.Float64,
    "unmet_hours": pl.Float64,
}

FLOWS_SCHEMA = {
    "month": pl.Date,
    "role": pl.String,
    "origin": pl.String,
    "destination": pl.String,
    "count": pl.Int64,
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    config = load_config()
    out = tmp_path_factory.mktemp("results") / "baseline" / "seed-3"
    result = run_to_directory(config, seed=3, months=3, out=out, progress=False)
    return {"config": config, "out": out, "result": result}


def test_writes_exactly_the_three_files(run: dict) -> None:
    out = run["out"]
    assert sorted(p.name for p in out.iterdir()) == FILES
    # No staging directory is left beside the results.
    assert list(out.parent.iterdir()) == [out]
    assert run["result"].out == out


def test_manifest_records_the_run(run: dict) -> None:
    config = run["config"]
    manifest = json.loads((run["out"] / "manifest.json").read_text())
    for key in (
        "config",
        "config_hash",
        "seed",
        "package_versions",
        "git_commit",
        "wall_time_seconds",
    ):
        assert key in manifest, key
    assert manifest["config"] == config.to_dict()
    assert manifest["config_hash"] == config.hash
    assert manifest["seed"] == 3
    assert manifest["months"] == 3
    for package in ("wfabm", "mesa", "numpy", "polars"):
        assert manifest["package_versions"][package], package
    assert manifest["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", manifest["git_commit"])
    assert isinstance(manifest["wall_time_seconds"], float)
    assert manifest["wall_time_seconds"] > 0
    assert manifest == json.loads(json.dumps(run["result"].manifest, default=str))


def test_metrics_parquet_has_the_published_columns_and_types(run: dict) -> None:
    metrics = pl.read_parquet(run["out"] / "metrics.parquet")
    assert dict(metrics.schema) == METRICS_SCHEMA
    assert metrics["month"].n_unique() == 3
    assert metrics.height > 0
    assert metrics.equals(run["result"].metrics)


def test_flows_parquet_has_the_published_columns_and_types(run: dict) -> None:
    flows = pl.read_parquet(run["out"] / "flows.parquet")
    assert dict(flows.schema) == FLOWS_SCHEMA
    assert flows["month"].n_unique() == 3
    assert flows.equals(run["result"].flows)


def test_summary_text_names_the_results(run: dict) -> None:
    text = run["result"].summary_text()
    assert str(run["out"]) in text
    assert "vacancy rate" in text


def test_cli_run_writes_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--months", "2", "--seed", "5", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == FILES
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 5
    assert manifest["months"] == 2
    assert pl.read_parquet(tmp_path / "metrics.parquet")["month"].n_unique() == 2
    assert "Wales social care vacancy rate" in capsys.readouterr().out


def test_cli_bad_config_fails_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\n\n[burnout]\nno_such_key = 1.0\n', encoding="utf-8")
    out = tmp_path / "x"
    assert cli.main(["run", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("wfabm: error: ")
    assert "no_such_key" in err[0]


def test_run_refuses_a_folder_holding_other_files(tmp_path: Path) -> None:
    """Results replace their folder whole, so a folder with other files is left alone."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert cli.main(["run", "--months", "1", "--out", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "keep me"
