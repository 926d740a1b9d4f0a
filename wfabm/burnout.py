"""Workload, burnout and sickness absence.

Workload is the work of a workplace's funded posts divided by the staff actually there:
people present (contracted time less sickness absence) plus agency cover. Vacancies and
absent colleagues raise it. Burnout rises with workload above each worker's tolerance,
falls with recovery, and is pulled toward the team's mean (colleagues' burnout spreads).
Burnout raises sickness absence, which raises colleagues' workload next month.
"""

from __future__ import annotations

import numpy as np


def absence(burnout: np.ndarray, base: float, burnout_factor: float) -> np.ndarray:
    """Share of contracted time lost to sickness, rising with burnout."""
    return np.minimum(base * (1.0 + burnout_factor * burnout), 0.95)


def workplace_workload(
    employer: np.ndarray,
    present: np.ndarray,
    funded_by_workplace: np.ndarray,
    agency_cover: np.ndarray,
) -> np.ndarray:
    """Work per available person at each workplace.

    Args:
        employer: Workplace of each active worker.
        present: Each active worker's share of time present (1 - absence).
        funded_by_workplace: Funded posts per workplace (all roles).
        agency_cover: Agency FTE covering each workplace.

    Returns:
        Workload ratio per workplace (1 = fully staffed, nobody absent).
    """
    n_workplaces = len(funded_by_workplace)
    available = np.bincount(employer, weights=present, minlength=n_workplaces) + agency_cover
    return np.where(
        funded_by_workplace > 0,
        funded_by_workplace / np.maximum(available, 0.5),
        1.0,
    )


def update_burnout(
    burnout: np.ndarray,
    workload: np.ndarray,
    tolerance: np.ndarray,
    team_mean: np.ndarray,
    noise: np.ndarray,
    rise_rate: float,
    recovery_rate: np.ndarray | float,
    contagion: float,
) -> np.ndarray:
    """One month of burnout dynamics for every worker at once.

    Args:
        burnout: Current burnout in [0, 1].
        workload: Each worker's workplace workload.
        tolerance: Each worker's tolerable workload.
        team_mean: Mean burnout of each worker's workplace.
        noise: Standard-normal draws times the noise scale.
        rise_rate: Burnout gained per unit of excess workload (scaled by 1 - burnout).
        recovery_rate: Share of burnout shed per month (per worker or one value).
        contagion: Pull toward the team's mean burnout per month.

    Returns:
        New burnout, clipped to [0, 1].
    """
    excess = np.maximum(workload - tolerance, 0.0)
    change = rise_rate * excess * (1.0 - burnout) - recovery_rate * burnout
    change += contagion * (team_mean - burnout) + noise
    return np.clip(burnout + change, 0.0, 1.0)
