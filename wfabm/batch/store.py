"""The results store of an experiment: one Parquet file per run, a manifest, failure records.

Layout of a results folder::

    manifest.json                 spec, resolved configs and hashes, seeds, design, versions,
                                  git commit, one entry per session, run timings
    design.csv                    the parameter values of each sample
    runs/experiment=<name>/scenario=<scenario>/sample-00000_replicate-0000.parquet
    metrics/experiment=<name>/scenario=<scenario>/...   each run's full metrics, if asked for
    failures/<scenario>--<run>.json                      a run that failed twice: its error
    session.lock                  held (``flock``) by the session running in the folder

``runs/`` is a Parquet dataset partitioned by experiment and scenario (hive style), read
whole with ``polars.scan_parquet("<folder>/runs/**/*.parquet", hive_partitioning=True)``.
Every file is written to a hidden temporary name and renamed into place when complete, so
an interrupted experiment leaves only whole files, and a run whose file exists is finished:
running the experiment again skips it. The manifest records each file's SHA-256 when it is
written; a new session checks every stored run against it (or, for a file written after the
manifest was last saved, reads it) and runs again any that are damaged. One session at a time
may use a folder: it holds an exclusive lock on ``session.lock``, which the operating system
releases when the process ends, however it ends.

A run's file is one long table (:data:`RUN_SCHEMA`): ``kind`` says what a row is:

- ``"summary"``: an outcome over the run's last ``window_months`` (as
  :func:`wfabm.outcomes.summary.summarise_run`) by sector and role; ``month`` is null.
- ``"series"``: an outcome in one month (as :func:`wfabm.outcomes.summary.monthly_outcomes`) for the
  sectors and roles the spec keeps.
- ``"flows"``: people moving from ``origin`` to ``destination`` in the window, by role
  (``outcome`` is ``"movers"``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import importlib.metadata
import json
import os
import socket
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from wfabm.batch.atomic import TEMPORARY_SUFFIX, is_temporary, write_atomically
from wfabm.batch.provenance import git_commit, package_versions, spec_checkout
from wfabm.batch.spechash import results_hash
from wfabm.config import Config, ConfigError, display_path
from wfabm.outcomes.summary import monthly_outcomes, summarise_run

__all__ = [
    "DICTIONARY",
    "LOCK",
    "MANIFEST",
    "RUN_SCHEMA",
    "TABLES",
    "PlannedExperiment",
    "PlannedRun",
    "ResultsStore",
    "RunStatus",
    "RunTask",
    "execute_batch",
    "file_digest",
    "finish_session",
    "read_manifest",
    "read_runs",
    "run_table",
    "session_entry",
]

MANIFEST = "manifest.json"
RUNS = "runs"
METRICS = "metrics"
FAILURES = "failures"
DESIGN = "design.csv"
CHECKSUMS = "checksums"
"""Manifest key: run label → SHA-256 of each of its files (``"run"``, ``"metrics"``)."""
ANALYSIS = "analysis"
TABLES = "tables"
"""The self-describing tables of every run (:mod:`wfabm.batch.tables`)."""
DICTIONARY = "data_dictionary.csv"
"""Every column of those tables, its unit and what it is."""
LOCK = "session.lock"
_OURS = (MANIFEST, RUNS, METRICS, FAILURES, DESIGN, ANALYSIS, TABLES, DICTIONARY, LOCK)
_MANIFEST_KEYS = {"hash": str, "experiment": str, "sessions": list, "timings": dict}
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


class PlannedRun(Protocol):
    """One run of an experiment's run table, as the store needs it."""

    @property
    def scenario(self) -> str: ...  # noqa: D102
    @property
    def name(self) -> str: ...  # noqa: D102
    @property
    def sample(self) -> int: ...  # noqa: D102
    @property
    def replicate(self) -> int: ...  # noqa: D102
    @property
    def seed(self) -> int: ...  # noqa: D102
    @property
    def config(self) -> Config: ...  # noqa: D102


