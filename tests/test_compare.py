"""Tests of wfabm.batch.compare and ``wfabm compare``.

The statistics and summaries are checked on small hand-made tables; the model is run only
a few times, for a few months, to check common random numbers, a known effect, independence
from the worker count and the command line.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from wfabm.batch.compare import (
    FILES,
    Comparison,
    check_out,
    compare_configs,
    comparison_seeds,
    format_comparison,
    paired_comparison,
)
from wfabm.batch.provenance import git_commit
from wfabm.cli import commands as cli
from wfabm.config import Config, ConfigError, load_config
from wfabm.outcomes.statistics import student_t_cdf, t_quantile
from wfabm.outcomes.summary import summarise_run

MORE_POSTS = {"employers": {"funded_post_growth": 0.5}}
RUNS_COLUMNS = ["scenario", "seed", "sector", "role", "outcome", "value"]
TABLE_COLUMNS = [
    "sector",
    "role",
    "outcome",
    "seeds",
    "baseline_mean",
    "scenario_mean",
    "difference",
    "ci_low",
    "ci_high",
    "members",
    "baseline_median",
    "scenario_median",
    "difference_median",
    "difference_low",
    "difference_high",
    "p_better",
    "sd_parameter",
    "sd_stochastic",
]


def value(table: pl.DataFrame, sector: str, role: str, outcome: str, column: str) -> float:
    row = table.filter(
        (pl.col("sector") == sector) & (pl.col("role") == role) & (pl.col("outcome") == outcome)
    )
    assert row.height == 1, (sector, role, outcome)
    return row[column][0]


# --------------------------------------------------------------------------- statistics
@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706205), (2, 4.302653), (3, 3.182446), (9, 2.262157), (29, 2.045230), (100, 1.983972)],
)
def test_t_quantile_matches_tables(df: int, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)


def test_t_quantile_approaches_the_normal_and_is_symmetric() -> None:
    assert t_quantile(0.975, 10_000) == pytest.approx(1.960201, abs=1e-5)
    assert t_quantile(0.025, 9) == -t_quantile(0.975, 9)
    assert t_quantile(0.5, 4) == 0.0
    assert t_quantile(0.995, 9) == pytest.approx(3.249836, abs=1e-6)


def test_t_cdf_inverts_the_quantile() -> None:
    for df in (1, 2, 5, 30):
        for p in (0.6, 0.9, 0.975):
            assert student_t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-12)


@pytest.mark.parametrize(("p", "df"), [(0.0, 3), (1.0, 3), (0.975, 0), (0.975, 2.5)])
def test_t_quantile_rejects_bad_arguments(p: float, df: int) -> None:
    with pytest.raises(ValueError, match="must be"):
        t_quantile(p, df)


# --------------------------------------------------------------------------- seeds
def test_seeds_are_reproducible_and_extend() -> None:
    seeds = comparison_seeds(20220401, 5)
    assert seeds == comparison_seeds(20220401, 5)
    assert len(set(seeds)) == 5
    assert all(isinstance(seed, int) and 0 <= seed < 2**32 for seed in seeds)
    assert comparison_seeds(20220401, 8)[:5] == seeds
    assert comparison_seeds(1, 5) != seeds
    expected = np.random.SeedSequence(20220401).spawn(5)[3].generate_state(1)[0]
    assert seeds[3] == int(expected)


# --------------------------------------------------------------------------- summaries
def metrics_table(months: int, unmet: bool = True) -> pl.DataFrame:
    """A tiny metrics table: two Welsh sectors, an agency and NHS, constant over time."""
    cells = [
        # sector, role, LA, headcount, funded, vacancies, joiners, leavers, burnout, spend, wage
        ("la", "care_worker", "W1", 100, 110.0, 10, 2, 1, 0.2, 1000.0, 5e4),
        ("la", "care_worker", "W2", 50, 60.0, 10, 1, 2, 0.5, 0.0, 2e4),
        ("independent", "care_worker", "W1", 200, 250.0, 50, 4, 4, 0.4, 3000.0, 8e4),
        ("independent", "social_worker", "W1", 0, 5.0, 5, 0, 0, float("nan"), 0.0, 0.0),
        ("agency", "care_worker", "W1", 10, 0.0, 0, 1, 0, 0.1, 0.0, 4e3),
        ("nhs", "nurse", "W1", 300, 320.0, 20, 3, 3, 0.3, 0.0, 2e5),
    ]
    start = dt.date(2022, 4, 1)
    dates = [dt.date(2022 + (3 + m) // 12, (3 + m) % 12 + 1, 1) for m in range(months)]
    assert dates[0] == start
    rows = [
        {
            "month": date,
            "sector": sector,
            "role": role,
            "local_authority": la,
            "headcount": head,
            "funded_posts": funded,
            "vacancies": vacancies,
            "joiners": joiners,
            "leavers": leavers,
            # Earlier months differ, so a wrong window shows.
            "burnout_mean": burnout if m >= months - 12 else 0.9,
            "agency_spend": spend,
            "wage_bill": wage,
            "unmet_hours": float(vacancies) * 100,
        }
        for m, date in enumerate(dates)
        for (sector, role, la, head, funded, vacancies, joiners, leavers, burnout, spend, wage) in (
            cells
        )
    ]
    table = pl.DataFrame(rows)
    return table if unmet else table.drop("unmet_hours")


def test_summary_formulas_over_the_last_year() -> None:
    summary = summarise_run(metrics_table(18))
    assert summary.columns == ["sector", "role", "outcome", "value"]
    assert summary["value"].dtype == pl.Float64

    def get(sector: str, role: str, outcome: str) -> float | None:
        return value(summary, sector, role, outcome, "value")

    assert get("la", "care_worker", "headcount") == 150
    assert get("la", "care_worker", "vacancy_rate") == pytest.approx(20 / 170)
    # Leavers over a year / mean headcount.
    assert get("la", "care_worker", "leaver_rate") == pytest.approx(3 * 12 / 150)
    assert get("la", "care_worker", "joiner_rate") == pytest.approx(3 * 12 / 150)
    assert get("la", "care_worker", "burnout") == pytest.approx((100 * 0.2 + 50 * 0.5) / 150)
    assert get("la", "care_worker", "agency_spend") == pytest.approx(12 * 1000)
    assert get("la", "care_worker", "wage_bill") == pytest.approx(12 * 7e4)
    assert get("la", "care_worker", "unmet_hours") == pytest.approx(12 * 2000)
    # Wales is la + independent + agency, not the NHS.
    assert get("wales", "all", "headcount") == 360
    assert get("wales", "all", "vacancy_rate") == pytest.approx(75 / 425)
    assert get("wales", "care_worker", "headcount") == 360
    assert get("wales", "all", "burnout") == pytest.approx((20 + 25 + 80 + 1) / 360)
    assert get("wales", "all", "wage_bill") == pytest.approx(12 * 154e3)
    assert get("independent", "all", "headcount") == 200
    assert get("nhs", "all", "vacancy_rate") == pytest.approx(20 / 320)
    # Undefined outcomes are null, never NaN.
    assert get("agency", "care_worker", "vacancy_rate") is None
    assert get("independent", "social_worker", "burnout") is None
    assert get("independent", "social_worker", "leaver_rate") is None
    assert summary["value"].is_nan().sum() == 0
    # Wales rows first, "all" first within a sector.
    assert summary.row(0)[:3] == ("wales", "all", "headcount")


def test_summary_of_a_short_run_uses_the_whole_run_and_annualises() -> None:
    summary = summarise_run(metrics_table(3), window_months=12)
    assert value(summary, "la", "care_worker", "leaver_rate", "value") == pytest.approx(
        3 * 12 / 150
    )
    assert value(summary, "la", "care_worker", "agency_spend", "value") == pytest.approx(3000)
    assert value(summary, "la", "care_worker", "burnout", "value") == pytest.approx(0.3)


def test_summary_without_unmet_hours() -> None:
    summary = summarise_run(metrics_table(3, unmet=False))
    assert "unmet_hours" not in summary["outcome"].to_list()
    assert summary["outcome"].n_unique() == 7


# --------------------------------------------------------------------------- comparisons
def runs_table(baseline: list[float], scenario: list[float], outcome: str) -> pl.DataFrame:
    seeds = list(range(len(baseline)))
    return pl.DataFrame(
        {
            "scenario": ["baseline"] * len(seeds) + ["scenario"] * len(seeds),
            "seed": seeds + seeds,
            "sector": "wales",
            "role": "all",
            "outcome": outcome,
            "value": baseline + scenario,
        }
    )


def test_paired_interval() -> None:
    table = paired_comparison(runs_table([1.0, 2.0, 3.0], [1.5, 2.0, 4.0], "vacancy_rate"))
    assert table.columns == TABLE_COLUMNS
    (row,) = table.iter_rows(named=True)
    differences = [0.5, 0.0, 1.0]
    sd = float(np.std(differences, ddof=1))
    half = t_quantile(0.975, 2) * sd / math.sqrt(3)
    assert row["seeds"] == 3
    assert row["baseline_mean"] == pytest.approx(2.0)
    assert row["scenario_mean"] == pytest.approx(2.5)
    assert row["difference"] == pytest.approx(0.5)
    assert row["ci_low"] == pytest.approx(0.5 - half)
    assert row["ci_high"] == pytest.approx(0.5 + half)


def test_one_seed_has_no_interval() -> None:
    table = paired_comparison(runs_table([1.0], [3.0], "burnout"))
    (row,) = table.iter_rows(named=True)
    assert (row["seeds"], row["difference"], row["ci_low"], row["ci_high"]) == (1, 2.0, None, None)


def test_missing_cells_count_as_zero_for_totals_only() -> None:
    runs = pl.concat(
        [
            runs_table([10.0, 20.0], [12.0, 22.0], "headcount"),
            runs_table([0.1, 0.2], [0.2, 0.3], "burnout"),
        ]
    ).filter(~((pl.col("scenario") == "baseline") & (pl.col("seed") == 1)))
    table = paired_comparison(runs)
    assert value(table, "wales", "all", "headcount", "seeds") == 2
    assert value(table, "wales", "all", "headcount", "baseline_mean") == pytest.approx(5.0)
    assert value(table, "wales", "all", "burnout", "seeds") == 1
    assert value(table, "wales", "all", "burnout", "baseline_mean") == pytest.approx(0.1)
    assert value(table, "wales", "all", "burnout", "scenario_mean") == pytest.approx(0.25)


def test_one_seed_report_says_there_are_no_intervals() -> None:
    config = load_config()
    runs = runs_table([0.1], [0.12], "vacancy_rate")
    comparison = Comparison(config, config, 7, (3,), 24, 12, runs, paired_comparison(runs))
    text = format_comparison(comparison)
    assert "no intervals" in text
    assert "+2.00" in text
    assert max(len(line) for line in text.splitlines()) <= 100


@pytest.mark.parametrize("option", ["seeds", "workers", "months"])
def test_bad_counts_are_config_errors(option: str) -> None:
    config = load_config()
    with pytest.raises(ConfigError, match=f"{option} must be a whole number >= 1"):
        compare_configs(config, config, **{option: 0})


def test_out_folder_with_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match=r"notes\.txt"):
        check_out(tmp_path)
    with pytest.raises(ConfigError, match="not a folder"):
        check_out(tmp_path / "notes.txt")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "runs.parquet").write_text("old")
    assert check_out(earlier) == earlier


# --------------------------------------------------------------------------- model runs
@pytest.fixture(scope="module")
def baseline() -> Config:
    return load_config()


@pytest.fixture(scope="module")
def with_itself(baseline: Config) -> Comparison:
    calls: list[tuple[int, int]] = []
    comparison = compare_configs(
        baseline, baseline, seeds=2, months=3, progress=lambda *done: calls.append(done)
    )
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    return comparison


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``wfabm compare baseline more_posts.toml --seeds 2 --months 2 --out ...``."""
    folder = tmp_path_factory.mktemp("compare")
    scenario = folder / "more_posts.toml"
    scenario.write_text('extends = "baseline"\n\n[employers]\nfunded_post_growth = 0.5\n')
    out = folder / "out"
    argv = ["compare", "baseline", str(scenario), "--seeds", "2", "--months", "2"]
    status = cli.main([*argv, "--out", str(out), "--quiet"])
    return {"status": status, "out": out, "scenario": scenario}


