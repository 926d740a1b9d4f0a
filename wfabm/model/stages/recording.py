"""Stage 10: recording this month's stocks and flows by (workplace, role) cell (ODD 7.15)."""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import N_ROLES
from wfabm.model.month import Month
from wfabm.world import employers as employer_rules
from wfabm.world.state import State

WEEKS_PER_MONTH = 52.143 / 12


def run(state: State, now: Month) -> None:
    """Sum this month's stocks by cell into the recorder; keep burnout sums for next month."""
    tables = state.tables
    cells = state.cells
    w = state.workers
    employers = state.employers
    used = w.view()
    cell = w.cell[used]
    size = tables.n_cells + 1
    burnout_sum = np.bincount(cell, weights=w.burnout[used].astype(np.float64), minlength=size)
    cells.burnout_end_of_month = burnout_sum
    headcount = cells.headcount[:-1].astype(np.float64)
    burnout_cfg = tables.cfg["burnout"]
    workload = np.take(state.workload, tables.cell_employer)
    funded = employers.funded.ravel().copy()
    vacancies = employer_rules.vacancies(employers, cells.headcount_matrix()).ravel()
    # Agencies' "posts" are their clients' requests, not funded posts of their own.
    agency = tables.agency_cell
    funded[agency] = 0.0
    vacancies = np.where(agency, 0.0, vacancies)
    agency_fte = employers.agency_fte.ravel()
    full_time = tables.full_time
    hours_per_month = full_time * 52.143 / 12
    pay_cell = state.pay_cells.pay[:-1]
    absence_base = burnout_cfg["absence_base"]
    absence_burnout = burnout_cfg["absence_burnout"]
    cell_values = {
        "headcount": headcount,
        "fte": cells.sums[:-1, 0] / full_time,
        "burnout_sum": burnout_sum[:-1],
        "intent_sum": np.bincount(cell, weights=w.intent[used].astype(np.float64), minlength=size)[
            :-1
        ],
        # Absence is linear in burnout, so its sum follows from the burnout sum.
        "absence_sum": absence_base * (headcount + absence_burnout * burnout_sum[:-1]),
        "workload_sum": workload * headcount,
        # A worker's pay is the cell's rate times their pay-point factor.
        "pay_sum": pay_cell * cells.sums[:-1, 1],
        # Monthly pay: hourly rate x contracted hours x weeks per month.
        "wage_bill": pay_cell * cells.sums[:-1, 2] * WEEKS_PER_MONTH,
        "funded_posts": funded,
        "vacancies": vacancies,
        "joiners": cells.joined[:-1],
        "leavers": cells.left[:-1],
        "promoted_in": cells.promoted_in[:-1],
        "promoted_out": cells.promoted_out[:-1],
        "agency_fte": agency_fte,
        # Care hours funded but covered neither by staff present nor by agency cover.
        "unmet_hours": np.maximum(
            funded
            - (headcount * (1.0 - absence_base) - absence_base * absence_burnout * burnout_sum[:-1])
            - agency_fte,
            0.0,
        )
        * hours_per_month,
        "agency_spend": agency_fte
        * np.tile(agency_rate(state), employers.size)
        * state.pay.charge_ratio
        * hours_per_month,
    }
    state.recorder.add_columns(now.month, cell_values)
    cells.reset_flows()


def agency_rate(state: State) -> np.ndarray:
    """Mean agency worker pay per role (for agency spend)."""
    pay = state.employers.pay[state.tables.agency_rows]
    return pay.mean(axis=0) if len(pay) else np.zeros(N_ROLES)
