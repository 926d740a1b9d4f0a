"""The base-year age profile, and holding the workforce to it.

Under the steady conditions of a burn-in (:mod:`wfabm.model.burn_in`) everything but the
people is frozen at April 2022, and so is the age structure: left to itself it would drift
for decades towards whatever the entry ages of new arrivals imply (a working life is forty
years), far slower than turnover, burnout and search settle. Holding the profile keeps the
retirements a steady 2022 workforce has, while people still age, retire and are replaced.
"""

from __future__ import annotations

import numpy as np

from wfabm.core.taxonomy import N_ROLES
from wfabm.world.workers import WorkerTable

__all__ = ["age_profile", "hold_age_profile"]

_WORKING_AGE_MONTHS = 16 * 12
"""Youngest working age: tenure and experience cannot reach back before it."""


def age_profile(workers: WorkerTable) -> tuple[np.ndarray, ...]:
    """The sorted ages (months) of each role's workers in the market now.

    Args:
        workers: The worker columns (the base-year population).

    Returns:
        One sorted array per role (``taxonomy.ROLES`` order).
    """
    used = workers.view()
    active = workers.active[used]
    role = workers.role[used][active]
    age = workers.age_months[used][active]
    return tuple(np.sort(age[role == r]) for r in range(N_ROLES))


def hold_age_profile(workers: WorkerTable, profile: tuple[np.ndarray, ...]) -> None:
    """Map each role's ages back onto the profile, keeping everyone's rank by age.

    The k-th youngest of n workers in a role takes the age at quantile (k + 1/2) / n of
    that role's profile; tenure and experience are cut to the years since age 16.

    Args:
        workers: The worker columns (changed in place).
        profile: Each role's sorted base-year ages (:func:`age_profile`).
    """
    n = workers.size
    active = workers.active[:n]
    role = workers.role[:n]
    age = workers.age_months
    for r, reference in enumerate(profile):
        rows = np.flatnonzero(active & (role == r))
        if len(rows) == 0 or len(reference) == 0:
            continue
        order = rows[np.argsort(age[rows], kind="stable")]
        quantile = ((np.arange(len(rows)) + 0.5) * len(reference) / len(rows)).astype(np.int64)
        age[order] = reference[quantile]
    working = np.maximum(age[:n].astype(np.int32) - _WORKING_AGE_MONTHS, 0)
    np.minimum(workers.tenure[:n], working, out=workers.tenure[:n])
    np.minimum(workers.experience[:n], working, out=workers.experience[:n])
