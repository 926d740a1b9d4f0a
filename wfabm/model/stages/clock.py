"""Stage 11: the clock moves on; each April, departed workers are archived and ties renewed.

Where ``run.hold_age_profile`` is set, each April also maps ages back onto the base-year
profile (:mod:`wfabm.world.ages`).
"""

from __future__ import annotations

import numpy as np

from wfabm.model.month import Month
from wfabm.world.ages import hold_age_profile
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Everyone ages a month; the month advances; in April, compact and refresh ties."""
    w = state.workers
    used = w.view()
    w.age_months[used] += 1
    w.tenure[used] += 1
    w.experience[used] += 1
    clock = state.clock
    state.recorder.months_recorded = clock.month + 1
    clock.month += 1
    if clock.date.month == 4:
        if state.age_profile is not None:
            hold_age_profile(w, state.age_profile)
        compact_and_refresh_ties(state)


def compact_and_refresh_ties(state: State) -> None:
    """Yearly: archive departed workers, drop ties to them, and top up colleague ties.

    Anyone left with fewer than half the configured colleague ties (newcomers, movers,
    people whose colleagues left) gets new ties to random current colleagues.
    """
    w = state.workers
    # Departed workers are archived only when events are kept (for worker() histories).
    departed = w.compact(archive=state.events.record)
    if departed and len(departed["worker_id"]):
        state.events.archive.append(departed)
    colleagues = state.tables.cfg["network"]["colleague_degree"]
    if colleagues == 0 or w.size == 0:
        return
    used = w.view()
    employer = w.employer[used]
    # Each tie's workplace, looked up by id in a dense table (ids only grow, so its size
    # is the next id); the last entry stays -1, for the -1 padding as for leavers.
    employer_by_id = np.full(w.next_id + 1, -1, dtype=np.int32)
    employer_by_id[w.worker_id[used]] = employer
    ties = w.ties[used]
    tie_employer = employer_by_id[ties]
    np.copyto(ties, -1, where=tie_employer < 0)
    colleague_ties = np.count_nonzero(tie_employer == employer[:, None], axis=1)
    lonely = np.flatnonzero(colleague_ties < max(colleagues // 2, 1))
    if len(lonely) == 0:
        return
    # Rows sorted by workplace; each workplace's rows start after those of the ones before.
    # A stable sort of 16-bit keys is a radix sort, several times faster than on int32.
    n_employers = state.employers.size
    keys = employer.astype(np.uint16) if n_employers <= 2**16 else employer
    order = np.argsort(keys, kind="stable")
    team_size = np.bincount(employer, minlength=n_employers)
    team_start = np.cumsum(team_size) - team_size
    first = team_start[employer[lonely]]
    size = team_size[employer[lonely]]
    picks = first[:, None] + (state.rng.random((len(lonely), colleagues)) * size[:, None]).astype(
        np.int64
    )
    new_rows = order[np.minimum(picks, len(order) - 1)]
    new_ids = np.where(
        (size[:, None] > 1) & (new_rows != lonely[:, None]), w.worker_id[new_rows], -1
    )
    free = ties[lonely] < 0
    # The j-th new colleague goes into the worker's j-th free slot, if there is one.
    rank = np.cumsum(free, axis=1) - 1
    r, slot = np.nonzero(free & (rank < colleagues))
    ties[lonely[r], slot] = new_ids[r, rank[r, slot]]
