"""Stage 5: sickness absence, workload (with any caseload cap) and burnout."""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import N_ROLES
from wfabm.model.month import Month
from wfabm.world import burnout as burnout_rules
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Workload and burnout (ODD 7.4, 7.5); team sums are those of the end of last month."""
    tables = state.tables
    employers = state.employers
    w = state.workers
    burnout_cfg = tables.cfg["burnout"]
    workplace_headcount = now.headcount.sum(axis=1)
    workplace_burnout = (
        state.cells.burnout_end_of_month[:-1].reshape(employers.size, N_ROLES).sum(axis=1)
    )
    present = burnout_rules.present_staff(
        workplace_headcount,
        workplace_burnout,
        burnout_cfg["absence_base"],
        burnout_cfg["absence_burnout"],
    )
    now.present = present
    load = burnout_rules.workload(
        present, employers.funded.sum(axis=1), employers.agency_fte.sum(axis=1)
    )
    load[tables.agency_rows] = burnout_cfg["agency_workload"]
    cap_caseload(state, now, load)
    state.workload = load
    team_mean = (workplace_burnout / np.maximum(workplace_headcount, 1)).astype(np.float32)
    load32 = load.astype(np.float32)
    used = w.view()
    employer = w.employer[used]
    excess = np.maximum(np.take(load32, employer) - w.tolerance[used], 0.0)
    # Uniform noise with the configured standard deviation.
    noise = state.rng.random(len(employer), dtype=np.float32) - 0.5
    noise *= burnout_cfg["noise_sd"] * 12.0**0.5
    burnout = burnout_rules.update_burnout(
        w.burnout[used],
        excess,
        np.take(team_mean, employer),
        noise,
        burnout_cfg["rise_rate"],
        recovery(state, now, employer),
        burnout_cfg["contagion"],
    )
    w.burnout[used] = burnout
    now.burnout = burnout
    now.excess = excess


def cap_caseload(state: State, now: Month, load: np.ndarray) -> None:
    """A caseload cap: social work teams carry no more than the cap (``load``, in place).

    The rest is asked of agencies next month (``state.agency_requests``), and what they
    cannot cover waits (unmet hours).
    """
    cap = state.policy.caseload_cap(now.month)
    capped = state.tables.la_social_work & (load > cap)
    state.agency_requests[:] = 0.0
    if capped.any():
        available = now.present + state.employers.agency_fte.sum(axis=1)
        state.agency_requests[capped] = (load[capped] - cap) * available[capped]
        load[capped] = cap


def recovery(state: State, now: Month, employer: np.ndarray) -> np.ndarray | float:
    """Burnout recovery rate per worker (one value unless a wellbeing lever is in force)."""
    rate = state.policy.recovery(state.tables.recovery, now.month)
    if np.isscalar(rate):
        return rate
    return np.take(rate.astype(np.float32), employer)
