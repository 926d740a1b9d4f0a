"""Process pools whose workers end with the process that started them.

A worker of a :class:`~concurrent.futures.ProcessPoolExecutor` outlives its parent when the
parent is killed (SIGKILL, or SIGTERM without a handler): it finishes the runs it holds,
hundreds of megabytes each, for a parent that is gone. Workers of :func:`process_pool`
ask Linux to kill them when their parent dies (``PR_SET_PDEATHSIG``); where that is not
available they watch their parent's process id instead and exit when it changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

__all__ = ["PARENT_POLL_SECONDS", "die_with_parent", "process_pool", "stop_pool"]

PARENT_POLL_SECONDS = 1.0
"""How often a worker without ``PR_SET_PDEATHSIG`` checks that its parent is alive."""

_PR_SET_PDEATHSIG = 1
"""The ``prctl`` option (linux/prctl.h): a signal sent to this process when its parent dies."""


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that die with this process.

    Args:
        workers: Worker processes.

    Returns:
        The pool; end it with ``shutdown()`` or, after an error, :func:`stop_pool`.
    """
    # Mesa switches multiprocessing to "spawn" anyway; asking for it keeps every platform
    # the same (no forked copies of a half-built model).
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def die_with_parent(parent: int, *, poll: bool | None = None) -> None:
    """Make this process end when process ``parent`` ends (a pool's worker initializer).

    Args:
        parent: The process id of the parent, as the parent saw it.
        poll: Watch the parent from a thread instead of asking the kernel; None: only
            where ``PR_SET_PDEATHSIG`` is unavailable.
    """
    if poll is None:
        poll = not _set_death_signal(signal.SIGKILL)
    # The parent may have died before the signal was asked for; then none will come.
    if os.getppid() != parent:
        os._exit(1)
    if poll:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Drop queued tasks and end the pool's workers, after an error or an interrupt.

    Without this the pool would finish every task already started (minutes each) first.
    """
    # The executor has no public way to end its workers before Python 3.14.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=10)


def _set_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    # An orphan is adopted by another process, so its parent's id changes.
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
