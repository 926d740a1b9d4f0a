"""Stage 2: pay uplifts on their real dates, and a pay point for a year's service."""

from __future__ import annotations

from wfabm.model.month import Month
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Apply this month's uplift, if any; everyone below the top point moves up one."""
    uplift = state.tables.uplifts.get(now.month)
    if uplift is None:
        return
    state.pay.apply(uplift)
    w = state.workers
    used = w.view()
    rises = w.point[used] < state.tables.points - 1
    w.point[used] += rises
    w.pay_key[used] += rises
    state.cells.recount()
    now.pay_changed = True
