"""Where an experiment's runs execute: a local process pool, or Dask (local or a cluster).

Both engines are used through the same :class:`concurrent.futures.Executor` interface
(Dask's through ``Client.get_executor()``), and each run takes its seed from the run table,
so results are bit-identical whatever the engine, the number of workers or the order in
which runs finish. Short runs are batched, several to a task, to spread the cost of
starting a task.

On a SLURM cluster, :func:`~wfabm.batch.cluster.slurm_cluster` builds a
``dask_jobqueue.SLURMCluster`` from a TOML file (:mod:`wfabm.batch.cluster`). A Dask session
never waits forever: the main thread wakes every half second (to take a Ctrl-C), and a
cluster with no worker for too long ends the session with a
:class:`~wfabm.batch.cluster.ClusterError`.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import math
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any

from wfabm.batch.cluster import (
    LOCAL_WORKER_TIMEOUT,
    ClusterError,
    WorkerWatch,
    load_cluster_settings,
    slurm_cluster,
)
from wfabm.batch.store import RunStatus, RunTask, execute_batch
from wfabm.batch.workerpool import process_pool, stop_pool
from wfabm.config import ConfigError

__all__ = [
    "ENGINES",
    "ClusterError",
    "batch_size",
    "batches",
    "in_flight",
    "load_cluster_settings",
    "map_ordered",
    "open_executor",
    "run_tasks",
    "slurm_cluster",
    "stop_pool",
]

_TRIM_SETTING = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
"""Dask setting of an environment variable its nanny gives workers (None: not set)."""

ENGINES: tuple[str, ...] = ("local", "dask")

_TASK_MONTHS = 24
"""Batches hold about this many simulated months, so a task is never much shorter than
building a population and running two years (about 2 s here)."""

OnDone = Callable[[RunTask, RunStatus, int], None]
"""Called as ``on_done(task, status, attempt)`` after every attempt of every run."""

Progress = Callable[[int, int], None]
"""Called as ``progress(tasks_done, tasks_total)``, first with zero done."""

_CANCEL_POLL = 0.5
"""Seconds between checks of a cancel callback while tasks run."""


def batch_size(months: int, runs: int, workers: int, requested: int | None = None) -> int:
    """How many runs to put in one task.

    Args:
        months: Months per run.
        runs: Runs to do.
        workers: Workers running them.
        requested: The spec's ``experiment.batch_size``, which wins when given.

    Returns:
        Runs per task: enough that a task simulates about two years, but never so many
        that a worker would sit idle (at least two tasks per worker where possible).
    """
    if requested is not None:
        return requested
    by_length = max(1, round(_TASK_MONTHS / months))
    by_spread = max(1, math.ceil(runs / (2 * workers)))
    return min(by_length, by_spread)


def in_flight(engine: str, workers: int, scheduler: object | None) -> int:
    """Batches to hand an executor at once: one in this process, else two per worker.

    A Dask cluster reached through a scheduler sizes itself; it gets 256 at a time.
    """
    if engine == "local":
        return 1 if workers == 1 else 2 * workers
    return 2 * workers if scheduler is None else 256


def batches(tasks: Sequence[RunTask], size: int) -> list[list[RunTask]]:
    """Split tasks into consecutive batches of ``size``."""
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


@contextlib.contextmanager
def open_executor(
    engine: str,
    workers: int,
    scheduler: str | Any | None = None,
    *,
    worker_timeout: float | None = None,
) -> Iterator[Executor]:
    """An executor for the engine, shut down (workers ended) on leaving the block.

    Args:
        engine: ``"local"`` (a process pool on this machine) or ``"dask"``.
        workers: Worker processes; for Dask with a scheduler, ignored (the cluster has
            its own).
        scheduler: For Dask, a scheduler address (``"tcp://host:8786"``) or a cluster
            object (e.g. from :func:`slurm_cluster`); None starts a local cluster of
            ``workers`` single-threaded processes.
        worker_timeout: For Dask, seconds the cluster may have no worker before the
            session is given up (None: :data:`~wfabm.batch.cluster.LOCAL_WORKER_TIMEOUT`).

    Yields:
        The executor.

    Raises:
        ClusterError: From the executor's tasks' waits, if the cluster has had no worker
            for ``worker_timeout`` seconds or none of its jobs could be submitted.
    """
    if engine == "local":
        if workers == 1:
            yield _InProcess()
            return
        pool = process_pool(workers)
        try:
            yield pool
        except BaseException:
            stop_pool(pool)
            raise
        pool.shutdown()
        return
    if engine != "dask":
        raise ConfigError(f"--engine {engine} is not an engine; allowed: {', '.join(ENGINES)}.")
    import dask
    from dask.distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            # Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers; on glibc that switches
            # off malloc's adaptive mmap threshold, so every large numpy array of the monthly
            # step is mapped and unmapped afresh (page faults), about doubling a run's time.
            stack.enter_context(dask.config.set({_TRIM_SETTING: None}))
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout="20s"))
            except OSError as error:
                raise ConfigError(
                    f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({error}); "
                    'allowed: the address a running scheduler prints, e.g. "tcp://10.0.0.5:8786".'
                ) from None
        cluster = scheduler if scheduler is not None and not isinstance(scheduler, str) else None
        watch = WorkerWatch(client, cluster, worker_timeout or LOCAL_WORKER_TIMEOUT)
        executor = _WatchedExecutor(client.get_executor(pure=False), watch)
        try:
            yield executor
        finally:
            executor.shutdown(wait=False)


class _WatchedExecutor(Executor):
    """A Dask client's executor whose waits also check that the cluster has workers."""

    def __init__(self, executor: Executor, watch: WorkerWatch) -> None:
        self.executor = executor
        self.watch = watch

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self.executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.executor.shutdown(wait=wait)


