"""Tests of ``wfabm replicate`` and of the git commit a normal install records.

A run folder and a comparison folder replicate identically, and the folder checked is never
written to; an altered cell is found and reported, with exit status 1; a folder that cannot
be replicated (no folder, no manifest, a manifest that cannot be read or has a bad value)
ends in one error paragraph and exit status 2 before anything runs; other package versions
or another commit are warned about, not failed on. The runs are 2 months long.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import polars as pl
import pytest

from wfabm.batch.replicate import TABLE_KEYS, compare_tables, load_replay, read_table
from wfabm.batch.run import run_to_directory
from wfabm.cli import commands as cli
from wfabm.config import ConfigError, load_config

REPOSITORY = Path(__file__).resolve().parents[1]
SEED, MONTHS = 5, 2


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under ``folder`` with its content hash and modification time."""
    return {
        path.relative_to(folder).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("wfabm: error: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(autouse=True)
def private_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Re-runs go to the system's temporary folder: point it at one the test can inspect."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("published") / "seed-5"
    run_to_directory(load_config(), seed=SEED, months=MONTHS, out=out)
    return out


def copy_of(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    return copy


# --------------------------------------------------------------------------- run folders
def test_a_run_folder_replicates_identically_and_is_left_untouched(
    run_folder: Path, private_temporary_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(run_folder)
    assert cli.main(["replicate", str(run_folder), "--quiet"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].endswith(
        f"a `wfabm run` of baseline [{load_config().hash[:8]}], seed 5, 2 months"
    )
    assert lines[1] == "re-run in a temporary folder (use --out DIR to keep it)"
    metrics = pl.read_parquet(run_folder / "metrics.parquet")
    flows = pl.read_parquet(run_folder / "flows.parquet")
    assert lines[2:4] == [
        f"  metrics.parquet: identical ({metrics.height:,} rows × {metrics.width} columns)",
        f"  flows.parquet: identical ({flows.height:,} rows × {flows.width} columns)",
    ]
    assert lines[-1] == "replicated: all 2 tables identical"
    # Same code as the folder was made with: nothing to warn about.
    assert captured.err == ""
    assert snapshot(run_folder) == before
    assert sorted(p.name for p in run_folder.iterdir()) == [
        "flows.parquet",
        "manifest.json",
        "metrics.parquet",
    ]
    # The re-run's temporary folder is removed.
    assert list(private_temporary_folder.iterdir()) == []


def test_an_altered_cell_is_reported_with_exit_1(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_of(run_folder, tmp_path)
    metrics = pl.read_parquet(folder / "metrics.parquet")
    row = 40
    original = metrics["headcount"][row]
    altered = metrics.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.col("headcount") + 1)
        .otherwise(pl.col("headcount"))
        .alias("headcount")
    )
    altered.write_parquet(folder / "metrics.parquet")
    assert cli.main(["replicate", str(folder), "--quiet"]) == 1
    lines = capsys.readouterr().out.splitlines()
    month, sector, role, authority = metrics.select(
        pl.col("month").cast(pl.String), "sector", "role", "local_authority"
    ).row(row)
    assert f"  metrics.parquet: differs: 1 cell in 1 of {metrics.height:,} rows" in lines
    assert (
        f"      row {row} ({month}, {sector}, {role}, {authority}), headcount: "
        f"{original + 1} in the original, {original} re-run"
    ) in lines
    assert any(line.startswith("  flows.parquet: identical (") for line in lines)
    assert lines[-1] == "not replicated: 1 of 2 tables differ"


def test_out_keeps_the_rerun_and_other_versions_are_warned_about(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_of(run_folder, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["package_versions"]["numpy"] = "0.0.1"
    manifest["git_commit"] = "0123456789ab" + "0" * 28
    (folder / "manifest.json").write_text(json.dumps(manifest))
    kept = tmp_path / "again"
    assert cli.main(["replicate", str(folder), "--out", str(kept), "--quiet"]) == 0
    captured = capsys.readouterr()
    warnings = captured.err.splitlines()
    assert len(warnings) == 2, captured.err
    assert all(line.startswith("wfabm: warning: ") for line in warnings)
    assert "numpy" in warnings[0]
    assert "(the results: 0.0.1)" in warnings[0]
    assert "mesa" not in warnings[0]
    assert "0123456789ab" in warnings[1]
    assert f"re-run kept in {kept}" in captured.out.splitlines()
    assert captured.out.splitlines()[-1] == "replicated: all 2 tables identical"
    assert sorted(p.name for p in kept.iterdir()) == sorted(p.name for p in folder.iterdir())
    for name in ("metrics.parquet", "flows.parquet"):
        assert pl.read_parquet(kept / name).equals(pl.read_parquet(run_folder / name))
    # What was kept is itself a run folder that replicates.
    assert load_replay(kept).seed == SEED


def test_out_inside_the_folder_is_refused_before_running(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_of(run_folder, tmp_path)
    before = snapshot(folder)
    for out in (folder, folder / "again", tmp_path):
        assert cli.main(["replicate", str(folder), "--out", str(out), "--quiet"]) == 2
        line = error_line(capsys)
        assert "the folder being replicated" in line
    assert snapshot(folder) == before


# --------------------------------------------------------------------------- bad folders
def test_a_missing_folder_or_manifest_is_one_error_paragraph(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["replicate", str(tmp_path / "nowhere"), "--quiet"]) == 2
    assert error_line(capsys) == (
        f"wfabm: error: no such folder: {tmp_path / 'nowhere'}; pass a folder written by "
        "`wfabm run` or `wfabm compare --out`."
    )
    folder = copy_of(run_folder, tmp_path)
    (folder / "manifest.json").unlink()
    out = tmp_path / "kept"
    assert cli.main(["replicate", str(folder), "--out", str(out), "--quiet"]) == 2
    assert f"{folder} has no manifest.json" in error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"seed": 5,', "manifest.json: is not valid JSON (line 1, column 12: "),
        ("[1, 2]", "manifest.json: holds [1, 2], not a manifest (a JSON object of fields)."),
        (b"\xff\xfe{}", "manifest.json: is not UTF-8 text (bad byte at offset 0)"),
    ],
)
def test_a_corrupt_manifest_is_one_error_paragraph(
    run_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str | bytes,
    expected: str,
) -> None:
    folder = copy_of(run_folder, tmp_path)
    manifest = folder / "manifest.json"
    if isinstance(text, bytes):
        manifest.write_bytes(text)
    else:
        manifest.write_text(text)
    assert cli.main(["replicate", str(folder), "--quiet"]) == 2
    assert expected in error_line(capsys)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("seed", "five", 'seed = "five" is not allowed; allowed: a whole number >= 0.'),
        ("months", 0, "months = 0 is not allowed; allowed: a whole number >= 1."),
        ("config", None, "config = null is not allowed; allowed: the resolved config"),
    ],
)
def test_a_bad_manifest_value_names_the_key(
    run_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    value: object,
    expected: str,
) -> None:
    folder = copy_of(run_folder, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest[key] = value
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert cli.main(["replicate", str(folder), "--quiet"]) == 2
    line = error_line(capsys)
    assert line.startswith(f"wfabm: error: {folder / 'manifest.json'}: ")
    assert expected in line


def test_a_recorded_config_this_wfabm_cannot_run_is_an_error(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_of(run_folder, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["config"]["run"]["months"] = -3
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert cli.main(["replicate", str(folder), "--quiet"]) == 2
    line = error_line(capsys)
    assert "(config) is not valid for this wfabm" in line
    assert "run.months = -3 is out of range" in line


def test_an_edited_config_is_warned_about(run_folder: Path, tmp_path: Path) -> None:
    folder = copy_of(run_folder, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["config"]["run"]["months"] = 7
    (folder / "manifest.json").write_text(json.dumps(manifest))
    replay = load_replay(folder)
    assert [w for w in replay.warnings if "hashes to" in w] == [
        f"the config in {folder / 'manifest.json'} (config) hashes to "
        f"{replay.configs['run'].hash}, not to the config_hash it records "
        f"({manifest['config_hash']}): it was edited after the results were written; the "
        "re-run uses it as it is now"
    ]


def test_a_missing_or_unreadable_table_is_an_error(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_of(run_folder, tmp_path)
    (folder / "flows.parquet").write_text("not parquet")
    assert cli.main(["replicate", str(folder), "--quiet"]) == 2
    assert "flows.parquet cannot be read as Parquet" in error_line(capsys)
    (folder / "flows.parquet").unlink()
    assert cli.main(["replicate", str(folder), "--quiet"]) == 2
    assert "flows.parquet is missing" in error_line(capsys)


def test_an_experiment_folder_is_pointed_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"experiment": "sweep", "configs": {}}))
    assert cli.main(["replicate", str(tmp_path), "--quiet"]) == 2
    assert "is the manifest of an experiment" in error_line(capsys)


# --------------------------------------------------------------------------- comparisons
@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``wfabm compare baseline more_posts.toml --seeds 2 --months 2 --seed 9 --out ...``."""
    folder = tmp_path_factory.mktemp("compare")
    scenario = folder / "more_posts.toml"
    scenario.write_text('extends = "baseline"\n\n[employers]\nfunded_post_growth = 0.5\n')
    out = folder / "compared"
    argv = ["compare", "baseline", str(scenario), "--seeds", "2", "--months", "2", "--seed", "9"]
    assert cli.main([*argv, "--out", str(out), "--quiet"]) == 0
    return out


def test_a_comparison_folder_replicates(
    compare_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    before = snapshot(compare_folder)
    assert cli.main(["replicate", str(compare_folder), "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(scenario), 2 seeds from root seed 9, 2 months each")
    assert "a `wfabm compare` of baseline [" in lines[0]
    for name in ("comparison.parquet", "comparison.csv", "runs.parquet"):
        assert any(line.startswith(f"  {name}: identical (") for line in lines), name
    assert lines[-1] == "replicated: all 3 tables identical"
    assert snapshot(compare_folder) == before


def test_a_comparison_csv_is_compared_as_written(compare_folder: Path, tmp_path: Path) -> None:
    folder = copy_of(compare_folder, tmp_path)
    csv = (folder / "comparison.csv").read_text().splitlines()
    header, first = csv[0].split(","), csv[1].split(",")
    column = header.index("baseline_mean")
    # One more digit on the Wales headcount's baseline mean: the same number in most readers.
    written = first[column]
    first[column] = written + "0"
    csv[1] = ",".join(first)
    (folder / "comparison.csv").write_text("\n".join(csv) + "\n")
    check = compare_tables(
        "comparison.csv",
        read_table(folder / "comparison.csv"),
        read_table(compare_folder / "comparison.csv"),
        TABLE_KEYS["comparison.csv"],
    )
    assert (check.differing_cells, check.differing_rows) == (1, 1)
    assert check.examples == (
        f"row 0 (wales, all, headcount), baseline_mean: {written}0 in the original, "
        f"{written} re-run",
    )


# --------------------------------------------------------------------------- table comparison
def test_tables_are_compared_cell_for_cell() -> None:
    table = pl.DataFrame(
        {"sector": ["la", "nhs", "la"], "value": [1.0, float("nan"), None], "n": [1, 2, 3]}
    )
    assert compare_tables("t", table, table.clone()).identical
    changed = table.with_columns(value=pl.Series([1.0, float("nan"), 0.5]), n=pl.Series([1, 5, 3]))
    check = compare_tables("t", table, changed, keys=("sector",))
    assert (check.differing_cells, check.differing_rows) == (2, 2)
    assert check.examples == (
        "row 1 (nhs), n: 2 in the original, 5 re-run",
        "row 2 (la), value: null in the original, 0.5 re-run",
    )
    # A difference in the last bit of a float counts, and is shown to the last digit.
    nudged = table.with_columns(value=pl.Series([1.0000000000000002, float("nan"), None]))
    assert compare_tables("t", table, nudged, keys=("sector", "other")).examples == (
        "row 0 (la), value: 1.0 in the original, 1.0000000000000002 re-run",
    )


def test_tables_of_another_shape_differ() -> None:
    table = pl.DataFrame({"a": [1, 2, 3], "b": [1.0, 2.0, 3.0]})
    reordered = compare_tables("t", table, table.select("b", "a"))
    assert not reordered.identical
    assert reordered.differing_cells == 0
    assert reordered.problems == ("the columns are in another order in the re-run (b, a)",)
    retyped = compare_tables("t", table, table.with_columns(pl.col("a").cast(pl.Float64)))
    assert retyped.problems == ("column a is Int64 in the original, Float64 re-run",)
    shorter = compare_tables("t", table, table.head(2))
    assert shorter.problems == ("3 rows in the original, 2 re-run",)
    assert shorter.differing_cells == 0
    renamed = compare_tables("t", table, table.rename({"b": "c"}))
    assert renamed.problems == ("columns not re-made: b; new columns in the re-run: c",)


def test_a_comparison_manifest_without_its_scenario_names_the_key(
    compare_folder: Path, tmp_path: Path
) -> None:
    folder = copy_of(compare_folder, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["scenario"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ConfigError) as raised:
        load_replay(folder)
    assert raised.value.key == "scenario"
    assert raised.value.reason == (
        "scenario = null is not allowed; allowed: a table with config_name, config_hash and config."
    )


# --------------------------------------------------------------------------- the git commit
def head() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True, check=True
    ).stdout.strip()


def manifest_commits(site: Path, recorded: str | None = None) -> list[str | None]:
    """The git_commit of a run manifest made by the wfabm installed in ``site``.

    With ``recorded``, a second manifest follows, made after that commit was written into
    the installed package as a wheel records it.
    """
    made = "runner.manifest_for(load_config(), 1, 1, 0.0)['git_commit']"
    script = (
        "import json, pathlib, sys, wfabm.batch.run as runner; from wfabm.config import load_config"
        f"\nprint(json.dumps({made}))"
        "\nif len(sys.argv) > 1:"
        "\n    pathlib.Path('wfabm/git_commit.txt').write_text(sys.argv[1] + '\\n')"
        f"\n    print(json.dumps({made}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *([recorded] if recorded else [])],
        cwd=site,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_normal_install_records_the_commit_it_was_built_from(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(wheels),
            str(REPOSITORY),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("wfabm-*.whl")
    site = tmp_path / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    # Installed away from any checkout, the manifest still names the commit.
    assert manifest_commits(site) == [head()]
    assert (site / "wfabm" / "git_commit.txt").read_text() == head() + "\n"


def test_a_package_in_another_repository_does_not_take_its_commit(tmp_path: Path) -> None:
    """A virtualenv inside some checkout: that checkout's HEAD is not the package's commit."""
    other = tmp_path / "other"
    site = other / ".venv" / "site-packages"
    shutil.copytree(REPOSITORY / "wfabm", site / "wfabm", ignore=shutil.ignore_patterns("*.txt"))
    shutil.copytree(REPOSITORY / "configs", site / "wfabm" / "configs")
    git = ["git", "-C", str(other), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    (other / "README").write_text("another project\n")
    subprocess.run([*git, "add", "README"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], check=True)
    assert manifest_commits(site, recorded=head()) == [None, head()]
