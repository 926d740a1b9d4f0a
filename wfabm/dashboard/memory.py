"""Giving a closed browser session's memory back to the operating system.

When a session closes, Solara drops its page and Python frees its model, but glibc's
allocator keeps most of the freed heap (the model's numpy columns and tables) for later
use by the process, so the server's resident memory would still grow by tens of MB with
every visitor. :class:`SessionMemory` runs a collection and asks the allocator to return
its free pages (``malloc_trim``) shortly after each session closes, on a thread of its own
that holds no session.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import time

__all__ = ["RELEASE_DELAY", "SessionMemory", "return_free_heap"]

RELEASE_DELAY = 2.0
"""Seconds between a session closing and its memory being returned: Solara drops the
session's last references (and runs its own collection) within about one."""


def return_free_heap() -> bool:
    """Ask the C allocator to give its free pages back to the operating system.

    Returns:
        Whether the allocator is glibc's (the only one with ``malloc_trim``) and gave back
        any memory; elsewhere this does nothing.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return bool(trim(0))


class SessionMemory:
    """Returns memory to the operating system after sessions close.

    Several sessions closing together cause one release. Call :meth:`start` once, outside
    any session (a thread started inside a session would keep it alive), and
    :meth:`watch` to hear of every session Solara closes.

    Args:
        delay: Seconds from a close to the release.
    """

    def __init__(self, delay: float = RELEASE_DELAY) -> None:
        self.delay = delay
        self.releases = 0
        """Releases run so far."""
        self._closed = threading.Event()

    def start(self) -> None:
        """Start the thread that releases memory after closes."""
        threading.Thread(target=self._run, name="wfabm-session-memory", daemon=True).start()

    def watch(self) -> None:
        """Hear of every session Solara starts, to release its memory when it closes."""
        import solara.lab

        # Called as each session starts; what it returns is called as the session closes.
        solara.lab.on_kernel_start(lambda: self.session_closed)

    def session_closed(self) -> None:
        """Note that a session closed: its memory is returned :attr:`delay` seconds later."""
        self._closed.set()

    def release(self) -> None:
        """Collect unreachable objects and return the allocator's free pages."""
        gc.collect()
        return_free_heap()
        self.releases += 1

    def _run(self) -> None:
        while True:
            self._closed.wait()
            # Sessions closing within the delay share one release.
            time.sleep(self.delay)
            self._closed.clear()
            self.release()