class PlannedExperiment(Protocol):
    """What the store needs of an experiment (:class:`wfabm.batch.experiment.Experiment`).

    The store reads these and nothing else, so it does not depend on how specs are
    loaded and expanded.
    """

    @property
    def name(self) -> str: ...  # noqa: D102
    @property
    def hash(self) -> str: ...  # noqa: D102
    @property
    def source(self) -> Path: ...  # noqa: D102
    @property
    def spec(self) -> dict: ...  # noqa: D102
    @property
    def scenarios(self) -> dict[str, Config]: ...  # noqa: D102
    @property
    def parameters(self) -> tuple[Any, ...]: ...  # noqa: D102
    @property
    def samples(self) -> Any: ...  # noqa: D102
    @property
    def seeds(self) -> tuple[int, ...]: ...  # noqa: D102
    @property
    def runs(self) -> Sequence[PlannedRun]: ...  # noqa: D102
    @property
    def months(self) -> int: ...  # noqa: D102
    @property
    def method(self) -> str: ...  # noqa: D102
    @property
    def outcomes(self) -> dict: ...  # noqa: D102
    def design_seed(self) -> int: ...  # noqa: D102
    def sample_table(self) -> list[dict[str, float | int]]: ...  # noqa: D102
    def salib_problem(self) -> dict: ...  # noqa: D102


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


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
        checksums: SHA-256 of each file it wrote: ``"run"``, and ``"metrics"`` if kept.
    """

    label: str
    ok: bool
    seconds: float
    error: str | None = None
    traceback: str | None = None
    checksums: dict[str, str] = field(default_factory=dict)


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
    from wfabm.batch.run import run_model

    statuses = []
    for task in tasks:
        started = time.perf_counter()
        try:
            model, _ = run_model(task.config, seed=task.seed, months=task.months)
            metrics, flows = model.metrics, model.flows
            checksums = {}
            if task.metrics_path is not None:
                write_atomically(task.metrics_path, metrics.write_parquet)
                checksums["metrics"] = file_digest(task.metrics_path)
            table = run_table(task, metrics, flows)
            write_atomically(task.path, table.write_parquet)
            checksums["run"] = file_digest(task.path)
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
        statuses.append(
            RunStatus(task.label, True, time.perf_counter() - started, checksums=checksums)
        )
    return statuses


# --------------------------------------------------------------------------- the folder
class ResultsStore:
    """The results folder of one experiment.

    Args:
        root: The folder.
        experiment: The experiment whose results it holds.
    """

    def __init__(self, root: str | Path, experiment: PlannedExperiment) -> None:
        self.root = Path(root)
        self.experiment = experiment

    def check(self) -> dict | None:
        """Check that the folder may take this experiment's results, before anything runs.

        Returns:
            The manifest of an earlier session of the same experiment, or None.

        Raises:
            ConfigError: If the folder is a file, holds other files, holds an experiment
                with a different spec or different scenario configs, or its manifest is
                damaged.
        """
        root, shown = self.root, display_path(self.root)
        if not root.exists():
            return None
        if not root.is_dir():
            raise ConfigError(f"--out {shown} exists and is not a folder; choose another folder.")
        strangers = sorted(
            p.name for p in root.iterdir() if p.name not in _OURS and not is_temporary(p.name)
        )
        if strangers:
            listed = ", ".join(strangers[:3]) + (", ..." if len(strangers) > 3 else "")
            raise ConfigError(
                f"--out {shown} holds files that are not an experiment's results ({listed}); "
                "choose a new folder or empty this one."
            )
        manifest_path = root / MANIFEST
        if not manifest_path.is_file():
            if any(not is_temporary(p.name) and p.name != LOCK for p in root.iterdir()):
                raise ConfigError(
                    f"--out {shown} holds results without a {MANIFEST}; choose a new folder "
                    "or empty this one."
                )
            return None
        manifest = read_manifest(root)
        same_runs = isinstance(manifest.get("spec"), dict) and results_hash(
            manifest["spec"]
        ) == results_hash(self.experiment.spec)
        if manifest.get("hash") != self.experiment.hash and not same_runs:
            raise ConfigError(
                f"--out {shown} holds results of experiment {manifest.get('experiment')!r} "
                f"[{manifest.get('hash')}], not of this spec [{self.experiment.hash}] (the "
                "spec or a scenario config has changed); choose a new folder, or rerun the "
                "spec the folder was made with."
            )
        return manifest

    def check_writable(self) -> None:
        """Check that this process can write the folder's files, before anything runs.

        Each folder a session writes into that exists already (the folder, its run,
        metrics and failure folders) is tried by creating and deleting a file there; a
        folder still to be made is tried through the nearest one that exists.

        Raises:
            ConfigError: If one of them cannot be written.
        """
        folders = [self.root, self.root / FAILURES]
        for scenario in self.experiment.scenarios:
            folders += [self._partition(RUNS, scenario), self._partition(METRICS, scenario)]
        tried: set[Path] = set()
        for folder in folders:
            while not folder.exists() and folder.parent != folder:
                folder = folder.parent
            if folder in tried:
                continue
            tried.add(folder)
            probe = folder / f".write-check.{os.getpid()}{TEMPORARY_SUFFIX}"
            try:
                probe.write_bytes(b"")
                probe.unlink()
            except OSError as error:
                raise self._unwritable(folder, error) from None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder for this session: no other session may run into it meanwhile.

        The folder is made if need be, and ``session.lock`` in it is locked with ``flock``; the
        lock ends with the block, or with the process however it ends (the kernel
        releases it), so a killed session never leaves the folder locked.

        Raises:
            ConfigError: If the folder cannot be made or written, or another session
                holds it.
        """
        path = self.root / LOCK
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise self._unwritable(self.root, error) from None
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                    raise self._unwritable(self.root, error) from None
                holder = os.pread(handle, 1000, 0).decode("utf-8", "replace").strip()
                raise ConfigError(
                    f"--out {display_path(self.root)} is in use by another `wfabm experiment` "
                    f"({holder or 'a session that is starting'}); two sessions in one folder "
                    "would run the same runs. Wait for it to finish (then run the same command "
                    "to go on where it stopped), or choose another folder."
                ) from None
            os.ftruncate(handle, 0)
            holder = f"process {os.getpid()} on {socket.gethostname()}, since {_now()}"
            os.pwrite(handle, holder.encode(), 0)
            yield
        finally:
            os.close(handle)

    def verify(self, manifest: dict) -> list[str]:
        """Check every stored run, delete the damaged ones and return their labels.

        A run whose file's SHA-256 is in the manifest is checked against it; one written
        after the manifest was last saved (a killed session) is read whole instead, and its
        checksum recorded if it is sound. A damaged run's files, checksum and timing are
        dropped, so the session runs it again.

        Args:
            manifest: The folder's manifest; its ``checksums`` are brought up to date.

        Returns:
            Labels (``<scenario>/<run>``) of the runs found damaged, in run-table order.
        """
        checksums = manifest.setdefault(CHECKSUMS, {})
        keep_metrics = self.experiment.outcomes["metrics"]
        damaged = []
        for run in self.experiment.runs:
            path = self.run_path(run)
            if not path.is_file():
                continue
            label = f"{run.scenario}/{run.name}"
            files = {"run": path}
            if keep_metrics:
                files["metrics"] = self.metrics_path(run)
            recorded = checksums.get(label)
            if recorded is not None:
                sound = all(
                    file.is_file() and recorded.get(kind) == file_digest(file)
                    for kind, file in files.items()
                )
            else:
                sound = all(
                    _readable(file, RUN_SCHEMA if kind == "run" else None)
                    for kind, file in files.items()
                )
                if sound:
                    checksums[label] = {kind: file_digest(file) for kind, file in files.items()}
            if not sound:
                damaged.append(label)
                for file in files.values():
                    file.unlink(missing_ok=True)
                checksums.pop(label, None)
                manifest["timings"].pop(label, None)
        return damaged

    def _unwritable(self, folder: Path, error: OSError) -> ConfigError:
        reason = error.strerror or type(error).__name__
        return ConfigError(
            f"--out {display_path(self.root)} cannot be written: {display_path(folder)} "
            f"refuses new files ({reason}); nothing was run. Allowed: a folder this user can "
            "create and write files in (choose another --out, or fix its permissions)."
        )

    def run_path(self, run: PlannedRun) -> Path:
        """The results file of a run."""
        return self._partition(RUNS, run.scenario) / f"{run.name}.parquet"

    def metrics_path(self, run: PlannedRun) -> Path:
        """Where a run's full metrics go when the spec keeps them."""
        return self._partition(METRICS, run.scenario) / f"{run.name}.parquet"

    def failure_path(self, label: str) -> Path:
        """The failure record of run ``<scenario>/<run>``."""
        return self.root / FAILURES / (label.replace("/", "--") + ".json")

    def _partition(self, dataset: str, scenario: str) -> Path:
        return self.root / dataset / f"experiment={self.experiment.name}" / f"scenario={scenario}"

    def task(self, run: PlannedRun) -> RunTask:
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

    def pending(self) -> list[PlannedRun]:
        """The runs without a results file, in run-table order."""
        return [run for run in self.experiment.runs if not self.run_path(run).is_file()]

    def remove_leftovers(self) -> int:
        """Delete temporary files an interrupted session left; returns how many."""
        removed = 0
        for dataset in (RUNS, METRICS, FAILURES):
            for path in (self.root / dataset).rglob(f".*{TEMPORARY_SUFFIX}"):
                path.unlink(missing_ok=True)
                removed += 1
        for path in self.root.glob(f".*{TEMPORARY_SUFFIX}"):
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
        return write_atomically(path, lambda file: file.write_text(text, encoding="utf-8"))

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
        return write_atomically(
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
        return write_atomically(self.root / DESIGN, table.write_csv)

    def new_manifest(self) -> dict:
        """The manifest of a new results folder (no sessions yet)."""
        experiment = self.experiment
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
                "problem": experiment.salib_problem(),
                "samples": experiment.sample_table(),
                # As sampled, before whole-number parameters are rounded: what SALib analyses.
                "matrix": experiment.samples.tolist(),
            },
            "seeds": list(experiment.seeds),
            "runs": len(experiment.runs),
            "package_versions": versions,
            "git_commit": git_commit(),
            "spec_checkout": spec_checkout(Path(experiment.source)),
            "sessions": [],
            "timings": {},
            CHECKSUMS: {},
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
    try:
        table = (
            frame.with_row_index("row")
            .sort("scenario", "sample", "replicate", "row")
            .drop("row", "file")
            .collect()
        )
    except (pl.exceptions.PolarsError, OSError):
        damaged = next(
            (path for path in sorted(folder.rglob("*.parquet")) if not _readable(path)), None
        )
        if damaged is None:
            raise
        raise ConfigError(
            f"{display_path(damaged)} is not a readable Parquet file (damaged or cut "
            "short); run `wfabm experiment` again with the same spec and --out: it checks "
            "every stored run and runs the damaged ones again."
        ) from None
    return table.with_columns(pl.col("experiment", "scenario").cast(pl.String))


