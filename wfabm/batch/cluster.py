"""Dask workers on a SLURM cluster: the cluster file, the jobs, and a watch on them.

A cluster file (see ``experiments/cluster/slurm.toml``) holds a ``[slurm]`` table of
dask-jobqueue settings. :func:`slurm_cluster` builds a ``SLURMCluster`` from it, whose job
script can be checked with ``SLURMCluster.job_script()`` before anything is submitted.

Nothing is waited on forever: a submit command that is missing is refused before any job
(:func:`check_submit_command`); one that fails is retried :data:`SUBMIT_ATTEMPTS` times and
then reported; and :class:`WorkerWatch` ends a session whose cluster has had no worker for
``worker_timeout`` seconds (jobs still queued, lost, or past their walltime).
"""

from __future__ import annotations

import asyncio
import logging
import re
import shlex
import shutil
import time
from pathlib import Path
from typing import Any

from wfabm.config import ConfigError, display_path, read_toml
from wfabm.core.schema import Param, SchemaError, format_path, validate

__all__ = [
    "CLUSTER_WORKER_TIMEOUT",
    "LOCAL_WORKER_TIMEOUT",
    "MALLOC_PROLOGUE",
    "SUBMIT_ATTEMPTS",
    "ClusterError",
    "SubmitError",
    "WorkerWatch",
    "check_submit_command",
    "load_cluster_settings",
    "slurm_cluster",
    "submission_failures",
]

SUBMIT_ATTEMPTS = 3
"""Tries of each job's submission before it is reported as failed."""

SUBMIT_RETRY_SECONDS = 2.0
"""Pause before a failed submission is tried again (doubled each time)."""

CLUSTER_WORKER_TIMEOUT = 1800.0
"""Default seconds a SLURM cluster may go without any worker (queued jobs, lost jobs)."""

LOCAL_WORKER_TIMEOUT = 120.0
"""Seconds a local Dask cluster or a scheduler given by address may go without a worker."""

_WATCH_EVERY = 2.0
"""Seconds between questions to the scheduler about its workers."""

MALLOC_PROLOGUE = (
    "export DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON="
    '\'{"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": 1, '
    '"MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}\''
)
"""Job script line that keeps Dask's nanny from setting ``MALLOC_TRIM_THRESHOLD_`` in its
workers: on glibc that switches off malloc's adaptive mmap threshold and about doubles a
run's time. The thread limits are Dask's own defaults, kept."""

_SCHEMA: dict = {
    "slurm": {
        "queue": Param("str", "partition", optional=True),
        "account": Param("str", "", optional=True),
        "cores": Param("int", "cores per job, one single-threaded worker each", 1, 1024),
        "memory": Param("str", 'e.g. "4GB"'),
        "walltime": Param("str", '"HH:MM:SS"'),
        "jobs": Param("int", "jobs", 1, 10_000, optional=True),
        "minimum_jobs": Param("int", "jobs", 0, 10_000, optional=True),
        "maximum_jobs": Param("int", "jobs", 1, 10_000, optional=True),
        "interface": Param("str", 'network interface, e.g. "ib0"', optional=True),
        "python": Param("str", "the workers' python command", optional=True),
        "malloc_adaptive": Param("bool", "", optional=True),
        "worker_timeout": Param("float", "seconds", 1.0, 7 * 24 * 3600.0, optional=True),
        "local_directory": Param("str", "path", optional=True),
        "log_directory": Param("str", "path", optional=True),
        "job_script_prologue": Param("str_list", "shell lines", optional=True),
        "job_extra_directives": Param("str_list", "#SBATCH options", optional=True),
    }
}

_PASSED_ON = (
    "queue",
    "account",
    "cores",
    "memory",
    "walltime",
    "interface",
    "local_directory",
    "log_directory",
    "job_extra_directives",
)
"""Cluster-file keys handed to ``SLURMCluster`` as they are."""


class ClusterError(RuntimeError):
    """The cluster cannot run the experiment: its jobs were not submitted or no worker came.

    Its text is one paragraph saying what happened and what to check.
    """


class SubmitError(RuntimeError):
    """A job's submission failed every attempt; :class:`WorkerWatch` reports it."""


