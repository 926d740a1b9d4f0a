"""Inflows: new entrants and returners, graduates, and overseas recruits.

Each month, after moves within the market, open posts are filled from outside it: graduate
cohorts in September, overseas recruits at sponsor-licensed providers while the visa route
is open, and entrants (new and returning) at a rate that rises with pay over the outside
option. Every arrival is a new individual worker with its own age, hours, contract, home and
burnout; arrivals are counted in the flows as ``graduate``, ``overseas`` or ``entrant``.

The functions act on the model's :class:`~wfabm.world.state.State` and take open posts from the
``open_posts`` table they are given (decrementing it), so nothing is created beyond the posts.
"""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import (
    CARE_WORKER,
    ENGLAND_INDEPENDENT,
    ENGLAND_LA,
    ENTRANT,
    GRADUATE,
    INDEPENDENT,
    INDEPENDENT_SECTORS,
    LA,
    N_ROLES,
    OVERSEAS,
    SECTORS,
    SENIOR_CARE_WORKER,
    SOCIAL_WORKER,
)
from wfabm.model.month import Month
from wfabm.world import market
from wfabm.world.events import ARRIVAL_EVENT
from wfabm.world.population import CARE_ROLES, MANAGER_ROLES, homes
from wfabm.world.state import State


def arrive(state: State, employer: np.ndarray, role: np.ndarray, kind: np.ndarray) -> None:
    """Add new workers at the given workplaces and roles.

    Args:
        state: The state.
        employer: Workplace of each new worker.
        role: Role of each new worker.
        kind: Arrival kind of each (``ENTRANT``, ``GRADUATE`` or ``OVERSEAS``).
    """
    count = len(employer)
    if count == 0:
        return
    cfg = state.tables.cfg
    rng = state.rng
    contracts = cfg["workforce"]["contracts"]
    employers = state.employers
    sector = employers.sector[employer]
    returner = (kind == ENTRANT) & (rng.random(count) < cfg["inflows"]["returner_share"])
    # New entrants 18-45, returners 30-60, graduates from 21 (mean 25), overseas 22-45.
    u = rng.random(count)
    age = np.select(
        [kind == GRADUATE, kind == OVERSEAS, returner],
        [21.0 - 4.0 * np.log1p(-u), 22.0 + u * 23.0, 30.0 + u * 30.0],
        18.0 + u * 27.0,
    )
    manager = np.isin(role, MANAGER_ROLES)
    professional = market.PROFESSIONAL[role] | manager
    age = np.where(professional & (age < 22.0), 22.0 + rng.random(count) * 5.0, age)
    experience = np.where(returner, rng.integers(12, 120, count), 0)
    care = np.isin(role, CARE_ROLES)
    part_time = rng.random(count) < np.select(
        [care, manager],
        [contracts["care_part_time_share"], contracts["manager_part_time_share"]],
        contracts["professional_part_time_share"],
    )
    mean_part = contracts["part_time_mean_hours"]
    hours = np.where(
        part_time,
        np.clip(rng.normal(mean_part, 6.0, count), 8.0, 35.0),
        contracts["full_time_hours"],
    )
    care_role = (role == CARE_WORKER) | (role == SENIOR_CARE_WORKER)
    zh_share = np.where(
        np.isin(sector, INDEPENDENT_SECTORS),
        contracts["zero_hours_share_independent"],
        np.where(np.isin(sector, (LA, ENGLAND_LA)), contracts["zero_hours_share_la"], 0.0),
    )
    zero_hours = (
        care_role
        & (rng.random(count) < zh_share)
        & (kind != OVERSEAS)
        & state.zero_hours_possible[employer]
    )
    burnout_cfg = cfg["burnout"]
    home = homes(employers.la[employer], state.tables.commute, rng)
    # All Wales Pledge: newly qualified social workers do no agency work for 3 years.
    pledge = np.where((kind == GRADUATE) & (role == SOCIAL_WORKER), state.clock.month + 36, -1)
    rows = state.workers.append(
        {
            "role": role.astype(np.int8),
            "employer": employer.astype(np.int32),
            "sector": sector,
            "home": home,
            "age_months": np.round(age * 12).astype(np.int16),
            "cell": employer.astype(np.int64) * N_ROLES + role,
            "pay_key": state.pay.pay_keys(
                employer, role, np.minimum(experience // 12, state.tables.points - 1)
            ),
            "tenure": np.zeros(count, dtype=np.int32),
            "experience": experience.astype(np.int32),
            "point": np.minimum(experience // 12, cfg["pay"]["points"] - 1).astype(np.int8),
            "hours": hours,
            "zero_hours": zero_hours,
            "visa": kind == OVERSEAS,
            "burnout": rng.beta(2.0, 8.0, count).astype(np.float32),
            "tolerance": np.clip(
                rng.normal(burnout_cfg["tolerable_workload"], burnout_cfg["tolerance_sd"], count),
                0.5,
                2.0,
            ),
            "intent": np.zeros(count, dtype=np.float32),
            "arrival": (kind - len(SECTORS)).astype(np.int8),
            "arrived": np.full(count, state.clock.month, dtype=np.int16),
            "pledge_until": pledge.astype(np.int16),
        }
    )
    state.cells.add(rows)
    np.add.at(state.cells.joined, state.workers.cell[rows], 1.0)
    state.recorder.add_flows(
        state.clock.month, role.astype(np.int64), kind, sector.astype(np.int64)
    )
    state.events.log(ARRIVAL_EVENT, state.clock.month, state.workers, rows, -1, employer, -1, role)


def place(
    state: State,
    open_posts: np.ndarray,
    workplaces: np.ndarray,
    roles: list[int],
    wanted: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Pick up to ``wanted`` open posts at random among the given workplaces and roles."""
    sub = open_posts[np.ix_(workplaces, roles)].astype(np.int64)
    total = int(sub.sum())
    take = min(wanted, total)
    if take <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    flat = np.repeat(np.arange(sub.size), sub.ravel())
    chosen = state.rng.choice(flat, size=take, replace=False)
    row, column = np.divmod(chosen, len(roles))
    employer = workplaces[row]
    role = np.asarray(roles)[column]
    np.subtract.at(open_posts.reshape(-1), employer * N_ROLES + role, 1.0)
    return employer, role


def graduates(state: State, open_posts: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """September: graduates of Welsh courses take open posts (social workers may cross)."""
    cfg = state.tables.cfg["inflows"]
    if state.clock.date.month != cfg["graduate_month"]:
        return []
    placed = []
    for workplaces, role, key in state.tables.graduate_workplaces:
        wanted = int(
            state.rng.poisson(cfg[key] * state.policy.graduate_multiplier(role, state.clock.month))
        )
        employer, roles = place(state, open_posts, workplaces, [role], wanted)
        placed.append((employer, roles, GRADUATE))
        # Welsh social work graduates not placed in Wales look over the border.
        if role == SOCIAL_WORKER and len(employer) < wanted:
            more = place(
                state, open_posts, state.tables.england_la_rows, [role], wanted - len(employer)
            )
            placed.append((*more, GRADUATE))
    return placed


def overseas(state: State, open_posts: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Overseas care workers arrive at sponsors while the visa route is open."""
    cfg = state.tables.cfg["inflows"]
    date = state.clock.date
    if state.policy.overseas_close is not None and date >= state.policy.overseas_close:
        return []
    visas_by_year = cfg["uk_care_visas"]
    visas = visas_by_year.get(f"y{date.year}", visas_by_year["after_data"])
    share_open = 1.0
    if state.policy.overseas_close is not None and (date.year, date.month) == (
        state.policy.overseas_close.year,
        state.policy.overseas_close.month,
    ):
        share_open = (state.policy.overseas_close.day - 1) / 30.0
    placed = []
    for sector, share in (
        (INDEPENDENT, cfg["wales_share_of_uk_visas"]),
        (ENGLAND_INDEPENDENT, cfg["england_border_share_of_uk_visas"]),
    ):
        wanted = int(state.rng.poisson(visas * share / 12.0 * share_open))
        employer, role = place(
            state,
            open_posts,
            state.tables.sponsors[sector],
            [CARE_WORKER, SENIOR_CARE_WORKER],
            wanted,
        )
        placed.append((employer, role, OVERSEAS))
    return placed


def workplace_vacancy_rate(state: State) -> np.ndarray:
    """Vacant funded posts / funded posts of each workplace, all roles (0 with no posts)."""
    funded = np.floor(state.employers.funded + 1e-9)
    vacant = np.maximum(funded - state.cells.headcount_matrix(), 0.0).sum(axis=1)
    total = funded.sum(axis=1)
    return np.where(total > 0, vacant / np.maximum(total, 1.0), 0.0)


def entrants(state: State, open_posts: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Open posts filled from outside the market.

    Posts fill more readily where pay beats outside work, and less readily where the
    workplace has many vacancies.
    """
    cfg = state.tables.cfg["inflows"]
    outside = state.pay.rlw * state.tables.outside_ratio
    # Only cells with open posts: a binomial draw with no trials uses no random numbers, so
    # skipping the others leaves every draw as it was.
    employer, role = np.nonzero(open_posts > 0)
    attraction = (state.employers.pay[employer, role] / outside[role]) ** cfg[
        "entry_pay_elasticity"
    ]
    # Recruiters of a workplace short of many staff are swamped, and such a workplace repels
    # applicants: outside hiring per open post falls with the workplace's vacancy rate.
    congestion = np.exp(-cfg["fill_congestion"] * workplace_vacancy_rate(state)[employer])
    probability = np.clip(state.tables.fill_rate[role] * attraction * congestion, 0.0, 1.0)
    hires = state.rng.binomial(open_posts[employer, role].astype(np.int64), probability)
    open_posts[employer, role] -= hires
    hired = hires > 0
    counts = hires[hired]
    return np.repeat(employer[hired], counts), np.repeat(role[hired], counts), ENTRANT


def run(state: State, now: Month) -> None:
    """Stage 8: graduates, overseas recruits and entrants take open posts, in that order."""
    open_posts = now.open_posts
    arrivals = [
        *graduates(state, open_posts),
        *overseas(state, open_posts),
        entrants(state, open_posts),
    ]
    arrive(
        state,
        np.concatenate([a[0] for a in arrivals]),
        np.concatenate([a[1] for a in arrivals]),
        np.concatenate([np.full(len(a[0]), a[2], dtype=np.int64) for a in arrivals]),
    )
