"""The results store of an experiment: one Parquet file per run, a manifest, failure records.

Layout of a results folder::

    manifest.json                 spec, resolved configs and hashes, seeds, design, versions,
                                  git commit, one entry per session, run timings
    design.csv                    the parameter values of each sample
    runs/experiment=<name>/scenario=<scenario>/sample-00000_replicate-0000.parquet
    metrics/experiment=<name>/scenario=<scenario>/...   each run's full metrics, if asked for
    failures/<scenario>--<run>.json                      a run that failed twice: its error

``runs/`` is a Parquet dataset partitioned by experiment and scenario (hive style), read
whole with ``polars.scan_parquet("<folder>/runs/**/*.parquet", hive_partitioning=True)``.
Every file is written to a hidden temporary name and renamed into place when complete, so
an interrupted experiment leaves only whole files, and a run whose file exists is finished:
running the experiment again skips it.

A run's file is one long table (:data:`RUN_SCHEMA`): ``kind`` says what a row is:

- ``"summary"``: an outcome over the run's last ``window_months`` (as
  :func:`wfabm.compare.summarise_run`) by sector and role; ``month`` is null.
- ``"series"``: an outcome in one month (as :func:`wfabm.compare.monthly_outcomes`) for the
  sectors and roles the spec keeps.
- ``"flows"``: people moving from ``origin`` to ``destination`` in the window, by role
  (``outcome`` is ``"movers"``).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from wfabm.compare import monthly_outcomes, summarise_run
from wfabm.config import Config, ConfigError, display_path
from wfabm.provenance import git_commit, package_versions

if TYPE_CHECKING:
    from wfabm.experiment import Experiment, Run

__all__ = [
    "MANIFEST",
    "RUN_SCHEMA",
    "ResultsStore",
    "RunStatus",
    "RunTask",
    "execute_batch",
    "finish_session",
    "read_runs",
    "run_table",
    "session_entry",
    "write_file_atomically",
]

MANIFEST = "manifest.json"
RUNS = "runs"
METRICS = "metrics"
FAILURES = "failures"
DESIGN = "design.csv"
ANALYSIS = "analysis"
_OURS = (MANIFEST, RUNS, METRICS, FAILURES, DESIGN, ANALYSIS)
_TEMPORARY = ".tmp"
_EXTRA_PACKAGES = ("SALib", "dask", "distributed", "dask-jobqueue", "scipy", "matplotlib")

RUN_SCHEMA: dict[str, pl.DataType] = {
    "sample": pl.Int64(),
    "replicate": pl.Int64(),
    "seed": pl.Int64(),
    "kind": pl.String(),
    "month": pl.Date(),
    "sector": pl.String(),
    "role": pl.String(),
    "origin": pl.String(),
    "destination": pl.String(),
    "outcome": pl.String(),
    "value": pl.Float64(),
}
"""Columns of a run's file, in order (``experiment`` and ``scenario`` come from the path)."""


