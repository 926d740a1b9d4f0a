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
    """Share of contracted time lost to sickness: ``base * (1 + burnout_factor * burnout)``."""
    return base * (1.0 + burnout_factor * burnout)


def present_staff(
    headcount: np.ndarray, burnout_sum: np.ndarray, base: float, burnout_factor: float
) -> np.ndarray:
    """People present at each workplace: headcount less the summed absence of its staff.

    Absence is linear in burnout, so the sum over a workplace needs only its headcount and
    the sum of its staff's burnout.
    """
    return headcount * (1.0 - base) - base * burnout_factor * burnout_sum


def workload(present: np.ndarray, funded: np.ndarray, agency_cover: np.ndarray) -> np.ndarray:
    """Work per available person at each workplace.

    Args:
        present: People present per workplace (after sickness absence).
        funded: Funded posts per workplace (all roles).
        agency_cover: Agency FTE covering each workplace.

    Returns:
        Workload ratio per workplace (1 = fully staffed, nobody absent).
    """
    return np.where(funded > 0, funded / np.maximum(present + agency_cover, 0.5), 1.0)


def update_burnout(
    burnout: np.ndarray,
    excess_workload: np.ndarray,
    team_mean: np.ndarray,
    noise: np.ndarray,
    rise_rate: float,
    recovery_rate: np.ndarray | float,
    contagion: float,
) -> np.ndarray:
    """One month of burnout dynamics for every worker at once.

    ``b' = b + rise * excess * (1 - b) - recovery * b + contagion * (team - b) + noise``,
    clipped to [0, 1].

    Args:
        burnout: Current burnout in [0, 1].
        excess_workload: Workload above each worker's tolerance (>= 0).
        team_mean: Mean burnout of each worker's workplace.
        noise: Zero-mean noise per worker.
        rise_rate: Burnout gained per unit of excess workload (scaled by 1 - burnout).
        recovery_rate: Share of burnout shed per month (per worker or one value).
        contagion: Pull toward the team's mean burnout per month.

    Returns:
        New burnout.
    """
    change = rise_rate * excess_workload * (1.0 - burnout)
    change += contagion * team_mean + noise
    change -= (recovery_rate + contagion) * burnout
    return np.minimum(np.maximum(burnout + change, 0.0), 1.0)