def test_same_seeds_for_both_configs(with_itself: Comparison, baseline: Config) -> None:
    runs = with_itself.runs
    assert runs.columns == RUNS_COLUMNS
    expected = comparison_seeds(baseline.get("run.seed"), 2)
    assert list(with_itself.seeds) == expected
    for label in ("baseline", "scenario"):
        assert (
            runs.filter(pl.col("scenario") == label)["seed"].unique(maintain_order=True).to_list()
            == expected
        )


def test_comparing_a_config_with_itself_gives_zero(with_itself: Comparison) -> None:
    table = with_itself.table
    assert table.columns == TABLE_COLUMNS
    defined = table.filter(pl.col("seeds") == 2)
    assert defined.height > 0.9 * table.height
    assert (defined["difference"] == 0).all()
    assert (defined["ci_low"] == 0).all()
    assert (defined["ci_high"] == 0).all()
    assert (defined["baseline_mean"] == defined["scenario_mean"]).all()
    # Wales rows come first.
    assert table.row(0)[:3] == ("wales", "all", "headcount")
    text = with_itself.text()
    assert max(len(line) for line in text.splitlines()) <= 100
    words = " ".join(text.split())
    for row in ["Wales all roles", "local auth. care_worker", "independent social_worker"]:
        assert f" {row} " in words