def write_file_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Write one file whole or not at all.

    ``write`` writes a hidden temporary file beside ``path``, which is renamed to ``path``
    only when complete (a rename within a folder is atomic).

    Args:
        path: The file to write.
        write: Writes the file at the path it is given.

    Returns:
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}{_TEMPORARY}")
    try:
        write(staging)
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- one run
@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to run one run and store it.

    Attributes:
        scenario: The scenario's name.
        name: The run's file stem.
        sample: Sample index.
        replicate: Replicate index.
        seed: The model's seed.
        config: The resolved config.
        months: Months to simulate.
        outcomes: The spec's ``[outcomes]`` table.
        path: The run's results file.
        metrics_path: Where to keep the full metrics table, or None.
    """

    scenario: str
    name: str
    sample: int
    replicate: int
    seed: int
    config: Config
    months: int
    outcomes: dict
    path: Path
    metrics_path: Path | None

    @property
    def label(self) -> str:
        """``<scenario>/<run>``, unique in the experiment."""
        return f"{self.scenario}/{self.name}"


@dataclass(frozen=True)
class RunStatus:
    """How a run went.

    Attributes:
        label: ``<scenario>/<run>``.
        ok: Whether its file was written.
        seconds: Wall time of the attempt.
        error: The exception, as text, if it failed.
        traceback: Its traceback, if it failed.
    """

    label: str
    ok: bool
    seconds: float
    error: str | None = None
    traceback: str | None = None


def run_table(task: RunTask, metrics: pl.DataFrame, flows: pl.DataFrame) -> pl.DataFrame:
    """The long table a run keeps, as the spec's outcomes say (see the module docs).

    Args:
        task: The run.
        metrics: Its monthly metrics.
        flows: Its monthly flows.

    Returns:
        A table with :data:`RUN_SCHEMA`'s columns.
    """
    outcomes = task.outcomes
    summary = summarise_run(metrics, outcomes["window_months"]).filter(
        pl.col("outcome").is_in(outcomes["summary"])
    )
    parts = [summary.with_columns(kind=pl.lit("summary"))]
    if outcomes["series"]:
        series = monthly_outcomes(metrics).filter(
            pl.col("outcome").is_in(outcomes["series"])
            & pl.col("sector").is_in(outcomes["sectors"])
            & pl.col("role").is_in(outcomes["roles"])
        )
        parts.append(series.with_columns(kind=pl.lit("series")))
    if outcomes["flows"]:
        months = flows["month"].unique().sort().tail(outcomes["window_months"])
        moved = (
            flows.filter(pl.col("month").is_in(months.implode()))
            .group_by("role", "origin", "destination")
            .agg(pl.col("count").sum().cast(pl.Float64).alias("value"))
            .sort("role", "origin", "destination")
        )
        parts.append(moved.with_columns(kind=pl.lit("flows"), outcome=pl.lit("movers")))
    table = pl.concat(parts, how="diagonal_relaxed")
    identity = {"sample": task.sample, "replicate": task.replicate, "seed": task.seed}
    return table.with_columns(
        **{name: pl.lit(value) for name, value in identity.items()},
        **{
            name: pl.lit(None)
            for name in RUN_SCHEMA
            if name not in table.columns and name not in identity
        },
    ).select(pl.col(name).cast(dtype) for name, dtype in RUN_SCHEMA.items())


def execute_batch(tasks: list[RunTask]) -> list[RunStatus]:
    """Run each task and write its file; a failing run is reported and the rest go on.

    A module-level function so that worker processes (a process pool or Dask) can run it.

    Args:
        tasks: The runs of one batch.

    Returns:
        One status per task, in order.
    """
    # Imported here so that reading results does not load the model.
    from wfabm.runner import run_model

    statuses = []
    for task in tasks:
        started = time.perf_counter()
        try:
            model, _ = run_model(task.config, seed=task.seed, months=task.months)
            metrics, flows = model.metrics, model.flows
            if task.metrics_path is not None:
                write_file_atomically(task.metrics_path, metrics.write_parquet)
            table = run_table(task, metrics, flows)
            write_file_atomically(task.path, table.write_parquet)
        except Exception as error:  # a run fails alone; it is recorded, not raised
            statuses.append(
                RunStatus(
                    task.label,
                    False,
                    time.perf_counter() - started,
                    f"{type(error).__name__}: {error}",
                    traceback.format_exc(),
                )
            )
            continue
        statuses.append(RunStatus(task.label, True, time.perf_counter() - started))
    return statuses


# --------------------------------------------------------------------------- the folder
class ResultsStore:
    """The results folder of one experiment.

    Args:
        root: The folder.
        experiment: The experiment whose results it holds.
    """

    def __init__(self, root: str | Path, experiment: Experiment) -> None:
        self.root = Path(root)
        self.experiment = experiment

    def check(self) -> dict | None:
        """Check that the folder may take this experiment's results, before anything runs.

        Returns:
            The manifest of an earlier session of the same experiment, or None.

        Raises:
            ConfigError: If the folder is a file, holds other files, or holds an
                experiment with a different spec or different scenario configs.
        """
        root, shown = self.root, display_path(self.root)
        if not root.exists():
            return None
        if not root.is_dir():
            raise ConfigError(f"--out {shown} exists and is not a folder; choose another folder.")
        strangers = sorted(
            p.name for p in root.iterdir() if p.name not in _OURS and not _temporary(p.name)
        )
        if strangers:
            listed = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
            raise ConfigError(
                f"--out {shown} holds files that are not an experiment's results ({listed}); "
                "choose a new folder or empty this one."
            )
        manifest_path = root / MANIFEST
        if not manifest_path.is_file():
            if any(not _temporary(p.name) for p in root.iterdir()):
                raise ConfigError(
                    f"--out {shown} holds results without a {MANIFEST}; choose a new folder "
                    "or empty this one."
                )
            return None
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("hash") != self.experiment.hash:
            raise ConfigError(
                f"--out {shown} holds results of experiment {manifest.get('experiment')!r} "
                f"[{manifest.get('hash')}], not of this spec [{self.experiment.hash}] (the "
                "spec or a scenario config has changed); choose a new folder, or rerun the "
                "spec the folder was made with."
            )
        return manifest

    def run_path(self, run: Run) -> Path:
        """The results file of a run."""
        return self._partition(RUNS, run.scenario) / f"{run.name}.parquet"

    def metrics_path(self, run: Run) -> Path:
        """Where a run's full metrics go when the spec keeps them."""
        return self._partition(METRICS, run.scenario) / f"{run.name}.parquet"

    def failure_path(self, label: str) -> Path:
        """The failure record of run ``<scenario>/<run>``."""
        return self.root / FAILURES / (label.replace("/", "--") + ".json")

    def _partition(self, dataset: str, scenario: str) -> Path:
        return self.root / dataset / f"experiment={self.experiment.name}" / f"scenario={scenario}"

    def task(self, run: Run) -> RunTask:
        """What a worker needs for ``run``."""
        outcomes = self.experiment.outcomes
        return RunTask(
            scenario=run.scenario,
            name=run.name,
            sample=run.sample,
            replicate=run.replicate,
            seed=run.seed,
            config=run.config,
            months=self.experiment.months,
            outcomes=outcomes,
            path=self.run_path(run),
            metrics_path=self.metrics_path(run) if outcomes["metrics"] else None,
        )

    def pending(self) -> list[Run]:
        """The runs without a results file, in run-table order."""
        return [run for run in self.experiment.runs if not self.run_path(run).is_file()]

    def remove_leftovers(self) -> int:
        """Delete temporary files an interrupted session left; returns how many."""
        removed = 0
        for dataset in (RUNS, METRICS, FAILURES):
            for path in (self.root / dataset).rglob(f".*{_TEMPORARY}"):
                path.unlink(missing_ok=True)
                removed += 1
        for path in self.root.glob(f".*{_TEMPORARY}"):
            path.unlink(missing_ok=True)
            removed += 1
        return removed

    def record_failure(self, task: RunTask, status: RunStatus, attempts: int) -> Path:
        """Write a failed run's record: which run, its seed, its error and traceback."""
        record = {
            "run": task.label,
            "scenario": task.scenario,
            "sample": task.sample,
            "replicate": task.replicate,
            "seed": task.seed,
            "attempts": attempts,
            "error": status.error,
            "traceback": status.traceback,
            "failed": _now(),
        }
        path = self.failure_path(task.label)
        text = json.dumps(record, indent=2)
        return write_file_atomically(path, lambda file: file.write_text(text, encoding="utf-8"))

    def clear_failure(self, label: str) -> None:
        """Drop the failure record of a run that has now succeeded."""
        self.failure_path(label).unlink(missing_ok=True)

    def failures(self) -> list[dict]:
        """The failure records in the folder."""
        folder = self.root / FAILURES
        if not folder.is_dir():
            return []
        return [
            json.loads(path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.json"))
        ]

    def write_manifest(self, manifest: dict) -> Path:
        """Write ``manifest.json`` (atomically)."""
        text = json.dumps(manifest, indent=2, default=str)
        return write_file_atomically(
            self.root / MANIFEST, lambda file: file.write_text(text, encoding="utf-8")
        )

    def write_design(self) -> Path:
        """Write ``design.csv``: each sample's parameter values."""
        experiment = self.experiment
        rows = experiment.sample_table()
        table = pl.DataFrame(
            {
                "sample": list(range(len(rows))),
                **{p.key: [row[p.key] for row in rows] for p in experiment.parameters},
            }
        )
        return write_file_atomically(self.root / DESIGN, table.write_csv)

    def new_manifest(self) -> dict:
        """The manifest of a new results folder (no sessions yet)."""
        experiment = self.experiment
        # Imported here so that reading a store does not load the model.
        from wfabm.experiment import salib_problem

        versions = package_versions(_EXTRA_PACKAGES)
        return {
            "experiment": experiment.name,
            "hash": experiment.hash,
            "spec_file": display_path(experiment.source),
            "spec": experiment.spec,
            "configs": {
                name: {
                    "hash": config.hash,
                    "source": str(config.source),
                    "config": config.to_dict(),
                }
                for name, config in experiment.scenarios.items()
            },
            "design": {
                "method": experiment.method,
                "parameters": [p.key for p in experiment.parameters],
                "seed": experiment.design_seed(),
                "problem": salib_problem(experiment.parameters),
                "samples": experiment.sample_table(),
                # As sampled, before whole-number parameters are rounded: what SALib analyses.
                "matrix": experiment.samples.tolist(),
            },
            "seeds": list(experiment.seeds),
            "runs": len(experiment.runs),
            "package_versions": versions,
            "git_commit": git_commit(),
            "sessions": [],
            "timings": {},
        }


def read_runs(root: str | Path, kind: str | None = None) -> pl.DataFrame:
    """Read every run's results in a results folder.

    Args:
        root: The results folder.
        kind: Keep only rows of this kind (``"summary"``, ``"series"`` or ``"flows"``).

    Returns:
        The rows, with ``experiment`` and ``scenario`` columns from the partitions, in a
        fixed order (scenario, sample, replicate, then as stored).

    Raises:
        ConfigError: If the folder holds no run results.
    """
    folder = Path(root) / RUNS
    if not any(folder.rglob("*.parquet")) if folder.is_dir() else True:
        raise ConfigError(
            f"{display_path(root)} holds no run results ({RUNS}/ is empty or missing); pass "
            "the --out folder of `wfabm experiment`."
        )
    frame = pl.scan_parquet(
        folder / "**" / "*.parquet", hive_partitioning=True, include_file_paths="file"
    )
    if kind is not None:
        frame = frame.filter(pl.col("kind") == kind)
    # Files are read in any order; row order within a file is kept.
    table = (
        frame.with_row_index("row")
        .sort("scenario", "sample", "replicate", "row")
        .drop("row", "file")
        .collect()
    )
    return table.with_columns(pl.col("experiment", "scenario").cast(pl.String))


def _temporary(name: str) -> bool:
    """Whether a file name is one of :func:`write_file_atomically`'s temporary names."""
    return name.startswith(".") and name.endswith(_TEMPORARY)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def session_entry(engine: str, workers: int, scheduler: str | None) -> dict[str, Any]:
    """The manifest entry of a session that is starting."""
    return {
        "started": _now(),
        "git_commit": git_commit(),
        "wfabm": importlib.metadata.version("wfabm"),
        "engine": engine,
        "workers": workers,
        "scheduler": scheduler,
        "finished": None,
    }


def finish_session(session: dict[str, Any], **counts: Any) -> None:
    """Complete a session entry with its end time and counts."""
    session.update(counts, finished=_now())
