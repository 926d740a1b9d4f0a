"""Exits from the modelled market: retirement, and leaving the sector.

Leaving works through intent. Each worker's probability of intending to leave within a year
is a logit of burnout (odds ratio 3.55 from the nursing meta-analysis in
``behaviour_anchors.csv``), workload, pay against the outside option (a weak effect:
leaving a profession is far less pay-sensitive than changing employer), zero-hours
contracts, being new, and being young. Those who intend to leave do so with odds 5.68 times
those who do not.
"""

from __future__ import annotations

import numpy as np


def expit(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def retirement_probability(age: np.ndarray, mean_age: float, sd: float) -> np.ndarray:
    """Monthly retirement probability from a logistic distribution of retirement ages.

    The hazard of a logistic distribution is ``F(age) / s`` per year, with ``s`` set so the
    distribution has standard deviation ``sd``.
    """
    scale = sd * np.sqrt(3.0) / np.pi
    cdf = expit((age - mean_age) / scale)
    monthly = 1.0 - np.exp(-cdf / scale / 12.0)
    return np.where(age >= 75.0, 1.0, monthly)


def intent_to_leave(
    base: np.ndarray,
    burnout: np.ndarray,
    excess_workload: np.ndarray,
    log_pay_ratio: np.ndarray,
    zero_hours: np.ndarray,
    new_starter: np.ndarray,
    young: np.ndarray,
    coef: dict,
) -> np.ndarray:
    """Probability of intending to leave the sector within a year.

    Args:
        base: Role's base log-odds, per worker.
        burnout: Burnout.
        excess_workload: Workload above the worker's tolerance (>= 0).
        log_pay_ratio: Log of own pay over the outside option.
        zero_hours: Zero-hours contract.
        new_starter: In the first year with the employer.
        young: Under 25.
        coef: The ``[exits]`` config table.

    Returns:
        Intent probabilities.
    """
    log_odds = (
        base
        + coef["intent_burnout"] * burnout
        + coef["intent_workload"] * excess_workload
        + coef["intent_pay"] * log_pay_ratio
        + coef["intent_zero_hours"] * zero_hours
        + coef["intent_new_starter"] * new_starter
        + coef["intent_young"] * young
    )
    return expit(log_odds)


def leave_probability(intent: np.ndarray, leave_base: np.ndarray, odds_ratio: float) -> np.ndarray:
    """Monthly probability of leaving the sector.

    Args:
        intent: Probability of intending to leave.
        leave_base: Yearly leaving probability of those not intending to, per worker.
        odds_ratio: Odds ratio of leaving for those who intend to.

    Returns:
        Monthly probabilities.
    """
    odds = leave_base / (1.0 - leave_base) * odds_ratio
    intending = odds / (1.0 + odds)
    yearly = leave_base * (1.0 - intent) + intending * intent
    return 1.0 - (1.0 - yearly) ** (1.0 / 12.0)
