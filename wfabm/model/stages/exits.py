"""Stage 6: intent to leave, exits (retirement, leaving the sector) and the decision to search.

One uniform draw per worker decides both whether they leave and, if they stay, whether
they search for another job (ODD 7.6-7.8).
"""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import LEFT_SECTOR, N_ROLES, RETIRED
from wfabm.model.month import Month
from wfabm.world import employers as employer_rules
from wfabm.world import exits as exit_rules
from wfabm.world.events import LEFT_EVENT, RETIRED_EVENT
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Set each worker's intent; retire, leave or mark to search, from one draw each."""
    tables = state.tables
    cfg = tables.cfg
    w = state.workers
    pay_cells = state.pay_cells
    used = w.view()
    employer = w.employer[used]
    cell = w.cell[used]
    burnout = now.burnout
    exits_cfg = cfg["exits"]
    log_point = np.take(tables.log_point_factor, w.pay_key[used])
    static_code = (
        w.zero_hours[used].view(np.int8)
        + ((w.tenure[used] < 12).view(np.int8) << 1)
        + ((w.age_months[used] < 300).view(np.int8) << 2)
    )
    log_odds = exit_rules.intent_log_odds(
        np.take(pay_cells.intent, cell) + exits_cfg["intent_pay"] * log_point,
        burnout,
        now.excess,
        np.take(tables.intent_static, static_code),
        exits_cfg,
    )
    # Pay below typical earnings is a reason to leave for a better-paid job: it raises
    # the intent to leave (as surveyed) and so search, but leaving the labour market
    # follows the intent without it, which keeps that exit's small pay elasticity.
    leaving_intent = exit_rules.expit(log_odds)
    intent = exit_rules.expit(log_odds + np.take(pay_cells.intent_gap, cell))
    w.intent[used] = intent
    p_retire = np.take(tables.retirement, w.age_months[used])
    p_exit = (
        np.take(tables.leave_cell, cell)
        + np.take(tables.leave_intent_cell, cell) * leaving_intent
        + tables.leave_burnout * burnout
        + p_retire
    )
    u = state.rng.random(len(cell), dtype=np.float32)
    exiting = u < p_exit
    open_posts = employer_rules.open_vacancies(now.vacant, tables.vacancy_held)
    log_offer = log_local_offer_pay(state, open_posts)
    gap = (
        np.take(
            log_offer.astype(np.float32), w.home[used].astype(np.int64) * N_ROLES + w.role[used]
        )
        - np.take(pay_cells.log_pay, cell)
        - log_point
    )
    search_cfg = cfg["search"]
    p_search = exit_rules.expit(
        np.take(tables.search_cell, cell)
        + search_cfg["intent_log_odds"] * intent
        + search_cfg["pay_gap_log_odds"]
        * np.take(tables.pay_service_employer, employer)
        * np.maximum(gap, 0.0)
    )
    # For those who stay, (u - p_exit) / (1 - p_exit) is again uniform on [0, 1).
    searching = ~exiting & ((u - p_exit) < p_search * (1.0 - p_exit))
    retiring = exiting & (u < p_retire)
    depart(state, np.flatnonzero(retiring), RETIRED)
    depart(state, np.flatnonzero(exiting & ~retiring), LEFT_SECTOR)
    now.searching = np.flatnonzero(searching)


def log_local_offer_pay(state: State, open_posts: np.ndarray) -> np.ndarray:
    """Log mean entry pay of the vacancies a worker could reach, flat by (home, role).

    Where nothing is on offer the entry is very low, so no pay gap is seen.
    """
    employers = state.employers
    n_la = state.tables.geography.size
    reach = state.tables.reach
    offered = employer_rules.sum_by_group(open_posts * employers.pay, employers.la, n_la)
    posts = employer_rules.sum_by_group(open_posts, employers.la, n_la)
    # reach[role, home, la]: sum over reachable authorities.
    offered_in_reach = np.einsum("rhl,lr->hr", reach, offered)
    posts_in_reach = np.einsum("rhl,lr->hr", reach, posts)
    mean = np.divide(
        offered_in_reach,
        posts_in_reach,
        out=np.zeros_like(offered_in_reach),
        where=posts_in_reach > 0,
    )
    return np.log(np.maximum(mean, 1e-9)).ravel()


def depart(state: State, rows: np.ndarray, destination: int) -> None:
    """Rows leave the market for ``destination`` (retired or left the sector)."""
    if len(rows) == 0:
        return
    w = state.workers
    month = state.clock.month
    employer = w.employer[rows]
    role = w.role[rows]
    np.add.at(state.cells.left, w.cell[rows], 1.0)
    state.recorder.add_flows(
        month, role, w.sector[rows].astype(np.int64), np.full(len(rows), destination)
    )
    kind = RETIRED_EVENT if destination == RETIRED else LEFT_EVENT
    state.events.log(kind, month, w, rows, employer, -1, role, role)
    state.cells.remove(rows)
    w.cell[rows] = state.tables.n_cells
    w.active[rows] = False
