"""Running an experiment: one session of its unfinished runs, into its results folder.

Runs already in the folder are checked and skipped, so an interrupted experiment resumes
where it stopped; a failed run is retried, then recorded in ``failures/``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wfabm.batch.spec import SHORTENED, Experiment
from wfabm.batch.store import CHECKSUMS, TABLES, ResultsStore, finish_session, session_entry
from wfabm.batch.tables import write_results_tables
from wfabm.config import display_path

__all__ = [
    "ExperimentInterrupted",
    "Progress",
    "SessionReport",
    "check_results_folder",
    "results_folder",
    "run_experiment",
]


_MANIFEST_EVERY = 30.0
"""Seconds between rewrites of the manifest while an experiment runs."""


@dataclass(frozen=True)
class SessionReport:
    """What a session of :func:`run_experiment` did.

    Attributes:
        out: The results folder.
        total: Runs in the experiment.
        skipped: Runs already finished by an earlier session (and found sound).
        finished: Runs finished in this session.
        failed: Labels (``<scenario>/<run>``) of runs that failed twice.
        seconds: Wall time of the session.
        errors: The last error of each failed run, by label.
        repaired: Labels of stored runs found damaged, and so run again.
    """

    out: Path
    total: int
    skipped: int
    finished: int
    failed: tuple[str, ...]
    seconds: float
    errors: dict[str, str] = field(default_factory=dict)
    repaired: tuple[str, ...] = ()

    def text(self) -> str:
        """A short report of the session."""
        lines = [
            f"wfabm experiment: {self.finished} runs done, {self.skipped} already done, "
            f"{len(self.failed)} failed, of {self.total}; {self.seconds:.1f} s; results in "
            f"{display_path(self.out)}"
        ]
        if self.repaired:
            lines.append(
                f"{_runs(len(self.repaired))} stored before "
                f"{'was' if len(self.repaired) == 1 else 'were'} damaged and run again: "
                + _some(self.repaired)
            )
        return "\n".join(lines)

    def failure_text(self) -> str:
        """What failed: how many runs, which, and the first error of each kind ("" if none).

        An error's kind is its exception type; the records of every failure are in
        ``failures/``.
        """
        if not self.failed:
            return ""
        kinds: dict[str, list[str]] = {}
        for label in self.failed:
            kind = self.errors.get(label, "unknown error").split(":", 1)[0]
            kinds.setdefault(kind, []).append(label)
        lines = [
            f"{_runs(len(self.failed))} of {self.total} failed twice: {_some(self.failed)}. "
            f"Each one's error and traceback are in {display_path(self.out / 'failures')}/; "
            "running the same command again retries them (and only them)."
        ]
        for kind, labels in kinds.items():
            first = labels[0]
            lines.append(
                f"  {kind} in {_runs(len(labels))}; the first, {first}: "
                + " ".join(self.errors.get(first, kind).split())
            )
        return "\n".join(lines)


class ExperimentInterrupted(KeyboardInterrupt):
    """A session stopped by Ctrl-C or SIGTERM, after its finished runs were saved.

    Attributes:
        report: What the session did before it stopped.
    """

    def __init__(self, report: SessionReport) -> None:
        super().__init__("interrupted")
        self.report = report


def _runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def _some(labels: tuple[str, ...], shown: int = 5) -> str:
    return ", ".join(labels[:shown]) + (
        f", ... ({len(labels) - shown} more)" if len(labels) > shown else ""
    )


def results_folder(experiment: Experiment, out: str | Path | None = None) -> Path:
    """The results folder of a session: ``out``, or ``results/<experiment name>``.

    A spec shortened with ``--months`` or ``--replicates`` gets a folder of its own, e.g.
    ``results/policy_comparison_months-48_replicates-2``, so that it never meets the full
    experiment's results.
    """
    if out is not None:
        return Path(out)
    shortened = experiment.spec["experiment"].get(SHORTENED, {})
    suffix = "".join(f"_{key}-{value}" for key, value in sorted(shortened.items()))
    return Path("results") / f"{experiment.name}{suffix}"


def check_results_folder(experiment: Experiment, out: str | Path | None = None) -> Path:
    """Check, writing nothing, that a results folder can take an experiment's results.

    :func:`run_experiment` makes the same checks (and takes the folder's lock); this lets
    a caller refuse a bad folder before it starts anything costly, such as a cluster.

    Args:
        experiment: The experiment.
        out: The results folder (default ``results/<experiment name>``).

    Returns:
        The folder.

    Raises:
        ConfigError: As for :func:`run_experiment`.
    """
    store = ResultsStore(results_folder(experiment, out), experiment)
    store.check()
    store.check_writable()
    return store.root


Progress = Callable[[int, int, int], None]
"""Called as ``progress(done, skipped, total)`` after each run and once at the start."""


def run_experiment(
    experiment: Experiment,
    out: str | Path | None = None,
    *,
    engine: str = "local",
    workers: int = 1,
    scheduler: str | Any | None = None,
    progress: Progress | None = None,
    worker_timeout: float | None = None,
) -> SessionReport:
    """Run every unfinished run of an experiment into its results folder.

    Runs already in the folder are checked and skipped, so an interrupted experiment
    resumes where it stopped; a damaged one is run again. A run that fails is retried
    once; if it fails again its error is recorded in ``failures/`` and the other runs go
    on (the next session retries it). The folder is locked for the session.

    Args:
        experiment: The experiment (:func:`load_experiment`).
        out: The results folder (default ``results/<experiment name>``).
        engine: ``"local"`` or ``"dask"`` (:mod:`wfabm.batch.executor`).
        workers: Worker processes.
        scheduler: For Dask: a scheduler address or cluster object; None for a local
            cluster.
        progress: Told of each finished run.
        worker_timeout: For Dask: seconds the cluster may have no worker before the
            session is given up (:func:`wfabm.batch.executor.open_executor`).

    Returns:
        What this session did.

    Raises:
        ConfigError: If ``out`` cannot take this experiment's results, cannot be written,
            or another session is using it (checked before anything runs).
        ExperimentInterrupted: On Ctrl-C (or a SIGTERM the caller turns into one), once
            the workers are stopped and the manifest is saved.
        ClusterError: If a Dask cluster has had no worker for ``worker_timeout`` seconds,
            or none of its jobs could be submitted (the manifest is saved first).
    """
    started = time.perf_counter()
    store = ResultsStore(results_folder(experiment, out), experiment)
    # Refused before the folder is made or locked, so a refusal writes nothing.
    store.check()
    store.check_writable()
    with store.lock():
        # Read again under the lock: another session may have just finished or begun.
        manifest = store.check() or store.new_manifest()
        return _run_session(
            experiment,
            store,
            manifest,
            started,
            (engine, workers, scheduler, worker_timeout),
            progress,
        )


def _run_session(
    experiment: Experiment,
    store: ResultsStore,
    manifest: dict,
    started: float,
    engine_settings: tuple[str, int, str | Any | None, float | None],
    progress: Progress | None,
) -> SessionReport:
    from wfabm.batch.executor import batch_size, in_flight, open_executor, run_tasks

    engine, workers, scheduler, worker_timeout = engine_settings

    store.remove_leftovers()
    repaired = store.verify(manifest)
    shown_scheduler = (
        None if scheduler is None else str(getattr(scheduler, "scheduler_address", scheduler))
    )
    session = session_entry(engine, workers, shown_scheduler)
    manifest["sessions"].append(session)
    store.write_manifest(manifest)
    store.write_design()

    pending = store.pending()
    total, skipped = len(experiment.runs), len(experiment.runs) - len(pending)
    tasks = [store.task(run) for run in pending]
    failed: list[str] = []
    errors: dict[str, str] = {}
    finished = 0
    report = progress or (lambda done, skipped, total: None)
    report(0, skipped, total)

    saved = time.perf_counter()

    def on_done(task, status, attempt: int) -> None:
        nonlocal finished, saved
        manifest["timings"][status.label] = round(status.seconds, 3)
        if status.ok:
            manifest[CHECKSUMS][status.label] = status.checksums
        # Keep the timings of a session that may be killed, without rewriting the
        # manifest (all the resolved configs) after every run of a large experiment.
        if time.perf_counter() - saved > _MANIFEST_EVERY:
            store.write_manifest(manifest)
            saved = time.perf_counter()
        if status.ok:
            finished += 1
            store.clear_failure(status.label)
        elif attempt >= 2:
            failed.append(status.label)
            errors[status.label] = status.error or "unknown error"
            store.record_failure(task, status, attempt)
        else:
            return
        report(finished + len(failed), skipped, total)

    size = batch_size(
        experiment.months, len(tasks), workers, experiment.spec["experiment"].get("batch_size")
    )

    def report_now() -> SessionReport:
        seconds = time.perf_counter() - started
        return SessionReport(
            store.root,
            total,
            skipped,
            finished,
            tuple(sorted(failed)),
            seconds,
            errors=dict(errors),
            repaired=tuple(repaired),
        )

    interrupted = False
    try:
        if tasks:
            with open_executor(
                engine, workers, scheduler, worker_timeout=worker_timeout
            ) as executor:
                run_tasks(
                    executor,
                    tasks,
                    size,
                    on_done,
                    in_flight=in_flight(engine, workers, scheduler),
                )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        outcome = report_now()
        finish_session(
            session,
            runs_skipped=skipped,
            runs_finished=finished,
            runs_failed=len(failed),
            runs_repaired=len(repaired),
            batch_size=size,
            wall_seconds=round(outcome.seconds, 3),
            interrupted=interrupted,
        )
        store.write_manifest(manifest)
    if interrupted:
        raise ExperimentInterrupted(outcome) from None
    # The tables are made again only when a run was added (or there are none yet).
    fresh = finished or repaired or not (store.root / TABLES).is_dir()
    if fresh and skipped + finished > 0:
        write_results_tables(store.root)
    return outcome
