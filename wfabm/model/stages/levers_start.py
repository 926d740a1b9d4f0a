"""Stage 1: levers that start this month (pay framework, zero-hours ban, NHS parity terms)."""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import LA, WELSH_EMPLOYERS
from wfabm.model.month import Month
from wfabm.world.pay import FRAMEWORK_GROUP
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Apply the levers that take effect at the start of this month."""
    policy = state.policy
    if now.month == policy.framework_start:
        join_framework(state)
    if now.month == policy.zero_hours_ban_start:
        ban_zero_hours(state)
    # Parity's start is a pay event, so the intent tables, which read the terms, are
    # refreshed with the pay in the employers' stage.
    la_terms = state.tables.la_terms
    for role, share in policy.parity_terms(now.month).items():
        state.terms[state.employers.sector == LA, role] = la_terms + share * (1.0 - la_terms)


def join_framework(state: State) -> None:
    """Adopting employers move onto the framework's pay points (statutory steps)."""
    w = state.workers
    used = w.view()
    state.pay.step_group[state.policy.framework_adopters] = FRAMEWORK_GROUP
    w.pay_key[used] = state.pay.pay_keys(w.employer[used], w.role[used], w.point[used])
    state.cells.recount()


def ban_zero_hours(state: State) -> None:
    """Zero-hours contracts at Welsh employers become guaranteed hours."""
    w = state.workers
    used = w.view()
    welsh = np.isin(w.sector[used], WELSH_EMPLOYERS)
    w.zero_hours[used] &= ~welsh
    state.zero_hours_possible[np.isin(state.employers.sector, WELSH_EMPLOYERS)] = False