class _ReportedElsewhere(logging.Filter):
    """Drops the event loop's traceback of a failed submission, which wfabm reports itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, SubmitError)


_FILTER = _ReportedElsewhere()


def load_cluster_settings(path: str | Path) -> dict:
    """Read and validate a cluster file (``[slurm]`` settings for dask-jobqueue).

    Args:
        path: The TOML file.

    Returns:
        The ``[slurm]`` table, with ``worker_timeout`` and ``malloc_adaptive`` filled in.

    Raises:
        ConfigError: For a missing file or a bad value.
    """
    file = Path(path)
    if not file.is_file():
        raise ConfigError(
            f"--cluster {path}: no such file; pass a TOML file with a [slurm] table "
            "(see experiments/cluster/slurm.toml)."
        )
    shown = display_path(file)
    try:
        settings = validate(read_toml(file), _SCHEMA)["slurm"]
    except SchemaError as error:
        raise ConfigError(error.reason, file=shown, key=format_path(error.path)) from None
    adaptive = "minimum_jobs" in settings or "maximum_jobs" in settings
    if adaptive == ("jobs" in settings):
        raise ConfigError(
            "give slurm.jobs (a fixed number of jobs) or slurm.minimum_jobs and "
            "slurm.maximum_jobs (adaptive scaling), not both and not neither; allowed: "
            "jobs = 4, or minimum_jobs = 0 with maximum_jobs = 8.",
            file=shown,
            key="slurm.jobs",
        )
    if adaptive:
        low, high = settings.setdefault("minimum_jobs", 0), settings.get("maximum_jobs")
        if high is None or low > high:
            raise ConfigError(
                f"slurm.minimum_jobs = {low} with slurm.maximum_jobs = {high}: adaptive "
                "scaling needs both, minimum_jobs <= maximum_jobs; allowed: e.g. "
                "minimum_jobs = 0, maximum_jobs = 8.",
                file=shown,
                key="slurm.maximum_jobs",
            )
    settings.setdefault("worker_timeout", CLUSTER_WORKER_TIMEOUT)
    settings.setdefault("malloc_adaptive", True)
    return settings


def check_submit_command(settings: dict) -> None:
    """Refuse, before any job, a machine without SLURM's ``sbatch`` on its PATH.

    Args:
        settings: The ``[slurm]`` table.

    Raises:
        ConfigError: If ``sbatch`` is not found.
    """
    from dask_jobqueue.slurm import SLURMJob

    command = shlex.split(SLURMJob.submit_command)[0]
    if shutil.which(command) is None:
        raise ConfigError(
            f"--cluster: the SLURM submit command {command!r} is not on the PATH of this "
            "machine, so no job can be submitted; nothing was started. Allowed: run "
            "`wfabm experiment` on a machine of the cluster (a login node, or inside a job: "
            "see docs/EXPERIMENTS.md), or use --engine dask --scheduler ADDRESS, or "
            "--engine local."
        )


def slurm_cluster(settings: dict, *, start: bool = True) -> Any:
    """A dask-jobqueue SLURM cluster of single-threaded wfabm workers.

    Args:
        settings: The ``[slurm]`` table (:func:`load_cluster_settings`).
        start: Submit the jobs now (``jobs`` of them, or adaptive scaling between
            ``minimum_jobs`` and ``maximum_jobs``); False only builds the cluster, e.g.
            to read its ``job_script()``.

    Returns:
        The ``SLURMCluster``; pass it to :func:`wfabm.batch.executor.open_executor` as
        ``scheduler``.
    """
    from dask_jobqueue import SLURMCluster

    # The event loop logs the error of a callback (a job's failed submission) with its
    # traceback; the watch reports that error in one paragraph instead.
    for name in ("tornado.application", "asyncio"):
        logging.getLogger(name).addFilter(_FILTER)
    options = {key: settings[key] for key in _PASSED_ON if key in settings}
    prologue = list(settings.get("job_script_prologue", []))
    if settings.get("malloc_adaptive", True):
        prologue.append(MALLOC_PROLOGUE)
    # The workers' python is the one the prologue puts on the job's PATH, not this
    # machine's interpreter, whose path may not exist on the compute nodes.
    python = settings.get("python", "python3")
    # One single-threaded worker process per core: a run is single-threaded numpy, and
    # threads sharing a process would contend for the GIL.
    try:
        cluster = SLURMCluster(
            **options,
            processes=settings["cores"],
            python=python,
            job_script_prologue=prologue,
            job_cls=_reporting_job_class(),
        )
    except (RuntimeError, ValueError) as error:
        # The scheduler starts here, on the interface given, when the cluster is built.
        if "interface" in settings and "interface" in str(error):
            raise ConfigError(
                f"slurm.interface = {settings['interface']!r} is not a network interface of "
                f"this machine, where the scheduler runs ({' '.join(str(error).split())}); "
                "allowed: one of the interfaces listed, shared with the compute nodes."
            ) from None
        raise
    if start:
        if "jobs" in settings:
            cluster.scale(jobs=settings["jobs"])
        else:
            cluster.adapt(
                minimum_jobs=settings["minimum_jobs"], maximum_jobs=settings["maximum_jobs"]
            )
    return cluster


def _reporting_job_class() -> type:
    """A SLURM job that retries a failed submission and keeps its last error."""
    from dask_jobqueue.slurm import SLURMJob
    from distributed.core import Status

    class ReportingSLURMJob(SLURMJob):
        submit_error: str | None = None

        async def _submit_job(self, script_filename: str) -> str:
            delay = SUBMIT_RETRY_SECONDS
            for attempt in range(1, SUBMIT_ATTEMPTS + 1):
                try:
                    return await super()._submit_job(script_filename)
                except (RuntimeError, OSError) as error:
                    self.submit_error = _submit_error_text(error)
                    if attempt == SUBMIT_ATTEMPTS:
                        # Closed, not left "created": the cluster only closes jobs that
                        # have started or ended.
                        self.status = Status.closed
                        raise SubmitError(self.submit_error) from error
                    await asyncio.sleep(delay)
                    delay *= 2
            raise AssertionError("unreachable")

    return ReportingSLURMJob


def _submit_error_text(error: BaseException) -> str:
    """What a failed ``sbatch`` said, in one line: its exit status and its stderr."""
    text = str(error)
    status = re.search(r"Exit code: (-?\d+)", text)
    stderr = re.search(r"stderr:\n(.*)", text, re.DOTALL)
    if status is None or stderr is None:
        return f"{type(error).__name__}: {' '.join(text.split())}"
    said = " ".join(stderr.group(1).split()) or "nothing on stderr"
    return f"sbatch exited with status {status.group(1)}: {said}"


def submission_failures(cluster: Any) -> list[str]:
    """The errors of a cluster's jobs whose submission failed every attempt."""
    jobs = list(getattr(cluster, "workers", {}).values())
    return [
        job.submit_error
        for job in jobs
        if getattr(job, "submit_error", None) and getattr(job, "job_id", None) is None
    ]