def _check_workers(executor: Executor) -> None:
    if isinstance(executor, _WatchedExecutor):
        executor.watch.check()


class _InProcess(Executor):
    """Runs each task at once in this process: one worker without the cost of a pool."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            if not isinstance(error, Exception):
                raise
            future.set_exception(error)
        return future


def map_ordered(
    executor: Executor,
    fn: Callable[..., Any],
    tasks: Sequence[tuple],
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    poll: float = _CANCEL_POLL,
    on_result: Callable[[int, Any], None] | None = None,
) -> list | None:
    """Run ``fn(*task)`` for every task on ``executor``; the results in task order.

    A task's error is raised here, in the caller, as soon as it is known; the other tasks
    are then dropped (leaving an :func:`open_executor` block on the error ends a pool's
    workers). The results do not depend on the executor or the number of workers.

    Args:
        executor: Where to run, e.g. from :func:`open_executor`.
        fn: A module-level function, so that worker processes can run it.
        tasks: The arguments of each call.
        progress: Told how many tasks are done as they finish, first with zero.
        cancel: Asked between tasks (in this process) or every ``poll`` seconds (in
            workers); when it says True, queued and running tasks are stopped.
        poll: Seconds between questions to ``cancel``.
        on_result: Told ``(task index, result)`` in this process as each task finishes,
            in the order they finish, so a caller can show results as they arrive.

    Returns:
        ``fn``'s result for each task, in task order; None if cancelled.
    """
    total = len(tasks)
    report = progress or (lambda done, total: None)
    stopped = cancel or (lambda: False)
    arrived = on_result or (lambda index, result: None)
    report(0, total)
    if isinstance(executor, _InProcess):
        results = []
        for task in tasks:
            if stopped():
                return None
            results.append(fn(*task))
            arrived(len(results) - 1, results[-1])
            report(len(results), total)
        return results
    futures: list[Future] = [executor.submit(fn, *task) for task in tasks]
    index = {future: i for i, future in enumerate(futures)}
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=poll, return_when=FIRST_COMPLETED)
            _check_workers(executor)
            for future in sorted(done, key=index.__getitem__):
                arrived(index[future], future.result())  # re-raises a task's error here
            if done:
                report(total - len(pending), total)
            if pending and stopped():
                _drop(executor, futures)
                return None
    except BaseException:
        _drop(executor, futures)
        raise
    return [future.result() for future in futures]


def _drop(executor: Executor, futures: list[Future]) -> None:
    """Stop the tasks still queued or running; a process pool's workers end at once."""
    for future in futures:
        future.cancel()
    if isinstance(executor, ProcessPoolExecutor):
        stop_pool(executor)


def run_tasks(
    executor: Executor,
    tasks: Sequence[RunTask],
    size: int,
    on_done: OnDone,
    *,
    in_flight: int,
    attempts: int = 2,
) -> None:
    """Run every task in batches; retry a failed run (in a batch of its own) once.

    Only ``in_flight`` batches are handed to the executor at a time, so progress is
    reported as runs finish, an interrupted session has few runs in progress, and a
    cluster's scheduler is not flooded with thousands of tasks.

    Args:
        executor: Where to run.
        tasks: The runs to do.
        size: Runs per batch.
        on_done: Told of every attempt as it finishes.
        in_flight: Batches submitted at once (e.g. twice the workers).
        attempts: Attempts per run (2: a failed run is retried once).
    """
    by_label = {task.label: task for task in tasks}
    waiting = collections.deque((batch, 1) for batch in batches(tasks, size))
    running: dict[Future, tuple[list[RunTask], int]] = {}
    while waiting or running:
        while waiting and len(running) < in_flight:
            batch, attempt = waiting.popleft()
            running[executor.submit(execute_batch, batch)] = (batch, attempt)
        # A timeout, so that this (main) thread wakes up to take a Ctrl-C: with Dask the
        # signal may land on one of its threads, and an untimed wait would never see it.
        done, _ = wait(list(running), timeout=_CANCEL_POLL, return_when=FIRST_COMPLETED)
        _check_workers(executor)
        for future in done:
            batch, attempt = running.pop(future)
            try:
                statuses = future.result()
            except Exception as error:  # a lost worker fails its batch
                statuses = [
                    RunStatus(task.label, False, 0.0, f"{type(error).__name__}: {error}", None)
                    for task in batch
                ]
            for status in statuses:
                task = by_label[status.label]
                on_done(task, status, attempt)
                if not status.ok and attempt < attempts:
                    waiting.append(([task], attempt + 1))