def test_cli_writes_the_tables_and_a_manifest(cli_run: dict) -> None:
    assert cli_run["status"] == 0
    out = cli_run["out"]
    assert sorted(path.name for path in out.iterdir()) == [
        "comparison.csv",
        "comparison.parquet",
        "manifest.json",
        "runs.parquet",
    ]
    assert sorted(FILES) == sorted(path.name for path in out.iterdir())
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []
    table = pl.read_parquet(out / "comparison.parquet")
    assert table.columns == TABLE_COLUMNS
    csv = pl.read_csv(out / "comparison.csv", schema=table.schema)
    assert_frame_equal(csv, table, check_exact=False, rel_tol=1e-12)
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs.columns == RUNS_COLUMNS
    assert runs["scenario"].unique().sort().to_list() == ["baseline", "scenario"]


def test_the_manifest_records_what_was_compared(cli_run: dict) -> None:
    manifest = json.loads((cli_run["out"] / "manifest.json").read_text())
    baseline = load_config()
    scenario = load_config(cli_run["scenario"])
    assert manifest["baseline"] == {
        "config_name": "baseline",
        "config_hash": baseline.hash,
        "config": baseline.to_dict(),
    }
    assert manifest["scenario"] == {
        "config_name": "more_posts",
        "config_hash": scenario.hash,
        "config": scenario.to_dict(),
    }
    root = baseline.get("run.seed")
    assert manifest["root_seed"] == root
    assert manifest["seeds"] == comparison_seeds(root, 2)
    assert (manifest["months"], manifest["window_months"]) == (2, 2)
    runs = pl.read_parquet(cli_run["out"] / "runs.parquet")
    assert runs["seed"].unique(maintain_order=True).to_list() == manifest["seeds"]
    for package in ("python", "wfabm", "mesa", "numpy", "polars", "networkx"):
        assert manifest["package_versions"][package], package
    assert manifest["git_commit"] == git_commit()


