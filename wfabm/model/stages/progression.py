"""Stage 9: promotion into open posts at the same workplace (ODD 7.13)."""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import (
    AMHP,
    CARE_WORKER,
    HEALTHCARE_ASSISTANT,
    NURSE,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
)
from wfabm.model.month import Month
from wfabm.world import market
from wfabm.world.events import PROMOTION_EVENT
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Senior care workers, AMHP warrants and nurses from healthcare assistants."""
    cfg = state.tables.cfg["progression"]
    w = state.workers
    rng = state.rng
    cells = state.cells
    open_posts = now.open_posts
    n_rows = w.size
    for from_role, to_role, rate, min_months in (
        (
            CARE_WORKER,
            SENIOR_CARE_WORKER,
            cfg["senior_promotion_rate"],
            cfg["promotion_experience_months"],
        ),
        (SOCIAL_WORKER, AMHP, cfg["amhp_warrant_rate"], cfg["promotion_experience_months"]),
        (HEALTHCARE_ASSISTANT, NURSE, cfg["hca_to_nurse_rate"], 0),
    ):
        # Each row is drawn with probability rate / 12, without scanning every worker.
        drawn = rng.binomial(n_rows, rate / 12.0)
        # Sorted distinct rows (a sort is much faster than np.unique's hash table here).
        rows = np.sort(rng.integers(0, n_rows, drawn))
        rows = rows[np.diff(rows, prepend=-1) != 0]
        rows = rows[
            w.active[rows] & (w.role[rows] == from_role) & (w.experience[rows] >= min_months)
        ]
        rows = rows[open_posts[w.employer[rows], to_role] > 0]
        if len(rows) == 0:
            continue
        new_role = np.full(len(rows), to_role, dtype=np.int8)
        taken = market.match(rows, w.employer[rows], new_role, open_posts, rng)
        rows = rows[taken]
        employer = w.employer[rows]
        np.add.at(cells.promoted_out, w.cell[rows], 1.0)
        state.events.log(
            PROMOTION_EVENT, now.month, w, rows, employer, employer, from_role, to_role
        )
        w.experience[rows] = 0
        w.point[rows] = 0
        state.move_to_cells(rows, employer, np.full(len(rows), to_role, dtype=np.int8))
        np.add.at(cells.promoted_in, w.cell[rows], 1.0)