def _job_ids(cluster: Any) -> list[str]:
    jobs = getattr(cluster, "workers", {}).values()
    return [job.job_id for job in jobs if getattr(job, "job_id", None)]


class WorkerWatch:
    """Ends a Dask session that has had no worker for too long, or whose jobs all failed.

    Args:
        client: The Dask client.
        cluster: The cluster object (e.g. a ``SLURMCluster``), or None for a scheduler
            given by address.
        timeout: Seconds without any worker before the session is given up.
    """

    def __init__(self, client: Any, cluster: Any | None, timeout: float) -> None:
        self.client = client
        self.cluster = cluster
        self.timeout = timeout
        self.last_seen = time.monotonic()
        self.asked = 0.0

    def check(self) -> None:
        """Raise :class:`ClusterError` if the cluster cannot run the session's tasks.

        Cheap to call often: the scheduler is asked at most every two seconds.
        """
        now = time.monotonic()
        if now - self.asked < _WATCH_EVERY:
            return
        self.asked = now
        jobs = list(getattr(self.cluster, "workers", {}).values())
        failures = submission_failures(self.cluster)
        if jobs and len(failures) == len(jobs):
            raise ClusterError(
                f"none of the {len(jobs)} SLURM job(s) could be submitted (each tried "
                f"{SUBMIT_ATTEMPTS} times); the submit command said: {failures[0]}. Check the "
                "partition, account, memory and walltime in the cluster file."
            )
        try:
            workers = len(self.client.scheduler_info(n_workers=-1)["workers"])
        except (OSError, TimeoutError):
            workers = 0
        if workers:
            self.last_seen = now
            return
        if now - self.last_seen < self.timeout:
            return
        raise ClusterError(self._timeout_text())

    def _timeout_text(self) -> str:
        waited = f"no Dask worker was connected for {self.timeout:g} s"
        if self.cluster is None:
            return (
                f"{waited}; the scheduler has no workers to run on. Start workers "
                "(`dask worker ADDRESS`) or check that they can reach the scheduler."
            )
        ids = _job_ids(self.cluster)
        failures = submission_failures(self.cluster)
        shown = ", ".join(ids) if ids else "none"
        text = (
            f"{waited}, so the session was stopped. Jobs submitted: "
            f"{shown}. They may still be queued, have failed to start the workers, or have "
            "reached their walltime: see `squeue -j <id>`, `sacct -j <id>` and the job "
            "logs (log_directory); check the prologue activates wfabm's environment and "
            "that `interface` names a network the nodes share. Raise worker_timeout in "
            "the cluster file if the queue is slow."
        )
        if failures:
            text += f" {len(failures)} job(s) could not be submitted: {failures[0]}"
        return text