def test_more_funded_posts_raise_the_wales_vacancy_rate(cli_run: dict) -> None:
    table = pl.read_parquet(cli_run["out"] / "comparison.parquet")
    assert value(table, "wales", "all", "vacancy_rate", "difference") > 0.01
    assert value(table, "wales", "all", "vacancy_rate", "ci_low") > 0


def test_results_do_not_depend_on_the_worker_count(cli_run: dict) -> None:
    base, scenario = load_config(), load_config(cli_run["scenario"])
    parallel = compare_configs(base, scenario, seeds=2, months=2, workers=2)
    out = cli_run["out"]
    assert_frame_equal(
        parallel.table, pl.read_parquet(out / "comparison.parquet"), check_exact=True
    )
    assert_frame_equal(parallel.runs, pl.read_parquet(out / "runs.parquet"), check_exact=True)


@pytest.mark.parametrize(
    "extra",
    [["--seeds", "0"], ["--months", "0"], ["--workers", "0"], ["--seed", "-3"]],
)
def test_cli_bad_options_fail_before_writing(
    extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["compare", "baseline", "baseline", *extra, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"wfabm: error: {extra[0]}={extra[1]} is out of range")
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_scenario_fails_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\n\n[burnout]\nno_such_key = 1.0\n')
    out = tmp_path / "out"
    assert cli.main(["compare", "baseline", str(bad), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("wfabm: error: ")
    assert "no_such_key" in err[0]
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