def read_manifest(root: str | Path) -> dict:
    """Read a results folder's ``manifest.json``.

    Args:
        root: The results folder.

    Returns:
        The manifest.

    Raises:
        ConfigError: If it is missing, is not JSON, or lacks what every manifest holds.
    """
    path = Path(root) / MANIFEST
    shown = display_path(path)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{display_path(root)} has no {MANIFEST}; pass the --out folder of `wfabm experiment`."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problem = f"it cannot be read ({error})"
    else:
        wrong = [
            key
            for key, kind in _MANIFEST_KEYS.items()
            if not isinstance(manifest, dict) or not isinstance(manifest.get(key), kind)
        ]
        if not wrong:
            return manifest
        problem = (
            f"it lacks {', '.join(wrong)}"
            if isinstance(manifest, dict)
            else "it is not a JSON object"
        )
    raise ConfigError(
        f"{shown} is damaged: {problem}, so the results beside it cannot be matched to a "
        f"spec. Restore {MANIFEST} from a backup or an earlier copy of the folder, or run "
        "the experiment into a new --out folder (the damaged folder is left as it is)."
    )


def _readable(path: Path, schema: dict[str, pl.DataType] | None = None) -> bool:
    """Whether a Parquet file reads whole (and has ``schema``'s columns, if given)."""
    try:
        table = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError):
        return False
    return schema is None or table.schema == pl.Schema(schema)


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
