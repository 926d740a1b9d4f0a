"""Stage 7: on-the-job search, choice between reachable vacancies, and matching (ODD 7.9-7.11)."""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import AGENCY, N_ROLES
from wfabm.model.month import Month
from wfabm.world import employers as employer_rules
from wfabm.world import market
from wfabm.world.events import MOVE_EVENT
from wfabm.world.state import State


def run(state: State, now: Month) -> None:
    """Searchers choose among open posts after the exits; the chosen posts are matched."""
    headcount = state.cells.headcount_matrix()
    vacant = employer_rules.vacancies(state.employers, headcount)
    now.open_posts = employer_rules.open_vacancies(vacant, state.tables.vacancy_held)
    rows = now.searching
    if len(rows) == 0 or now.open_posts.sum() == 0:
        return
    movers, destination, new_role = choose(state, rows, now.open_posts)
    if len(movers) == 0:
        return
    taken = market.match(movers, destination, new_role, now.open_posts, state.rng)
    move(state, movers[taken], destination[taken], new_role[taken])


def choose(
    state: State, rows: np.ndarray, open_posts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each searcher chooses between staying and a few reachable vacancies.

    Args:
        state: The state.
        rows: The searchers' rows.
        open_posts: Open posts by (workplace, role).

    Returns:
        The rows that chose to move, their chosen workplaces and roles.
    """
    tables = state.tables
    cfg = tables.cfg
    rng = state.rng
    w = state.workers
    employers = state.employers
    n_la = tables.geography.size
    k = cfg["search"]["choice_set_size"]

    role = w.role[rows].astype(np.int64)
    home = w.home[rows].astype(np.int64)
    experienced = w.experience[rows] >= cfg["progression"]["promotion_experience_months"]
    experienced = experienced.astype(np.int64)

    index = market.VacancyIndex.build(open_posts, employers.la, n_la)
    cell_open = index.cell_open.reshape(n_la, N_ROLES)
    # weights[from_role, experienced, home, la, to_role]
    weights = (
        tables.transitions[:, :, None, None, :]
        * tables.reach[:, None, :, :, None]
        * cell_open[None, None, None, :, :]
    ).reshape(N_ROLES * 2 * n_la, n_la * N_ROLES)
    totals = weights.sum(axis=1)
    cumulative = np.cumsum(weights, axis=1) / np.where(totals > 0, totals, 1.0)[:, None]
    query = (role * 2 + experienced) * n_la + home
    has_any = totals[query] > 0

    cells = market.sample_rows(cumulative, np.repeat(query, k), rng.random(len(rows) * k)).reshape(
        len(rows), k
    )
    entries = index.sample_in_cells(cells.ravel(), rng.random(len(rows) * k))
    cand_employer = index.employer[entries].reshape(len(rows), k)
    cand_role = index.role[entries].reshape(len(rows), k)
    valid = np.repeat(has_any[:, None], k, axis=1)

    # One more job heard of through a tie: the tie's workplace, in the searcher's role.
    width = w.ties.shape[1]
    tie = w.rows_of(w.ties[rows, rng.integers(0, width, len(rows))])
    tie_ok = tie >= 0
    tie_safe = np.where(tie_ok, tie, 0)
    ref_employer = w.employer[tie_safe]
    ref_role = role.copy()
    tie_ok &= open_posts[ref_employer, ref_role] > 0
    tie_ok &= tables.reach[role, home, employers.la[ref_employer]]
    cand_employer = np.column_stack([cand_employer, ref_employer])
    cand_role = np.column_stack([cand_role, ref_role])
    valid = np.column_stack([valid, tie_ok])

    employer = w.employer[rows]
    valid &= employers.organisation[cand_employer] != employers.organisation[employer][:, None]
    visa = w.visa[rows][:, None]
    valid &= ~visa | (employers.sponsor[cand_employer] & market.VISA_ROLES[cand_role])
    pledged = (w.pledge_until[rows] > state.clock.month)[:, None]
    valid &= ~(pledged & (employers.sector[cand_employer] == AGENCY))

    utility = np.where(valid, utility_of_moving(state, rows, cand_employer, cand_role), -np.inf)
    stay = cfg["choice"]["stay_burnout"] * w.burnout[rows]
    all_options = np.column_stack([stay, utility]) + market.gumbel(rng, (len(rows), k + 2))
    best = np.argmax(all_options, axis=1)
    moving = best > 0
    pick = best[moving] - 1
    return (
        rows[moving],
        cand_employer[moving, pick],
        cand_role[moving, pick].astype(np.int8),
    )


def utility_of_moving(
    state: State, rows: np.ndarray, cand_employer: np.ndarray, cand_role: np.ndarray
) -> np.ndarray:
    """Utility of each candidate post over staying, without the random term (ODD 7.10).

    The last column is the post heard of through a tie, which gets the referral bonus.
    """
    tables = state.tables
    choice_cfg = tables.cfg["choice"]
    w = state.workers
    employers = state.employers
    role = w.role[rows].astype(np.int64)
    home = w.home[rows].astype(np.int64)
    employer = w.employer[rows]
    sector = w.sector[rows]
    cand_sector = employers.sector[cand_employer]
    same_role = cand_role == role[:, None]
    point = np.where(same_role, w.point[rows][:, None], 0)
    offer = state.pay.hourly(cand_employer, cand_role, point)
    current = state.pay_of(rows)[:, None]
    zero_hours = w.zero_hours[rows][:, None]
    keeps_zero_hours = zero_hours & state.zero_hours_kept()[cand_employer]
    la_now = employers.la[employer][:, None]
    la_new = employers.la[cand_employer]
    distance = tables.geography.distance
    workload = state.workload
    terms = state.terms
    welsh = tables.welsh_workplace
    utility = (
        (tables.choice_pay[role] * tables.choice_pay_service[employers.service[employer]])[:, None]
        * np.log(np.maximum(offer, 1e-9) / current)
        + choice_cfg["hours_security"] * (zero_hours.astype(float) - keeps_zero_hours)
        + choice_cfg["workload"] * (workload[employer][:, None] - workload[cand_employer])
        + choice_cfg["nhs_terms"]
        * (terms[cand_employer, cand_role] - terms[employer, role][:, None])
        + choice_cfg["commute_per_10km"]
        * (distance[home[:, None], la_new] - distance[home[:, None], la_now])
        / 10.0
        - choice_cfg["switching_cost"]
        - choice_cfg["sector_change_cost"] * (cand_sector != sector[:, None])
        - choice_cfg["cross_border_cost"] * (welsh[cand_employer] != welsh[employer][:, None])
    )
    utility[:, -1] += choice_cfg["referral_bonus"]
    return utility


def move(state: State, rows: np.ndarray, destination: np.ndarray, new_role: np.ndarray) -> None:
    """Matched searchers move to their new posts (tenure restarts; a new role restarts pay)."""
    if len(rows) == 0:
        return
    w = state.workers
    old_employer = w.employer[rows].copy()
    old_role = w.role[rows].copy()
    np.add.at(state.cells.left, w.cell[rows], 1.0)
    state.recorder.add_flows(
        state.clock.month,
        new_role,
        w.sector[rows].astype(np.int64),
        state.employers.sector[destination].astype(np.int64),
    )
    state.events.log(
        MOVE_EVENT, state.clock.month, w, rows, old_employer, destination, old_role, new_role
    )
    changed_role = new_role != old_role
    w.tenure[rows] = 0
    w.experience[rows] = np.where(changed_role, 0, w.experience[rows])
    w.point[rows] = np.where(changed_role, 0, w.point[rows])
    w.zero_hours[rows] &= state.zero_hours_kept()[destination]
    state.move_to_cells(rows, destination, new_role)
    np.add.at(state.cells.joined, w.cell[rows], 1.0)
